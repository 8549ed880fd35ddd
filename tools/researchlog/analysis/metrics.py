"""Metrics over the log: one series per metric and dataset, oldest first, and the best so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.settings import Settings
from ..log import LogEntry


def is_better(value: float, than: float | None, higher_is_better: bool) -> bool:
    """Strictly better: an equal result is not an improvement."""
    if than is None:
        return True
    return value > than if higher_is_better else value < than


def best_so_far(values: Iterable[float | None], higher_is_better: bool) -> list[float | None]:
    """The running best; None until the first value (entries without the metric keep it)."""
    best: float | None = None
    result: list[float | None] = []
    for value in values:
        if value is not None and is_better(value, best, higher_is_better):
            best = value
        result.append(best)
    return result


def oldest_first(items: Iterable[LogEntry]) -> list[LogEntry]:
    """Chronological order: by date, then first commit, then slug (the Log is newest first)."""
    return sorted(
        items,
        key=lambda i: (i.date, i.history.first_seen or _EPOCH, i.slug),
    )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Point:
    """One entry's value of one metric."""

    item: LogEntry
    value: float


@dataclass(frozen=True)
class Series:
    """Every value of one metric on one dataset, oldest first."""

    metric: str
    dataset: str | None
    higher_is_better: bool
    points: tuple[Point, ...]

    def ranked(self) -> list[Point]:
        """Finished entries, best first; ties go to the earlier entry, which got there first.
        Planned and running entries are left out: their numbers may still change."""
        sign = -1 if self.higher_is_better else 1
        finished = [(i, p) for i, p in enumerate(self.points) if p.item.entry.finished]
        ordered = sorted(finished, key=lambda pair: (sign * pair[1].value, pair[0]))
        return [point for _, point in ordered]

    @property
    def best(self) -> Point | None:
        """The best finished entry (None while every entry is still planned or running)."""
        ranked = self.ranked()
        return ranked[0] if ranked else None

    def best_so_far(self) -> list[float | None]:
        return best_so_far(
            (p.value if p.item.entry.finished else None for p in self.points),
            self.higher_is_better,
        )


def metric_series(entries: Iterable[LogEntry], settings: Settings) -> list[Series]:
    """One series per (metric, dataset), ordered by metric name, then dataset (none last)."""
    groups: dict[tuple[str, str | None], list[Point]] = {}
    for item in oldest_first(entries):
        for metric, value in item.entry.metrics.items():
            groups.setdefault((metric, item.entry.dataset), []).append(Point(item, value))
    keys = sorted(groups, key=lambda k: (k[0].lower(), k[0], k[1] is None, k[1] or ""))
    return [
        Series(metric, dataset, settings.higher_is_better(metric), tuple(groups[metric, dataset]))
        for metric, dataset in keys
    ]


def metric_names(series: Iterable[Series]) -> list[str]:
    return list(dict.fromkeys(s.metric for s in series))


# ----------------------------------------------------------------------------- bets

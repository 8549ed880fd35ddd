"""Each project seen as a bet: its effort, its returns curve, and whether it has gone stale."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.settings import Settings
from ..log import Log, LogEntry
from .metrics import is_better, oldest_first

# Statuses that have not been tried yet, and kinds that are not experiments: neither counts
# as an attempt that could have improved a bet.
NOT_ATTEMPTS = ("planned",)
EFFORT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Step:
    """One entry on a project's returns curve."""

    item: LogEntry
    effort: float  # cumulative effort in days up to and including this entry
    value: float | None  # this entry's value of the main metric on the curve's dataset
    best: float | None  # the best value so far
    improved: bool  # this entry set a new best


@dataclass(frozen=True)
class Bet:
    """A project seen as a bet: what went in, and what came out."""

    project: str
    items: tuple[LogEntry, ...]  # newest first, as in the Log
    effort: float
    metric: str | None  # the main metric, configured or the one most entries report
    dataset: str | None  # the dataset the curve follows
    higher_is_better: bool
    curve: tuple[Step, ...]  # oldest first
    since_improvement: int | None  # attempts after the one that set the best; None: no values
    stale_after: int

    @property
    def best(self) -> Step | None:
        improved = [s for s in self.curve if s.improved]
        return improved[-1] if improved else None

    @property
    def stale(self) -> bool:
        """No improvement in the last `stale_after` attempts."""
        return self.since_improvement is not None and self.since_improvement >= self.stale_after

    @property
    def has_values(self) -> bool:
        return self.best is not None

    def effort_between(self, start: dt.date, end: dt.date) -> float:
        """Effort of the entries dated in [start, end]."""
        return sum(i.entry.effort_days or 0 for i in self.items if start <= i.date <= end)


def main_metric(project: str, items: Sequence[LogEntry], settings: Settings) -> str | None:
    """The configured main metric, else the one most entries report (ties: by name)."""
    configured = settings.project_metrics.get(project)
    if configured:
        return configured
    counts = Counter(metric for item in items for metric in item.entry.metrics)
    if not counts:
        return None
    return min(counts, key=lambda m: (-counts[m], m))


def _main_dataset(items: Sequence[LogEntry], metric: str) -> str | None:
    """The dataset most entries report the metric on (ties: the most recent one)."""
    counts: Counter[str | None] = Counter()
    latest: dict[str | None, int] = {}
    for index, item in enumerate(items):  # oldest first
        if metric in item.entry.metrics:
            counts[item.entry.dataset] += 1
            latest[item.entry.dataset] = index
    if not counts:
        return None
    return max(counts, key=lambda d: (counts[d], latest[d]))


def is_attempt(item: LogEntry) -> bool:
    return item.status not in NOT_ATTEMPTS and item.entry.kind != "scope"


def project_bet(project: str, items: Sequence[LogEntry], settings: Settings) -> Bet:
    chronological = oldest_first(items)
    metric = main_metric(project, chronological, settings)
    dataset = _main_dataset(chronological, metric) if metric else None
    higher = settings.higher_is_better(metric) if metric else True
    steps: list[Step] = []
    effort = 0.0
    best: float | None = None
    best_index: int | None = None
    for index, item in enumerate(chronological):
        effort += item.entry.effort_days or 0
        value = None
        if metric and item.entry.dataset == dataset:
            value = item.entry.metrics.get(metric)
        improved = value is not None and is_better(value, best, higher)
        if improved:
            best = value
            best_index = index
        steps.append(Step(item, effort, value, best, improved))
    since = (
        None
        if best_index is None
        else sum(1 for item in chronological[best_index + 1 :] if is_attempt(item))
    )
    return Bet(
        project=project,
        items=tuple(items),
        effort=effort,
        metric=metric,
        dataset=dataset,
        higher_is_better=higher,
        curve=tuple(steps),
        since_improvement=since,
        stale_after=settings.stale_after,
    )


def bets(log: Log) -> list[Bet]:
    """Every project as a bet, in the Log's project order."""
    return [project_bet(p, items, log.settings) for p, items in log.by_project.items()]


def as_of(log: Log) -> dt.date | None:
    """The date the log speaks for: its newest entry date or commit. Builds of one commit
    agree with each other, whatever day they run."""
    dates = [item.date for item in log.entries]
    dates += [item.history.updated.date() for item in log.entries if item.history.updated]
    return max(dates) if dates else None


def effort_window(end: dt.date, days: int = EFFORT_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """The last `days` days up to and including `end`."""
    return end - dt.timedelta(days=days - 1), end


# ----------------------------------------------------------------------------- activity

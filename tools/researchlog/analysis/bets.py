"""Each project seen as a bet: its effort against its budget, its returns curve and progress
toward its target, whether it has gone stale, and whether it is due for a decision."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..core.problems import plural
from ..core.settings import Settings
from ..log import Log, LogCard, LogEntry
from ..read.projects import Decision
from .metrics import is_better, oldest_first

# Statuses that have not been tried yet, and kinds that are not experiments: neither counts
# as an attempt that could have improved a bet.
NOT_ATTEMPTS = ("planned",)
EFFORT_WINDOW_DAYS = 90
# A bet with one of these statuses has been decided on: it is never due for a decision.
DECIDED = ("stopped", "shipped")


@dataclass(frozen=True)
class Step:
    """One entry on a project's returns curve."""

    item: LogEntry
    effort: float  # cumulative effort in days up to and including this entry
    value: float | None  # this entry's value of the main metric on the curve's dataset
    best: float | None  # the best value so far (set by finished entries only)
    improved: bool  # this entry set a new best


@dataclass(frozen=True)
class Due:
    """Why a bet needs a decision, and since when."""

    reason: str  # over-budget | stale | kill-criteria
    since: dt.date
    text: str  # what happened, for people


@dataclass(frozen=True)
class Bet:
    """A project seen as a bet: what went in, what came out, and what was decided."""

    project: str
    items: tuple[LogEntry, ...]  # newest first, as in the Log
    effort: float
    metric: str | None  # the main metric: the card's, configured, or inferred from entries
    dataset: str | None  # the dataset the curve follows
    higher_is_better: bool
    curve: tuple[Step, ...]  # oldest first
    since_improvement: int | None  # attempts after the one that set the best; None: no values
    stale_after: int
    card: LogCard | None = None
    metric_from: str = "entries"  # card | configured | entries
    direction_inferred: bool = False  # the direction was guessed from the metric's name
    triggers: tuple[Due, ...] = ()  # what has called for a decision, whether decided or not

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

    @property
    def status(self) -> str | None:
        """The card's status: active, paused, stopped or shipped (None without a card)."""
        return self.card.status if self.card else None

    @property
    def title(self) -> str:
        return self.card.card.title if self.card else self.project

    @property
    def decisions(self) -> tuple[Decision, ...]:
        return self.card.card.decisions if self.card else ()

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def budget_days(self) -> float | None:
        return self.card.card.budget_days if self.card else None

    @property
    def budget_used(self) -> float | None:
        """Effort as a share of the budget (1.0 is all of it); None without a budget."""
        budget = self.budget_days
        if budget is None:
            return None
        return self.effort / budget if budget else (1.0 if not self.effort else float("inf"))

    @property
    def over_budget(self) -> bool:
        budget = self.budget_days
        return budget is not None and self.effort > budget

    @property
    def target(self) -> float | None:
        return self.card.card.target if self.card else None

    @property
    def target_reached(self) -> bool:
        best, target = self.best, self.target
        if best is None or best.best is None or target is None:
            return False
        return reaches(best.best, target, self.higher_is_better)

    @property
    def kill_met(self) -> bool:
        return any(d.reason == "kill-criteria" for d in self.triggers)

    @property
    def due(self) -> tuple[Due, ...]:
        """What calls for a decision that nobody has taken since: none once the bet is
        stopped or shipped."""
        if self.status in DECIDED:
            return ()
        last = self.last_decision
        return tuple(d for d in self.triggers if last is None or last.date < d.since)

    @property
    def due_for_decision(self) -> bool:
        return bool(self.due)

    def effort_between(self, start: dt.date, end: dt.date) -> float:
        """Effort of the entries dated in [start, end]."""
        return sum(i.entry.effort_days or 0 for i in self.items if start <= i.date <= end)


def reaches(value: float, target: float, higher_is_better: bool) -> bool:
    """Whether `value` is at the target or beyond it, the metric's way."""
    return value >= target if higher_is_better else value <= target


def main_metric(
    project: str, items: Sequence[LogEntry], settings: Settings, card: LogCard | None = None
) -> str | None:
    """The card's main metric, else the configured one, else the one the project's entries
    list first most often (ties: the one reported most, then by name)."""
    if card is not None and card.card.metric:
        return card.card.metric
    configured = settings.project_metrics.get(project)
    if configured:
        return configured
    first = Counter(next(iter(item.entry.metrics)) for item in items if item.entry.metrics)
    if not first:
        return None
    total = Counter(metric for item in items for metric in item.entry.metrics)
    return min(first, key=lambda m: (-first[m], -total[m], m))


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


def project_bet(
    project: str, items: Sequence[LogEntry], settings: Settings, card: LogCard | None = None
) -> Bet:
    chronological = oldest_first(items)
    metric = main_metric(project, chronological, settings, card)
    dataset = None
    if metric:
        dataset = (card.card.dataset if card else None) or _main_dataset(chronological, metric)
    direction = card.card.direction if card and card.card.metric == metric else None
    if direction is None and metric:
        higher = settings.higher_is_better(metric)
    else:
        higher = direction != "lower"
    steps: list[Step] = []
    effort = 0.0
    best: float | None = None
    best_index: int | None = None
    for index, item in enumerate(chronological):
        effort += item.entry.effort_days or 0
        value = None
        if metric and item.entry.dataset == dataset:
            value = item.entry.metrics.get(metric)
        # Only finished work sets a best: a running entry's number may still change.
        improved = value is not None and item.entry.finished and is_better(value, best, higher)
        if improved:
            best = value
            best_index = index
        steps.append(Step(item, effort, value, best, improved))
    since = (
        None
        if best_index is None
        else sum(1 for item in chronological[best_index + 1 :] if is_attempt(item))
    )
    if card is not None and card.card.metric:
        metric_from = "card"
    elif metric and settings.project_metrics.get(project):
        metric_from = "configured"
    else:
        metric_from = "entries"
    bet = Bet(
        project=project,
        items=tuple(items),
        effort=effort,
        metric=metric,
        dataset=dataset,
        higher_is_better=higher,
        curve=tuple(steps),
        since_improvement=since,
        stale_after=settings.stale_after,
        card=card,
        metric_from=metric_from,
        direction_inferred=bool(metric)
        and direction is None
        and settings.is_inferred(metric or ""),
    )
    return replace(bet, triggers=_triggers(bet, best_index))


def _triggers(bet: Bet, best_index: int | None) -> tuple[Due, ...]:
    """When the bet crossed its budget, went stale, or met its kill criteria (if it did)."""
    found: list[Due] = []
    curve = bet.curve
    budget = bet.budget_days
    if budget is not None:
        over = next((s for s in curve if s.effort > budget), None)
        if over is not None:
            found.append(
                Due(
                    "over-budget",
                    over.item.date,
                    f"over budget: {_days(bet.effort)} of {_days(budget)}",
                )
            )
    if bet.stale and best_index is not None:
        attempts = [s for s in curve[best_index + 1 :] if is_attempt(s.item)]
        went_stale = attempts[bet.stale_after - 1].item.date
        found.append(
            Due(
                "stale",
                went_stale,
                f"stale: no new best in {plural(bet.since_improvement or 0, 'attempt')}",
            )
        )
    kill = bet.card.card.kill_if if bet.card else None
    if kill is not None:
        reached = next((s for s in curve if s.effort >= kill.after_effort_days), None)
        best = bet.best
        short = kill.not_reached is not None and (
            best is None
            or best.best is None
            or not reaches(best.best, kill.not_reached, bet.higher_is_better)
        )
        if reached is not None and (kill.not_reached is None or short):
            what = (
                f"{bet.metric} has not reached {_number(kill.not_reached)}"
                if kill.not_reached is not None
                else "the time box is used up"
            )
            found.append(
                Due(
                    "kill-criteria",
                    reached.item.date,
                    f"kill criteria met: {what} after {_days(kill.after_effort_days)} of effort",
                )
            )
    return tuple(found)


def _days(days: float) -> str:
    return plural(int(days), "day") if float(days).is_integer() else f"{days:g} days"


def _number(value: float) -> str:
    return f"{value:g}"


def bets(log: Log) -> list[Bet]:
    """Every project as a bet, in the Log's project order (bets with only a card too)."""
    return [project_bet(p, log.items_of(p), log.settings, log.cards.get(p)) for p in log.projects]


def as_of(log: Log) -> dt.date | None:
    """The date the log speaks for: its newest entry date or commit. Builds of one commit
    agree with each other, whatever day they run."""
    dates = [item.date for item in log.entries]
    dates += [item.history.updated.date() for item in log.entries if item.history.updated]
    return max(dates) if dates else None


def effort_window(end: dt.date, days: int = EFFORT_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """The last `days` days up to and including `end`."""
    return end - dt.timedelta(days=days - 1), end

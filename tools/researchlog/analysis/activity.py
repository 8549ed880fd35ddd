"""Activity over time: new entries and status changes, by week."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..log import Log, LogEntry


# Statuses that have not been tried yet, and kinds that are not experiments: neither counts
# as an attempt that could have improved a bet.
@dataclass(frozen=True)
class Event:
    when: dt.datetime
    item: LogEntry
    status: str
    previous: str | None  # None when the entry was created
    recorded: dt.datetime | None = None  # its first commit, for work recorded later

    @property
    def is_new(self) -> bool:
        return self.previous is None


# The events of the last Log asked for: the timeline, the feed and every project's feed
# read them from the same Log.
_last: tuple[Log, tuple[Event, ...]] | None = None


def events(log: Log) -> list[Event]:
    """New entries and committed status changes, newest first. A new entry is placed at its
    first commit, or at its date when that is earlier (work imported or recorded later)."""
    global _last
    if _last is None or _last[0] is not log:
        _last = (log, tuple(_events(log)))
    return list(_last[1])


def _events(log: Log) -> list[Event]:
    found: list[Event] = []
    for item in log.entries:
        changes = [c for c in item.history.status_history if c.commit and c.date]
        history = item.history
        if history.committed and not history.history_cut and history.created:
            first = changes[0].status if changes else item.status
            if item.recorded_later:
                when = dt.datetime.combine(item.date, dt.time(), history.created.tzinfo)
                found.append(Event(when, item, first, None, recorded=history.created))
            else:
                found.append(Event(history.created, item, first, None))
        for before, after in itertools.pairwise(changes):
            assert after.date is not None
            found.append(Event(after.date, item, after.status, before.status))
    found.sort(key=lambda e: (e.when, e.item.slug), reverse=True)
    return found


def week_of(when: dt.datetime) -> dt.date:
    day = when.date()
    return day - dt.timedelta(days=day.weekday())


def by_week(found: Sequence[Event]) -> list[tuple[dt.date, list[Event]]]:
    weeks: dict[dt.date, list[Event]] = defaultdict(list)
    for event in found:
        weeks[week_of(event.when)].append(event)
    return sorted(weeks.items(), key=lambda pair: pair[0], reverse=True)

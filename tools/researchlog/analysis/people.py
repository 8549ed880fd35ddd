"""Who is on which bet, from entry authors and dates: the people of each bet in the last 90
days, the bets one person has carried alone for too long (isolation is where bugs hide), and
the people spread over too many bets."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..log import Log
from .bets import Bet, as_of, effort_window
from .metrics import oldest_first

# Bets nobody is meant to be working on: one person's name on them is no warning.
AT_REST = ("paused", "stopped", "shipped")


@dataclass(frozen=True)
class Crew:
    """The people of one bet lately."""

    project: str
    people: tuple[tuple[str, int], ...]  # (name, entries dated in the window), most first
    alone: str | None = None  # the one person behind the bet's latest entries
    alone_since: dt.date | None = None  # the first of that person's run of entries
    alone_days: int = 0  # from alone_since to the end of the window
    isolated: bool = False  # carried alone for longer than isolation_days

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.people)


@dataclass(frozen=True)
class Member:
    """One person and the bets they worked on lately."""

    name: str
    projects: tuple[str, ...]
    spread: bool  # on more bets than max_bets_per_person


@dataclass(frozen=True)
class Team:
    start: dt.date
    end: dt.date
    crews: tuple[Crew, ...]  # one per bet, in the order of the bets given
    members: tuple[Member, ...]  # by name
    isolation_days: int
    max_bets: int

    def crew_of(self, project: str) -> Crew | None:
        return next((c for c in self.crews if c.project == project), None)

    @property
    def isolated(self) -> list[Crew]:
        return [c for c in self.crews if c.isolated]

    @property
    def spread(self) -> list[Member]:
        return [m for m in self.members if m.spread]


def team(log: Log, bets: Sequence[Bet]) -> Team:
    """Who worked on which bet in the last 90 days (up to the newest date in the log)."""
    end = as_of(log) or dt.date.today()
    start, end = effort_window(end)
    settings = log.settings
    crews = [
        _crew(bet, start, end, settings.isolation_days) for bet in bets if bet.items or bet.card
    ]
    on: dict[str, list[str]] = {}
    for crew in crews:
        for name in crew.names:
            on.setdefault(name, []).append(crew.project)
    members = tuple(
        Member(name, tuple(projects), len(projects) > settings.max_bets_per_person)
        for name, projects in sorted(on.items(), key=lambda pair: pair[0].lower())
    )
    return Team(
        start,
        end,
        tuple(crews),
        members,
        settings.isolation_days,
        settings.max_bets_per_person,
    )


def _crew(bet: Bet, start: dt.date, end: dt.date, isolation_days: int) -> Crew:
    items = [item for item in oldest_first(bet.items) if item.date <= end]
    counts: Counter[str] = Counter()
    for item in items:
        if item.date >= start:
            counts.update(item.authors)
    people = tuple(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].lower())))
    run: list[dt.date] = []
    alone: str | None = None
    for item in reversed(items):  # newest first
        if len(item.authors) != 1 or (alone is not None and item.authors[0] != alone):
            break
        alone = item.authors[0]
        run.append(item.date)
    if alone is None or run[0] < start:  # nobody on it lately, or more than one person
        return Crew(bet.project, people)
    since = run[-1]
    days = (end - since).days
    isolated = days > isolation_days and bet.status not in AT_REST
    return Crew(bet.project, people, alone, since, days, isolated)

"""The joined log: entries with their history and their links, as the views read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.problems import Problem
from ..core.settings import Settings
from ..history.model import GitState, Revision
from ..read.entries import Entry
from ..read.playbook import PlaybookPage
from ..read.projects import ProjectCard
from ..read.samples import SampleSet


@dataclass(frozen=True)
class StatusChange:
    status: str
    date: dt.datetime | None
    commit: str | None  # None for a change not committed yet


@dataclass(frozen=True)
class Contributor:
    name: str
    email: str
    commits: int


@dataclass(frozen=True)
class EntryHistory:
    """What git knows about one entry."""

    committed: bool = False
    created: dt.datetime | None = None  # None when unknown (never committed, or shallow clone)
    history_cut: bool = False  # a shallow clone hides the start of this entry's history
    updated: dt.datetime | None = None
    revisions: tuple[Revision, ...] = ()  # oldest first
    contributors: tuple[Contributor, ...] = ()
    status_history: tuple[StatusChange, ...] = ()
    changed_since_commit: bool = False  # the file on disk differs from its last commit

    @property
    def first_seen(self) -> dt.datetime | None:
        return self.revisions[0].date if self.revisions else None


@dataclass(frozen=True)
class LogEntry:
    """An entry joined with its history and its links to other entries."""

    entry: Entry
    history: EntryHistory
    date: dt.date  # front matter date, else the first commit, else the file's time
    authors: tuple[str, ...]  # front matter authors, else git authors
    supersedes: tuple[str, ...] = ()  # slugs of entries that point here with superseded_by

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def status(self) -> str:
        return self.entry.status

    @property
    def recorded_later(self) -> bool:
        """The front matter dates the work before the entry's first commit: imported work, or
        work written up afterwards. It is placed at its date; git still dates what changed
        after (its status changes)."""
        created = self.history.created
        given = self.entry.date
        return given is not None and created is not None and given < created.date()

    @property
    def days_to_status(self) -> int | None:
        """Days from the first commit to the change that set the current status."""
        changes = self.history.status_history
        start = self.history.created
        if not changes or start is None or changes[-1].date is None:
            return None
        return (changes[-1].date - start).days


@dataclass(frozen=True)
class LogCard:
    """A project card joined with its history (its status changes come from git)."""

    card: ProjectCard
    history: EntryHistory
    project: str  # the project's name as entries write it (the card's slug if none does)

    @property
    def status(self) -> str:
        return self.card.status


@dataclass(frozen=True)
class Log:
    settings: Settings
    entries: tuple[LogEntry, ...]  # newest first
    playbook: tuple[PlaybookPage, ...]  # in reading order
    # Other files under log/ and playbook/ that pages may use, and the repository's own
    # files elsewhere that pages link to (log/repofiles.py), at their repository paths.
    assets: tuple[str, ...]
    entry_files: tuple[str, ...]  # every entry file read, published or not
    problems: tuple[Problem, ...]
    git: GitState
    head: str | None = None
    by_slug: Mapping[str, LogEntry] = field(default_factory=dict)
    by_project: Mapping[str, tuple[LogEntry, ...]] = field(default_factory=dict)
    by_tag: Mapping[str, tuple[LogEntry, ...]] = field(default_factory=dict)
    by_lesson: Mapping[str, tuple[LogEntry, ...]] = field(default_factory=dict)
    samples: Mapping[str, SampleSet] = field(default_factory=dict)  # by slug, entries with samples
    cards: Mapping[str, LogCard] = field(default_factory=dict)  # by project name
    card_files: tuple[str, ...] = ()  # every project card file read, usable or not
    code_links: Mapping[str, str] = field(default_factory=dict)  # repo file -> forge address
    unpublished: Mapping[str, str] = field(default_factory=dict)  # linked file -> why not

    @property
    def projects(self) -> tuple[str, ...]:
        """Every project: those entries name and those with only a card, in name order."""
        names = set(self.by_project) | set(self.cards)
        return tuple(sorted(names, key=str.lower))

    def items_of(self, project: str) -> tuple[LogEntry, ...]:
        """A project's entries, newest first (none for a bet with only its card)."""
        return self.by_project.get(project, ())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def with_status(self, *statuses: str) -> list[LogEntry]:
        return [e for e in self.entries if e.status in statuses]

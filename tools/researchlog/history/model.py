"""What git knows of the log: commits, revisions and the history of each file.

Per-file `git log --follow` is what makes the usual MkDocs git plugins slow. Here one
`git log --raw -M` over the folders gives every commit and every file change; renames are carried
forward by hand, and the blobs of entry revisions are then streamed through one
`git cat-file --batch` to read the status each commit gave the entry.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..core.problems import Problem


class GitState(enum.StrEnum):
    OK = "ok"
    SHALLOW = "shallow"  # history is cut: early dates and authors are unknown
    NO_COMMITS = "no-commits"
    NO_REPO = "no-repo"
    NO_GIT = "no-git"  # git is not installed
    UNREADABLE = "unreadable"  # git could not read the history (a damaged repository)


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Revision:
    """One commit that touched one file."""

    sha: str
    date: dt.datetime  # author date, in the author's own offset
    author: Person
    coauthors: tuple[Person, ...]
    subject: str
    path: str  # the file's path in this commit
    change: str  # added | modified | renamed | deleted
    blob: str | None  # the file's content id after this commit
    status: str | None = None  # the entry's status as this commit left it


@dataclass(frozen=True)
class FileHistory:
    path: str
    revisions: tuple[Revision, ...]  # oldest first

    @property
    def first(self) -> Revision:
        return self.revisions[0]

    @property
    def last(self) -> Revision:
        return self.revisions[-1]


@dataclass(frozen=True)
class RepoHistory:
    state: GitState
    head: str | None = None
    files: Mapping[str, FileHistory] = field(default_factory=dict)  # by current path
    shallow_roots: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    commits_read: int = 0

    def of(self, path: str) -> FileHistory | None:
        return self.files.get(path)

    def is_cut(self, revision: Revision) -> bool:
        """True when this commit is where a shallow clone's history stops."""
        return revision.sha in self.shallow_roots


StatusReader = Callable[[str, bytes], str | None]

"""An edited or new entry's page, made at once while a preview runs, ahead of the rebuild
that brings every other page up to date.

Saving an entry is the loop a researcher lives in. A rebuild of the whole site reads every
entry and remakes every index, which on a log of thousands of entries takes seconds; the
edited page itself needs one file read and one page made. So a preview remembers, from the
build it last finished, the state of the files it read (a Snapshot) and the log it made.
When only entries changed or were added since, their pages are made from that log with those
entries read (a new entry's listings too: the home page, the explorer and its data, its
project's page); anything else (a moved or deleted file, the playbook, a notebook, the
config, a commit) leaves it to the rebuild, which follows either way."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..analysis.similarity import related_to
from ..core.settings import Settings
from ..history.checkout import head_commit
from ..log import Log, with_edited
from ..pages.model import PageSource, StaticFile
from ..pages.urls import Urls
from ..read.entries import Entry, read_entry
from ..views.site import entry_page_source, listing_pages

Stamp = tuple[int, int]  # size, mtime in nanoseconds


@dataclass(frozen=True)
class Changes:
    edited: list[str]  # files whose content changed
    added: list[str]  # new files


@dataclass(frozen=True)
class QuickPages:
    pages: list[PageSource]  # to render now
    files: list[StaticFile]  # to write now


@dataclass(frozen=True)
class Snapshot:
    """What a build read, as sizes and modification times: the log's and the playbook's
    files, the config file, and the commit checked out."""

    files: Mapping[str, Stamp]
    config: Stamp | None
    head: str

    @classmethod
    def take(cls, settings: Settings) -> Snapshot:
        root = settings.root
        files: dict[str, Stamp] = {}
        for folder in (settings.log_dir, settings.playbook_dir):
            _add_files(files, root, folder)
        return cls(files, _stamp(root / settings.config_file), head_commit(root))

    def changes(self, now: Snapshot) -> Changes | None:
        """The files edited or added since this snapshot, when that is all that changed
        (None: a file was removed, or the config or the commit changed)."""
        if now.config != self.config or now.head != self.head:
            return None
        if not self.files.keys() <= now.files.keys():
            return None
        return Changes(
            edited=sorted(p for p, stamp in self.files.items() if now.files[p] != stamp),
            added=sorted(now.files.keys() - self.files.keys()),
        )


def quick_pages(log: Log, urls: Urls, changes: Changes) -> QuickPages | None:
    """The pages of the entries edited or added, read again, made from `log` otherwise; for
    a new entry also the pages that list it first (views.site.listing_pages). None when a
    file is not an entry with a page, or reads with a problem: the rebuild reports it."""
    known = {item.entry.path: item.slug for item in log.entries}
    edited = _read(log, changes.edited, lambda path, slug: known.get(path) == slug)
    added = _read(
        log, changes.added, lambda path, slug: path not in known and slug not in log.by_slug
    )
    if edited is None or added is None or not (edited or added):
        return None
    if len({entry.slug for entry in added}) < len(added):
        return None
    log = with_edited(log, edited, added)
    paths = {entry.path for entry in (*edited, *added)}
    slugs = {entry.slug for entry in (*edited, *added)}
    # The pages made here show only their own entries' relatives (listings show none).
    nearby = related_to([item.entry for item in log.entries], slugs)
    pages = [
        entry_page_source(item, log, urls, nearby)
        for item in log.entries
        if item.entry.path in paths
    ]
    files: list[StaticFile] = []
    if added:
        listing, data = listing_pages(log, urls, {e.project for e in added if e.project})
        pages += listing
        files.append(data)
    return QuickPages(pages, files)


def _read(log: Log, paths: list[str], fits: Callable[[str, str], bool]) -> list[Entry] | None:
    """The entries at `paths`; None when one is not a Markdown entry of the log's folder, reads
    with a problem, or does not `fits(path, slug)`."""
    entries = []
    for path in paths:
        if not (path.startswith(f"{log.settings.log_dir}/") and path.endswith(".md")):
            return None  # a notebook is converted, a playbook page shows elsewhere
        entry, problems = read_entry(log.settings.root, path)
        if problems or not isinstance(entry, Entry) or not fits(path, entry.slug):
            return None
        entries.append(entry)
    return entries


def _add_files(files: dict[str, Stamp], root: Path, folder: str) -> None:
    """Every file below `folder` but hidden ones: an editor's swap and backup files come and
    go beside the file being edited. (os.scandir and plain strings: this runs on every save,
    over thousands of files.)"""
    pending = [(os.path.join(root, folder), folder)]  # noqa: PTH118
    while pending:
        directory, relative = pending.pop()
        try:
            found = list(os.scandir(directory))
        except OSError:
            continue
        for item in found:
            name = item.name
            if name.startswith(".") or name.endswith("~"):
                continue
            try:
                if item.is_dir(follow_symlinks=False):
                    pending.append((item.path, f"{relative}/{name}"))
                elif item.is_file():
                    stat = item.stat()
                    files[f"{relative}/{name}"] = (stat.st_size, stat.st_mtime_ns)
            except OSError:
                continue


def _stamp(path: Path | None) -> Stamp | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns

"""An edited entry's page, made at once while a preview runs, ahead of the rebuild that
brings every other page up to date.

Saving an entry is the loop a researcher lives in. A rebuild of the whole site reads every
entry and remakes every index, which on a log of thousands of entries takes seconds; the
edited page itself needs one file read and one page made. So a preview remembers, from the
build it last finished, the state of the files it read (a Snapshot) and the log it made.
When only entries' texts changed since, their pages are made from that log with those
entries read again; anything else (a new, moved or deleted file, the playbook, a notebook,
the config, a commit) leaves it to the rebuild, which follows either way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..analysis.similarity import related
from ..core.settings import Settings
from ..history.checkout import head_commit
from ..log import Log, with_edited
from ..pages.model import PageSource
from ..pages.urls import Urls
from ..read.entries import Entry, read_entry
from ..views.site import entry_page_source

Stamp = tuple[int, int]  # size, mtime in nanoseconds


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

    def edited(self, now: Snapshot) -> list[str] | None:
        """The files whose content changed since this snapshot, when that is all that changed
        (None: a file was added or removed, or the config or the commit changed)."""
        if now.config != self.config or now.head != self.head:
            return None
        if now.files.keys() != self.files.keys():
            return None
        return sorted(path for path, stamp in now.files.items() if self.files[path] != stamp)


def edited_entry_pages(log: Log, urls: Urls, paths: list[str]) -> list[PageSource] | None:
    """The pages of the entries at `paths`, read again, from `log` otherwise; None when one
    of them is not an entry with a page, or reads with a problem (the rebuild reports it)."""
    by_path = {item.entry.path: item for item in log.entries}
    edited: list[Entry] = []
    for path in paths:
        if path not in by_path or not path.endswith(".md"):
            return None  # a notebook is converted, a card or playbook page shows elsewhere
        entry, problems = read_entry(log.settings.root, path)
        if problems or not isinstance(entry, Entry) or entry.slug != by_path[path].slug:
            return None
        edited.append(entry)
    if not edited:
        return None
    log = with_edited(log, edited)
    nearby = related([item.entry for item in log.entries])
    return [
        entry_page_source(item, log, urls, nearby)
        for item in log.entries
        if item.entry.path in paths
    ]


def _add_files(files: dict[str, Stamp], root: Path, folder: str) -> None:
    """Every file below `folder` but hidden ones: an editor's swap and backup files come and
    go beside the file being edited."""
    for directory, subfolders, names in os.walk(root / folder):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = Path(directory).relative_to(root).as_posix()
        for name in names:
            if name.startswith(".") or name.endswith("~"):
                continue
            stamp = _stamp(Path(directory) / name)
            if stamp is not None:
                files[f"{relative}/{name}"] = stamp


def _stamp(path: Path | None) -> Stamp | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns

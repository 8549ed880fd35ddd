"""Rendered pages kept by what they were made from, so a rebuild writes only what changed.

A page's key (PageSource.key) digests everything the page is made from; the engine adds the
site's shell (its configuration, navigation, theme and the versions of everything that renders
it). A page rendered for the same key and shell is the same page, so it is linked from here
into the new site instead of being rendered again.

A kept page and the site's page are one file (a hard link, where the file system has them):
writing the site's thousands of pages again would cost more than rendering the changed ones.
So a kept page is trusted only while it is as it was kept: its size and modification time
are recorded (`stamps.json`) and compared before each use. A site page edited in place (a
deploy script, a hand edit) changes the kept one too; the next build sees it and renders that
page again. A missing, damaged or foreign entry only costs a render: a key is only ever looked
up, never trusted beyond its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

from ..core.cache import file_stamp, link_into, make_folder, read, write_atomic

FOLDER = "pages"
STAMPS = "stamps.json"  # each kept page's name: its [size, mtime in ns] when it was kept
_SCANNED = "scanned"  # touched when the folder was last searched for unused pages
_UNUSED_DAYS = 14  # outputs no build has used for this long are removed

Stamp = tuple[int, int]


class PageOutputs:
    def __init__(self, folder: Path, shell: str) -> None:
        self.folder = folder
        self.shell = shell
        self.stamps = _read_stamps(folder / STAMPS)
        self.used: dict[str, Stamp] = {}  # by name: the pages this build reused or kept
        self.dropped: set[str] = set()  # names found changed since they were kept

    def _name(self, key: str) -> str:
        return hashlib.sha256(f"{self.shell}\0{key}".encode()).hexdigest()

    # A build reuses thousands of pages: plain strings and os calls, not Path (a third of
    # the time for each).
    def _path(self, name: str) -> str:
        return os.path.join(self.folder, name[:2], f"{name}.html")  # noqa: PTH118

    def reuse(self, key: str, target: str) -> bool:
        """Put the page rendered for `key` at `target`; False when there is none, or when the
        kept one is not as it was kept."""
        if not key:
            return False
        name = self._name(key)
        stamp = self.stamps.get(name)
        stored = self._path(name)
        try:
            if stamp is None or file_stamp(os.stat(stored)) != stamp:  # noqa: PTH116
                self.dropped.add(name)
                return False
            link_into(stored, target)
        except OSError:
            return False
        self.used[name] = stamp
        return True

    def keep(self, key: str, rendered: str) -> None:
        """Keep a page just rendered at `rendered` for later builds."""
        if not key:
            return
        name = self._name(key)
        stored = self._path(name)
        with contextlib.suppress(OSError):
            if not Path(rendered).is_file():
                return
            link_into(rendered, stored)
            self.used[name] = file_stamp(os.stat(stored))  # noqa: PTH116

    def save(self) -> None:
        """Record what this build kept, beside what other builds recorded meanwhile."""
        with contextlib.suppress(OSError):
            make_folder(self.folder)
            stamps = _read_stamps(self.folder / STAMPS)
            for name in self.dropped:
                stamps.pop(name, None)
            stamps.update(self.used)
            text = json.dumps({name: list(stamp) for name, stamp in stamps.items()})
            write_atomic(self.folder / STAMPS, text.encode())

    def prune(self) -> None:
        """Mark what this build used; remove what no build has used for a while. Use is
        marked in the access time: the modification time is the page's stamp."""
        now = time.time_ns()
        for name, (_, mtime) in self.used.items():
            with contextlib.suppress(OSError):
                os.utime(self._path(name), ns=(now, mtime))
        # Finding the unused means a look at every kept page: once a day is enough.
        scanned = self.folder / _SCANNED
        with contextlib.suppress(OSError):
            if now / 1e9 - scanned.stat().st_mtime < 86400:
                return
        cutoff = now / 1e9 - _UNUSED_DAYS * 86400
        with contextlib.suppress(OSError):
            scanned.touch()
        for path in self.folder.glob("*/*.html"):
            with contextlib.suppress(OSError):
                if path.stat().st_atime < cutoff:
                    path.unlink()
                    self.dropped.add(path.stem)
                    self.used.pop(path.stem, None)


def _read_stamps(path: Path) -> dict[str, Stamp]:
    """The recorded stamps; none when the file is missing or damaged (every page renders)."""
    data = read(path)
    try:
        found = json.loads(data) if data else {}
        return {str(name): (int(size), int(mtime)) for name, (size, mtime) in found.items()}
    except (ValueError, TypeError, AttributeError):
        return {}

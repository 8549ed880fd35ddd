"""Rendered pages kept by what they were made from, so a rebuild writes only what changed.

A page's key (PageSource.key) digests everything the page is made from; the engine adds the
site's shell (its configuration, navigation, theme and the versions of everything that renders
it). A page rendered for the same key and shell is the same page, so it is copied from here
into the new site (hard-linked into a preview's folder, which nobody edits) instead of being
rendered again. A missing, damaged or foreign entry only
costs a render: a key is only ever looked up, never trusted beyond its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

from ..core.cache import link_file, make_folder

FOLDER = "pages"
_SCANNED = "scanned"  # touched when the folder was last searched for unused pages
_UNUSED_DAYS = 14  # outputs no build has used for this long are removed


class PageOutputs:
    def __init__(self, folder: Path, shell: str, *, link: bool = False) -> None:
        self.folder = folder
        self.shell = shell
        # Hard links between the cache and the site only where nobody edits the site: a
        # preview's folder. A built site is a copy, so an edit to it cannot reach the cache.
        self.link = link
        self.reused: set[str] = set()
        self.kept: set[str] = set()

    def _path(self, key: str) -> Path:
        name = hashlib.sha256(f"{self.shell}\0{key}".encode()).hexdigest()
        return self.folder / name[:2] / f"{name}.html"

    def reuse(self, key: str, target: Path) -> bool:
        """Put the page rendered for `key` at `target`; False when there is none."""
        if not key:
            return False
        stored = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            link_file(stored, target, link=self.link)
        except OSError:
            return False
        self.reused.add(key)
        return True

    def keep(self, key: str, rendered: Path) -> None:
        """Keep a page just rendered at `rendered` for later builds."""
        if not key or not rendered.is_file():
            return
        stored = self._path(key)
        with contextlib.suppress(OSError):
            make_folder(self.folder)
            stored.parent.mkdir(parents=True, exist_ok=True)
            link_file(rendered, stored, link=self.link)
            self.kept.add(key)

    def prune(self) -> None:
        """Touch what this build used; remove what no build has used for a while."""
        now = time.time()
        for key in self.reused | self.kept:
            with contextlib.suppress(OSError):
                os.utime(self._path(key), (now, now))
        # Finding the unused means a look at every kept page: once a day is enough.
        scanned = self.folder / _SCANNED
        with contextlib.suppress(OSError):
            if now - scanned.stat().st_mtime < 86400:
                return
        cutoff = now - _UNUSED_DAYS * 86400
        with contextlib.suppress(OSError):
            scanned.touch()
        for path in self.folder.glob("*/*.html"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()

"""Rendered Markdown of pages, kept between builds by content.

Rendering Markdown is the largest part of a MkDocs build. A page whose Markdown, location and
Markdown configuration are unchanged renders to the same HTML, table of contents and anchors,
so a rebuild (after editing one entry, or on each save during `researchlog serve`) takes them
from here. The caller never stores a page whose rendering logged a message: a broken link
must be reported by every build, not only the first.

The pages live in one SQLite file rather than a file each: creating and renaming thousands of
small files costs more than rendering some of them. The cache is only ever a speed-up: a
damaged file is started afresh, and a locked or unwritable one means a slower build.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import cache

FORMAT = 2  # the stored shape of a page; another value starts the file afresh
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_LOCK_WAIT = 2.0  # seconds to wait for another build writing the same cache


@dataclass(frozen=True)
class Rendered:
    """What rendering a page's Markdown gave."""

    html: str
    toc: list[dict[str, Any]]  # tokens as Python-Markdown's toc extension makes them
    anchors: list[str]  # ids present on the page, for anchor link checks
    links: dict[str, dict[str, str]] = field(default_factory=dict)  # src_uri -> {anchor: link}
    title: str | None = None  # the title found in the rendered HTML, if any

    def encode(self) -> str:
        return json.dumps(
            [self.html, self.toc, self.anchors, self.links, self.title], ensure_ascii=False
        )

    @classmethod
    def decode(cls, text: str) -> Rendered:
        html, toc, anchors, links, title = json.loads(text)
        if not (isinstance(html, str) and isinstance(toc, list) and isinstance(links, dict)):
            raise ValueError("not a rendered page")
        return cls(html, toc, list(anchors), links, title)


class RenderCache:
    """Rendered pages keyed by a digest of the page's Markdown, location and the build's
    fingerprint: a page is read only when it is rendered, nothing is held in memory, and
    closing removes the pages this build did not use."""

    def __init__(self, file: Path, fingerprint: str) -> None:
        self.file = file
        self.fingerprint = fingerprint
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self.problem: str | None = None  # why the cache was given up for this build
        self._db: sqlite3.Connection | None = None

    def get(self, src_uri: str, markdown: str) -> Rendered | None:
        key = self._key(src_uri, markdown)
        row = self._run("SELECT data FROM pages WHERE key = ?", (key,))
        rendered = None
        if row is not None:
            try:
                rendered = Rendered.decode(row[0])
            except (ValueError, TypeError):
                rendered = None  # a damaged page is rendered again, never trusted
        if rendered is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(key)
        return rendered

    def has(self, src_uri: str, markdown: str) -> bool:
        """Whether the page is stored (by this build, or another process of it)."""
        key = self._key(src_uri, markdown)
        return self._run("SELECT 1 FROM pages WHERE key = ?", (key,)) is not None

    def put(self, src_uri: str, markdown: str, rendered: Rendered) -> None:
        key = self._key(src_uri, markdown)
        self._run("INSERT OR REPLACE INTO pages VALUES (?, ?)", (key, rendered.encode()))
        self.used.add(key)

    def close(self, *, prune: bool = True) -> None:
        """Save this build's pages and, after a whole build, remove the rest: pages since
        edited, moved or deleted."""
        db, self._db = self._db, None
        if db is None:
            return
        try:
            if prune:
                with db:
                    db.execute("BEGIN")
                    db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")
                    db.executemany("INSERT INTO used VALUES (?)", ((k,) for k in self.used))
                    db.execute("DELETE FROM pages WHERE key NOT IN (SELECT key FROM used)")
        except sqlite3.Error as exc:
            self.problem = self.problem or str(exc)
        finally:
            db.close()

    def _run(self, statement: str, values: tuple[str, ...]) -> Any:
        db = self._connect()
        if db is None:
            return None
        try:
            return db.execute(statement, values).fetchone()
        except sqlite3.Error as exc:  # e.g. another build holds the file: go on without it
            self._give_up(str(exc))
            return None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and self.problem is None:
            try:
                self._db = _open(self.file)
            except sqlite3.DatabaseError:
                # Not a database any more (a crash, a stray write): it is only a cache.
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        Path(f"{self.file}{suffix}").unlink(missing_ok=True)
                try:
                    self._db = _open(self.file)
                except (sqlite3.Error, OSError) as exc:
                    self._give_up(str(exc))
            except OSError as exc:
                self._give_up(str(exc))
        return self._db

    def _give_up(self, problem: str) -> None:
        self.problem = problem
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.rollback()
                self._db.close()
            self._db = None

    def _key(self, src_uri: str, markdown: str) -> str:
        return cache.digest(str(FORMAT), self.fingerprint, src_uri, markdown)


def _open(file: Path) -> sqlite3.Connection:
    cache.make_folder(file.parent)
    # Each page is committed as it is stored: the worker rendering pages ahead of the build
    # (prerender) and the build see each other's pages at once, and never wait long.
    db = sqlite3.connect(file, timeout=_LOCK_WAIT, isolation_level=None)
    try:
        # Write-ahead logging: a build reading the cache never waits for one writing it.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
            db.execute("DROP TABLE IF EXISTS pages")
            db.execute(f"PRAGMA user_version = {FORMAT}")
        db.execute("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, data TEXT)")
    except BaseException:
        db.close()
        raise
    return db


def fingerprint(*parts: object) -> str:
    """A digest of everything besides a page's Markdown that shapes its rendering."""
    return cache.digest(*(stable_text(part) for part in parts))


def stable_text(value: object) -> str:
    """Text for a configuration value that is the same in every process: functions (as in
    `!!python/name:` options) are named, not shown with their memory address."""
    if isinstance(value, Mapping):
        items = sorted((str(k), stable_text(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return repr(value)
    if isinstance(value, Iterable):
        return "[" + ",".join(stable_text(v) for v in value) + "]"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"<{getattr(value, '__module__', '')}.{value.__qualname__}>"
    return _ADDRESS.sub("", repr(value))

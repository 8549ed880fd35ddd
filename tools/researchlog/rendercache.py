"""Rendered Markdown of pages, kept between builds by content.

Rendering Markdown is the largest part of a MkDocs build. A page whose Markdown, location and
Markdown configuration are unchanged renders to the same HTML, table of contents and anchors,
so a rebuild (after editing one entry, or on each save during `researchlog serve`) takes them
from here. The caller never stores a page whose rendering logged a message: a broken link
must be reported by every build, not only the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import cache

FORMAT = 1
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class Rendered:
    """What rendering a page's Markdown gave."""

    html: str
    toc: list[dict[str, Any]]  # tokens as Python-Markdown's toc extension makes them
    anchors: list[str]  # ids present on the page, for anchor link checks
    links: dict[str, dict[str, str]] = field(default_factory=dict)  # src_uri -> {anchor: link}
    title: str | None = None  # the title found in the rendered HTML, if any


class RenderCache:
    """One small file per rendered page, named by a digest of the page's Markdown, location
    and the build's fingerprint: a page is read only when it is rendered, nothing is held in
    memory, and saving removes the files this build did not use."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def get(self, src_uri: str, markdown: str) -> Rendered | None:
        key = self._key(src_uri, markdown)
        data = cache.read(self.folder / f"{key}.json")
        try:
            rendered = None if data is None else Rendered(**json.loads(data))
        except (ValueError, TypeError):
            rendered = None  # a damaged entry is rendered again, never trusted
        if rendered is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(key)
        return rendered

    def put(self, src_uri: str, markdown: str, rendered: Rendered) -> None:
        key = self._key(src_uri, markdown)
        data = json.dumps(asdict(rendered), ensure_ascii=False).encode("utf-8")
        cache.write_atomic(self.folder / f"{key}.json", data)
        self.used.add(key)

    def prune(self) -> None:
        """Remove what this build did not use: pages since edited, moved or deleted."""
        for path in self.folder.glob("*.json"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)

    def _key(self, src_uri: str, markdown: str) -> str:
        return cache.digest(str(FORMAT), self.fingerprint, src_uri, markdown)


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

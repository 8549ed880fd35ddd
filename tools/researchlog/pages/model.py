"""What the views produce: pages (Markdown for the site generator) and static files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

Markup = str | Callable[[], str]  # an HTML block, or what makes it when it is needed


class Blocks(Mapping[str, str]):
    """HTML blocks by placeholder. A block given as a function is made when first read: a
    page's Markdown is needed long before its blocks, and most of a page's cost is in them."""

    def __init__(self, blocks: Mapping[str, Markup]) -> None:
        self._blocks = dict(blocks)

    def __getitem__(self, token: str) -> str:
        markup = self._blocks[token]
        if not isinstance(markup, str):
            markup = self._blocks[token] = markup()
        return markup

    def __iter__(self) -> Iterator[str]:
        return iter(self._blocks)

    def __len__(self) -> int:
        return len(self._blocks)


@dataclass(frozen=True)
class Page:
    src_uri: str  # where the page pretends to live, e.g. "dead-ends.md" or "log/2025/x.md"
    markdown: str
    title: str
    source: str | None = None  # the repo file the page is made from, for "edit this page"
    blocks: Mapping[str, str] = field(default_factory=dict)  # placeholder -> HTML

    def fill(self, rendered: str) -> str:
        """Put the HTML blocks in place of their placeholders in the rendered page."""
        for token, markup in self.blocks.items():
            wrapped = f"<p>{token}</p>"
            rendered = (
                rendered.replace(wrapped, markup, 1)
                if wrapped in rendered
                else rendered.replace(token, markup, 1)
            )
        return rendered

    def inline_markdown(self) -> str:
        """The Markdown with every HTML block in its placeholder's place, for an engine that
        renders pages whole (Zensical). A block on a line of its own is a raw HTML block of
        Markdown's, so it starts with a block-level element, and is left as it is."""
        text = self.markdown
        for token, markup in self.blocks.items():
            block = f"\n{token}\n"
            if block in f"\n{text}\n":
                html = markup if _BLOCK_START.match(markup) else f"<div>{markup}</div>"
                text = f"\n{text}\n".replace(block, f"\n\n{html}\n\n", 1)[1:-1]
            else:
                text = text.replace(token, markup, 1)
        return text


# Tags Python-Markdown takes as the start of a raw HTML block (its block-level elements).
_BLOCK_START = re.compile(
    r"\s*<(?:address|article|aside|blockquote|details|dialog|div|dl|fieldset|figure|footer"
    r"|form|h[1-6]|header|hr|main|nav|noscript|ol|p|pre|section|table|ul|canvas|video"
    r"|math|iframe|style|script)[\s>/]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PageSource:
    """A page whose Markdown is made only when the site generator reads it.

    A log of thousands of entries would otherwise hold every page's Markdown and HTML blocks
    in memory at once; this way a page exists from its read until its HTML is written.
    """

    src_uri: str
    title: str
    source: str | None  # the repo file the page is made from, for "edit this page"
    make: Callable[[], Page]
    # A digest of everything the page is made from: the same key, the same page. An engine
    # may keep what it rendered for a key and reuse it (build/outputs.py).
    key: str = ""

    @classmethod
    def of(cls, page: Page) -> PageSource:
        """A page made already: its key is the digest of what it holds."""
        return cls(page.src_uri, page.title, page.source, lambda: page, content_key(page))


def content_key(page: Page) -> str:
    """The digest of a page's Markdown and of every HTML block it holds."""
    hasher = hashlib.sha256()
    for part in (page.src_uri, page.title, page.source or "", page.markdown):
        hasher.update(part.encode())
        hasher.update(b"\0")
    for token in page.blocks:
        hasher.update(token.encode())
        hasher.update(page.blocks[token].encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


@dataclass(frozen=True)
class Body:
    """A page body made elsewhere (a converted notebook): Markdown with placeholders, and the
    HTML blocks that replace them after rendering, as PageWriter's own blocks do."""

    markdown: str
    blocks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StaticFile:
    src_uri: str
    content: bytes | None = None
    source: Path | None = None  # copy this file from disk instead of holding it in memory


@dataclass(frozen=True)
class NavItem:
    title: str
    src_uri: str | None = None
    children: tuple[NavItem, ...] = ()


@dataclass(frozen=True)
class Site:
    pages: tuple[PageSource, ...]
    files: tuple[StaticFile, ...]
    nav: tuple[NavItem, ...]

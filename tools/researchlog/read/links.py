"""Links and images in Markdown text, and HTML that would run script, found where Markdown
would find them: never inside code (fences and code spans) or HTML comments.

The link check (`researchlog check` and the build alike) resolves what this finds, so both
report the same missing files; the script scan warns about entry Markdown that runs script
for every reader of the site.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class LinkRef:
    """A link or image address as written, and the file line it is on."""

    href: str
    line: int


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# [text](address "title") and ![alt](address); the text may hold one level of brackets.
_INLINE = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(<[^>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
_HANDLER = re.compile(r"<[A-Za-z][^>]*?\s(on[a-z]+)\s*=", re.IGNORECASE | re.DOTALL)


# An entry's links and its scripts are looked for in turn, in the same text.
@functools.lru_cache(maxsize=16)
def prose(text: str) -> str:
    """`text` with code and comments blanked out, every other character at its place (so
    offsets and line numbers still match the file)."""
    lines = text.splitlines(keepends=True)
    fence: str | None = None
    kept: list[str] = []
    for line in lines:
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            kept.append(_blank(line))
        elif fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            kept.append(_blank(line))
        else:
            kept.append(line)
    masked = "".join(kept)
    masked = _CODE_SPAN.sub(lambda m: _blank(m.group(0)), masked)
    return _COMMENT.sub(lambda m: _blank(m.group(0)), masked)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def markdown_links(text: str, first_line: int = 1) -> list[LinkRef]:
    """Every link and image address in Markdown `text` whose first line is `first_line`."""
    masked = prose(text)
    return [
        LinkRef(_address(href), first_line + masked.count("\n", 0, offset))
        for offset, href in _spans(masked)
    ]


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where each link and image address of Markdown `text` is written: (start, end) offsets
    of the address as `markdown_links` finds it (angle brackets excluded), in order."""
    spans = []
    for offset, href in _spans(prose(text)):
        if href.startswith("<") and href.endswith(">"):
            offset, href = offset + 1, href[1:-1]
        spans.append((offset, offset + len(href)))
    return spans


def _spans(masked: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _INLINE.finditer(masked):
        found.append((match.start(2), match.group(2)))
        inner = match.group(1)
        for nested in _INLINE.finditer(inner):  # an image inside a link's text
            found.append((match.start(1) + nested.start(2), nested.group(2)))
    found.extend((m.start(1), m.group(1)) for m in _DEFINITION.finditer(masked))
    found.sort()
    return [(offset, href) for offset, href in found if href.strip("<>")]


def _address(href: str) -> str:
    return href[1:-1] if href.startswith("<") and href.endswith(">") else href


_HTML_ADDRESS = re.compile(
    r"<(?:img|a|video|audio|source|track)\b[^>]*?\s(?:src|href|poster)\s*=\s*"
    r"(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)",
    re.IGNORECASE,
)


def html_links(text: str, first_line: int = 1) -> list[LinkRef]:
    """Addresses in the raw HTML of Markdown `text` (pictures, media, links), outside code:
    notebooks show these from their Markdown cells, so the link check reads them too."""
    masked = prose(text)
    return [
        LinkRef(
            html.unescape(match.group(1).strip("\"'")),
            first_line + masked.count("\n", 0, match.start(1)),
        )
        for match in _HTML_ADDRESS.finditer(masked)
        if match.group(1).strip("\"'")
    ]


_REMOTE = re.compile(r"^\s*(?:(?:https?|ftp):)?//", re.IGNORECASE)
# Attributes that load a file into the page where they stand (not links a reader follows).
_HTML_LOAD = re.compile(
    r"<(?:img|video|audio|source|track|input|image)\b[^>]*?\s(?:src|poster|href|xlink:href)"
    r"\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)",
    re.IGNORECASE,
)


def is_remote(href: str) -> bool:
    """An address on another host (https://…, //host/…)."""
    return bool(_REMOTE.match(href))


def remote_loads(text: str, *, markdown: bool = True) -> list[str]:
    """Addresses on other hosts that showing `text` would load: pictures in Markdown, and
    pictures, video and sound in its raw HTML (outside code, for Markdown)."""
    masked = prose(text) if markdown else text
    found: list[tuple[int, str]] = []
    if markdown:
        found += [
            (m.start(2), _address(m.group(2)))
            for m in _INLINE.finditer(masked)
            if m.group(0)[0] == "!"
        ]
    found += [
        (m.start(1), html.unescape(m.group(1).strip("\"'"))) for m in _HTML_LOAD.finditer(masked)
    ]
    return [href for _, href in sorted(found) if is_remote(href)]


def script_lines(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """(line, what) for each place where raw HTML in Markdown `text` would run script."""
    masked = prose(text)
    found = [(m.start(), "a <script> element") for m in _SCRIPT.finditer(masked)]
    found += [
        (m.start(1), f"an {m.group(1).lower()}= attribute") for m in _HANDLER.finditer(masked)
    ]
    found.sort()
    return [(first_line + masked.count("\n", 0, offset), what) for offset, what in found]


def link_target(source: str, href: str, *, rooted: bool = False) -> str | None:
    """The repository path a link from the file `source` points at, as MkDocs resolves it;
    None for what MkDocs leaves alone: web addresses, absolute paths and anchors on the page.
    The path may lead out of the repository ("../x"): the caller decides what that means.
    `rooted`: a path from the root ("/img/x.png") is from the site's root, as notebooks are
    read (MkDocs leaves such links in Markdown alone)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("\\") or not parts.path:
        return None
    if href.startswith("/"):
        return posixpath.normpath(unquote(parts.path).lstrip("/")) if rooted else None
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))


def names_a_file(target: str) -> bool:
    """MkDocs checks only links whose last part has an extension; others (a folder, a
    route) are left as they are."""
    return bool(posixpath.splitext(target)[1])

"""Links to the repository's code, pointed at the forge in the page's Markdown.

The Log says which repository files the forge shows (log.code_links, made when repo_url is
set); every page that carries a writer's Markdown (entries, playbook pages, project cards)
rewrites its links to them here, before any engine reads the Markdown. So MkDocs, or any other
engine, renders a plain web address, and the link check knows the link is fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from ..read.links import link_spans, link_target


def forge_address(source: str, href: str, code_links: Mapping[str, str]) -> str | None:
    """Where the link `href` in the file `source` goes on the forge, its #anchor kept (a line,
    `#L42`); None when it is not a link to code the forge shows."""
    target = link_target(source, href)
    if target is None or target not in code_links:
        return None
    fragment = urlsplit(href).fragment
    return code_links[target] + (f"#{fragment}" if fragment else "")


def with_forge_links(markdown: str, source: str, code_links: Mapping[str, str]) -> str:
    """`markdown`, the text of the file `source`, with its links to code on the forge."""
    if not code_links:
        return markdown
    rewritten = markdown
    for start, end in reversed(link_spans(markdown)):
        address = forge_address(source, markdown[start:end], code_links)
        if address is not None:
            rewritten = rewritten[:start] + address + rewritten[end:]
    return rewritten

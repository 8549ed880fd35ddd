"""A Markdown extension for pages the plugin renders: accessible task lists, and links to
headings whose ids hold a %.

pymdownx.tasklist draws checkboxes without an accessible name, so screen readers announce
"checkbox, checked" and nothing else. This names each one after its item's text. The
checkboxes are raw HTML (stashed by the extension), so this works on the rendered string.

Notebook headings keep Jupyter's anchors, which are their text ("Capturing-output-with-%%capture").
The table of contents links to "#" + id as it is, which is not a valid address: browsers and
Material's scripts decode it and fail. The links (not the ids) get the % escaped as %25.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

_TASK = re.compile(
    r'(<li class="[^"]*task-list-item[^"]*">(?:\s*<p>)?\s*<label class="task-list-control">'
    r'<input type="checkbox")([^>]*?)(\s*/?>)(.*?)(?=</li>|<ul|<ol|</p>)',
    re.S,
)
_TAG = re.compile(r"<[^>]+>")


def _label(match: re.Match[str]) -> str:
    start, attributes, close, rest = match.groups()
    if "aria-label=" in attributes:
        return match.group(0)
    text = " ".join(html.unescape(_TAG.sub("", rest)).split())[:200]
    if not text:
        return match.group(0)
    return f'{start}{attributes} aria-label="{html.escape(text)}"{close}{rest}'


class TaskListLabels(Postprocessor):
    def run(self, text: str) -> str:
        return _TASK.sub(_label, text) if "task-list-item" in text else text


class FragmentLinks(Treeprocessor):
    """After the table of contents is made: its links, and headings' permalinks, to ids
    with a % in them are escaped, so that they are valid addresses of those ids."""

    def run(self, root: Any) -> None:
        tokens = getattr(self.md, "toc_tokens", None)
        if tokens:
            _escape_tokens(tokens)
        for link in root.iter("a"):
            href = link.get("href", "")
            if href.startswith("#") and "%" in href and "headerlink" in link.get("class", ""):
                link.set("href", "#" + _escape(href[1:]))


def _escape(fragment: str) -> str:
    return fragment.replace("%", "%25")


def _escape_tokens(tokens: list[dict[str, Any]]) -> None:
    for token in tokens:
        if "%" in str(token.get("id", "")):
            token["id"] = _escape(str(token["id"]))
        _escape_tokens(token.get("children") or [])


class ResearchLogExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After raw HTML (priority 30) is back in place, so the checkboxes exist.
        md.postprocessors.register(TaskListLabels(md), "researchlog-task-labels", 5)
        # After the toc extension's treeprocessor (priority 5).
        md.treeprocessors.register(FragmentLinks(md), "researchlog-fragment-links", 4)


def makeExtension(**kwargs: object) -> ResearchLogExtension:
    return ResearchLogExtension(**kwargs)

"""A Markdown extension for pages the plugin renders: accessible task lists.

pymdownx.tasklist draws checkboxes without an accessible name, so screen readers announce
"checkbox, checked" and nothing else. This names each one after its item's text. The
checkboxes are raw HTML (stashed by the extension), so this works on the rendered string.
"""

from __future__ import annotations

import html
import re

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

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


class ResearchLogExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After raw HTML (priority 30) is back in place, so the checkboxes exist.
        md.postprocessors.register(TaskListLabels(md), "researchlog-task-labels", 5)


def makeExtension(**kwargs: object) -> ResearchLogExtension:
    return ResearchLogExtension(**kwargs)

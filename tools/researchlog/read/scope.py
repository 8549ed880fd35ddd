"""Scoping documents: the assumptions their task lists record, and which are still open.

An assumption is a task-list item: `- [ ]` open, `- [x]` confirmed, and struck through with
`~~…~~` when it turned out wrong (ticked or not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entries import Entry

_TASK = re.compile(r"^[ \t]{0,3}[-*+][ \t]+\[([ xX])\][ \t]+(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Assumptions:
    open: int = 0
    confirmed: int = 0
    wrong: int = 0

    @property
    def total(self) -> int:
        return self.open + self.confirmed + self.wrong


def assumptions(entry: Entry) -> Assumptions:
    """Counts of a scope entry's assumptions (zero for other entries)."""
    if entry.kind != "scope":
        return Assumptions()
    open_, confirmed, wrong = 0, 0, 0
    for mark, text in _TASK.findall(entry.body):
        if text.lstrip().startswith("~~"):
            wrong += 1
        elif mark == " ":
            open_ += 1
        else:
            confirmed += 1
    return Assumptions(open_, confirmed, wrong)

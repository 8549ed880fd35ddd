"""Problems found in a research log: collected, never raised one at a time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, with where it is and how to fix it."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """`path:line: error: message` and, indented below it, the fix."""
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


def error(path: str, line: int | None, message: str, hint: str = "") -> Problem:
    return Problem(path, line, message, hint, Severity.ERROR)


def warning(path: str, line: int | None, message: str, hint: str = "") -> Problem:
    return Problem(path, line, message, hint, Severity.WARNING)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file, then line, with duplicates removed."""
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def count_summary(problems: Iterable[Problem]) -> str:
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(plural(errors, "error"))
    if warnings:
        parts.append(plural(warnings, "warning"))
    return ", ".join(parts) or "no problems"

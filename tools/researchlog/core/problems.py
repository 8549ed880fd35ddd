"""Problems found in a research log: collected, never raised one at a time.

Every problem has a stable code naming its kind (`check --json` prints it, scripts may rely
on it), and one encoding (`encode`/`decode`) for everything that stores or sends problems:
the caches and the worker processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The kinds of problem, by code. A code never changes meaning; new kinds get new codes.
CODES: Mapping[str, str] = {
    # files under log/ and playbook/
    "file-unreadable": "a file cannot be read",
    "file-binary": "an entry file is not text",
    "file-not-utf8": "an entry file is not UTF-8",
    "file-empty": "an entry file is empty",
    "file-name-unsafe": "a file name breaks web addresses",
    "file-symlink-loop": "a folder links back into one already read",
    "file-broken-link": "a symbolic link points to nothing",
    "file-outside-repository": "a symbolic link points outside the repository",
    "file-hidden": "a symbolic link points to a hidden file or folder",
    "file-not-regular": "a pipe, socket or device",
    "secret": "a line that looks like a credential",
    # front matter
    "front-matter-missing": "no front matter",
    "front-matter-unclosed": "a front matter block is never closed",
    "front-matter-empty": "the front matter is empty",
    "front-matter-not-mapping": "the front matter is not a mapping of fields",
    "front-matter-yaml": "the front matter is not valid YAML",
    "front-matter-too-deep": "the front matter is nested too deeply",
    "front-matter-key": "a field name is not plain text",
    "front-matter-duplicate": "a field is given twice",
    "front-matter-alias": "a field uses a YAML alias",
    "front-matter-value": "a value cannot be read",
    "front-matter-twice": "a notebook has front matter in two places that disagree",
    "field-missing": "a required field is missing",
    "field-unknown": "a field the schema does not know (kept and shown)",
    "field-choice": "a value that is not one of the allowed ones",
    "field-invalid": "a field's value has the wrong type or form",
    "entry-kind": "a kind the file cannot be",
    "entry-script": "raw HTML in an entry that runs script",
    "project-card": "a project card whose fields contradict each other",
    "project-card-duplicate": "two project cards for one project",
    "project-card-unused": "a project card whose slug is close to, but not, a project's",
    "project-metric-unknown": "a project card names a metric its entries do not report",
    "project-direction": "a project card's direction contradicts mkdocs.yml",
    # links between entries, the playbook and files
    "slug-duplicate": "two files share a slug",
    "superseded-by-missing": "superseded_by names no entry",
    "superseded-by-status": "superseded_by is set on an entry that is not superseded",
    "supersede-cycle": "superseded_by goes round in a circle",
    "lesson-missing": "lessons names no playbook page",
    "link-superseded": "a playbook page links a superseded entry",
    "link-missing": "a link or image points at no file of the site",
    # sample predictions
    "samples-file": "a samples file is missing or of the wrong kind",
    "samples-row": "a sample row cannot be read or is incomplete",
    "samples-empty": "a samples field or file holds no samples",
    "samples-key": "a samples row has a key that is not known",
    "samples-image": "a sample's image does not exist",
    # notebooks
    "notebook-json": "a notebook is not valid JSON",
    "notebook-structure": "a notebook is not laid out as nbformat writes",
    "notebook-schema": "a notebook does not follow the nbformat schema",
    "notebook-too-large": "a notebook's outputs are over notebook_max_mb",
    "notebook-execute": "running a notebook failed",
    "notebook-convert": "a notebook could not be converted",
    "notebook-remote": "a notebook would load pictures or media from another host",
    # git
    "git-no-commits": "the repository has no commits",
    "git-shallow": "a shallow clone hides the start of the history",
    "git-unavailable": "git or the repository cannot be read",
    # configuration and environment
    "option-invalid": "a plugin option has a bad value",
    "option-unknown": "the plugin has no such option",
    "cache-unwritable": "the cache folder cannot be written",
}


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
    code: str = ""  # its kind, from CODES

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

    def encode(self) -> dict[str, Any]:
        """The problem as JSON-ready data: the one form caches and workers store."""
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    @classmethod
    def decode(cls, data: Mapping[str, Any]) -> Problem:
        return cls(
            str(data["path"]),
            data["line"] if isinstance(data["line"], int) else None,
            str(data["message"]),
            str(data["hint"]),
            Severity(data["severity"]),
            str(data["code"]),
        )


def error(path: str, line: int | None, message: str, hint: str = "", *, code: str) -> Problem:
    return Problem(path, line, message, hint, Severity.ERROR, _known(code))


def warning(path: str, line: int | None, message: str, hint: str = "", *, code: str) -> Problem:
    return Problem(path, line, message, hint, Severity.WARNING, _known(code))


def _known(code: str) -> str:
    if code not in CODES:
        raise ValueError(f"unknown problem code {code!r}: add it to problems.CODES")
    return code


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

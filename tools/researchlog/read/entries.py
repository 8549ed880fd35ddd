"""Finding and reading log entries: files under log/ become validated Entry objects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.problems import Problem, Severity, error, warning
from . import schema
from .credentials import secret_problems
from .files import git_blob_sha, load_text
from .frontmatter import (
    FrontMatter,
    cell_source,
    first_heading,
    is_front_matter_cell,
    line_of_cell_source,
    read_markdown,
    read_notebook,
)
from .links import LinkRef, html_links, markdown_links, script_lines
from .projects import ProjectCard, card_from_front_matter, is_card

_URL_UNSAFE = re.compile(r"[\s#?%\"<>\\]")


@dataclass(frozen=True)
class Entry:
    """One experiment as its file describes it (git's view is joined later, in log.py)."""

    slug: str
    path: str  # repo-relative, forward slashes
    kind: str  # markdown | notebook | scope
    title: str
    status: str
    question: str | None = None
    outcome: str | None = None
    project: str | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    dataset: str | None = None
    effort_days: float | None = None
    superseded_by: str | None = None
    lessons: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    highlight: bool = False
    execute: bool | None = None
    samples: Any = None
    demo: str | None = None
    imported_from: str | None = None  # `researchlog import`'s record of the source
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown keys, kept and shown
    body: str = ""  # Markdown body; for notebooks the text of their markdown and code cells
    body_line: int = 1
    lines: Mapping[str, int] = field(default_factory=dict)  # field -> line in the file
    body_links: tuple[LinkRef, ...] = ()  # links and images in the text (Markdown cells)
    blob_sha: str = ""  # git's hash of the file as it is on disk
    mtime: float = 0.0

    @property
    def is_notebook(self) -> bool:
        return self.kind == "notebook"

    @property
    def finished(self) -> bool:
        return self.status in schema.FINISHED

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


LogFile = Entry | ProjectCard  # what a file in log/ can be


def read_entry(root: Path, path: str) -> tuple[LogFile | None, list[Problem]]:
    """Read and validate one file of the log: an entry, or a project card (`kind: project`).
    None when it cannot be shown on the site."""
    text, data, unreadable = load_text(path, lambda p: (root / p).read_bytes())
    if text is None:
        return None, unreadable
    try:
        mtime = (root / path).stat().st_mtime
    except OSError:
        mtime = 0.0
    leaks = secret_problems(path, text)
    scripts: list[Problem] = []
    if path.endswith(".ipynb"):
        source = read_notebook(path, text)
        front = source.front
        body = _notebook_text(source.notebook) if source.notebook else ""
        kind = "notebook"
        links = _notebook_links(text, source.notebook) if source.notebook else []
    else:
        front = read_markdown(path, text)
        body = front.body
        kind = "markdown"
        links = markdown_links(body, front.body_line)
        scripts = _script_warnings(path, body, front.body_line)
    read: LogFile | None
    if is_card(front):
        read, problems = card_from_front_matter(path, front, body, kind)
    else:
        read, problems = entry_from_front_matter(path, front, body, kind)
    if leaks:
        return None, problems + leaks
    if read is not None:
        read = replace(read, blob_sha=git_blob_sha(data), mtime=mtime, body_links=tuple(links))
    return read, problems + scripts


def _script_warnings(path: str, body: str, first_line: int) -> list[Problem]:
    """Entry Markdown is published as written, so HTML in it that runs script runs for every
    reader; unlike notebook content, it is not sanitised. Said, never silently changed."""
    return [
        warning(
            path,
            line,
            f"the entry's Markdown contains {what}, which runs in every reader's browser",
            "remove it: entries are trusted like code, and a script here reaches the whole"
            " team (use a notebook output, which is sanitised, for generated HTML)",
            code="entry-script",
        )
        for line, what in script_lines(body, first_line)
    ]


def _notebook_links(text: str, notebook: dict[str, Any]) -> list[LinkRef]:
    """Links in a notebook's Markdown cells, at their lines in the file."""
    found: list[LinkRef] = []
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        return found
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        if index == 0 and _has_front_matter(notebook):
            continue
        source, line = cell_source(cell), line_of_cell_source(text, cell)
        found.extend(markdown_links(source, line))
        found.extend(
            link
            for link in html_links(source, line)
            if not link.href.lower().startswith("attachment:")
        )
    return found


def entry_from_front_matter(
    path: str, front: FrontMatter, body: str, kind: str
) -> tuple[Entry | None, list[Problem]]:
    problems = list(front.problems)
    slug = Path(path).stem
    if _URL_UNSAFE.search(Path(path).name):
        problems.append(
            warning(
                path,
                None,
                "the file name contains spaces or characters that break web"
                ' addresses (# ? % " < > \\)',
                f"rename it to {_suggest_name(Path(path).name)}",
                code="file-name-unsafe",
            )
        )
    if not front.found:
        if not any(p.is_error for p in problems):
            problems.append(
                error(
                    path,
                    front.line,
                    "no usable front matter",
                    "start the file with ---, title: …, status: …, ---",
                    code="front-matter-missing",
                )
            )
        return None, problems
    checked = schema.validate(front.data)
    values = checked.values
    status = values.get("status")
    for name, issue in checked.issues:
        severity = Severity.WARNING if issue.warning else Severity.ERROR
        hint = issue.hint
        if name == "status" and status is None:
            hint += "; until then the entry is left out of the site"
        problems.append(
            Problem(
                path,
                front.line_of(name),
                schema.field_message(name, issue, as_is=("metric",)),
                hint,
                severity,
                issue.code,
            )
        )
    if status is None:
        return None, problems
    if values.get("kind") == "scope":
        if kind == "notebook":
            problems.append(
                error(
                    path,
                    front.line_of("kind"),
                    "a notebook cannot be a scope document",
                    "write scope documents as Markdown: researchlog new --scope TITLE",
                    code="entry-kind",
                )
            )
        else:
            kind = "scope"
    title = values.get("title") or first_heading(body) or slug.replace("-", " ")
    entry = Entry(
        slug=slug,
        path=path,
        kind=kind,
        title=title,
        status=status,
        question=values.get("question"),
        outcome=values.get("outcome"),
        project=values.get("project"),
        tags=values.get("tags", ()),
        authors=values.get("authors", ()),
        date=values.get("date"),
        metrics=values.get("metrics", {}),
        dataset=values.get("dataset"),
        effort_days=values.get("effort_days"),
        superseded_by=values.get("superseded_by"),
        lessons=values.get("lessons", ()),
        links=values.get("links", ()),
        highlight=bool(values.get("highlight", False)),
        execute=values.get("execute"),
        samples=values.get("samples"),
        demo=values.get("demo"),
        imported_from=values.get("imported_from"),
        extra={k: schema.plain_value(v) for k, v in checked.unknown.items()},
        body=body,
        body_line=front.body_line,
        lines=dict(front.lines),
    )
    return entry, problems


def _suggest_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    clean = re.sub(r"-{2,}", "-", re.sub(r"[\s#?%\"<>\\]+", "-", stem)).strip("-")
    return f"{clean}{dot}{ext}" if dot else clean


def _notebook_text(notebook: dict[str, Any]) -> str:
    """The text of a notebook's markdown and code cells, for search and similarity."""
    parts = []
    for cell in (
        notebook.get("cells", [])[1:]
        if _has_front_matter(notebook)
        else (notebook.get("cells", []))
    ):
        if cell.get("cell_type") in ("markdown", "code"):
            parts.append(cell_source(cell))
    return "\n\n".join(parts)


def _has_front_matter(notebook: dict[str, Any]) -> bool:
    cells = notebook.get("cells")
    return isinstance(cells, list) and bool(cells) and is_front_matter_cell(cells[0])

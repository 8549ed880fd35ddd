"""Writing new entries from templates: Markdown, notebook or scoping document.

Files are created with O_EXCL, so an existing file is never overwritten, even by a race.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import string
import subprocess
import unicodedata
from importlib import resources
from pathlib import Path

from ..read.files import ENTRY_SUFFIXES
from ..read.schema import KINDS, STATUSES

MAX_SLUG_WORDS = 8
MAX_SLUG_CHARS = 60


class AuthoringError(Exception):
    """A problem the user can fix; the message says how."""


def slug_words(title: str) -> str:
    """'Focal loss for the defect detector!' -> 'focal-loss-for-the-defect-detector'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())[:MAX_SLUG_WORDS]
    slug = "-".join(words)[:MAX_SLUG_CHARS].rstrip("-")
    return slug or "entry"


def existing_slugs(log_dir: Path) -> set[str]:
    if not log_dir.is_dir():
        return set()
    return {
        p.stem
        for p in log_dir.rglob("*")
        if p.suffix in ENTRY_SUFFIXES and not any(part.startswith(".") for part in p.parts)
    }


def entry_path(log_dir: Path, title: str, day: dt.date, suffix: str) -> Path:
    """log/YYYY/YYYY-MM-DD-slug.md, with -2, -3… when the slug is taken anywhere in log/."""
    taken = existing_slugs(log_dir)
    base = f"{day.isoformat()}-{slug_words(title)}"
    slug, number = base, 2
    while slug in taken or (log_dir / str(day.year) / f"{slug}{suffix}").exists():
        slug, number = f"{base}-{number}", number + 1
    return log_dir / str(day.year) / f"{slug}{suffix}"


def git_user(root: Path) -> str | None:
    """The committer's name from git config, as authors of a new entry."""
    try:
        result = subprocess.run(
            ["git", "config", "user.name"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name = result.stdout.strip()
    return name or None


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def render_template(
    kind: str,
    *,
    title: str,
    status: str,
    project: str | None,
    tags: list[str],
    authors: list[str],
    day: dt.date,
    schema_path: str,
) -> str:
    """The text of a new entry of `kind`."""
    values = {
        "schema": schema_path,
        "title": json.dumps(title, ensure_ascii=False),
        "heading": title.replace("\n", " "),
        "status": status,
        "project": json.dumps(project, ensure_ascii=False) if project else "",
        "tags": _yaml_list(tags),
        # Left empty, git names the authors: whoever commits the entry and its changes.
        "authors": _yaml_list(authors) if authors else "[]         # empty: the file's git authors",
        "date": day.isoformat(),
    }
    if kind == "notebook":
        markdown = render_template(
            "markdown",
            title=title,
            status=status,
            project=project,
            tags=tags,
            authors=authors,
            day=day,
            schema_path=schema_path,
        )
        return _notebook_from_markdown(markdown)
    name = "scope.md" if kind == "scope" else "entry.md"
    template = (resources.files("researchlog") / "templates" / name).read_text(encoding="utf-8")
    return string.Template(template).substitute(values)


def _notebook_from_markdown(markdown: str) -> str:
    """A notebook whose first raw cell is the front matter and whose sections are cells."""
    _, front, body = markdown.split("---\n", 2)
    front_lines = [line for line in front.splitlines() if not line.startswith("# yaml-language")]
    cells: list[dict[str, object]] = [
        {
            "cell_type": "raw",
            "id": "front-matter",
            "metadata": {},
            "source": _lines("---\n" + "\n".join(front_lines) + "\n---"),
        },
    ]
    for index, section in enumerate(re.split(r"\n(?=## )", body.strip())):
        cells.append(
            {
                "cell_type": "markdown",
                "id": f"section-{index}",
                "metadata": {},
                "source": _lines(section.strip()),
            }
        )
        if section.startswith("## Setup"):
            cells.append(
                {
                    "cell_type": "code",
                    "id": "setup-code",
                    "metadata": {},
                    "execution_count": None,
                    "outputs": [],
                    "source": _lines("# Load the data and the baseline here."),
                }
            )
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def create_entry(
    root: Path,
    log_folder: str,
    title: str,
    *,
    kind: str = "markdown",
    status: str | None = None,
    project: str | None = None,
    tags: list[str] | None = None,
    authors: list[str] | None = None,
    day: dt.date | None = None,
) -> Path:
    """Write a new entry and return its path. Never overwrites an existing file. Without
    `authors`, the entry leaves them to git (the authors of its commits)."""
    title = " ".join(title.split())
    if not title:
        raise AuthoringError('the title is empty; give one, e.g. researchlog new "Focal loss"')
    if kind not in KINDS:
        raise AuthoringError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    status = status or "planned"
    if status not in STATUSES:
        raise AuthoringError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    day = day or dt.date.today()
    log_dir = root / log_folder
    suffix = ".ipynb" if kind == "notebook" else ".md"
    path = entry_path(log_dir, title, day, suffix)
    schema_path = os.path.relpath(log_dir / "entry.schema.json", path.parent)
    text = render_template(
        kind,
        title=title,
        status=status,
        project=project,
        tags=tags or [],
        authors=authors or [],
        day=day,
        schema_path=Path(schema_path).as_posix(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError as exc:  # created by someone else between the check and now
        raise AuthoringError(f"{path} appeared while writing; run the command again") from exc
    return path


PROJECTS_FOLDER = "projects"  # where new project cards go, inside log/


def create_project_card(
    root: Path, log_folder: str, name: str, *, authors: list[str] | None = None
) -> Path:
    """Write the card of the project `name` (a slug such as ticket-routing, or a title) to
    log/projects/<slug>.md and return its path. Entries join it with `project: <slug>`.
    Never overwrites: a project has one card."""
    name = " ".join(name.split())
    slug = slug_words(name)
    if not name or slug == "entry":
        raise AuthoringError(
            "give the project's name, as entries write it: researchlog new --project-card"
            " ticket-routing"
        )
    log_dir = root / log_folder
    existing = (
        sorted(
            p
            for p in log_dir.rglob(f"{slug}.md")
            if not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
        if log_dir.is_dir()
        else []
    )
    if existing:
        raise AuthoringError(
            f"the project {slug} already has a file {existing[0].relative_to(root)};"
            " edit it instead (a project has one card)"
        )
    path = log_dir / PROJECTS_FOLDER / f"{slug}.md"
    if authors is None:
        user = git_user(root)
        authors = [user] if user else []
    title = name if name != slug else slug.replace("-", " ").capitalize()
    schema_path = os.path.relpath(log_dir / "entry.schema.json", path.parent)
    template = (resources.files("researchlog") / "templates" / "project.md").read_text(
        encoding="utf-8"
    )
    text = string.Template(template).substitute(
        schema=Path(schema_path).as_posix(),
        title=json.dumps(title, ensure_ascii=False),
        owners=_yaml_list(authors),
        date=dt.date.today().isoformat(),
        project=slug,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError as exc:
        raise AuthoringError(f"{path} appeared while writing; edit it instead") from exc
    return path

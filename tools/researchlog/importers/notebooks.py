"""A folder of Jupyter notebooks as notebook entries.

Each notebook is copied into the log with its front matter in `metadata.researchlog`; the
original is only read. The title is the first heading (or the file name), the date and
author those of the notebook's first commit when it is in git (else the file's date). A
first raw cell with a YAML header (as knowledge-repo notebook posts have) gives title,
authors, tags, date and outcome, and is left out of the copy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..core.settings import Settings
from ..read.frontmatter import cell_source
from ..read.schema import STATUSES
from .common import (
    NOT_RECORDED,
    Asset,
    Draft,
    ImportFailed,
    Skip,
    as_date,
    as_list,
    file_day,
    local_assets,
    missing_note,
)

NOUN = "notebook"
SOURCE = "the notebook"
_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", "node_modules"}
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FIELDS = ("question", "outcome", "project", "dataset", "metrics", "links", "lessons")


def drafts(path: Path, settings: Settings, project: str | None = None) -> Iterator[Draft | Skip]:
    if not path.exists():
        raise ImportFailed(f"{path} does not exist", "give a folder of notebooks")
    files = [path] if path.is_file() else _notebooks(path)
    if not files:
        raise ImportFailed(f"no notebooks (.ipynb) in {path}", "give a folder of notebooks")
    within = path.parent if path.is_file() else path
    log_dir = (settings.root / settings.log_dir).resolve()
    for file in files:
        where = _identity(file, settings.root)
        label = f"notebook {os.path.relpath(file)}"
        if file.resolve().is_relative_to(log_dir):
            yield Skip(label, f"is in {settings.log_dir}/ already")
            continue
        yield _draft(file, where, label, within, project, settings)


def _notebooks(folder: Path) -> list[Path]:
    found = []
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        found += [Path(current, f) for f in sorted(filenames) if f.endswith(".ipynb")]
    return found


def _identity(file: Path, root: Path) -> str:
    resolved = file.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _draft(
    file: Path, where: str, label: str, within: Path, project: str | None, settings: Settings
) -> Draft | Skip:
    try:
        text = file.read_text(encoding="utf-8")
        notebook = json.loads(text)
    except UnicodeDecodeError:
        return Skip(label, "is not UTF-8 text")
    except OSError as exc:
        return Skip(label, f"cannot be read ({exc.strerror or exc})")
    except json.JSONDecodeError as exc:
        return Skip(label, f"is not valid JSON (line {exc.lineno}: {exc.msg})")
    notes: list[str] = []
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        if isinstance(notebook, dict) and notebook.get("nbformat") in (1, 2, 3):
            notebook, note = _upgraded(text)
            notes.append(note)
        else:
            return Skip(label, "is not a Jupyter notebook (no cells)")
    problem = _schema_problem(notebook)
    if problem:
        return Skip(label, f"is not a valid notebook: {problem}")
    header = _header(notebook)
    fields: dict[str, Any] = {}
    existing = notebook.get("metadata", {}).get("researchlog")
    if isinstance(existing, dict):
        fields.update(existing)
    if header is not None:
        fields.update({k: v for k, v in header.items() if v is not None})
        notebook = {**notebook, "cells": notebook["cells"][1:]}
    first = _first_commit(file)
    title = str(fields.get("title") or _first_heading(notebook) or _from_name(file.stem))
    day = as_date(fields.get("date")) or as_date(fields.get("created_at"))
    day = day or (first[0] if first else file_day(file))
    authors = as_list(fields.get("authors")) or ([first[1]] if first else [])
    status = str(fields.get("status") or "")
    status = status if status in STATUSES else "inconclusive"
    assets: dict[str, Asset] = {}
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "markdown":
            found, missing = local_assets(cell_source(cell), file.parent, within)
            assets.update(found)
            notes += missing_note(missing)
    limit = settings.notebook_max_mb * 1024 * 1024
    if len(text.encode("utf-8")) > limit:
        notes.append(
            f"it is over notebook_max_mb ({settings.notebook_max_mb:g} MB): the site cuts its"
            " outputs, and `researchlog check` warns"
        )
    tldr = " ".join(str(fields.get("tldr") or "").split())
    return Draft(
        source=f"notebook:{where}",
        label=label,
        title=title,
        day=day,
        status=status,
        question=str(fields.get("question") or NOT_RECORDED.format(source=SOURCE)),
        outcome=str(fields.get("outcome") or tldr or NOT_RECORDED.format(source=SOURCE)),
        project=project or _text(fields.get("project")),
        tags=as_list(fields.get("tags")),
        authors=authors,
        dataset=_text(fields.get("dataset")),
        metrics=fields["metrics"] if isinstance(fields.get("metrics"), dict) else {},
        links=as_list(fields.get("links")),
        notebook=notebook,
        assets=assets,
        notes=notes,
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _upgraded(text: str) -> tuple[dict[str, Any], str]:
    import nbformat

    old = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    version = old.get("nbformat")
    new = nbformat.convert(old, 4)
    data: dict[str, Any] = json.loads(nbformat.writes(new))
    return data, f"the copy is converted from nbformat {version} to 4"


def _schema_problem(notebook: dict[str, Any]) -> str | None:
    """What `researchlog check` would say against the nbformat schema, if anything."""
    import nbformat
    from nbformat.validator import iter_validate

    try:
        first = next(iter(iter_validate(notebook)), None)
    except (nbformat.ValidationError, ValueError, KeyError, TypeError) as exc:
        return str(exc).splitlines()[0]
    if first is None:
        return None
    return str(getattr(first, "message", first)).splitlines()[0]


def _header(notebook: dict[str, Any]) -> dict[str, Any] | None:
    """The YAML header of a first raw cell fenced by --- (knowledge-repo's notebook posts,
    or a researchlog front matter), or None."""
    cells = notebook["cells"]
    if not cells or cells[0].get("cell_type") != "raw":
        return None
    source = cell_source(cells[0]).lstrip("\ufeff")
    match = re.match(r"---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)", source)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _first_heading(notebook: dict[str, Any]) -> str | None:
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "markdown":
            match = _HEADING.search(cell_source(cell))
            if match:
                return match.group(1).strip()
    return None


def _from_name(stem: str) -> str:
    """'03_churn-eda' -> '03 churn eda'."""
    return " ".join(re.split(r"[_\-\s]+", stem)).strip() or stem


def _first_commit(file: Path) -> tuple[dt.date, str] | None:
    """The date and author of the commit that added `file`, when it is in git."""
    try:
        result = subprocess.run(
            ["git", "log", "--follow", "--format=%aI%x00%an", "--", file.name],
            cwd=file.parent,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        return None
    when, _, author = lines[-1].partition("\x00")
    try:
        return dt.datetime.fromisoformat(when).date(), author
    except ValueError:
        return None

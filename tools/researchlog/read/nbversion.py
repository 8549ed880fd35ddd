"""Notebooks as nbformat 4, whatever version they were saved in, without touching the file.

Jupyter opens notebooks saved by IPython 2 (nbformat 3, cells inside `worksheets`) and
nbformat 4.5 notebooks whose cells lack an `id` (nbformat fills them in with a warning). The
log reads them the same way: older versions are upgraded in memory with nbformat's own
converter, and missing cell ids are filled in before the schema check. nbformat is imported
only for an old notebook; version 4 is read as plain JSON.
"""

from __future__ import annotations

import logging
from typing import Any

CURRENT = 4


def major_version(notebook: Any) -> Any:
    return notebook.get("nbformat") if isinstance(notebook, dict) else None


def upgrade(notebook: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The notebook as nbformat 4 (the same object when it already is one), or None and why
    it cannot be read as a notebook."""
    major = major_version(notebook)
    if major == CURRENT:
        return notebook, None
    if not isinstance(major, int) or not 1 <= major < CURRENT:
        shown = "missing" if major is None else repr(major)
        return None, f"its nbformat version is {shown}; nbformat reads versions 1 to 4"
    import nbformat

    # nbformat's converter logs (as errors) where the old notebook does not match its own
    # schema; the notebook is still converted, and the result is checked on its own.
    logger = logging.getLogger("traitlets")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        # As nbformat.reads does: the version's own reader first (it joins lists of lines).
        version = nbformat.versions[major]
        node = version.to_notebook_json(notebook, minor=notebook.get("nbformat_minor", 0))
        node = nbformat.converter.convert(node, CURRENT)
    except Exception as exc:  # a notebook too broken to convert; nbformat raises many kinds
        return None, f"nbformat {major} could not be upgraded to nbformat 4: {exc}"
    finally:
        logger.setLevel(level)
    upgraded: dict[str, Any] = _plain(node)
    return upgraded, None


def with_cell_ids(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook with an id on every cell where nbformat 4.5 asks for one, as nbformat and
    Jupyter fill them in when they open it; the notebook given is not changed."""
    cells = notebook.get("cells")
    minor = notebook.get("nbformat_minor")
    if not isinstance(cells, list) or not isinstance(minor, int) or minor < 5:
        return notebook
    if all(not isinstance(cell, dict) or "id" in cell for cell in cells):
        return notebook
    filled = [
        {**cell, "id": f"researchlog-cell-{index}"}
        if isinstance(cell, dict) and "id" not in cell
        else cell
        for index, cell in enumerate(cells)
    ]
    return {**notebook, "cells": filled}


def _plain(value: Any) -> Any:
    """NotebookNode (attribute access) to plain dicts and lists, as json.loads gives."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value

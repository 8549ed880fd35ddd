"""Validating notebooks against the nbformat schema, remembered per file content.

`researchlog check` runs on every commit, so the verdicts are cached by the file's git blob
hash: nbformat (and its JSON-schema machinery) is imported only when a notebook is new or
changed, never on a rebuild where nothing changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import cache
from .entries import Entry
from .problems import Problem, error

_CELL_KEY = re.compile(r'(?<!\\)"cell_type"\s*:')
_LONG = 160


def cell_lines(text: str) -> list[int]:
    """The 1-based file line of each cell, in order ([] when the file is not laid out as
    nbformat writes it). A quoted "cell_type": outside a JSON string can only be a key."""
    lines = []
    for match in _CELL_KEY.finditer(text):
        lines.append(text.count("\n", 0, match.start()) + 1)
    return lines


def line_of_cell(lines: Sequence[int], index: int) -> int | None:
    """The line of cell `index` (0-based), if known."""
    return lines[index] if 0 <= index < len(lines) else None


class NotebookChecks:
    """Schema checks of notebook entries, started now and collected later.

    With `in_worker`, new notebooks are validated in a worker process while the caller goes
    on (reading the git history): nbformat's validator and the JSON-schema libraries under it
    would otherwise stay in the build's memory, some 30 MB, for a check that is done once.
    """

    def __init__(
        self,
        notebooks: list[Entry],
        cache_file: Path,
        stamp: str,
        known: dict[str, Any],
        pending: dict[str, Future[tuple[int | None, str] | None]],
        pool: ProcessPoolExecutor | None,
        changed: bool,
    ) -> None:
        self.notebooks = notebooks
        self.cache_file = cache_file
        self.stamp = stamp
        self.known = known  # blob sha -> verdict
        self.pending = pending  # blob sha -> verdict being made in the worker
        self.pool = pool
        self.changed = changed  # some verdicts are new: the cache file is written again

    @classmethod
    def start(
        cls, root: Path, entries: Iterable[Entry], cache_file: Path, *, in_worker: bool = False
    ) -> NotebookChecks:
        notebooks = [e for e in entries if e.is_notebook]
        stamp = _nbformat_version() if notebooks else ""
        known = _load(cache_file, stamp) if notebooks else {}
        new = {e.blob_sha: root / e.path for e in notebooks if e.blob_sha not in known}
        pending: dict[str, Future[tuple[int | None, str] | None]] = {}
        pool = None
        if new and in_worker:
            pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
            pending = {sha: pool.submit(_validate, path) for sha, path in new.items()}
        else:
            known.update({sha: _validate(path) for sha, path in new.items()})
        return cls(notebooks, cache_file, stamp, known, pending, pool, bool(new))

    def problems(self) -> list[Problem]:
        try:
            for sha, future in self.pending.items():
                self.known[sha] = future.result()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
        problems: list[Problem] = []
        for entry in self.notebooks:
            verdict = self.known.get(entry.blob_sha)
            if verdict is not None:
                line, message = verdict
                problems.append(
                    error(
                        entry.path,
                        line,
                        f"not a valid notebook (nbformat schema): {message}",
                        "open and save it in Jupyter, which repairs most of these, or fix that"
                        " field by hand",
                    )
                )
        if self.changed:
            current = {e.blob_sha for e in self.notebooks}
            kept = {sha: self.known[sha] for sha in self.known if sha in current}
            cache.write_atomic(
                self.cache_file,
                json.dumps({"nbformat": self.stamp, "verdicts": kept}).encode("utf-8"),
            )
        return problems


def _nbformat_version() -> str:
    try:
        return version("nbformat")
    except PackageNotFoundError:  # pragma: no cover - nbformat is a dependency
        return "unknown"


def _load(cache_file: Path, stamp: str) -> dict[str, Any]:
    data = cache.read(cache_file)
    if data is None:
        return {}
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    if not isinstance(parsed, dict) or parsed.get("nbformat") != stamp:
        return {}
    verdicts = parsed.get("verdicts")
    if not isinstance(verdicts, dict):
        return {}
    return {
        sha: (tuple(v) if isinstance(v, list) and len(v) == 2 else None)
        for sha, v in verdicts.items()
    }


def _validate(path: Path) -> tuple[int | None, str] | None:
    """(line, message) of the first schema violation, or None for a valid notebook."""
    try:
        text = path.read_text(encoding="utf-8")
        notebook = json.loads(text)
    except (OSError, ValueError):
        return None  # already reported when the entry was read
    import nbformat
    from nbformat.validator import iter_validate

    if notebook.get("nbformat") != 4:
        return None  # reported by the structure check
    try:
        first = next(iter(iter_validate(notebook)), None)
    except (nbformat.ValidationError, ValueError, KeyError, TypeError) as exc:
        return None, _short(str(exc))
    if first is None:
        return None
    where = list(first.absolute_path) if hasattr(first, "absolute_path") else []
    line = None
    if len(where) >= 2 and where[0] == "cells" and isinstance(where[1], int):
        line = line_of_cell(cell_lines(text), where[1])
    return line, f"{_place(where)}: {_message(first)}"


def _place(where: list[Any]) -> str:
    """['cells', 2, 'outputs', 0, 'name'] -> 'cell 3, output 1, field "name"'."""
    parts: list[str] = []
    index = 0
    while index < len(where):
        key = where[index]
        nxt = where[index + 1] if index + 1 < len(where) else None
        if key in ("cells", "outputs") and isinstance(nxt, int):
            parts.append(f"{'cell' if key == 'cells' else 'output'} {nxt + 1}")
            index += 2
            continue
        parts.append(f'field "{key}"')
        index += 1
    return ", ".join(parts) or "the notebook"


def _message(problem: Any) -> str:
    message = str(getattr(problem, "message", problem))
    if "is not valid under any of the given schemas" in message or len(message) > _LONG:
        return "does not match any form nbformat allows here (check its type and fields)"
    return message


def _short(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "invalid"
    return first if len(first) <= _LONG else first[: _LONG - 1] + "…"

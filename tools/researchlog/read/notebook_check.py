"""Validating notebooks against the nbformat schema, remembered per file content.

`researchlog check` runs on every commit, so the verdicts are cached by the file's git blob
hash: nbformat (and its JSON-schema machinery) is imported only when a notebook is new or
changed, never on a rebuild where nothing changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..core import cache
from ..core.codekey import code_key
from ..core.problems import Problem, error, plural, warning
from ..core.workers import Workers
from .entries import Entry
from .frontmatter import source_text
from .links import is_remote, remote_loads
from .nbversion import upgrade, with_cell_ids

MB = 1024 * 1024
FORMAT = "3"  # of the cached verdicts: schema problem and output sizes
PLOTLY = "application/vnd.plotly.v1+json"
VEGA_PREFIXES = ("application/vnd.vegalite.", "application/vnd.vega.")
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

    Given `workers`, new notebooks are validated in a worker process while the caller goes
    on (reading the git history): nbformat's validator and the JSON-schema libraries under it
    would otherwise stay in the build's memory, some 30 MB, for a check that is done once.
    """

    def __init__(
        self,
        notebooks: list[Entry],
        cache_file: Path,
        stamp: str,
        known: dict[str, Any],
        pending: dict[str, Future[dict[str, Any] | None]],
        changed: bool,
        max_bytes: int,
        paths: dict[str, Path],
    ) -> None:
        self.notebooks = notebooks
        self.cache_file = cache_file
        self.stamp = stamp
        self.known = known  # blob sha -> verdict
        self.pending = pending  # blob sha -> verdict being made in the worker
        self.paths = paths  # blob sha -> the notebook's file
        self.changed = changed  # some verdicts are new: the cache file is written again
        self.max_bytes = max_bytes  # of outputs per notebook (notebook_max_mb)

    @classmethod
    def start(
        cls,
        root: Path,
        entries: Iterable[Entry],
        cache_file: Path,
        *,
        max_bytes: int,
        workers: Workers | None = None,
    ) -> NotebookChecks:
        notebooks = [e for e in entries if e.is_notebook]
        version = f"{FORMAT} {cache.library_version('nbformat')} {code_key(__name__)}"
        stamp = version if notebooks else ""
        known = _load(cache_file, stamp) if notebooks else {}
        new = {e.blob_sha: root / e.path for e in notebooks if e.blob_sha not in known}
        pending: dict[str, Future[dict[str, Any] | None]] = {}
        if new and workers is not None:
            pending = {sha: workers.submit(_inspect, path) for sha, path in new.items()}
        else:
            known.update({sha: _inspect(path) for sha, path in new.items()})
        return cls(notebooks, cache_file, stamp, known, pending, bool(new), max_bytes, new)

    def problems(self) -> list[Problem]:
        for sha, future in self.pending.items():
            try:
                self.known[sha] = future.result()
            except Exception:  # the worker was lost: check here instead
                self.known[sha] = _inspect(self.paths[sha])
        self.pending = {}
        problems: list[Problem] = []
        for entry in self.notebooks:
            verdict = self.known.get(entry.blob_sha) or {}
            budget = over_budget(entry.path, verdict.get("outputs") or [], self.max_bytes)
            if budget is not None:
                problems.append(budget)
            for line, cell, addresses in verdict.get("remote") or []:
                problems.append(remote_problem(entry.path, line, cell, addresses))
            if verdict.get("schema"):
                line, message = verdict["schema"]
                problems.append(
                    error(
                        entry.path,
                        line,
                        f"not a valid notebook (nbformat schema): {message}",
                        "open and save it in Jupyter, which repairs most of these, or fix that"
                        " field by hand",
                        code="notebook-schema",
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
    return {sha: v if isinstance(v, dict) else None for sha, v in verdicts.items()}


def _inspect(path: Path) -> dict[str, Any] | None:
    """The first schema violation as [line, message] (or None), and the line and size of each
    output, in order; None for a file that is not a notebook (reported when it was read)."""
    try:
        text = path.read_text(encoding="utf-8")
        notebook = json.loads(text)
    except (OSError, ValueError):
        return None
    upgraded, _ = upgrade(notebook) if isinstance(notebook, dict) else (None, None)
    if upgraded is None:
        return None  # reported by the structure check
    lines = cell_lines(text)
    return {
        "schema": _schema_problem(with_cell_ids(upgraded), lines),
        "outputs": _output_sizes(upgraded, lines),
        "remote": _remote(upgraded, lines),
    }


def _schema_problem(notebook: dict[str, Any], lines: Sequence[int]) -> list[Any] | None:
    import nbformat
    from nbformat.validator import iter_validate

    try:
        first = next(iter(iter_validate(notebook)), None)
    except (nbformat.ValidationError, ValueError, KeyError, TypeError) as exc:
        return [None, _short(str(exc))]
    if first is None:
        return None
    where = list(first.absolute_path) if hasattr(first, "absolute_path") else []
    line = None
    if len(where) >= 2 and where[0] == "cells" and isinstance(where[1], int):
        line = line_of_cell(lines, where[1])
    return [line, f"{_place(where)}: {_message(first)}"]


def _output_sizes(notebook: dict[str, Any], lines: Sequence[int]) -> list[list[int | None]]:
    sizes: list[list[int | None]] = []
    cells = notebook.get("cells")
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else []:
            if isinstance(output, dict) and not is_plotly_loader(output):
                sizes.append([line_of_cell(lines, index), output_size(output)])
    return sizes


def _remote(notebook: dict[str, Any], lines: Sequence[int]) -> list[list[Any]]:
    """[line, cell number, addresses] for each cell whose Markdown or outputs would load
    pictures, video or sound from other hosts (or a plotly figure's layout images)."""
    found: list[list[Any]] = []
    cells = notebook.get("cells")
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict):
            continue
        addresses: list[str] = []
        if cell.get("cell_type") == "markdown":
            addresses += remote_loads(source_text(cell.get("source", "")))
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            data = output.get("data") if isinstance(output, dict) else None
            if not isinstance(data, dict):
                continue
            if PLOTLY in data:
                addresses += plotly_remote_images(data[PLOTLY])
            elif any(mime.startswith(VEGA_PREFIXES) for mime in data):
                spec = next(v for m, v in data.items() if m.startswith(VEGA_PREFIXES))
                addresses += vega_remote_urls(spec)
            elif "text/html" in data:
                addresses += remote_loads(source_text(data["text/html"]), markdown=False)
            elif "text/markdown" in data:
                addresses += remote_loads(source_text(data["text/markdown"]))
        if addresses:
            found.append([line_of_cell(lines, index), index + 1, addresses])
    return found


def plotly_remote_images(figure: Any) -> list[str]:
    """The addresses on other hosts of a plotly figure's layout images."""
    layout = figure.get("layout") if isinstance(figure, dict) else None
    images = layout.get("images") if isinstance(layout, dict) else None
    return [
        image["source"]
        for image in (images if isinstance(images, list) else [])
        if isinstance(image, dict)
        and isinstance(image.get("source"), str)
        and is_remote(image["source"])
    ]


def vega_remote_urls(spec: Any) -> list[str]:
    """The addresses on other hosts a vega or vega-lite spec loads (data and images)."""
    found: list[str] = []
    stack = [spec]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            url = value.get("url")
            if isinstance(url, str) and is_remote(url):
                found.append(url)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def remote_problem(path: str, line: int | None, cell: int, addresses: Sequence[str]) -> Problem:
    count = len(addresses)
    first = addresses[0] if len(addresses[0]) <= 80 else addresses[0][:79] + "…"
    more = f" and {plural(count - 1, 'more')}" if count > 1 else ""
    return warning(
        path,
        line,
        f"cell {cell} loads {plural(count, 'file')} from another host ({first}{more}); the"
        " site shows a link instead, since it loads nothing from other hosts",
        "save the picture beside the notebook and refer to it by a relative path, or make it"
        " a link",
        code="notebook-remote",
    )


def output_size(output: dict[str, Any]) -> int:
    """Roughly the bytes an output adds to the page."""
    kind = output.get("output_type")
    if kind == "stream":
        return len(source_text(output.get("text", "")))
    if kind == "error":
        return sum(len(line) for line in output.get("traceback", []))
    data = output.get("data", {})
    return sum(
        len(value) if isinstance(value, str) else len(json.dumps(value))
        for value in (data.values() if isinstance(data, dict) else [])
    )


def is_plotly_loader(output: dict[str, Any]) -> bool:
    """plotly's notebook renderer first emits all of plotly.js (or a script loading it) as
    one HTML output; the site ships its own copy, so that output is only dead weight. A
    figure saved as HTML starts the same way, but holds the figure's plotly-graph-div."""
    data = output.get("data", {})
    if not isinstance(data, dict):
        return False
    markup = source_text(data.get("text/html", ""))
    return (
        set(data) <= {"text/html", "text/plain"}
        and "window.PlotlyConfig" in markup[:2000]
        and "plotly-graph-div" not in markup
    )


def megabytes(count: int) -> str:
    return f"{count / MB:.1f} MB"


def over_budget(path: str, sizes: Sequence[Sequence[int | None]], max_bytes: int) -> Problem | None:
    """The warning for outputs over the size limit, at the first output left out; the
    converter leaves out the same outputs, in the same order."""
    used = cut = cut_bytes = 0
    line: int | None = None
    for where, size in sizes:
        size = size or 0
        if used + size > max_bytes:
            cut += 1
            cut_bytes += size
            line = line if cut > 1 else where
        else:
            used += size
    if not cut:
        return None
    return warning(
        path,
        line,
        f"the outputs add up to {megabytes(used + cut_bytes)}, over the"
        f" {max_bytes / MB:.3g} MB limit (notebook_max_mb); {plural(cut, 'output')} left out"
        " of the page",
        "clear large outputs before committing (or save figures as files),"
        " or raise notebook_max_mb in mkdocs.yml",
        code="notebook-too-large",
    )


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

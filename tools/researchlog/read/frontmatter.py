"""Reading YAML front matter, from Markdown files and from notebooks, with real line numbers.

Every failure becomes a Problem naming the line in the file (not in the YAML block) and the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..core.problems import Problem, error, warning
from .nbversion import upgrade

try:  # libyaml is ten times faster; fall back to the pure-Python parser where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass
class FrontMatter:
    """The parsed mapping, where each key sits in the file, and what follows it."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based line in the file
    line: int = 1  # where the front matter starts
    body: str = ""
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    found: bool = False  # a front matter block was present and readable as a mapping

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


def read_markdown(path: str, text: str) -> FrontMatter:
    """Split `---` front matter from a Markdown file and parse it."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return FrontMatter(
            problems=[
                error(
                    path,
                    1,
                    "the file is empty",
                    "start it with a front matter block (---, title: …, status: …, ---), "
                    'or create entries with `researchlog new "Title"`',
                    code="file-empty",
                )
            ]
        )
    lines = text.splitlines(keepends=True)
    if not _FENCE.match(lines[0].rstrip("\r\n")):
        return FrontMatter(
            body=text,
            problems=[
                error(
                    path,
                    1,
                    "no front matter: the first line must be ---",
                    "add a block at the top: ---, title: …, status: …, then --- on its own line",
                    code="front-matter-missing",
                )
            ],
        )
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index].rstrip("\r\n")):
            block = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            result = parse_yaml(path, block, first_line=2)
            result.line = 1
            result.body = body
            result.body_line = index + 2
            return result
    return FrontMatter(
        body=text,
        problems=[
            error(
                path,
                1,
                "the front matter starting here is never closed",
                "add a line with just --- after the last field",
                code="front-matter-unclosed",
            )
        ],
    )


def parse_yaml(path: str, block: str, first_line: int) -> FrontMatter:
    """Parse a YAML mapping whose first line is line `first_line` of the file."""
    result = FrontMatter(line=first_line - 1)

    def at(mark_line: int) -> int:
        return first_line + mark_line

    try:
        loader = _Loader(block)
        try:
            node = loader.get_single_node()
            if node is None:
                result.problems.append(
                    error(
                        path,
                        result.line,
                        "the front matter is empty",
                        "add at least title: and status: between the --- lines",
                        code="front-matter-empty",
                    )
                )
                return result
            if not isinstance(node, yaml.MappingNode):
                kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
                result.problems.append(
                    error(
                        path,
                        at(node.start_mark.line),
                        f"the front matter must be a mapping of fields, but it is {kind}",
                        "write one field per line, such as: title: Focal loss for defects",
                        code="front-matter-not-mapping",
                    )
                )
                return result
            _read_mapping(path, loader, node, at, result)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        result.problems.append(_yaml_problem(path, block, exc, at))
    except yaml.YAMLError as exc:  # errors without a position
        result.problems.append(
            error(
                path,
                result.line,
                f"invalid YAML: {exc}",
                "check the front matter syntax",
                code="front-matter-yaml",
            )
        )
    except RecursionError:
        result.problems.append(
            error(
                path,
                result.line,
                "the front matter is nested too deeply",
                "keep fields to plain values, lists and one level of mapping",
                code="front-matter-too-deep",
            )
        )
    return result


def _read_mapping(
    path: str, loader: Any, node: yaml.MappingNode, at: Any, result: FrontMatter
) -> None:
    seen_nodes: set[int] = set()
    first_seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = at(key_node.start_mark.line)
        if not isinstance(key_node, yaml.ScalarNode):
            result.problems.append(
                error(
                    path,
                    line,
                    "a field name must be plain text",
                    "write field names as simple words: tags: [a, b]",
                    code="front-matter-key",
                )
            )
            continue
        key = str(key_node.value)
        if key in first_seen:
            result.problems.append(
                error(
                    path,
                    line,
                    f'field "{key}" is given twice (first on line {first_seen[key]})',
                    "keep one of them; the first one is used",
                    code="front-matter-duplicate",
                )
            )
            continue
        first_seen[key] = line
        if _has_alias(value_node, seen_nodes):
            result.problems.append(
                error(
                    path,
                    line,
                    f'field "{key}" uses a YAML alias (*name)',
                    "write the value out in full; aliases are not allowed in front matter",
                    code="front-matter-alias",
                )
            )
            continue
        try:
            value = loader.construct_object(value_node, deep=True)
        except yaml.MarkedYAMLError as exc:
            result.problems.append(
                error(
                    path,
                    line,
                    f'field "{key}": {exc.problem}',
                    "write the value as plain text, a number or a list",
                    code="front-matter-value",
                )
            )
            continue
        except (ValueError, TypeError, OverflowError) as exc:
            result.problems.append(
                error(
                    path,
                    line,
                    f'field "{key}" cannot be read: {exc}',
                    "for dates use YYYY-MM-DD; put other text in quotes",
                    code="front-matter-value",
                )
            )
            continue
        result.data[key] = value
        result.lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            # Items of a list get their own lines too (key[0], key[1], ...), so a problem
            # with one inline sample can name the line it is on.
            for index, item in enumerate(value_node.value):
                result.lines[f"{key}[{index}]"] = at(item.start_mark.line)
    result.found = True


def _has_alias(node: yaml.Node, seen: set[int]) -> bool:
    """True if a node is reached twice: YAML aliases, which can expand exponentially."""
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
    return False


def _yaml_problem(path: str, block: str, exc: yaml.MarkedYAMLError, at: Any) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = at(mark.line) if mark else at(0)
    source_lines = block.splitlines()
    offending = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
    problem = (exc.problem or "invalid YAML").strip()
    if "\t" in offending or "'\\t'" in problem:
        return error(
            path,
            line,
            "a tab is used for indentation; YAML allows only spaces",
            "replace the tab characters on this line with spaces",
            code="front-matter-yaml",
        )
    if "mapping values are not allowed" in problem:
        return error(
            path,
            line,
            "invalid YAML: a second ': ' on one line",
            'put the value in quotes, for example: title: "Focal loss: a test"',
            code="front-matter-yaml",
        )
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return error(
            path,
            line,
            f"invalid YAML: {problem}",
            "write the value out in full; aliases are not allowed in front matter",
            code="front-matter-yaml",
        )
    return error(
        path,
        line,
        f"invalid YAML: {problem}",
        "check the syntax on this line: one field per line as name: value,"
        " lists as [a, b], text with # or : in quotes",
        code="front-matter-yaml",
    )


# ----------------------------------------------------------------------------- notebooks


@dataclass
class NotebookSource:
    """A notebook's JSON, its front matter and its searchable text."""

    front: FrontMatter
    notebook: dict[str, Any] | None = None


def read_notebook(path: str, text: str) -> NotebookSource:
    """Front matter from a first raw cell fenced by ---, or from metadata.researchlog."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return NotebookSource(
            FrontMatter(
                problems=[
                    error(
                        path,
                        1,
                        "the notebook file is empty",
                        "save the notebook again from Jupyter, or delete the file",
                        code="file-empty",
                    )
                ]
            )
        )
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        return NotebookSource(
            FrontMatter(
                problems=[
                    error(
                        path,
                        exc.lineno,
                        f"not a valid notebook: JSON error at column {exc.colno}: {exc.msg}",
                        "open and save it in Jupyter, or fix the JSON by hand (often a merge"
                        " conflict marker or a missing comma)",
                        code="notebook-json",
                    )
                ]
            )
        )
    structure = _notebook_structure_problem(notebook)
    if structure is None:
        notebook, structure = upgrade(notebook)
    if structure is None:
        structure = _cells_problem(notebook)
    if structure or notebook is None:
        return NotebookSource(
            FrontMatter(
                problems=[
                    error(
                        path,
                        1,
                        f"not a valid notebook: {structure}",
                        "open it in Jupyter and save it again",
                        code="notebook-structure",
                    )
                ]
            )
        )
    cells = notebook["cells"]
    raw = _front_matter_cell(cells)
    meta = notebook.get("metadata", {}).get("researchlog")
    if raw is not None:
        first_line = line_of_cell_source(text, cells[0])
        block = raw.split("\n", 1)[1] if "\n" in raw else ""
        closing = _close_fence(block)
        if closing is None:
            return NotebookSource(
                FrontMatter(
                    problems=[
                        error(
                            path,
                            first_line,
                            "the front matter in the first raw cell is never closed",
                            "end the raw cell's YAML with a line ---",
                            code="front-matter-unclosed",
                        )
                    ]
                ),
                notebook,
            )
        front = parse_yaml(path, block[:closing], first_line=first_line + 1)
        differs = isinstance(meta, dict) and _normalised(meta) != _normalised(front.data)
        if front.found and differs:
            front.problems.append(
                warning(
                    path,
                    first_line,
                    "the front matter in the first raw cell and in metadata.researchlog"
                    " differ; the raw cell is used",
                    "delete one of them or make them the same",
                    code="front-matter-twice",
                )
            )
        return NotebookSource(front, notebook)
    if meta is not None:
        line = _line_of(text, '"researchlog":')
        if not isinstance(meta, dict):
            front = FrontMatter(line=line)
            front.problems.append(
                error(
                    path,
                    line,
                    "metadata.researchlog must be a mapping",
                    'set it to an object such as {"title": …}',
                    code="front-matter-not-mapping",
                )
            )
            return NotebookSource(front, notebook)
        front = FrontMatter(data=dict(meta), line=line, found=True)
        front.lines = {str(k): _line_of(text, json.dumps(str(k)) + ":", start=line) for k in meta}
        return NotebookSource(front, notebook)
    return NotebookSource(
        FrontMatter(
            problems=[
                error(
                    path,
                    1,
                    "no front matter: the notebook has neither a first raw cell"
                    " starting with --- nor metadata.researchlog",
                    "add a raw cell at the top with ---, title: …, status: …, ---",
                    code="front-matter-missing",
                )
            ]
        ),
        notebook,
    )


def _notebook_structure_problem(notebook: Any) -> str | None:
    """What keeps the file from being read as a notebook of any version, if anything."""
    if not isinstance(notebook, dict):
        return "the top level is not a JSON object"
    return None


def _cells_problem(notebook: dict[str, Any] | None) -> str | None:
    """What keeps a notebook, upgraded to nbformat 4, from being shown, if anything."""
    if notebook is None or not isinstance(notebook.get("cells"), list):
        return 'it has no "cells" list'
    for index, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return f"cell {index} has no valid cell_type"
        if not isinstance(cell.get("source", ""), str | list):
            return f"cell {index} has a source that is neither text nor a list of lines"
    return None


def source_text(source: Any) -> str:
    """A cell's (or an output's) text: nbformat stores it as one string or a list of lines."""
    return "".join(str(part) for part in source) if isinstance(source, list) else str(source)


def cell_source(cell: Mapping[str, Any]) -> str:
    return source_text(cell.get("source", ""))


def is_front_matter_cell(cell: Mapping[str, Any]) -> bool:
    """A notebook's front matter cell: raw, its first line a --- fence. The one rule the
    reader, the search text and the converter all follow."""
    if cell.get("cell_type") != "raw":
        return False
    first = cell_source(cell).removeprefix("\ufeff").split("\n", 1)[0]
    return bool(_FENCE.match(first.rstrip("\r")))


def _front_matter_cell(cells: list[dict[str, Any]]) -> str | None:
    if not cells or not is_front_matter_cell(cells[0]):
        return None
    return cell_source(cells[0]).removeprefix("\ufeff")


def _close_fence(block: str) -> int | None:
    offset = 0
    for line in block.splitlines(keepends=True):
        if _CLOSE.match(line.rstrip("\r\n")):
            return offset
        offset += len(line)
    return None


def line_of_cell_source(text: str, cell: dict[str, Any]) -> int:
    """The file line holding the first line of a cell's source (nbformat writes one per line)."""
    source = cell.get("source", "")
    first = source[0] if isinstance(source, list) and source else str(source).split("\n", 1)[0]
    needle = json.dumps(first, ensure_ascii=False)[:-1]  # the opening of the JSON string
    line = _line_of(text, needle)
    return line if line > 1 else _line_of(text, '"source"')


def _line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based line of the first occurrence of needle at or after line `start`."""
    offset = 0
    for _ in range(start - 1):
        nxt = text.find("\n", offset)
        if nxt < 0:
            break
        offset = nxt + 1
    index = text.find(needle, offset)
    if index < 0:
        index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _normalised(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


# ----------------------------------------------------------------------------- quick status

_STATUS_LINE = re.compile(r"^status:[ \t]*['\"]?([A-Za-z_ -]+?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)
_NOTEBOOK_STATUS = re.compile(r'"status:[ \t]*([A-Za-z_ -]+?)[ \t]*\\n"')


def quick_status(path: str, data: bytes) -> str | None:
    """The status field of an old revision, without a full parse where a regex is enough.

    Used on every revision in the history, so it must be cheap; falls back to the full parser.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.endswith(".ipynb"):
        match = _NOTEBOOK_STATUS.search(text, 0, 4096)
        if match:
            return match.group(1)
        source = read_notebook(path, text)
        value = source.front.data.get("status")
        return value if isinstance(value, str) else None
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    block = text[: end if end > 0 else 4096]
    match = _STATUS_LINE.search(block)
    if match:
        return match.group(1).strip()
    value = read_markdown(path, text).data.get("status")
    return value if isinstance(value, str) else None


_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def first_heading(body: str) -> str | None:
    """The text of a Markdown body's first level-1 heading, if it has one."""
    match = _H1.search(body)
    return match.group(1).strip() if match else None

"""Sample predictions of an entry: read inline from the front matter, or from a JSONL or CSV
file beside the entry, checked row by row.

Every bad row becomes a Problem naming its file and line, and is skipped; the other rows are
still shown. Parsing and checking are pure; `load_samples` is the one place that reads files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import posixpath
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.problems import Problem, error, warning
from . import schema
from .entries import Entry
from .files import load_text

MAX_ROWS = 500  # more rows are cut, with a note on the page: pages and JSON stay small
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
FILE_SUFFIXES = (".jsonl", ".csv")
KEYS = ("id", "input", "expected", "prediction", "note", "correct")
REQUIRED = ("id", "input", "prediction")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_FORMAT_HINT = "each sample has id, input, expected and prediction, and optionally note and correct"


@dataclass(frozen=True)
class Sample:
    """One input with what the model predicted for it."""

    id: str
    input: str
    prediction: str
    expected: str | None = None
    note: str | None = None
    correct: bool | None = None  # None: unknown, because there is no expected value
    image: str | None = None  # repo-relative path when the input is an image
    line: int = 0  # where the row is in its source, for messages


@dataclass(frozen=True)
class SampleSet:
    """The samples of one entry: the first MAX_ROWS valid rows, and counts over all of them."""

    source: str  # the file the rows come from: the sample file, or the entry itself
    rows: tuple[Sample, ...]
    total: int  # valid rows, before the cut
    correct: int = 0
    incorrect: int = 0
    unknown: int = 0

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)

    @property
    def has_images(self) -> bool:
        return any(row.image for row in self.rows)


RawRow = tuple[int, Mapping[str, Any]]  # (line, the row's keys and values)


def is_correct(prediction: str, expected: str | None, given: bool | None = None) -> bool | None:
    """An explicit `correct` wins; else prediction equals expected, ignoring outer whitespace."""
    if given is not None:
        return given
    if expected is None:
        return None
    return prediction.strip() == expected.strip()


def sample_file_path(entry: Entry) -> str | None:
    """The repo-relative path named by `samples: NAME`, or None for inline samples."""
    if not isinstance(entry.samples, str):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), entry.samples))


def load_samples(
    root: Path, entries: Iterable[Entry], assets: Collection[str], withheld: Collection[str] = ()
) -> tuple[dict[str, SampleSet], list[Problem]]:
    """The samples of every entry that has some, by slug, and every problem found in them.

    `assets` are the repo-relative files under log/: sample files and images must be among
    them, since only those are published with the site. A `withheld` file (it holds a
    credential, reported as such) gives no samples and no further problem.
    """
    found: dict[str, SampleSet] = {}
    problems: list[Problem] = []
    known = frozenset(assets)
    for entry in entries:
        if entry.samples is None or sample_file_path(entry) in withheld:
            continue
        samples, entry_problems = entry_samples(entry, known, lambda p: (root / p).read_bytes())
        problems.extend(entry_problems)
        if samples is not None:
            found[entry.slug] = samples
    return found, problems


def entry_samples(
    entry: Entry, assets: Collection[str], read: Callable[[str], bytes]
) -> tuple[SampleSet | None, list[Problem]]:
    """One entry's samples; `read` returns the bytes of a repo-relative file."""
    if isinstance(entry.samples, list):
        rows = [
            (entry.lines.get(f"samples[{index}]", entry.line_of("samples")), row)
            for index, row in enumerate(entry.samples)
        ]
        samples, problems = check_rows(entry.path, entry.path, rows, assets)
        if not rows:
            problems.append(_no_samples(entry.path, entry.line_of("samples")))
        return samples, problems
    path = sample_file_path(entry)
    if path is None:
        return None, []
    problem = _file_problem(entry, path, assets)
    if problem is not None:
        return None, [problem]
    text, _, unreadable = load_text(path, read)
    if text is None:
        return None, unreadable
    text = text.removeprefix("\ufeff")  # spreadsheets often save CSV with a byte order mark
    parse = parse_csv if path.lower().endswith(".csv") else parse_jsonl
    rows, problems = parse(path, text)
    samples, row_problems = check_rows(path, entry.path, rows, assets)
    if not rows and not problems:
        problems.append(_no_samples(path, 1))
    return samples, problems + row_problems


def _no_samples(path: str, line: int) -> Problem:
    return warning(
        path,
        line,
        "there are no samples",
        "add at least one sample, or remove the samples field from the entry",
        code="samples-empty",
    )


def _file_problem(entry: Entry, path: str, assets: Collection[str]) -> Problem | None:
    name = entry.samples
    line = entry.line_of("samples")
    if not path.lower().endswith(FILE_SUFFIXES):
        return error(
            entry.path,
            line,
            f'samples names "{name}", which is neither a .jsonl nor a .csv file',
            "save the samples as JSON Lines (.jsonl, one object per line) or as CSV (.csv)"
            " with a header row id,input,expected,prediction,note",
            code="samples-file",
        )
    if path in assets:
        return None
    folder = posixpath.dirname(path)
    nearby = [
        posixpath.relpath(a, posixpath.dirname(entry.path))
        for a in assets
        if posixpath.dirname(a) == folder and a.lower().endswith(FILE_SUFFIXES)
    ]
    guess = schema.closest(str(name), sorted(nearby)) if nearby else None
    return error(
        entry.path,
        line,
        f'samples names "{name}", but there is no file {path}',
        f'did you mean "{guess}"?'
        if guess
        else "put the sample file beside the entry, or correct the name"
        " (it is relative to the entry file)",
        code="samples-file",
    )


# ----------------------------------------------------------------------------- parsing


def parse_jsonl(path: str, text: str) -> tuple[list[RawRow], list[Problem]]:
    """One JSON object per line; blank lines are allowed."""
    rows: list[RawRow] = []
    problems: list[Problem] = []
    # Not splitlines(): JSON strings may hold U+2028 and friends, which it would split on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                error(
                    path,
                    number,
                    f"this line is not valid JSON: {exc.msg} (column {exc.colno})",
                    'write one JSON object per line, such as {"id": 1, "input": "…",'
                    ' "expected": "…", "prediction": "…"}',
                    code="samples-row",
                )
            )
            continue
        if not isinstance(value, dict):
            problems.append(
                error(
                    path,
                    number,
                    f"this line must be a JSON object, not {_json_kind(value)}",
                    'write one object per line, such as {"id": 1, "input": "…",'
                    ' "expected": "…", "prediction": "…"}',
                    code="samples-row",
                )
            )
            continue
        rows.append((number, value))
    return rows, problems


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    return schema.describe(value)


def parse_csv(path: str, text: str) -> tuple[list[RawRow], list[Problem]]:
    """A header row naming the columns, then one sample per row; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[RawRow] = []
    problems: list[Problem] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(
                error(
                    path,
                    start,
                    f"this row cannot be read as CSV: {exc}",
                    "put cells that contain commas, quotes or line breaks in double quotes,"
                    ' and double any quote inside them ("")',
                    code="samples-row",
                )
            )
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            problem = _header_problem(path, line, header)
            if problem is not None:
                return [], [problem]
            continue
        if len(cells) != len(header):
            fewer = len(cells) < len(header)
            problems.append(
                error(
                    path,
                    line,
                    f"this row has {len(cells)} values, but the header names"
                    f" {len(header)} columns ({', '.join(header)})",
                    "add the missing values (an empty one is fine: a,,b), and put values that"
                    " contain commas in double quotes"
                    if fewer
                    else "put values that contain commas in double quotes",
                    code="samples-row",
                )
            )
            continue
        rows.append((line, {name: cell for name, cell in zip(header, cells, strict=True) if name}))
    return rows, problems


def _header_problem(path: str, line: int, header: list[str]) -> Problem | None:
    hint = "the first row must name the columns: id,input,expected,prediction,note"
    missing = [key for key in REQUIRED if key not in header]
    if missing:
        names = ", ".join(f'"{key}"' for key in missing)
        return error(path, line, f"the header row has no {names} column", hint, code="samples-row")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        return error(
            path,
            line,
            f'the header names the column "{repeated[0]}" twice',
            hint,
            code="samples-row",
        )
    return None


# ----------------------------------------------------------------------------- checking


def check_rows(
    source: str, entry_path: str, rows: Sequence[RawRow], assets: Collection[str]
) -> tuple[SampleSet | None, list[Problem]]:
    """Check raw rows one by one: bad rows are reported and skipped, the rest are kept."""
    problems: list[Problem] = []
    kept: list[Sample] = []
    first_line: dict[str, int] = {}
    unknown_reported: set[str] = set()
    counts = {True: 0, False: 0, None: 0}
    folder = posixpath.dirname(entry_path)
    for line, raw in rows:
        if not isinstance(raw, Mapping):
            problems.append(
                error(
                    source,
                    line,
                    f"this sample is {schema.describe(raw)}, not a mapping",
                    "write each sample as {id: 1, input: …, expected: …, prediction: …}",
                    code="samples-row",
                )
            )
            continue
        for key in raw:
            name = str(key)
            if name not in KEYS and name not in unknown_reported:
                unknown_reported.add(name)
                guess = schema.closest(name, list(KEYS))
                problems.append(
                    warning(
                        source,
                        line,
                        f'unknown key "{name}" in the samples; it is ignored',
                        f'did you mean "{guess}"?' if guess else _FORMAT_HINT,
                        code="samples-key",
                    )
                )
        sample, problem = _sample(source, line, {str(k): v for k, v in raw.items()})
        if problem is not None:
            problems.append(problem)
            continue
        assert sample is not None
        if sample.id in first_line:
            problems.append(
                error(
                    source,
                    line,
                    f'the id "{sample.id}" is used again (first on line {first_line[sample.id]});'
                    " this sample is left out",
                    "give every sample its own id: ids match samples across entries",
                    code="samples-row",
                )
            )
            continue
        first_line[sample.id] = line
        image, problem = _image(source, line, folder, sample.input, assets)
        if problem is not None:
            problems.append(problem)
        counts[sample.correct] += 1
        if len(kept) < MAX_ROWS:
            kept.append(replace(sample, image=image))
    if not first_line:
        return None, problems
    return (
        SampleSet(
            source=source,
            rows=tuple(kept),
            total=len(first_line),
            correct=counts[True],
            incorrect=counts[False],
            unknown=counts[None],
        ),
        problems,
    )


def _sample(source: str, line: int, raw: Mapping[str, Any]) -> tuple[Sample | None, Problem | None]:
    values: dict[str, str | None] = {}
    for key in ("id", "input", "expected", "prediction", "note"):
        text, problem = _text(source, line, key, raw.get(key))
        if problem is not None:
            return None, problem
        values[key] = text
    for key in REQUIRED:
        value = values[key]
        empty = value is None or (key != "prediction" and not value.strip())
        if empty:
            return None, error(
                source,
                line,
                f'this sample has no "{key}"',
                f"add {key}: "
                + ("a short id, unique in this entry, such as 17" if key == "id" else "…")
                + f"; {_FORMAT_HINT}",
                code="samples-row",
            )
    correct, problem = _flag(source, line, raw.get("correct"))
    if problem is not None:
        return None, problem
    expected = values["expected"]
    if expected is not None and not expected.strip():
        expected = None  # an empty cell: nothing was expected
    note = values["note"] or None
    sample_id, text, prediction = values["id"], values["input"], values["prediction"]
    assert sample_id is not None and text is not None and prediction is not None
    return (
        Sample(
            id=sample_id.strip(),
            input=text,
            prediction=prediction,
            expected=expected,
            note=note,
            correct=is_correct(prediction, expected, correct),
            line=line,
        ),
        None,
    )


def _text(source: str, line: int, key: str, value: Any) -> tuple[str | None, Problem | None]:
    """Text, numbers, booleans and dates are all shown as text; lists and mappings are not."""
    if value is None:
        return None, None
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return str(value).lower(), None
    if isinstance(value, int | float):
        return str(value), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    return None, error(
        source,
        line,
        f'"{key}" must be text or a number, not {_json_kind(value)}',
        'write it as one text; for several labels join them, such as "billing, refund"',
        code="samples-row",
    )


def _flag(source: str, line: int, value: Any) -> tuple[bool | None, Problem | None]:
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None, None
        if word in _TRUE or word in _FALSE:
            return word in _TRUE, None
    shown = f'"{value}"' if isinstance(value, str) else schema.describe(value)
    return None, error(
        source,
        line,
        f'"correct" must be true or false, not {shown}',
        "write true or false, or leave it out to compare prediction with expected",
        code="samples-row",
    )


def _image(
    source: str, line: int, folder: str, text: str, assets: Collection[str]
) -> tuple[str | None, Problem | None]:
    """The repo path of an image input, or a problem when it names an image that is missing."""
    name = text.strip()
    if (
        not name.lower().endswith(IMAGE_SUFFIXES)
        or "\n" in name
        or "://" in name
        or name.startswith(("/", "data:"))
    ):
        return None, None
    path = posixpath.normpath(posixpath.join(folder, name))
    if path in assets:
        return path, None
    return None, error(
        source,
        line,
        f'the input "{name}" looks like an image, but there is no file {path}',
        "put the image at that path (relative to the entry file), or correct the path;"
        " until then the path is shown as text",
        code="samples-file",
    )


def sample_record(sample: Sample) -> dict[str, Any]:
    """One sample as JSON, for the comparison view and scripts."""
    return {
        "id": sample.id,
        "input": sample.input,
        "image": sample.image,
        "expected": sample.expected,
        "prediction": sample.prediction,
        "correct": sample.correct,
        "note": sample.note,
    }

"""Sample predictions: inline, JSONL and CSV samples read row by row, bad rows as file:line."""

from __future__ import annotations

import json

from researchlog.read.entries import Entry
from researchlog.read.samples import MAX_ROWS, SampleSet, entry_samples, is_correct
from support import Repo, entry_text, run_cli

ENTRY = "log/2025/2025-05-02-router.md"


def entry(samples: object, lines: dict[str, int] | None = None) -> Entry:
    return Entry(
        slug="2025-05-02-router",
        path=ENTRY,
        kind="markdown",
        title="Router",
        status="running",
        samples=samples,
        lines=lines or {"samples": 6},
    )


def load(
    samples: object,
    files: dict[str, str] | None = None,
    images: tuple[str, ...] = (),
    lines: dict[str, int] | None = None,
) -> tuple[SampleSet | None, list[str]]:
    """Samples of an entry whose folder holds `files` (by name) and `images`; problems
    as `researchlog check` prints them."""
    files = files or {}
    folder = "log/2025/"
    contents = {folder + name: text.encode() for name, text in files.items()}
    assets = set(contents) | {folder + name for name in images}
    found, problems = entry_samples(entry(samples, lines), assets, lambda p: contents[p])
    return found, [p.format() for p in problems]


def jsonl(*rows: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def row(id: object, prediction: str = "billing", expected: str | None = "billing", **more: object):
    data = {"id": id, "input": f"ticket {id}", "expected": expected, "prediction": prediction}
    return {**data, **more}


def test_correctness_rules() -> None:
    assert is_correct(" billing\n", "billing") is True
    assert is_correct("bug", "billing") is False
    assert is_correct("bug", None) is None  # no expected value: unknown
    assert is_correct("bug", "billing", True) is True  # an explicit flag wins


def test_jsonl_rows_are_read_with_their_lines() -> None:
    text = jsonl(row(1), "", row(2, "bug"), {**row(3), "expected": None}, row(4, correct=True))
    found, problems = load("router.samples.jsonl", {"router.samples.jsonl": text})
    assert problems == []
    assert found is not None
    assert found.source == "log/2025/router.samples.jsonl"
    assert [(s.id, s.line, s.correct) for s in found.rows] == [
        ("1", 1, True),
        ("2", 3, False),
        ("3", 4, None),
        ("4", 5, True),
    ]
    assert (found.total, found.correct, found.incorrect, found.unknown) == (4, 2, 1, 1)


def test_a_bad_jsonl_line_is_reported_at_its_line_and_skipped() -> None:
    text = jsonl(row(1), row(2), '{"id": 3, "input": "x" "prediction": "y"}', "[1, 2]", row(5))
    found, problems = load("router.samples.jsonl", {"router.samples.jsonl": text})
    assert problems == [
        "log/2025/router.samples.jsonl:3: error: this line is not valid JSON: Expecting ','"
        " delimiter (column 24)\n"
        '    fix: write one JSON object per line, such as {"id": 1, "input": "…",'
        ' "expected": "…", "prediction": "…"}',
        "log/2025/router.samples.jsonl:4: error: this line must be a JSON object, not a list\n"
        '    fix: write one object per line, such as {"id": 1, "input": "…",'
        ' "expected": "…", "prediction": "…"}',
    ]
    assert found is not None and [s.id for s in found.rows] == ["1", "2", "5"]


def test_missing_fields_and_wrong_types_name_the_row() -> None:
    text = jsonl(
        {"id": 1, "input": "x"},
        {"id": "", "input": "x", "prediction": "y"},
        {"id": 3, "input": "x", "prediction": ["a", "b"]},
        {"id": 4, "input": "x", "prediction": "y", "correct": "maybe"},
        {"id": 5, "input": "x", "prediction": "y", "lable": "z"},
    )
    found, problems = load("s.jsonl", {"s.jsonl": text})
    assert [p.splitlines()[0] for p in problems] == [
        'log/2025/s.jsonl:1: error: this sample has no "prediction"',
        'log/2025/s.jsonl:2: error: this sample has no "id"',
        'log/2025/s.jsonl:3: error: "prediction" must be text or a number, not a list',
        'log/2025/s.jsonl:4: error: "correct" must be true or false, not "maybe"',
        'log/2025/s.jsonl:5: warning: unknown key "lable" in the samples; it is ignored',
    ]
    assert 'fix: did you mean "label"?' not in problems[-1]  # no such key to suggest
    assert found is not None and [s.id for s in found.rows] == ["5"]


def test_csv_row_with_a_missing_column() -> None:
    text = (
        "id,input,expected,prediction,note\n"
        '1,"Refund, please",billing,billing,\n'
        "2,App crashes,bug\n"
        '3,"Two\nlines",bug,bug,spans two lines\n'
        "4,Dark mode?,feature,bug,\n"
    )
    found, problems = load("router.csv", {"router.csv": text})
    assert problems == [
        "log/2025/router.csv:3: error: this row has 3 values, but the header names 5 columns"
        " (id, input, expected, prediction, note)\n"
        "    fix: add the missing values (an empty one is fine: a,,b), and put values that"
        " contain commas in double quotes"
    ]
    assert found is not None
    assert [(s.id, s.line, s.input, s.correct) for s in found.rows] == [
        ("1", 2, "Refund, please", True),
        ("3", 4, "Two\nlines", True),  # a quoted cell may span lines; the row starts on 4
        ("4", 6, "Dark mode?", False),
    ]
    assert found.rows[0].note is None  # an empty cell is no note


def test_csv_header_and_flags() -> None:
    found, problems = load("r.csv", {"r.csv": "\ufeffid,input,expected\n1,x,y\n"})
    assert found is None
    assert problems == [
        'log/2025/r.csv:1: error: the header row has no "prediction" column\n'
        "    fix: the first row must name the columns: id,input,expected,prediction,note"
    ]
    text = "id,input,expected,prediction,correct\n1,x,,y,TRUE\n2,x,,y,\n3,x,y,y,false\n"
    found, problems = load("r.csv", {"r.csv": text})
    assert problems == []
    assert found is not None
    assert [(s.correct, s.expected) for s in found.rows] == [
        (True, None),
        (None, None),
        (False, "y"),
    ]


def test_duplicate_id_is_reported_where_it_repeats() -> None:
    text = jsonl(row(1), row(2), row("1", "bug"))  # 1 and "1" are the same id
    found, problems = load("s.jsonl", {"s.jsonl": text})
    assert problems == [
        'log/2025/s.jsonl:3: error: the id "1" is used again (first on line 1); this sample is'
        " left out\n"
        "    fix: give every sample its own id: ids match samples across entries"
    ]
    assert found is not None and [s.prediction for s in found.rows] == ["billing", "billing"]


def test_image_inputs_and_a_missing_image() -> None:
    rows = [
        {"id": 1, "input": "img/cat.png", "expected": "cat", "prediction": "cat"},
        {"id": 2, "input": "img/dog.JPG", "expected": "dog", "prediction": "cat"},
        {"id": 3, "input": "a photo.png of a cat, as text", "prediction": "cat"},
    ]
    found, problems = load(
        rows, images=("img/cat.png",), lines={"samples": 6, "samples[0]": 7, "samples[1]": 10}
    )
    assert problems == [
        f'{ENTRY}:10: error: the input "img/dog.JPG" looks like an image, but there is no file'
        " log/2025/img/dog.JPG\n"
        "    fix: put the image at that path (relative to the entry file), or correct the"
        " path; until then the path is shown as text"
    ]
    assert found is not None
    assert [s.image for s in found.rows] == ["log/2025/img/cat.png", None, None]


def test_inline_rows_name_their_own_lines(repo: Repo) -> None:
    repo.write(
        ENTRY,
        "---\ntitle: Router\nstatus: running\nquestion: Which queue?\nsamples:\n"
        "  - {id: 1, input: Refund please, expected: billing, prediction: billing}\n"
        "  - id: 2\n    input: App crashes\n    expected: bug\n"
        "  - just a sentence\n---\nNotes.\n",
    )
    result = run_cli("check", cwd=repo.root)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:4] == [
        f'{ENTRY}:7: error: this sample has no "prediction"',
        "    fix: add prediction: …; each sample has id, input, expected and prediction,"
        " and optionally note and correct",
        f'{ENTRY}:10: error: this sample is the text "just a sentence", not a mapping',
        "    fix: write each sample as {id: 1, input: …, expected: …, prediction: …}",
    ]


def test_more_than_max_rows_are_cut_but_all_are_counted() -> None:
    text = jsonl(*(row(n, "bug" if n % 4 == 0 else "billing") for n in range(MAX_ROWS + 100)))
    found, problems = load("big.jsonl", {"big.jsonl": text})
    assert problems == []
    assert found is not None
    assert len(found.rows) == MAX_ROWS and found.rows[-1].id == str(MAX_ROWS - 1)
    assert found.cut and found.total == MAX_ROWS + 100
    assert found.incorrect == (MAX_ROWS + 100) // 4


def test_sample_file_that_is_missing_or_of_another_kind() -> None:
    found, problems = load("router.sample.jsonl", {"router.samples.jsonl": jsonl(row(1))})
    assert found is None
    assert problems == [
        f'{ENTRY}:6: error: samples names "router.sample.jsonl", but there is no file'
        " log/2025/router.sample.jsonl\n"
        '    fix: did you mean "router.samples.jsonl"?'
    ]
    _, problems = load("router.json", {"router.json": "[]"})
    assert problems[0].startswith(
        f'{ENTRY}:6: error: samples names "router.json", which is neither a .jsonl nor a .csv file'
    )


def test_undecodable_and_empty_files() -> None:
    found, problems = load("s.jsonl", {"s.jsonl": "\n\n"})
    assert found is None
    assert problems == [
        "log/2025/s.jsonl:1: warning: there are no samples\n"
        "    fix: add at least one sample, or remove the samples field from the entry"
    ]
    contents = {"log/2025/s.csv": b"id,input,prediction\n1,caf\xe9,x\n"}
    found, bad = entry_samples(entry("s.csv"), set(contents), lambda p: contents[p])
    assert found is None
    assert (
        bad[0]
        .format()
        .startswith("log/2025/s.csv:2: error: the file is not UTF-8 text: byte 0xe9 at column 6")
    )


def test_check_reports_a_bad_sample_file_as_file_line(repo: Repo) -> None:
    repo.write(
        ENTRY,
        entry_text(title="Router", project="ticket-routing", samples="router.samples.jsonl"),
    )
    repo.write(
        "log/2025/router.samples.jsonl",
        jsonl(row(1), row(2), row(3), row(4), row(5), row(6), '{"id": 7, "input": "x",}'),
    )
    result = run_cli("check", cwd=repo.root)
    assert result.returncode == 1, result.stdout + result.stderr
    first, fix, summary = result.stdout.splitlines()
    # The JSON parser's own words differ between Python versions; the rest is ours.
    assert first.startswith("log/2025/router.samples.jsonl:7: error: this line is not valid JSON:")
    assert first.endswith("(column 24)")
    assert fix == (
        '    fix: write one JSON object per line, such as {"id": 1, "input": "…",'
        ' "expected": "…", "prediction": "…"}'
    )
    assert summary == "checked 1 entry and 0 playbook pages: 1 error"
    only_entry = run_cli("check", "log/2025/router.samples.jsonl", cwd=repo.root)
    assert "router.samples.jsonl:7: error:" in only_entry.stdout

"""`researchlog check`: every broken-entry case reported as path:line with a fix, in one run."""

from __future__ import annotations

import pytest

from support import Repo, entry_text, run_in_process


def check(repo: Repo, *args: str) -> tuple[int, str]:
    result = run_in_process("check", *args, cwd=repo.root)
    return result.returncode, result.stdout + result.stderr


def test_valid_log_passes(repo: Repo) -> None:
    repo.entry(
        "log/2025/2025-03-02-baseline.md",
        title="Baseline",
        status="success",
        metrics={"val_f1": 0.8},
    )
    code, out = check(repo)
    assert code == 0, out
    assert out.strip().splitlines() == [
        "checked 1 entry and 0 playbook pages: no problems",
        "metric directions inferred from their names (confirm them under metrics: in"
        " mkdocs.yml): val_f1 higher",
    ]


def test_yaml_syntax_error_names_the_real_line(repo: Repo) -> None:
    repo.write(
        "log/2025/broken.md",
        "---\ntitle: Broken\nstatus: running\nquestion: [oops\noutcome: x\n---\nbody\n",
    )
    code, out = check(repo)
    assert code == 1
    first = out.splitlines()[0]
    # The flow sequence opened on line 4 is never closed; the parser notices on line 5.
    assert first.startswith("log/2025/broken.md:5: error: invalid YAML:"), out
    assert "fix:" in out


def test_colon_in_value_suggests_quotes(repo: Repo) -> None:
    repo.write("log/x.md", "---\ntitle: Focal loss: a test\nstatus: running\n---\n")
    code, out = check(repo)
    assert code == 1
    assert "log/x.md:2: error: invalid YAML: a second ': ' on one line" in out
    assert 'put the value in quotes, for example: title: "Focal loss: a test"' in out


def test_missing_required_fields(repo: Repo) -> None:
    repo.write("log/a.md", "---\nstatus: dead-end\n---\nbody\n")
    code, out = check(repo)
    assert code == 1
    assert 'log/a.md:1: error: missing required field "title"' in out
    assert 'log/a.md:1: error: missing required field "question" when status is "dead-end"' in out
    assert 'log/a.md:1: error: missing required field "outcome" when status is "dead-end"' in out


def test_metric_that_is_not_a_number(repo: Repo) -> None:
    repo.write("log/m.md", entry_text(metrics={"val_f1": "0.81", "loss": 0.2}))
    code, out = check(repo)
    assert code == 1
    line = next(
        n
        for n, text in enumerate((repo.root / "log/m.md").read_text().splitlines(), 1)
        if text.startswith("metrics:")
    )
    assert f'log/m.md:{line}: error: metric "val_f1" is the text "0.81", not a number' in out
    assert "write a plain number such as 0.81, without quotes or units" in out
    assert "loss" not in out.split("fix:")[0].split("val_f1")[0]


def test_unknown_status_suggests_the_closest(repo: Repo) -> None:
    repo.write("log/s.md", "---\ntitle: S\nstatus: dead_end\nquestion: q\noutcome: o\n---\n")
    code, out = check(repo)
    assert code == 1
    assert 'log/s.md:3: error: unknown status "dead_end"; did you mean "dead-end"?' in out
    assert "fix: use one of: planned, running, success, dead-end, inconclusive, superseded" in out


def test_superseded_without_superseded_by(repo: Repo) -> None:
    repo.write("log/old.md", entry_text(title="Old", status="superseded"))
    code, out = check(repo)
    assert code == 1
    assert 'log/old.md:1: error: missing required field "superseded_by" when status is' in out


def test_links_that_point_nowhere(repo: Repo) -> None:
    repo.write(
        "log/old.md",
        entry_text(
            title="Old", status="superseded", superseded_by="new-one", lessons=["build-fst"]
        ),
    )
    repo.write("log/new-one-v2.md", entry_text(title="New"))
    repo.write("playbook/build-fast.md", "---\ntitle: Build fast\n---\nText.\n")
    code, out = check(repo)
    assert code == 1
    assert 'error: superseded_by names "new-one", which is not an entry' in out
    assert 'fix: did you mean "new-one-v2"?' in out
    assert 'warning: lessons names "build-fst", which has no playbook page' in out
    assert 'fix: did you mean "build-fast"?' in out


def test_duplicate_slugs(repo: Repo) -> None:
    repo.write("log/2024/same.md", entry_text(title="A"))
    repo.write("log/2025/same.md", entry_text(title="B"))
    code, out = check(repo)
    assert code == 1
    assert 'log/2024/same.md: error: the slug "same" is also used by log/2025/same.md' in out
    assert (
        'log/2025/same.md: error: the slug "same" is also used by log/2024/same.md;'
        " this one is left out of the site"
    ) in out


def test_unknown_key_is_a_warning(repo: Repo) -> None:
    repo.write("log/u.md", "---\ntitle: U\nstatus: planned\noutcomes: typo\n---\n")
    code, out = check(repo)
    assert code == 0, out
    assert 'log/u.md:4: warning: unknown field "outcomes"' in out
    assert 'fix: did you mean "outcome"?' in out
    strict_code, _ = check(repo, "--strict")
    assert strict_code == 1


def test_all_problems_reported_in_one_run(repo: Repo) -> None:
    repo.write("log/a.md", "---\ntitle: A\nstatus: finished\n---\n")
    repo.write("log/b.md", "---\ntitle: [unclosed\n---\n")
    repo.write("log/c.md", entry_text(metrics={"f1": "high"}))
    code, out = check(repo)
    assert code == 1
    assert "log/a.md:3:" in out and "log/b.md:" in out and "log/c.md:" in out
    assert out.strip().splitlines()[-1] == "checked 3 entries and 0 playbook pages: 3 errors"


def test_paths_limit_the_report(repo: Repo) -> None:
    repo.write("log/a.md", "---\ntitle: A\nstatus: finished\n---\n")
    repo.write("log/b.md", "---\ntitle: B\nstatus: finished\n---\n")
    code, out = check(repo, "log/b.md")
    assert code == 1
    assert "log/b.md:3" in out and "log/a.md" not in out
    code, out = check(repo, "log/nope.md")
    assert code == 2
    assert "no such file or folder: log/nope.md" in out


def test_json_output(repo: Repo) -> None:
    repo.write("log/s.md", "---\ntitle: S\nstatus: dead_end\nquestion: q\noutcome: o\n---\n")
    result = run_in_process("check", "--json", cwd=repo.root)
    import json

    problems = json.loads(result.stdout)
    assert problems == [
        {
            "path": "log/s.md",
            "line": 3,
            "severity": "error",
            "code": "field-choice",
            "message": 'unknown status "dead_end"; did you mean "dead-end"?',
            "hint": "use one of: planned, running, success, dead-end, inconclusive, superseded;"
            " until then the entry is left out of the site",
        }
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "log/e.md:1: error: the file is empty"),
        (
            "---\ntitle: x\nstatus: running\n",
            "log/e.md:1: error: the front matter starting here is never closed",
        ),
        (
            "---\ntitle: x\n\tstatus: running\n---\n",
            "log/e.md:3: error: a tab is used for indentation",
        ),
        (
            "---\ntitle: x\ntitle: y\nstatus: planned\n---\n",
            'log/e.md:3: error: field "title" is given twice (first on line 2)',
        ),
        (
            "---\n- title\n- status\n---\n",
            "log/e.md:2: error: the front matter must be a mapping of fields, but it is a list",
        ),
        (
            "---\ntitle: x\nstatus: planned\ndate: 20/11/2026\n---\n",
            'log/e.md:4: error: field "date" is the text "20/11/2026", not a date in the form'
            " YYYY-MM-DD",
        ),
        (
            "---\ntitle: x\nstatus: running\nquestion: q\nmetrics: {f1: .nan}\n---\n",
            'log/e.md:5: error: metric "f1" is nan, which cannot be compared or charted',
        ),
    ],
    ids=["empty", "unclosed", "tabs", "duplicate-key", "list", "odd-date", "nan"],
)
def test_front_matter_cases(repo: Repo, text: str, expected: str) -> None:
    repo.write("log/e.md", text)
    code, out = check(repo)
    assert code == 1
    assert expected in out, out

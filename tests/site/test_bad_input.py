"""Bad input, table-driven: each case gets its exact message (file, line, what, fix), the rest of
the site still builds, and a strict build fails listing every problem."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import Repo, entry_text, mkdocs_build, run_cli


def fix(text: str) -> str:
    return f"\n    fix: {text}"


BILLION_LAUGHS = (
    "---\ntitle: Laughs\nstatus: planned\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n---\n"
)


def notebook(front: str, *code: dict[str, object]) -> str:
    cells = [{"cell_type": "raw", "metadata": {}, "source": front.splitlines(keepends=True)}]
    return json.dumps(
        {"cells": [*cells, *code], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


# A notebook of 50 MB: one cell printed 50 MB of text (a data frame, a training log...).
HUGE = notebook(
    "---\ntitle: Huge\nstatus: planned\n---",
    {
        "cell_type": "code",
        "metadata": {},
        "execution_count": 1,
        "source": ["print(frame)"],
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "x" * (50 << 20)}],
    },
)
HUGE_LINE = next(n for n, line in enumerate(HUGE.splitlines(), 1) if '"code"' in line)


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str | bytes]
    expected: tuple[str, ...]  # formatted problems: "path:line: severity: message\n    fix: …"
    # Symbolic links to make, path -> target; {outside} is a folder beside the repository.
    links: tuple[tuple[str, str], ...] = ()


LEFT_OUT = "it is left out of the site"
OUTSIDE_FIX = fix(
    "copy what the log needs into the repository, or remove the link: only files inside the"
    " repository are published"
)
SECRET_FIX = fix(
    "remove it (and revoke the credential: it is in the git history now); if it is not a"
    " secret, add the comment `researchlog: allow-secret` to the line"
)
SCRIPT_FIX = fix(
    "remove it: entries are trusted like code, and a script here reaches the whole team (use a"
    " notebook output, which is sanitised, for generated HTML)"
)


STATUSES = "planned, running, success, dead-end, inconclusive, superseded"
CASES = [
    Case(
        "empty file",
        {"log/empty.md": ""},
        (
            "log/empty.md:1: error: the file is empty"
            + fix(
                "start it with a front matter block (---, title: …, status: …, ---), or create"
                ' entries with `researchlog new "Title"`'
            ),
        ),
    ),
    Case(
        "no front matter",
        {"log/plain.md": "# Just a heading\n\nText.\n"},
        (
            "log/plain.md:1: error: no front matter: the first line must be ---"
            + fix("add a block at the top: ---, title: …, status: …, then --- on its own line"),
        ),
    ),
    Case(
        "front matter never closed",
        {"log/open.md": "---\ntitle: Open\nstatus: running\n"},
        (
            "log/open.md:1: error: the front matter starting here is never closed"
            + fix("add a line with just --- after the last field"),
        ),
    ),
    Case(
        "tabs in YAML",
        {"log/tabs.md": "---\ntitle: Tabs\n\tstatus: running\n---\n"},
        (
            "log/tabs.md:3: error: a tab is used for indentation; YAML allows only spaces"
            + fix("replace the tab characters on this line with spaces"),
        ),
    ),
    Case(
        "duplicate keys",
        {"log/dup.md": "---\ntitle: A\nstatus: planned\ntitle: B\n---\n"},
        (
            'log/dup.md:4: error: field "title" is given twice (first on line 2)'
            + fix("keep one of them; the first one is used"),
        ),
    ),
    Case(
        "YAML alias bomb",
        {"log/laughs.md": BILLION_LAUGHS},
        (
            'log/laughs.md:5: error: field "b" uses a YAML alias (*name)'
            + fix("write the value out in full; aliases are not allowed in front matter"),
        ),
    ),
    Case(
        "a list where a mapping is expected",
        {"log/list.md": "---\n- title\n- status\n---\n"},
        (
            "log/list.md:2: error: the front matter must be a mapping of fields, but it is a list"
            + fix("write one field per line, such as: title: Focal loss for defects"),
        ),
    ),
    Case(
        "metrics as a list",
        {"log/mlist.md": entry_text(metrics=[0.8, 0.9])},
        (
            'log/mlist.md:2: error: field "metrics" must be a mapping of metric name to number, not'
            " a list" + fix("write it as {val_f1: 0.81, latency_ms: 41}"),
        ),
    ),
    Case(
        "date in an odd format",
        {"log/date.md": entry_text(date="20/11/2026")},
        (
            'log/date.md:2: error: field "date" is the text "20/11/2026", not a date in the form'
            " YYYY-MM-DD"
            + fix(
                "write the date as 2026-11-20 (year-month-day), or leave it out to"
                " use the date of the first commit"
            ),
        ),
    ),
    Case(
        "impossible date",
        {"log/feb30.md": "---\ntitle: F\nstatus: planned\ndate: 2026-02-30\n---\n"},
        (
            'log/feb30.md:4: error: field "date" cannot be read: day is out of range for month'
            + fix("for dates use YYYY-MM-DD; put other text in quotes"),
        ),
    ),
    Case(
        "metric given as a string",
        {"log/mstr.md": entry_text(metrics={"val_f1": "0.81"})},
        (
            'log/mstr.md:2: error: metric "val_f1" is the text "0.81", not a number'
            + fix("write a plain number such as 0.81, without quotes or units"),
        ),
    ),
    Case(
        "NaN metric",
        {"log/nan.md": "---\ntitle: N\nstatus: running\nquestion: q\nmetrics: {f1: .nan}\n---\n"},
        (
            'log/nan.md:5: error: metric "f1" is nan, which cannot be compared or charted'
            + fix("record a finite number, or leave the field out and explain in the body"),
        ),
    ),
    Case(
        "infinite metric",
        {
            "log/inf.md": "---\ntitle: I\nstatus: running\nquestion: q\n"
            "metrics: {loss: -.inf}\n---\n"
        },
        (
            'log/inf.md:5: error: metric "loss" is -inf, which cannot be compared or charted'
            + fix("record a finite number, or leave the field out and explain in the body"),
        ),
    ),
    Case(
        "unknown status",
        {"log/status.md": "---\ntitle: S\nstatus: dead_end\n---\n"},
        (
            'log/status.md:3: error: unknown status "dead_end"; did you mean "dead-end"?'
            + fix(f"use one of: {STATUSES}; until then the entry is left out of the site"),
        ),
    ),
    Case(
        "superseded_by cycle",
        {
            "log/loop-a.md": entry_text(title="A", status="superseded", superseded_by="loop-b"),
            "log/loop-b.md": entry_text(title="B", status="superseded", superseded_by="loop-a"),
        },
        (
            "log/loop-a.md:4: error: superseded_by goes round in a circle: loop-a → loop-b → loop-a"
            + fix("the newest entry in the chain must not be superseded; remove its superseded_by"),
        ),
    ),
    Case(
        "superseded_by pointing nowhere",
        {
            "log/orphan.md": entry_text(title="O", status="superseded", superseded_by="nowhere-x"),
        },
        (
            'log/orphan.md:4: error: superseded_by names "nowhere-x", which is not an entry'
            + fix("use the slug (file name without extension) of an existing entry"),
        ),
    ),
    Case(
        "superseded without superseded_by",
        {"log/nosucc.md": entry_text(title="N", status="superseded")},
        (
            'log/nosucc.md:1: error: missing required field "superseded_by" when status is'
            ' "superseded"'
            + fix("add a line such as: superseded_by: 2026-11-22-class-balanced-sampling"),
        ),
    ),
    Case(
        "slug collision between Markdown and notebook",
        {
            "log/twin.md": entry_text(title="Markdown twin"),
            "log/twin.ipynb": notebook("---\ntitle: Notebook twin\nstatus: planned\n---"),
        },
        (
            'log/twin.ipynb: error: the slug "twin" is also used by log/twin.md'
            + fix(
                "rename one of the files: the slug is the file name without its extension"
                " and must be unique across log/"
            ),
            'log/twin.md: error: the slug "twin" is also used by log/twin.ipynb; this one is left'
            " out of the site"
            + fix(
                "rename one of the files: the slug is the file name without its"
                " extension and must be unique across log/"
            ),
        ),
    ),
    Case(
        "10,000-character title",
        {"log/long.md": entry_text(title="x" * 10_000)},
        (
            'log/long.md:2: warning: field "title" is 10,000 characters long (at most 300 are'
            " shown)" + fix("shorten it and move the detail into the body"),
        ),
    ),
    Case(
        "file name with spaces",
        {"log/my entry.md": entry_text(title="Spaces")},
        (
            "log/my entry.md: warning: the file name contains spaces or characters that break web"
            ' addresses (# ? % " < > \\)' + fix("rename it to my-entry.md"),
        ),
    ),
    Case(
        "non-UTF-8 text",
        {"log/latin1.md": "---\ntitle: Caf\xe9\nstatus: planned\n---\n".encode("latin-1")},
        (
            "log/latin1.md:2: error: the file is not UTF-8 text: byte 0xe9 at column 11 cannot be"
            " decoded" + fix("save the file as UTF-8 (most editors: Save with Encoding > UTF-8)"),
        ),
    ),
    Case(
        "binary file with a .md extension",
        {"log/image.md": b"\x89PNG\r\n\x1a\n\0\0\0IHDR"},
        (
            "log/image.md:1: error: this is a binary file, not text (it contains NUL bytes)"
            + fix(
                "entries must be Markdown (.md) or notebooks (.ipynb); move other files out of the"
                " way or give them their real extension"
            ),
        ),
    ),
    Case(
        "missing title",
        {"log/notitle.md": "---\nstatus: planned\n---\n"},
        (
            'log/notitle.md:1: error: missing required field "title"'
            + fix("add a line such as: title: Focal loss for the defect detector"),
        ),
    ),
    Case(
        "missing question",
        {"log/noq.md": "---\ntitle: Q\nstatus: running\n---\n"},
        (
            'log/noq.md:1: error: missing required field "question" when status is "running"'
            + fix(
                "add a line such as: question: Does focal loss beat weighted BCE at 1:200"
                " imbalance?"
            ),
        ),
    ),
    Case(
        "tags as a mapping",
        {"log/tagmap.md": entry_text(tags={"a": 1})},
        (
            'log/tagmap.md:2: error: field "tags" must be a list, not a mapping'
            + fix("write it as [first, second]"),
        ),
    ),
    Case(
        "negative effort",
        {"log/effort.md": entry_text(effort_days=-2)},
        (
            'log/effort.md:2: error: field "effort_days" must be at least 0'
            + fix("use a positive number"),
        ),
    ),
    Case(
        "unknown field",
        {"log/extra.md": entry_text(outcomes="typo")},
        ('log/extra.md:2: warning: unknown field "outcomes"' + fix('did you mean "outcome"?'),),
    ),
    Case(
        "python tag in YAML",
        {"log/pytag.md": "---\ntitle: P\nstatus: planned\nx: !!python/object:os.system {}\n---\n"},
        (
            'log/pytag.md:4: error: field "x": could not determine a constructor for the tag'
            " 'tag:yaml.org,2002:python/object:os.system'"
            + fix("write the value as plain text, a number or a list"),
        ),
    ),
    Case(
        "front matter is a single value",
        {"log/scalar.md": "---\njust text\n---\n"},
        (
            "log/scalar.md:2: error: the front matter must be a mapping of fields, but it is a"
            " single value"
            + fix("write one field per line, such as: title: Focal loss for defects"),
        ),
    ),
    Case(
        "demo that is not a web address",
        {"log/demo.md": entry_text(demo="javascript:alert(1)")},
        (
            'log/demo.md:2: error: field "demo" is the text "javascript:alert(1)", not a web'
            " address" + fix("use a full address starting with https://"),
        ),
    ),
    Case(
        "lessons naming a missing page",
        {"log/lesson.md": entry_text(lessons=["nope"])},
        (
            'log/lesson.md:2: warning: lessons names "nope", which has no playbook page'
            + fix("name a page in playbook/ (its file name without .md)"),
        ),
    ),
    Case(
        "huge notebook (50 MB)",
        {"log/huge.ipynb": HUGE},
        (
            f"log/huge.ipynb:{HUGE_LINE}: warning: the outputs add up to 50.0 MB, over the 5 MB"
            " limit (notebook_max_mb); 1 output left out of the page"
            + fix(
                "clear large outputs before committing (or save figures as files), or raise"
                " notebook_max_mb in mkdocs.yml"
            ),
        ),
    ),
    Case(
        "notebook that is not JSON",
        {"log/broken.ipynb": '{"cells": [\n  {"cell_type": }\n'},
        (
            "log/broken.ipynb:2: error: not a valid notebook: JSON error at column 17: Expecting"
            " value"
            + fix(
                "open and save it in Jupyter, or fix the JSON by hand (often a merge"
                " conflict marker or a missing comma)"
            ),
        ),
    ),
    Case(
        "notebook of a format nbformat does not know",
        {
            "log/future.ipynb": json.dumps(
                {"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}
            )
        },
        (
            "log/future.ipynb:1: error: not a valid notebook: its nbformat version is 5;"
            " nbformat reads versions 1 to 4" + fix("open it in Jupyter and save it again"),
        ),
    ),
    Case(
        "an AWS key in an entry",
        {"log/leak.md": entry_text("Ran with AKIAIOSFODNN7EXAMPLE as the key.\n")},
        (
            "log/leak.md:7: error: this line looks like it contains an AWS access key id; the file"
            " is left out of the site"
            + fix(
                "remove it (and revoke the credential: it is in the git history now); if it is"
                " not a secret, add the comment `researchlog: allow-secret` to the line"
            ),
        ),
    ),
    Case(
        "a symbolic link to an entry outside the repository",
        {},
        (
            "log/borrowed.md: warning: this symbolic link points outside the repository (to"
            f" {{outside}}/entry.md); {LEFT_OUT}" + OUTSIDE_FIX,
        ),
        links=(("log/borrowed.md", "{outside}/entry.md"),),
    ),
    Case(
        "a symbolic link to a folder outside the repository",
        {},
        (
            "log/shared: warning: this symbolic link points outside the repository (to"
            f" {{outside}}/shared); {LEFT_OUT}" + OUTSIDE_FIX,
        ),
        links=(("log/shared", "{outside}/shared"),),
    ),
    Case(
        "a symbolic link to the repository's .env",
        {".env": "DATABASE_PASSWORD=hunter2\n"},
        (
            "log/settings.txt: warning: this symbolic link points to .env, inside the hidden"
            f" .env; {LEFT_OUT}"
            + fix(
                "hidden files and folders (.env, .git, the cache) are never published;"
                " remove the link"
            ),
        ),
        links=(("log/settings.txt", "../.env"),),
    ),
    Case(
        "a sample image that links outside the repository",
        {
            "log/cats.md": entry_text(
                samples=[{"id": "c1", "input": "cat.png", "prediction": "cat"}]
            ),
        },
        (
            "log/cat.png: warning: this symbolic link points outside the repository (to"
            f" {{outside}}/cat.png); {LEFT_OUT}" + OUTSIDE_FIX,
            'log/cats.md:3: error: the input "cat.png" looks like an image, but there is no'
            " file log/cat.png"
            + fix(
                "put the image at that path (relative to the entry file), or correct the path;"
                " until then the path is shown as text"
            ),
        ),
        links=(("log/cat.png", "{outside}/cat.png"),),
    ),
    Case(
        "a broken symbolic link to a data file",
        {},
        (
            "log/gone.csv: warning: this is a broken symbolic link (to nowhere.csv);"
            f" {LEFT_OUT}" + fix("point the link at an existing file, or remove log/gone.csv"),
        ),
        links=(("log/gone.csv", "nowhere.csv"),),
    ),
    Case(
        "a key in a run configuration beside the entries",
        {
            "log/runs/run-config.yaml": (
                "model: resnet50\nlr: 0.001\n"
                "openai_api_key: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\n"
            )
        },
        (
            "log/runs/run-config.yaml:3: error: this line looks like it contains an OpenAI API"
            " key; the file is left out of the site" + SECRET_FIX,
        ),
    ),
    Case(
        "a token in a samples file",
        {
            "log/router.md": entry_text(samples="router.csv"),
            "log/router.csv": (
                "id,input,expected,prediction\n"
                "t1,My invoice is wrong,billing,billing\n"
                "t2,token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked,bug,bug\n"
            ),
        },
        (
            "log/router.csv:3: error: this line looks like it contains a GitHub token; the file"
            " is left out of the site" + SECRET_FIX,
        ),
    ),
    Case(
        "an image that does not exist",
        {"log/plots.md": entry_text("The curve:\n\n![loss curve](figures/loss.png)\n")},
        (
            "log/plots.md:9: warning: links to figures/loss.png, but the site has no file"
            " log/figures/loss.png"
            + fix("correct the path (it is relative to log/plots.md), or add the file"),
        ),
    ),
    Case(
        "a link to Markdown outside the log, without repo_url",
        {
            "docs/setup.md": "# Setup\n",
            "log/code.md": entry_text("Set up as in [the docs](../docs/setup.md).\n"),
        },
        (
            "log/code.md:7: warning: links to ../docs/setup.md, but the site has no file"
            " docs/setup.md"
            + fix(
                "docs/setup.md is in the repository, but Markdown outside the log is not"
                " published (it would become a page of the site); set repo_url in mkdocs.yml to"
                " link it on the forge"
            ),
        ),
    ),
    Case(
        "a link to a hidden file outside the log",
        {
            "configs/.secrets.yaml": "token: x\n",
            "log/hidden.md": entry_text("Keys in [here](../configs/.secrets.yaml).\n"),
        },
        (
            "log/hidden.md:7: warning: links to ../configs/.secrets.yaml, but the site has no"
            " file configs/.secrets.yaml"
            + fix(
                "configs/.secrets.yaml is in the repository, but hidden files and folders (.env,"
                " .git) are never published"
            ),
        ),
    ),
    Case(
        "a linked repository file with a credential in it",
        {
            "src/run.yaml": "lr: 0.1\nhf_token: hf_abcdefghijklmnopqrstuvwxyz0123456789\n",
            "log/run.md": entry_text("Run with [this config](../src/run.yaml).\n"),
        },
        (
            "src/run.yaml:2: error: this line looks like it contains a Hugging Face token; the"
            " file is left out of the site" + SECRET_FIX,
            "log/run.md:7: warning: links to ../src/run.yaml, but the site has no file"
            " src/run.yaml"
            + fix(
                "src/run.yaml is in the repository, but it looks like it holds a credential (see"
                " the error on it)"
            ),
        ),
    ),
    Case(
        "a linked repository file behind a symbolic link out of the repository",
        {"log/sheet.md": entry_text("Numbers in [the sheet](../data/shared/private.csv).\n")},
        (
            "data/shared: warning: this symbolic link points outside the repository"
            f" (to {{outside}}/shared); {LEFT_OUT}" + OUTSIDE_FIX,
            "log/sheet.md:7: warning: links to ../data/shared/private.csv, but the site has no"
            " file data/shared/private.csv"
            + fix(
                "data/shared/private.csv is in the repository, but it is left out of the site"
                " (see the warning on it)"
            ),
        ),
        links=(("data/shared", "{outside}/shared"),),
    ),
    Case(
        "a script in an entry",
        {
            "log/scripty.md": entry_text(
                "Results below.\n\n<script>alert(1)</script>\n\n"
                "<img src=plot.svg onerror=alert(2)>\n\n`<script>` in code is fine.\n"
            ),
        },
        (
            "log/scripty.md:9: warning: the entry's Markdown contains a <script> element, which"
            " runs in every reader's browser" + SCRIPT_FIX,
            "log/scripty.md:11: warning: the entry's Markdown contains an onerror= attribute,"
            " which runs in every reader's browser" + SCRIPT_FIX,
        ),
    ),
]


@pytest.fixture(scope="module")
def bad_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, str, str, str]:
    """One repository holding every bad input beside a good entry; built both ways once."""
    repo = Repo(tmp_path_factory.mktemp("bad") / "repo")
    repo.site_config()
    repo.entry("log/good.md", title="A good entry", status="success", outcome="Fine.")
    outside = outside_folder(repo)
    for case in CASES:
        for path, content in case.files.items():
            repo.write(path, content)
        for path, target in case.links:
            (repo.root / path).parent.mkdir(parents=True, exist_ok=True)
            (repo.root / path).symlink_to(target.format(outside=outside))
    repo.commit("bad inputs")
    lenient = mkdocs_build(repo.root, site_dir=repo.root.parent / "site")
    assert lenient.returncode == 0, lenient.stderr
    strict = mkdocs_build(repo.root, strict=True, site_dir=repo.root.parent / "strict")
    check = run_cli("check", cwd=repo.root)
    return (
        repo,
        lenient.stderr,
        strict.stdout + strict.stderr + f"\nexit {strict.returncode}",
        (check.stdout),
    )


def outside_folder(repo: Repo) -> Path:
    """Files beside the repository that links in it point to: they must never be published."""
    outside = (repo.root.parent / "outside").resolve()
    (outside / "shared").mkdir(parents=True)
    (outside / "shared/private.csv").write_text("customer,revenue\nAcme,100\n")
    (outside / "entry.md").write_text(entry_text(title="Not ours", status="planned"))
    (outside / "cat.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    return outside


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, bad_repo: tuple[Repo, str, str, str]) -> None:
    repo, lenient, strict, check = bad_repo
    outside = str((repo.root.parent / "outside").resolve())
    for expected in (text.replace("{outside}", outside) for text in case.expected):
        assert expected in check, f"check output lacks:\n{expected}\n---\n{check}"
        # The build reports it too, and without --strict the rest of the site is built.
        assert expected in lenient
        assert expected in strict
    site = repo.root.parent / "site"
    assert (site / "log/good/index.html").exists()
    assert "exit 1" in strict and "Aborted with" in strict


def test_strict_lists_every_problem(bad_repo: tuple[Repo, str, str, str]) -> None:
    _, _, strict, check = bad_repo
    problems = [line for line in check.splitlines() if ": error: " in line or ": warning: " in line]
    assert len(problems) >= len(CASES)
    for line in problems:
        assert line in strict


def test_every_problem_has_a_stable_code_and_its_own_severity(
    bad_repo: tuple[Repo, str, str, str],
) -> None:
    """`check --json` gives each problem's code (its kind, for scripts); the build logs errors
    as errors and warnings as warnings."""
    from researchlog.core.problems import CODES

    repo, lenient, _, _ = bad_repo
    result = run_cli("check", "--json", cwd=repo.root)
    problems = json.loads(result.stdout)
    assert len(problems) >= len(CASES)
    assert all(p["code"] in CODES for p in problems), {p["code"] for p in problems} - set(CODES)
    assert {p["code"] for p in problems} >= {"secret", "file-outside-repository", "link-missing"}
    for problem in problems:
        first = f"{problem['path']}" + (f":{problem['line']}" if problem["line"] else "")
        level = "ERROR" if problem["severity"] == "error" else "WARNING"
        heading = f"{first}: {problem['severity']}: {problem['message']}"
        assert any(
            line.startswith(level) and line.endswith(heading) for line in lenient.splitlines()
        ), heading


def test_check_reports_whatever_fails_the_strict_build(
    bad_repo: tuple[Repo, str, str, str],
) -> None:
    """The pre-commit hook (`check --strict`) is never green where CI (`build --strict`) is red:
    every warning and error of the strict build is among check's problems."""
    _, _, strict, check = bad_repo
    lines = [line for line in strict.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert lines
    for line in lines:
        message = line.split("-  ", 1)[1]
        if message.startswith("researchlog: "):
            assert message.removeprefix("researchlog: ") in check
            continue
        link = re.match(r"Doc file '([^']+)' contains a link '([^']+)'", message)
        if link:
            assert re.search(
                rf"^{re.escape(link[1])}:\d+: warning: links to {re.escape(link[2])},",
                check,
                re.MULTILINE,
            ), message
            continue
        assert message.startswith("Aborted with"), f"check does not report: {message}"


def test_nothing_from_outside_the_repository_is_published(
    bad_repo: tuple[Repo, str, str, str],
) -> None:
    repo, *_ = bad_repo
    site = repo.root.parent / "site"
    published = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    for name in ("borrowed", "shared", "settings.txt", "cat.png", "gone.csv", "run-config"):
        assert not [p for p in published if name in p], name
    assert "log/router.csv" not in published  # the samples file that holds a token
    for path, file in published.items():
        content = file.read_bytes()
        for secret in (b"Not ours", b"Acme,100", b"hunter2", b"sk-proj-abcdef", b"ghp_abcdef"):
            assert secret not in content, f"{path} carries {secret!r}"
    data = json.loads((site / "entries.json").read_text())
    assert "borrowed" not in {e["slug"] for e in data["entries"]}


def test_links_inside_the_repository_keep_working(repo: Repo) -> None:
    repo.write("log/figures/loss.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    repo.write("shared/notes.md", entry_text(title="Kept elsewhere", status="planned"))
    (repo.root / "log/2025").mkdir()
    (repo.root / "log/2025/loss-link.png").symlink_to("../figures/loss.png")
    (repo.root / "log/2025/elsewhere.md").symlink_to("../../shared/notes.md")
    repo.entry("log/2025/plot.md", "![loss](loss-link.png)\n", title="Plot", status="running")
    repo.commit("linked")
    check = run_cli("check", "--strict", cwd=repo.root)
    assert check.returncode == 0, check.stdout
    site = repo.root.parent / "site"
    assert mkdocs_build(repo.root, strict=True, site_dir=site).returncode == 0
    assert (site / "log/2025/loss-link.png").read_bytes().startswith(b"\x89PNG")
    assert (site / "log/2025/elsewhere/index.html").is_file()


def test_billion_laughs_does_not_expand(bad_repo: tuple[Repo, str, str, str]) -> None:
    repo, *_ = bad_repo
    # The entry is kept (its status is valid); only the aliased fields are refused.
    assert (repo.root.parent / "site/log/laughs/index.html").exists()
    data = json.loads((repo.root.parent / "site/entries.json").read_text())
    laughs = next(e for e in data["entries"] if e["slug"] == "laughs")
    assert laughs["extra"] == {"a": ["lol"] * 9}


def test_a_huge_notebook_is_published_without_its_huge_output(
    bad_repo: tuple[Repo, str, str, str],
) -> None:
    repo, *_ = bad_repo
    page = (repo.root.parent / "site/log/huge/index.html").read_text()
    assert "Some outputs are not shown" in page
    assert len(page) < 1 << 20  # the 50 MB output stays out of the page
    assert (repo.root.parent / "site/log/huge/huge.ipynb").stat().st_size > 50 << 20


def test_valid_oddities_render(bad_repo: tuple[Repo, str, str, str]) -> None:
    repo, *_ = bad_repo
    site = repo.root.parent / "site"
    assert (site / "log/my entry/index.html").exists()
    long_title = (site / "log/long/index.html").read_text()
    assert "x" * 300 + "…" in long_title and "x" * 301 not in long_title
    assert not (site / "log/leak/index.html").exists()


def test_emoji_right_to_left_and_non_ascii_names(repo: Repo) -> None:
    repo.entry(
        "log/2025/données-éclair.md",
        title="🚀 تجربة البحث — مقارنة",
        status="success",
        outcome="ناجح ✅",
        tags=["zürich", "日本語"],
        authors=["Zoë Ørsted"],
    )
    repo.commit("unicode", author=("Jörg Müller", "jorg@example.org"))
    check = run_cli("check", cwd=repo.root)
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip() == "checked 1 entry and 0 playbook pages: no problems"
    result = mkdocs_build(repo.root, strict=True, site_dir=repo.root.parent / "site")
    assert result.returncode == 0, result.stderr
    page = (repo.root.parent / "site/log/2025/données-éclair/index.html").read_text()
    assert "🚀 تجربة البحث — مقارنة" in page and "ناجح ✅" in page and "Zoë Ørsted" in page
    tag = repo.root.parent / "site/tags/日本語/index.html"
    assert tag.exists()


def test_symlink_loop_under_log(repo: Repo) -> None:
    repo.entry("log/2025/a.md", title="A")
    (repo.root / "log/2025/loop").symlink_to("..")
    repo.commit("loop")
    check = run_cli("check", cwd=repo.root)
    assert (
        "log/2025/loop: warning: this folder is a symlink back into a folder already read (a"
        " symlink loop); it is skipped\n    fix: remove the symlink log/2025/loop" in check.stdout
    )
    result = mkdocs_build(repo.root, site_dir=repo.root.parent / "site")
    assert result.returncode == 0
    assert (repo.root.parent / "site/log/2025/a/index.html").exists()
    strict = mkdocs_build(repo.root, strict=True, site_dir=repo.root.parent / "strict")
    assert strict.returncode == 1


def test_repository_with_no_commits(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "fresh")
    repo.site_config()
    repo.entry("log/a.md", title="A")
    result = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert result.returncode == 0
    assert (
        "warning: the git repository has no commits yet: dates come from the files and no"
        " history is shown\n    fix: commit the log (git add log playbook && git commit)"
    ) in result.stderr
    assert (tmp_path / "site/log/a/index.html").exists()
    assert "Not committed yet" in (tmp_path / "site/log/a/index.html").read_text()
    assert mkdocs_build(repo.root, strict=True, site_dir=tmp_path / "s").returncode == 1


def test_detached_head_builds_cleanly(repo: Repo) -> None:
    repo.entry("log/a.md", title="A")
    first = repo.commit("one", date="2025-01-01T10:00:00+00:00")
    repo.entry("log/b.md", title="B")
    repo.commit("two", date="2025-01-02T10:00:00+00:00")
    repo.git("checkout", "-q", "--detach", first)
    result = mkdocs_build(repo.root, strict=True, site_dir=repo.root.parent / "site")
    assert result.returncode == 0, result.stderr
    assert not (repo.root.parent / "site/log/b/index.html").exists()
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == ""
    )

"""The `researchlog` command, run as a user runs it: exit codes and exact output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from researchlog.cli import build_parser
from researchlog.read.schema import FIELDS, PROJECT_FIELDS, PROJECT_STATUSES, STATUSES
from support import ROOT, Repo, mkdocs_build, run_cli, run_in_process

TODAY = dt.date.today()


def verbs() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "==SUPPRESS==" or a.choices)
    return sorted(action.choices)  # type: ignore[arg-type]


def test_every_verb_has_help_and_a_readme_section() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert verbs() == ["build", "check", "find", "import", "init", "new", "schema", "serve"]
    for verb in verbs():
        result = run_cli(verb, "--help", cwd=ROOT)
        assert result.returncode == 0
        assert result.stdout.startswith(f"usage: researchlog {verb}")
        assert f"### `researchlog {verb}`" in readme, f"README has no section for {verb}"


def test_no_verb_prints_help() -> None:
    result = run_cli(cwd=ROOT)
    assert result.returncode == 2
    assert "verbs:" in result.stdout


def front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    data: dict[str, object] = yaml.safe_load(text.split("---\n")[1])
    return data


def test_new_writes_an_entry_from_the_template(repo: Repo) -> None:
    result = run_cli(
        "new",
        "Focal loss for the defect detector!",
        "--project",
        "defect-detector",
        "--tag",
        "detection",
        "--tag",
        "loss",
        cwd=repo.root,
    )
    assert result.returncode == 0, result.stderr
    expected = f"log/{TODAY.year}/{TODAY.isoformat()}-focal-loss-for-the-defect-detector.md"
    assert result.stdout == expected + "\n"
    path = repo.root / expected
    data = front(path)
    assert data["title"] == "Focal loss for the defect detector!"
    assert data["status"] == "planned"
    assert data["project"] == "defect-detector"
    assert data["tags"] == ["detection", "loss"]
    assert data["authors"] == []  # left to git: whoever commits the entry
    assert data["date"] == TODAY
    text = path.read_text()
    for section in ("## Question", "## Setup", "## Results", "## Decision and next steps"):
        assert section in text
    assert "# yaml-language-server: $schema=../entry.schema.json" in text
    check = run_in_process("check", cwd=repo.root)
    assert check.returncode == 0, check.stdout


def test_new_leaves_authors_to_git_unless_given(repo: Repo) -> None:
    from researchlog.core.settings import load_settings
    from researchlog.log import build_log

    plain = run_in_process("new", "Plain entry", cwd=repo.root).stdout.strip()
    named = run_in_process(
        "new", "Named entry", "--author", "Bo Chen", "-a", "Dana Ruiz", cwd=repo.root
    ).stdout.strip()
    notebook = run_in_process("new", "--notebook", "Notebook entry", cwd=repo.root).stdout.strip()
    assert "# empty: the file's git authors" in (repo.root / plain).read_text()
    assert front(repo.root / named)["authors"] == ["Bo Chen", "Dana Ruiz"]
    repo.commit("three entries", author=("Ana Lima", "ana@example.org"))
    log = build_log(load_settings(repo.root))
    authors = {item.entry.path: item.authors for item in log.entries}
    assert authors == {
        plain: ("Ana Lima",),
        named: ("Bo Chen", "Dana Ruiz"),
        notebook: ("Ana Lima",),
    }
    assert run_in_process("check", "--strict", cwd=repo.root).returncode == 0


def test_new_never_overwrites(repo: Repo) -> None:
    first = run_in_process("new", "Same title", cwd=repo.root).stdout.strip()
    (repo.root / first).write_text((repo.root / first).read_text() + "\nMy notes.\n")
    second = run_in_process("new", "Same title", cwd=repo.root).stdout.strip()
    assert second == first.replace(".md", "-2.md")
    assert "My notes." in (repo.root / first).read_text()
    third = run_in_process("new", "Same title", cwd=repo.root).stdout.strip()
    assert third.endswith("-3.md")


def test_new_shows_similar_work_dead_ends_first(repo: Repo) -> None:
    repo.entry("log/a.md", title="Focal loss for detection", status="success", outcome="ok")
    repo.entry(
        "log/b.md",
        title="Focal loss on tickets",
        status="dead-end",
        outcome="No gain with focal loss.",
    )
    result = run_in_process("new", "Focal loss again", cwd=repo.root)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "Similar earlier entries (dead ends first):"
    assert lines[1].startswith("✖ DEAD END") and "Focal loss on tickets" in lines[1]
    assert any("Focal loss for detection" in line for line in lines[2:])


def test_new_notebook_and_scope(repo: Repo) -> None:
    notebook = run_in_process(
        "new", "--notebook", "Plotting the drift", cwd=repo.root
    ).stdout.strip()
    assert notebook.endswith("-plotting-the-drift.ipynb")
    data = json.loads((repo.root / notebook).read_text())
    assert data["nbformat"] == 4
    assert data["cells"][0]["cell_type"] == "raw"
    assert "".join(data["cells"][0]["source"]).startswith('---\ntitle: "Plotting the drift"')
    scope = run_in_process("new", "--scope", "Invoice extraction", cwd=repo.root).stdout.strip()
    text = (repo.root / scope).read_text()
    assert "kind: scope" in text and "## Assumptions" in text and "- [ ] " in text
    result = run_in_process("check", cwd=repo.root)
    assert result.returncode == 0, result.stdout


def test_new_rejects_bad_input(repo: Repo) -> None:
    result = run_in_process("new", "x", "--status", "dead_end", cwd=repo.root)
    assert result.returncode == 1
    assert "unknown status 'dead_end'" in result.stderr
    result = run_in_process("new", "   ", cwd=repo.root)
    assert result.returncode == 1
    assert "the title is empty" in result.stderr


def test_new_edit_opens_the_editor(repo: Repo, tmp_path: Path) -> None:
    marker = tmp_path / "opened.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$1" > {marker}\n')
    editor.chmod(0o755)
    result = run_cli(
        "new", "Edit me", "--edit", cwd=repo.root, env={"EDITOR": str(editor), "VISUAL": ""}
    )
    assert result.returncode == 0, result.stderr
    assert marker.read_text().strip().endswith("-edit-me.md")


def test_schema_is_json_schema_of_the_contract() -> None:
    result = run_in_process("schema", cwd=ROOT)
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    entry = schema["$defs"]["entry"]
    assert set(entry["properties"]) == {f.name for f in FIELDS}
    assert entry["properties"]["status"]["enum"] == list(STATUSES)
    assert entry["required"] == ["title", "status"]
    card = schema["$defs"]["project"]
    assert set(card["properties"]) == {f.name for f in PROJECT_FIELDS}
    assert card["properties"]["status"]["enum"] == list(PROJECT_STATUSES)
    assert schema["if"]["properties"]["kind"] == {"const": "project"}


def test_committed_schema_file_is_current() -> None:
    result = run_in_process("schema", cwd=ROOT)
    assert (ROOT / "log/entry.schema.json").read_text(encoding="utf-8") == result.stdout


def test_init_adds_starters_and_refuses_to_overwrite(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "project")
    repo.write("src/model.py", "print('hi')\n")
    result = run_in_process("init", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:4] == [
        "created mkdocs.yml",
        "created log/entry.schema.json",
        "created playbook/index.md",
        "created .gitignore",
    ]
    repo.commit("add research log")
    new = run_in_process("new", "First experiment", cwd=repo.root)
    assert new.returncode == 0
    build = mkdocs_build(repo.root, strict=True, site_dir=tmp_path / "site")
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "site/entries.json").exists()
    before = (repo.root / "mkdocs.yml").read_text()
    again = run_in_process("init", cwd=repo.root)
    assert again.returncode == 1
    assert "mkdocs.yml already exists" in again.stderr and "nothing was changed" in again.stderr
    assert (repo.root / "mkdocs.yml").read_text() == before


def test_init_keeps_an_existing_log(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "project")
    repo.write("playbook/index.md", "# Our own start page\n")
    result = run_in_process("init", cwd=repo.root)
    assert "kept    playbook/index.md (already there)" in result.stdout
    assert (repo.root / "playbook/index.md").read_text() == "# Our own start page\n"


def test_find_ranks_the_matching_question_first(repo: Repo) -> None:
    repo.entry(
        "log/a.md",
        "Mentions calibration once.",
        title="Label smoothing",
        question="Does label smoothing help the ticket router?",
    )
    repo.entry(
        "log/b.md",
        title="Temperature scaling",
        status="dead-end",
        question="Does temperature scaling fix calibration of the router?",
        outcome="No: ECE unchanged.",
    )
    repo.entry("log/c.md", title="Bigger batch", question="Does a bigger batch train faster?")
    result = run_in_process("find", "calibration", "router", cwd=repo.root)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "✖ DEAD END      Temperature scaling",
        "                No: ECE unchanged.",
        "                log/b.md",
    ]
    assert "Label smoothing" in lines[3]
    assert "Bigger batch" not in result.stdout
    as_json = json.loads(run_in_process("find", "calibration", "--json", cwd=repo.root).stdout)
    assert [r["slug"] for r in as_json] == ["b", "a"]
    only_dead = json.loads(
        run_in_process("find", "calibration", "--status", "success", "--json", cwd=repo.root).stdout
    )
    assert only_dead == []


def test_build_replaces_the_site_only_on_success(repo: Repo) -> None:
    repo.entry("log/a.md", title="A")
    result = run_cli("build", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    site = repo.root / "site"
    assert (site / "log/a/index.html").exists()
    stamp = site / "marker.txt"
    stamp.write_text("last good site")
    repo.write("mkdocs.yml", "site_name: [broken\n")
    failed = run_cli("build", cwd=repo.root)
    assert failed.returncode == 1
    assert "the build failed" in failed.stderr and "left as it was" in failed.stderr
    assert stamp.read_text() == "last good site"
    assert sorted(p.name for p in repo.root.iterdir() if p.name.startswith(".site")) == []


def test_build_strict_fails_on_warnings(repo: Repo) -> None:
    repo.write("log/u.md", "---\ntitle: U\nstatus: planned\nsurprise: 1\n---\n")
    assert run_cli("build", cwd=repo.root).returncode == 0
    assert run_cli("build", "--strict", cwd=repo.root).returncode == 1


@pytest.mark.parametrize("verb", ["check", "find", "new"])
def test_verbs_work_from_a_subfolder(repo: Repo, verb: str) -> None:
    repo.entry("log/2025/a.md", title="Alpha")
    args = {"check": ["check"], "find": ["find", "alpha"], "new": ["new", "Beta"]}[verb]
    result = run_cli(*args, cwd=repo.root / "log" / "2025")
    assert result.returncode == 0, result.stderr
    if verb == "new":
        assert result.stdout == f"../{TODAY.year}/{TODAY.isoformat()}-beta.md\n"

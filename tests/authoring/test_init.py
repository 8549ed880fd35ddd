"""`researchlog init` in repositories as they come: with their own MkDocs site, with a log/
folder of training logs, with a name worth keeping."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from researchlog.authoring.init import site_name
from support import Repo, run_in_process

THEIR_MKDOCS = """\
site_name: nanoGPT docs
repo_url: https://github.com/acme/nanoGPT
theme:
  name: mkdocs
"""

NEXT_LINES = [
    "Next:",
    '  researchlog new "Your first experiment"   # write an entry, then fill it in',
    "  researchlog check                         # what is wrong or missing, with the fix",
    "  researchlog serve                         # preview the site at http://127.0.0.1:8000",
]


def snapshot(root: Path, *folders: str) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in folders
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


def test_beside_a_mkdocs_site_the_log_gets_researchlog_yml(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "nanoGPT")
    repo.write("mkdocs.yml", THEIR_MKDOCS)
    repo.write("docs/index.md", "# nanoGPT\n")
    repo.write("site/index.html", "<p>their built docs</p>\n")
    before = snapshot(repo.root, "docs", "site")
    result = run_in_process("init", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "created researchlog.yml",
        "created log/entry.schema.json",
        "created playbook/index.md",
        "created .gitignore",
        "note:   mkdocs.yml and the docs it builds are left as they are: `mkdocs build` builds"
        " them as before; the research log is researchlog.yml, built into research-site/",
        *NEXT_LINES,
    ]
    assert (repo.root / "mkdocs.yml").read_text() == THEIR_MKDOCS
    assert snapshot(repo.root, "docs", "site") == before
    config = yaml.safe_load((repo.root / "researchlog.yml").read_text())
    assert config["site_name"] == "nanoGPT research log"
    assert config["site_dir"] == "research-site"
    assert config["docs_dir"] == "playbook"
    assert config["repo_url"] == "https://github.com/acme/nanoGPT"  # theirs, for code links
    assert (repo.root / ".gitignore").read_text() == "research-site/\n.researchlog-cache/\n"
    again = run_in_process("init", cwd=repo.root)
    assert again.returncode == 1
    assert "researchlog.yml already exists" in again.stderr
    assert "nothing was changed" in again.stderr


def test_a_mkdocs_yml_with_the_plugin_is_a_log_already(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "project")
    repo.write("mkdocs.yml", "site_name: Ours\nplugins:\n  - researchlog:\n      log_dir: x\n")
    result = run_in_process("init", cwd=repo.root)
    assert result.returncode == 1
    assert "mkdocs.yml already exists" in result.stderr
    assert sorted(p.name for p in repo.root.iterdir()) == [".git", "mkdocs.yml"]


def test_a_log_folder_of_training_logs_is_not_taken_over(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "nanoGPT")
    repo.write("log/train.txt", "iter 0: loss 10.98\n")
    repo.write("log/NOTES.md", "# Notes on the runs\n")
    before = snapshot(repo.root, "log")
    refused = run_in_process("init", cwd=repo.root)
    assert refused.returncode == 1
    assert refused.stderr == (
        "researchlog: error: log/ already holds 2 files and no research log entry"
        " (log/NOTES.md, log/train.txt): a log there would publish them with its site, and"
        " report Markdown without front matter as broken entries; nothing was changed\n"
        "    fix: keep the research log in a folder of its own: researchlog init --log-dir"
        " research (or, to use log/ anyway: researchlog init --log-dir log)\n"
    )
    assert sorted(p.name for p in repo.root.iterdir()) == [".git", "log"]

    elsewhere = run_in_process("init", "--log-dir", "research", cwd=repo.root)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "created research/entry.schema.json" in elsewhere.stdout
    assert "warning" not in elsewhere.stdout
    config = yaml.safe_load((repo.root / "mkdocs.yml").read_text())
    assert config["plugins"][0]["researchlog"]["log_dir"] == "research"
    assert snapshot(repo.root, "log") == before
    new = run_in_process("new", "First run", cwd=repo.root)
    assert new.stdout.startswith("research/")
    check = run_in_process("check", "--strict", cwd=repo.root)
    assert check.returncode == 0, check.stdout  # log/ is not read


def test_a_chosen_log_folder_is_used_with_a_warning_for_each_kind_of_file(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "project")
    repo.write("log/train.txt", "iter 0: loss 10.98\n")
    repo.write("log/NOTES.md", "# Notes on the runs\n")
    result = run_in_process("init", "--log-dir", "log", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: 1 file in log/ has no front matter and will be reported as a broken entry"
        " (log/NOTES.md); add front matter, or move it out of log/",
        "warning: 1 file in log/ will be published with the site (log/train.txt); move out"
        " of log/ what should not be",
    ]


def test_a_log_folder_with_entries_is_a_log(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "project")
    repo.entry("log/2025/a.md", title="A")
    repo.write("log/2025/a.png", b"\x89PNG\r\n\x1a\n")
    result = run_in_process("init", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stdout


def test_a_bad_log_dir_is_refused(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "project")
    result = run_in_process("init", "--log-dir", "../outside", cwd=repo.root)
    assert result.returncode == 2
    assert '--log-dir is "../outside", outside the repository' in result.stderr
    assert sorted(p.name for p in repo.root.iterdir()) == [".git"]


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("nanoGPT", "nanoGPT research log"),
        ("my_repo", "My repo research log"),
        ("defect-detector", "Defect detector research log"),
        ("DINOv2", "DINOv2 research log"),
        ("research-log", "Research log"),
        ("team_research_log", "Team research log"),
    ],
)
def test_the_site_name_is_read_from_the_folder(folder: str, name: str) -> None:
    assert site_name(folder) == name


def test_init_elsewhere_says_where_to_run_the_next_commands(tmp_path: Path) -> None:
    Repo(tmp_path / "project")
    result = run_in_process("init", "project", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Next, in project:" in result.stdout.splitlines()

"""A build that reuses what earlier builds made gives the same site, byte for byte, as a build
from an empty cache, after any sequence of changes to the log, the playbook, the config and
the history."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from support import make_corpus, run_cli

CACHE = ".researchlog-cache"


def _site_files(site: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(site)): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def _build(root: Path, site: Path) -> str:
    result = run_cli("build", "--site-dir", str(site), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stderr


def _clean_build(root: Path, work: Path) -> dict[str, bytes]:
    """The same repository, working files and history, built with no cache at all."""
    copy = work / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(CACHE, "site*"))
    _build(copy, work / "clean-site")
    return _site_files(work / "clean-site")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(
        root,
        "-c",
        "user.name=Bo Chen",
        "-c",
        "user.email=bo@example.org",
        "commit",
        "-q",
        "-m",
        message,
    )


def _entries(root: Path, suffix: str) -> list[Path]:
    return sorted((root / "log").rglob(f"*{suffix}"))


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _edit_body(root: Path) -> None:
    entry = _entries(root, ".md")[0]
    entry.write_text(entry.read_text() + "\nOne more finding, added later.\n")


def _change_status(root: Path) -> None:
    entry = _entries(root, ".md")[1]
    text = entry.read_text()
    status = re.search(r"^status: *(\S+)", text, re.M)
    assert status is not None
    new = "abandoned" if status.group(1) != "abandoned" else "success"
    _replace(entry, f"status: {status.group(1)}", f"status: {new}")


def _rename(root: Path) -> None:
    entry = _entries(root, ".md")[2]
    _git(
        root,
        "mv",
        str(entry.relative_to(root)),
        str(entry.with_name("renamed-entry.md").relative_to(root)),
    )


def _delete(root: Path) -> None:
    _entries(root, ".md")[3].unlink()


def _add_notebook(root: Path) -> None:
    source = _entries(root, ".ipynb")[0]
    shutil.copy(source, source.with_name("a-copied-notebook.ipynb"))


def _edit_playbook(root: Path) -> None:
    page = root / "playbook" / "scoping.md"
    page.write_text(page.read_text() + "\nScope the data first, always.\n")


def _change_config(root: Path) -> None:
    _replace(root / "mkdocs.yml", "site_name: ", "site_name: Renamed ")


def _metric_direction(root: Path) -> None:
    _replace(root / "mkdocs.yml", "latency_ms: lower", "latency_ms: higher")


def _new_commit(root: Path) -> None:
    _commit(root, "Record the week's work")


STEPS: list[tuple[str, Callable[[Path], None]]] = [
    ("nothing changed", lambda root: None),
    ("edit a body", _edit_body),
    ("change a status", _change_status),
    ("rename an entry with git mv", _rename),
    ("delete an entry", _delete),
    ("add a notebook", _add_notebook),
    ("edit a playbook page", _edit_playbook),
    ("change mkdocs.yml", _change_config),
    ("change a metric direction", _metric_direction),
    ("a new commit", _new_commit),
]


@pytest.mark.slow
def test_incremental_builds_equal_clean_builds(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "corpus", entries=16, notebooks=2)
    result = run_cli("init", cwd=root)
    assert result.returncode == 0, result.stderr
    _commit(root, "Set up the site")
    site = tmp_path / "site"
    _build(root, site)
    for name, change in STEPS:
        change(root)
        output = _build(root, site)
        incremental = _site_files(site)
        clean = _clean_build(root, tmp_path)
        assert incremental.keys() == clean.keys(), name
        differ = [path for path in clean if incremental[path] != clean[path]]
        assert not differ, f"after '{name}': {differ[:10]}\n{output}"
    # The reuse is real: with nothing changed, no page is rendered again.
    output = _build(root, site)
    assert re.search(r"(\d+) of \1 pages unchanged", output), output

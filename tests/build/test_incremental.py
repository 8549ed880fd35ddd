"""A build that reuses what earlier builds made gives the same site, byte for byte, as a build
from an empty cache, after any sequence of changes to the log, the playbook, the config and
the history."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Repo, make_corpus, run_cli

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


def _commit(root: Path, message: str, *options: str) -> None:
    _git(root, "add", "-A")
    _git(root, *_AUTHOR, "commit", "-q", *options, "-m", message)


_AUTHOR = ("-c", "user.name=Bo Chen", "-c", "user.email=bo@example.org")


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
    new = "dead-end" if status.group(1) != "dead-end" else "success"
    _replace(entry, f"status: {status.group(1)}", f"status: {new}")


def _retitle_and_retag(root: Path) -> None:
    """What lists show of an entry: its title, and the tags that put it on tag pages (one
    new, one gone)."""
    entry = _entries(root, ".md")[5]
    text = entry.read_text()
    title = re.search(r"^title: *(.+)$", text, re.M)
    tags = re.search(r"^tags:\n  - (.+)\n", text, re.M)
    assert title is not None and tags is not None
    _replace(entry, title.group(0), "title: A retitled entry")
    _replace(entry, tags.group(0), "tags:\n  - a-new-tag-of-its-own\n")


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


def _link_code(root: Path) -> None:
    """With repo_url, links to code go to the forge, on the branch checked out."""
    _replace(
        root / "mkdocs.yml",
        "site_name: ",
        "repo_url: https://example.org/team/repo\nsite_name: ",
        1,
    )
    code = sorted(path for path in (root / "src").rglob("*") if path.is_file())[0]
    entry = _entries(root, ".md")[4]
    target = os.path.relpath(code, entry.parent)
    entry.write_text(entry.read_text() + f"\nThe [training code]({target}).\n")
    _commit(root, "Link the training code")


def _detach(root: Path) -> None:
    """A detached checkout (as CI has): code links name the commit."""
    _git(root, "checkout", "-q", "--detach")
    _commit(root, "Work on a detached checkout", "--allow-empty")


def _new_commit(root: Path) -> None:
    _commit(root, "Record the week's work")


STEPS: list[tuple[str, Callable[[Path], None]]] = [
    ("nothing changed", lambda root: None),
    ("edit a body", _edit_body),
    ("change a status", _change_status),
    ("retitle and retag an entry", _retitle_and_retag),
    ("rename an entry with git mv", _rename),
    ("delete an entry", _delete),
    ("add a notebook", _add_notebook),
    ("edit a playbook page", _edit_playbook),
    ("change mkdocs.yml", _change_config),
    ("change a metric direction", _metric_direction),
    ("a new commit", _new_commit),
    ("link code from an entry", _link_code),
    ("commit on a detached checkout", _detach),
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
    # With nothing changed, the site is kept as it is, and says so.
    result = run_cli("build", "--site-dir", str(site), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "nothing changed since the last build" in result.stdout
    assert _site_files(site) == incremental
    # A file touched but not changed: a full build, in which no page is rendered again.
    entry = _entries(root, ".md")[0]
    entry.write_bytes(entry.read_bytes())
    output = _build(root, site)
    assert re.search(r"(\d+) of \1 pages unchanged", output), output
    assert "search index: " in output and "unchanged since the last build" in output
    assert _site_files(site) == incremental


def test_an_unchanged_build_keeps_the_site_and_says_what_the_last_one_said(
    repo: Repo, tmp_path: Path
) -> None:
    repo.entry(
        "log/2025/a.md",
        body="See [the notes](missing-notes.md).\n",
        title="A first try",
        status="success",
        outcome="It worked.",
    )
    repo.commit("first entry")
    site = tmp_path / "site"
    first = run_cli("build", "--site-dir", str(site), cwd=repo.root)
    assert first.returncode == 0, first.stderr
    warning = next(line for line in first.stderr.splitlines() if "missing-notes.md" in line)
    again = run_cli("build", "--site-dir", str(site), cwd=repo.root)
    assert again.returncode == 0
    assert "nothing changed since the last build" in again.stdout
    assert warning in again.stderr  # the same warnings, so the output means the same
    # --strict is a different build: it fails on that warning as a full build does.
    strict = run_cli("build", "--strict", "--site-dir", str(site), cwd=repo.root)
    assert strict.returncode != 0
    assert "nothing changed" not in strict.stdout
    # A site changed by hand is built again, whole.
    (site / "index.html").unlink()
    rebuilt = run_cli("build", "--site-dir", str(site), cwd=repo.root)
    assert "site written to" in rebuilt.stdout
    assert (site / "index.html").is_file()
    # So is one whose history moved on, with no file changed.
    repo.commit("an empty commit", allow_empty=True)
    after_commit = run_cli("build", "--site-dir", str(site), cwd=repo.root)
    assert "site written to" in after_commit.stdout


def test_a_config_value_from_the_environment_is_an_input(repo: Repo, tmp_path: Path) -> None:
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + 'copyright: !ENV [LOG_COPYRIGHT, "nobody"]\n')
    repo.entry("log/2025/a.md", title="A first try", status="success", outcome="It worked.")
    repo.commit("first entry")
    site = tmp_path / "site"
    for holder in ("Team A", "Team B", "Team B"):
        result = run_cli(
            "build", "--site-dir", str(site), cwd=repo.root, env={"LOG_COPYRIGHT": holder}
        )
        assert result.returncode == 0, result.stderr
        assert holder in (site / "index.html").read_text()
    assert "nothing changed since the last build" in result.stdout  # the third build


def test_an_upgraded_library_means_a_build_that_renders_every_page(
    repo: Repo, tmp_path: Path
) -> None:
    """A library's new version may render Markdown differently: nothing is kept across it."""
    repo.entry("log/2025/a.md", title="A first try", status="success", outcome="It worked.")
    repo.commit("first entry")
    libraries = tmp_path / "libraries"
    (libraries / "markdown_helper-1.0.dist-info").mkdir(parents=True)
    env = {"PYTHONPATH": os.pathsep.join([os.environ["PYTHONPATH"], str(libraries)])}
    site = tmp_path / "site"
    assert run_cli("build", "--site-dir", str(site), cwd=repo.root, env=env).returncode == 0
    (libraries / "markdown_helper-1.0.dist-info").rename(
        libraries / "markdown_helper-1.1.dist-info"
    )
    result = run_cli("build", "--site-dir", str(site), cwd=repo.root, env=env)
    assert result.returncode == 0, result.stderr
    assert "site written to" in result.stdout
    assert re.search(r" 0 of \d+ pages unchanged", result.stderr), result.stderr


def test_a_site_edited_in_place_does_not_reach_the_cache(repo: Repo, tmp_path: Path) -> None:
    """A built site's page is its kept page (a hard link): appending to one (a deploy
    script, a hand edit) is seen by the next build, which renders that page again."""
    repo.entry("log/2025/a.md", title="A first try", status="success", outcome="It worked.")
    repo.commit("first entry")
    site = tmp_path / "site"
    assert run_cli("build", "--site-dir", str(site), cwd=repo.root).returncode == 0
    page = site / "log/2025/a/index.html"
    original = page.read_bytes()
    with page.open("ab") as stream:  # in place: the same file, not a new one
        stream.write(b"<!-- edited by hand -->")
    entry = repo.root / "log/2025/a.md"
    entry.write_bytes(entry.read_bytes())  # touched: a full build, with every page kept
    result = run_cli("build", "--site-dir", str(site), cwd=repo.root)
    assert result.returncode == 0, result.stderr
    counts = re.search(r"(\d+) of (\d+) pages unchanged", result.stderr)
    assert counts is not None, result.stderr
    assert int(counts[1]) == int(counts[2]) - 1  # the edited one, and only it
    assert page.read_bytes() == original

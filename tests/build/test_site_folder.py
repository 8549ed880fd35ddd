"""The site folder is never a source: builds refuse, before touching anything, a site folder
that would replace the repository or what the build reads, and only ever delete a folder that a
build made and marked as a site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from support import Repo, free_port, make_corpus, mkdocs_build, run_cli

MARKER = ".researchlog-site"


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, with its content ('.git' included)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


@pytest.fixture
def log_repo(repo: Repo) -> Repo:
    repo.entry("log/2025/a.md", title="A first try", status="success", outcome="It worked.")
    repo.commit("first entry")
    repo.entry("log/2025/draft.md", title="A draft not committed", status="planned")
    repo.write("notes.txt", "my uncommitted notes\n")
    return repo


@pytest.mark.parametrize(
    ("site_dir", "what"),
    [
        (".", "is the repository itself"),
        ("..", "holds the repository"),
        ("log", "is the log folder (log/)"),
        ("log/2025", "is inside the log folder (log/)"),
        ("playbook", "is the playbook folder (playbook/)"),
        (".git", "is the git folder (.git/)"),
        (".git/objects", "is inside the git folder (.git/)"),
    ],
)
def test_build_refuses_a_site_folder_that_is_a_source(
    log_repo: Repo, site_dir: str, what: str
) -> None:
    before = _snapshot(log_repo.root.parent)
    result = run_cli("build", "--site-dir", site_dir, cwd=log_repo.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"--site-dir {site_dir} {what}" in result.stderr
    assert "fix: build into a folder of its own, e.g. --site-dir site" in result.stderr
    assert _snapshot(log_repo.root.parent) == before  # nothing written, nothing deleted


def test_site_dir_in_the_config_is_refused_by_researchlog_and_mkdocs(log_repo: Repo) -> None:
    config = (log_repo.root / "mkdocs.yml").read_text()
    log_repo.write("mkdocs.yml", config + "site_dir: .\n")
    before = _snapshot(log_repo.root)
    result = run_cli("build", cwd=log_repo.root)
    assert result.returncode == 2
    assert "site_dir: . in mkdocs.yml is the repository itself" in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(log_repo.root) == before
    # Plain MkDocs refuses it too (its own check: the docs folder would be inside).
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=log_repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert plain.returncode != 0
    assert _snapshot(log_repo.root) == before


def test_plain_mkdocs_refuses_the_log_folder_as_site(log_repo: Repo) -> None:
    before = _snapshot(log_repo.root)
    result = mkdocs_build(log_repo.root, site_dir=log_repo.root / "log")
    assert result.returncode != 0
    assert "is the log folder (log/)" in result.stderr
    assert _snapshot(log_repo.root) == before


def test_an_existing_folder_not_made_by_a_build_is_never_replaced(log_repo: Repo) -> None:
    log_repo.write("results/table.csv", "a,b\n1,2\n")
    before = _snapshot(log_repo.root / "results")
    result = run_cli("build", "--site-dir", "results", cwd=log_repo.root)
    assert result.returncode == 2
    assert "results exists and was not made by researchlog build" in result.stderr
    assert _snapshot(log_repo.root / "results") == before
    # A build's own site is marked, and replaced by the next build.
    assert run_cli("build", "--site-dir", "out", cwd=log_repo.root).returncode == 0
    assert (log_repo.root / "out" / MARKER).is_file()
    (log_repo.root / "out" / "stale.html").write_text("old")
    assert run_cli("build", "--site-dir", "out", cwd=log_repo.root).returncode == 0
    assert not (log_repo.root / "out" / "stale.html").exists()
    assert (log_repo.root / "out/log/2025/a/index.html").is_file()


def test_an_empty_folder_can_be_the_site(log_repo: Repo) -> None:
    (log_repo.root / "public").mkdir()
    result = run_cli("build", "--site-dir", "public", cwd=log_repo.root)
    assert result.returncode == 0, result.stderr
    assert (log_repo.root / "public/index.html").is_file()


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(log_repo: Repo) -> None:
    assert run_cli("build", cwd=log_repo.root).returncode == 0
    dead = 2**22 + 12345  # beyond any pid this machine hands out
    for name in (f".site.building-{dead}", f".site.old-{dead}"):
        (log_repo.root / name / "log").mkdir(parents=True)
        (log_repo.root / name / MARKER).write_text("a site\n")
    # A folder that only looks like one, without the marker, is not ours: it stays.
    (log_repo.root / f".site.building-{dead + 1}").mkdir()
    assert run_cli("build", cwd=log_repo.root).returncode == 0
    assert not (log_repo.root / f".site.building-{dead}").exists()
    assert not (log_repo.root / f".site.old-{dead}").exists()
    assert (log_repo.root / f".site.building-{dead + 1}").exists()


def _build_past_reading(
    corpus: Path, *, env: dict[str, str] | None = None, **popen: Any
) -> tuple[subprocess.Popen[str], list[str]]:
    """`researchlog build` started in `corpus`, once it has read the log (and is making the
    site), with what it printed on stderr until then."""
    build = subprocess.Popen(
        [sys.executable, "-m", "researchlog", "build"],
        cwd=corpus,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        **popen,
    )
    assert build.stderr is not None
    seen = []
    for line in build.stderr:
        seen.append(line)
        if "researchlog: read " in line:
            break
    return build, seen


@pytest.mark.slow
def test_ctrl_c_ends_quietly_with_the_last_site_in_place(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c60", entries=60, notebooks=6)
    assert run_cli("init", cwd=corpus).returncode == 0
    assert run_cli("build", cwd=corpus).returncode == 0
    good = _snapshot(corpus / "site")
    (corpus / ".researchlog-cache").rename(tmp_path / "cache")  # a slow, cold build
    # Interrupted in the middle: once the log is read, while pages render.
    build, seen = _build_past_reading(
        corpus,
        stdout=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches it
    )
    os.killpg(build.pid, signal.SIGINT)
    out, rest = build.communicate(timeout=120)
    err = "".join(seen) + rest
    assert build.returncode == 130, out + err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted: the site in site was left as it was" in err
    assert _snapshot(corpus / "site") == good
    assert not list(corpus.glob(".site.*"))


def test_serve_on_a_busy_port_says_which_and_what_to_do(log_repo: Repo) -> None:
    import socket

    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = run_cli("serve", "--dev-addr", f"127.0.0.1:{port}", cwd=log_repo.root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert f"--dev-addr 127.0.0.1:{port + 1}" in result.stderr
    assert "Building documentation" not in result.stderr  # said before any build


def test_serve_with_a_malformed_address(log_repo: Repo) -> None:
    result = run_cli("serve", "--dev-addr", "localhost", cwd=log_repo.root)
    assert result.returncode == 2
    assert "--dev-addr localhost is not an address: write IP:PORT" in result.stderr


def test_a_build_killed_midway_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    """A build killed outright (a CI timeout, a closed terminal) runs no clean-up of its own;
    the search worker it started finishes alone and takes its files with it."""
    corpus = make_corpus(tmp_path / "c60", entries=60, notebooks=6)
    assert run_cli("init", cwd=corpus).returncode == 0
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    # The search worker starts with the site model, once the log is read.
    build, _ = _build_past_reading(
        corpus,
        stdout=subprocess.DEVNULL,
        env={
            "TMPDIR": str(temporary),
            "RESEARCHLOG_SEARCH_PART_PAGES": "5",  # many small parts: a worker busy for a while
        },
    )
    while not list(temporary.glob("researchlog-search-site-*")):  # pagefind is running
        assert build.poll() is None, "the build ended before it could be killed"
        time.sleep(0.05)
    build.kill()
    build.wait()
    deadline = time.monotonic() + 60
    while list(temporary.glob("researchlog-search-site-*")) and time.monotonic() < deadline:
        time.sleep(0.1)  # the worker finishes its part and cleans up after itself
    assert not list(temporary.glob("researchlog-search*")), list(temporary.iterdir())

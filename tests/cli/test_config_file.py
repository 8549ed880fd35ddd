"""researchlog.yml: a research log beside a repository's own MkDocs site. Every verb and the
build find it before mkdocs.yml, which stays the configuration of the repository's docs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from support import Repo, free_port, mkdocs_build, run_cli, run_in_process, start_serve

THEIR_MKDOCS = """\
site_name: Their docs
theme:
  name: mkdocs
"""

OWN_CONFIG = """\
site_name: Beside log
docs_dir: notes
site_dir: research-site
theme:
  name: material
  font: false
plugins:
  - researchlog:
      log_dir: research
      playbook_dir: notes
"""


@pytest.fixture
def beside(tmp_path: Path) -> Repo:
    """A repository whose mkdocs.yml and docs/ are its own, with the log in research/."""
    repo = Repo(tmp_path / "repo")
    repo.write("mkdocs.yml", THEIR_MKDOCS)
    repo.write("docs/index.md", "# Their docs\n")
    repo.write("researchlog.yml", OWN_CONFIG)
    repo.write("notes/index.md", "# Start here\n")
    repo.entry("research/2025/tokenizer.md", title="Byte-level tokenizer", status="planned")
    repo.commit("a log beside the docs")
    return repo


def test_check_and_find_read_researchlog_yml(beside: Repo) -> None:
    beside.write("researchlog.yml", OWN_CONFIG + "      stale_after: many\n")
    check = run_in_process("check", cwd=beside.root / "docs")
    assert check.returncode == 1
    assert 'researchlog.yml:11: error: stale_after is the text "many"' in check.stdout
    assert "checked 1 entry and 1 playbook page" in check.stdout
    found = run_in_process("find", "tokenizer", "--json", cwd=beside.root)
    assert [r["path"] for r in json.loads(found.stdout)] == ["research/2025/tokenizer.md"]


def test_new_and_import_write_into_the_configured_log(beside: Repo) -> None:
    new = run_in_process("new", "Second run", cwd=beside.root)
    assert new.returncode == 0, new.stderr
    assert new.stdout.startswith("research/"), new.stdout
    beside.write(
        "notebooks/explore.ipynb",
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": "# Explore\n"}
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
    )
    imported = run_in_process("import", "notebooks", "notebooks", cwd=beside.root)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "wrote   research/" in imported.stdout


def test_build_uses_researchlog_yml_and_their_docs_still_build(beside: Repo) -> None:
    build = run_cli("build", "--strict", cwd=beside.root)
    assert build.returncode == 0, build.stderr
    assert build.stdout.strip() == "site written to research-site"
    site = beside.root / "research-site"
    assert (site / "research/2025/tokenizer/index.html").is_file()
    assert not (beside.root / "site").exists()
    theirs = mkdocs_build(beside.root, strict=True)
    assert theirs.returncode == 0, theirs.stderr
    assert "Their docs" in (beside.root / "site/index.html").read_text(encoding="utf-8")


def test_serve_uses_researchlog_yml(beside: Repo) -> None:
    port = free_port()
    server = start_serve(beside.root, port)
    url = f"http://127.0.0.1:{port}/research/2025/tokenizer/"
    try:
        deadline = time.monotonic() + 90
        page = ""
        while "Byte-level tokenizer" not in page and time.monotonic() < deadline:
            time.sleep(0.3)
            with contextlib.suppress(OSError):
                page = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
        assert "Byte-level tokenizer" in page
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)

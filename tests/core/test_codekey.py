"""Cache keys come from the code itself: every module a cached step runs is in its key."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, Repo

# For each cache: the modules whose closure makes its key (as the cache builds it), and a
# program doing the cached work. The program prints the researchlog modules it ran.
CACHED_WORK = {
    "entries": (
        ("researchlog.read.entry_cache",),
        "from researchlog.read.entry_cache import EntryCache\n"
        "EntryCache.open(None).read(ROOT, 'log/a.md')\n",
    ),
    "history": (
        ("researchlog.history.gitlog", "researchlog.read.frontmatter"),  # status reader passed in
        "from researchlog.read.frontmatter import quick_status\n"
        "from researchlog.history.gitlog import start_history\n"
        "start_history(ROOT, ['log'], status_of=quick_status, status_folder='log',"
        " cache_file=None).result()\n",
    ),
    "notebook checks": (
        ("researchlog.read.notebook_check",),
        "from researchlog.read.notebook_check import _inspect\n_inspect(ROOT / 'log/n.ipynb')\n",
    ),
}


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("codekey") / "repo")
    repo.site_config()
    repo.entry("log/a.md", "See [b](b.md).\n", title="A")
    repo.write(
        "log/n.ipynb",
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
    )
    repo.commit("two")
    return repo


def _modules_run(program: str, root: Path) -> set[str]:
    script = (
        "import sys\nfrom pathlib import Path\n"
        f"ROOT = Path({str(root)!r})\n{program}"
        "print('\\n'.join(m for m in sys.modules if m.split('.')[0] == 'researchlog'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("cache", sorted(CACHED_WORK))
def test_every_module_a_cached_step_runs_is_in_its_key(cache: str, small_repo: Repo) -> None:
    from researchlog.core.codekey import source_modules

    modules, program = CACHED_WORK[cache]
    ran = _modules_run(program, small_repo.root)
    assert modules[0] in ran
    assert ran <= source_modules(*modules), ran - source_modules(*modules)


def test_the_notebook_converter_key_covers_what_a_worker_runs(small_repo: Repo) -> None:
    from researchlog.core.codekey import source_modules

    program = (
        "from researchlog.log import build_log\n"
        "from researchlog.notebooks.conversions import NotebookConversions\n"
        "from researchlog.core.settings import load_settings\n"
        "from researchlog.pages.urls import Urls\n"
        "log = build_log(load_settings(ROOT), history=False)\n"
        "import researchlog.notebooks.convert as convert\n"
    )
    ran = _modules_run(program, small_repo.root)
    assert "researchlog.notebooks.markdown" in source_modules("researchlog.notebooks.convert")
    assert {m for m in ran if "notebook" in m} <= source_modules("researchlog.notebooks.convert")


def test_editing_any_imported_module_changes_the_key(tmp_path: Path) -> None:
    """A module the parser imports only indirectly (read/links.py, through entries) is in the key;
    so a moved or newly imported module can never leave a stale cache behind."""
    copy = tmp_path / "tools"
    shutil.copytree(ROOT / "tools" / "researchlog", copy / "researchlog")

    def key() -> str:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from researchlog.core.codekey import code_key;"
                "print(code_key('researchlog.read.entry_cache'))",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(copy)},
        )
        return result.stdout.strip()

    before = key()
    target = copy / "researchlog" / "read" / "links.py"
    target.write_text(target.read_text() + "\n# a change\n")
    assert key() != before

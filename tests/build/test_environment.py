"""Problems of the environment, not of the log: unreadable files, a cache that cannot be
written or is damaged. Each is reported with what to do, the rest builds, no traceback.

Permissions are tested for real: the build runs in a user namespace (`unshare --user`), where
even root is held to the files' permission bits, as any unprivileged user is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import Repo, entry_text, run_cli


def unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`researchlog ARGS` as a user that file permissions apply to."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to test file permissions as a plain user")
    probe = subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.fail(f"user namespaces are not available here: {probe.stderr.decode()}")
    return subprocess.run(
        ["unshare", "--user", sys.executable, "-m", "researchlog", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
        timeout=600,
    )


@pytest.fixture
def sample_repo(repo: Repo) -> Repo:
    repo.entry("log/router.md", title="Router", samples="router.csv")
    repo.write("log/router.csv", "id,input,prediction\nt1,Refund please,billing\n")
    repo.entry("log/other.md", title="Another entry", status="success", outcome="Fine.")
    repo.commit("entries")
    return repo


def test_an_unreadable_samples_file_is_reported_and_the_rest_builds(
    sample_repo: Repo, tmp_path: Path
) -> None:
    (sample_repo.root / "log/router.csv").chmod(0)
    site = tmp_path / "site"
    result = unprivileged("build", "--site-dir", str(site), cwd=sample_repo.root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "log/router.csv: warning: this file cannot be read (permission denied); it is left out"
        " of the site\n    fix: make it readable (chmod a+r log/router.csv), or remove it from"
        " the log"
    ) in result.stderr
    assert (site / "log/other/index.html").is_file()
    assert (site / "log/router/index.html").is_file()  # the entry, without its samples
    assert not (site / "log/router.csv").exists()
    check = unprivileged("check", cwd=sample_repo.root)
    assert "log/router.csv: warning: this file cannot be read" in check.stdout


def test_a_read_only_cache_is_bypassed_with_a_warning(sample_repo: Repo, tmp_path: Path) -> None:
    assert (
        run_cli("build", "--site-dir", str(tmp_path / "first"), cwd=sample_repo.root).returncode
        == 0
    )
    cache = sample_repo.root / ".researchlog-cache"
    before = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    for path in [cache, *cache.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    sample_repo.entry("log/new.md", title="Added since", status="planned")
    site = tmp_path / "site"
    result = unprivileged("build", "--site-dir", str(site), cwd=sample_repo.root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        ".researchlog-cache: warning: the cache folder cannot be written (Permission denied);"
        " this run keeps its cache in a temporary folder" in result.stderr
    )
    assert (site / "log/new/index.html").is_file()
    assert {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()} == before


def test_damaged_cache_files_only_cost_time(sample_repo: Repo, tmp_path: Path) -> None:
    good = tmp_path / "good"
    assert run_cli("build", "--site-dir", str(good), cwd=sample_repo.root).returncode == 0
    cache = sample_repo.root / ".researchlog-cache"
    files = [p for p in cache.rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert len(files) >= 3
    for garbage in (b"\0garbage{[", b'{"key": 1, "entries": [1, 2], "head": null}'):
        for path in files:
            path.write_bytes(garbage)
        site = tmp_path / "site"
        result = run_cli("build", "--site-dir", str(site), cwd=sample_repo.root)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert (site / "entries.json").read_bytes() == (good / "entries.json").read_bytes()


def test_an_unreadable_entry_is_an_error_with_its_fix(repo: Repo, tmp_path: Path) -> None:
    repo.write("log/secret-plans.md", entry_text(title="Plans"))
    repo.entry("log/ok.md", title="Fine")
    repo.commit("two")
    (repo.root / "log/secret-plans.md").chmod(0)
    result = unprivileged("build", "--site-dir", str(tmp_path / "site"), cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "log/secret-plans.md: error: cannot be read: Permission denied\n    fix: check the"
        " file's permissions, or whether it is a broken symlink"
    ) in result.stderr
    assert (tmp_path / "site/log/ok/index.html").is_file()

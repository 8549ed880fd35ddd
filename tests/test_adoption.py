"""The README's adoption section, followed word for word in a fresh repository that has its own
MkDocs site, code in src/ and figures in assets/, as ML repositories do.

The commands are read from README.md and run as written, one by one, in the repository, with
one exception said here: `pip install "researchlog @ git+…@COMMIT"` is not run (it names a
placeholder commit and needs the network); the checkout under test stands in for it, as the
`researchlog` and `mkdocs` commands on PATH. The Markdown block is added to the entry that
`researchlog new` printed, under its Results heading, as the README says. So the README and
this test cannot drift apart.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import zlib
from pathlib import Path
from struct import pack

import pytest
import yaml
from packaging.requirements import Requirement

from researchlog.core.options import OPTIONS
from support import ROOT, Repo, mkdocs_build

DEFAULT_CACHE = next(o.default for o in OPTIONS if o.name == "cache_dir")

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = "## Adopting researchlog in your repository"

THEIR_MKDOCS = """\
site_name: nanoGPT docs
theme:
  name: material
  font: false
nav:
  - Home: index.md
  - Training: training.md
"""


def section(heading: str) -> str:
    start = README.index(heading + "\n")
    end = README.find("\n## ", start + len(heading))
    return README[start : end if end > 0 else len(README)]


def adoption_steps() -> list[tuple[str, str]]:
    """The section's code blocks in order: ("bash", commands) and ("markdown", text)."""
    return re.findall(r"```(bash|markdown)\n(.*?)\n```", section(SECTION), re.S)


def png() -> bytes:
    """A real 2x2 PNG: a training-loss figure stand-in."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def files_under(root: Path, folder: str) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


def run(command: str, cwd: Path, path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, "PATH": path, "NO_MKDOCS_2_WARNING": "1"},
    )


@pytest.fixture
def their_repo(tmp_path: Path) -> Repo:
    """A fresh ML repository with its own MkDocs site, already built into site/."""
    repo = Repo(tmp_path / "nanoGPT")
    repo.write("mkdocs.yml", THEIR_MKDOCS)
    repo.write("docs/index.md", "# nanoGPT\n\nThe simplest repository for training GPTs.\n")
    repo.write("docs/training.md", "# Training\n\nRun `python src/train.py`.\n")
    repo.write("src/train.py", "import torch\n\n\ndef main():\n    print('training')\n")
    repo.write("assets/loss.png", png())
    repo.write(".gitignore", "site/\n__pycache__/\n")
    repo.commit("nanoGPT as it was")
    built = mkdocs_build(repo.root, strict=True)
    assert built.returncode == 0, built.stderr
    return repo


@pytest.fixture
def path_with_checkout(tmp_path: Path) -> str:
    """`researchlog` and `mkdocs` on PATH from the checkout under test (conftest points
    PYTHONPATH at it): what the README's pip install line gives a user."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command, module in (("researchlog", "researchlog"), ("mkdocs", "mkdocs")):
        script = bin_dir / command
        script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m {module} "$@"\n')
        script.chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}"


def test_the_readme_adoption_section_works_word_for_word(
    their_repo: Repo, path_with_checkout: str
) -> None:
    root = their_repo.root
    theirs = {
        "mkdocs.yml": (root / "mkdocs.yml").read_bytes(),
        **files_under(root, "docs"),
        **files_under(root, "src"),
        **files_under(root, "assets"),
    }
    their_site = files_under(root, "site")
    steps = adoption_steps()
    assert [kind for kind, _ in steps] == ["bash", "markdown", "bash"]
    entry: Path | None = None
    ran: list[str] = []
    for kind, block in steps:
        if kind == "markdown":
            assert entry is not None, "the README adds Markdown before any entry exists"
            text = entry.read_text()
            assert "\n## Results\n" in text  # where the README says to add it
            entry.write_text(text.replace("\n## Results\n", f"\n## Results\n\n{block}\n", 1))
            continue
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if not command:
                continue
            if command.startswith("pip install"):
                # The install the README gives: a pinned git URL researchlog can be installed
                # from anywhere. The checkout under test stands in for it (path_with_checkout).
                requirement = Requirement(shlex.split(command)[2])
                assert requirement.name == "researchlog"
                assert requirement.url is not None
                assert requirement.url.startswith("git+https://") and "@" in requirement.url
                continue
            result = run(command, root, path_with_checkout)
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
            ran.append(command)
            if command.startswith("researchlog new"):
                entry = root / result.stdout.strip()
            if command == "researchlog init":
                assert (root / "researchlog.yml").is_file()
                assert "researchlog check" in result.stdout  # the next commands
            if command.startswith("researchlog build"):
                # The log's site is beside theirs: their built docs are as they were.
                assert files_under(root, "site") == their_site
    assert ran[0] == "researchlog init"
    assert "researchlog check --strict" in ran and "researchlog build --strict" in ran
    assert ran[-1] == "mkdocs build"
    assert entry is not None

    # Their site, untouched and still building; the log beside it.
    for path, data in theirs.items():
        assert (root / path).read_bytes() == data, f"{path} changed"
    assert "nanoGPT docs" in (root / "site/index.html").read_text()
    assert not (root / "site/log").exists()
    site = root / "research-site"
    page_dir = site / entry.relative_to(root).with_suffix("")
    page = (page_dir / "index.html").read_text()
    assert '<img alt="Validation loss" src="../../../assets/loss.png" />' in page
    assert '<a href="../../../src/train.py">train.py</a>' in page
    assert (site / "assets/loss.png").read_bytes() == theirs["assets/loss.png"]
    assert (site / "src/train.py").read_bytes() == theirs["src/train.py"]
    assert "nanoGPT research log" in page  # the site's name, from the folder
    committed = their_repo.git("show", "--name-only", "--format=%s", "HEAD").split()
    assert committed[:4] == ["Start", "a", "research", "log"]
    assert entry.relative_to(root).as_posix() in committed

    # With repo_url set, as the README says next, links to code go to the forge instead.
    config = root / "researchlog.yml"
    text = config.read_text()
    assert "# repo_url: " in text
    config.write_text(re.sub(r"# repo_url: .*", "repo_url: https://github.com/acme/nanoGPT", text))
    for command in ("researchlog check --strict", "researchlog build --strict"):
        result = run(command, root, path_with_checkout)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    page = (page_dir / "index.html").read_text()
    assert '<a href="https://github.com/acme/nanoGPT/blob/main/src/train.py">train.py</a>' in page
    assert not (site / "src").exists()
    assert (site / "assets/loss.png").is_file()


def yaml_block(after: str) -> dict[str, object]:
    start = README.index(after)
    block = re.search(r"```yaml\n(.*?)\n```", README[start:], re.S)
    assert block is not None
    data: dict[str, object] = yaml.safe_load(block.group(1))
    return data


def test_ci_and_pre_commit_install_researchlog_as_the_adoption_section_does() -> None:
    """The CI workflows and the pre-commit hook work in a repository that is not researchlog:
    they install the pinned git URL, never `pip install -e .`, and publish the folder they
    build; the hook's rev is the pinned commit (no tag that does not exist)."""
    install = next(
        line for _, block in adoption_steps() for line in block.splitlines() if "pip" in line
    )
    github = yaml_block("GitHub Pages (`.github/workflows/site.yml`)")
    steps = github["jobs"]["build"]["steps"]  # type: ignore[index]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[0] == install
    built = re.fullmatch(r"researchlog build --strict --site-dir (\S+)", runs[1])
    assert built is not None
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages"))
    assert upload["with"]["path"] == built.group(1)
    gitlab = yaml_block("GitLab Pages (`.gitlab-ci.yml`)")
    script = gitlab["pages"]["script"]  # type: ignore[index]
    assert script[0] == install
    assert script[1] == "researchlog build --strict --site-dir public"
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]  # type: ignore[index]
    assert "pip install -e ." not in section("## Deploying the site")
    # Both keep the build cache, where the build looks for it.
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache"))
    assert cache["with"]["path"] == DEFAULT_CACHE
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    assert steps.index(cache) < next(i for i, s in enumerate(steps) if "build" in s.get("run", ""))
    assert gitlab["pages"]["cache"]["paths"] == [f"{DEFAULT_CACHE}/"]  # type: ignore[index]

    hook = yaml_block("## Checking every commit with pre-commit")
    (repo,) = hook["repos"]  # type: ignore[misc]
    url = Requirement(shlex.split(install)[2]).url or ""
    assert url == f"git+{repo['repo']}@{repo['rev']}"
    ours = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in repo["hooks"]] == [h["id"] for h in ours]
    assert "rev: v0.1.0" not in README

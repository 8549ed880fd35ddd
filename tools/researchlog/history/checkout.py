"""What is checked out: the branch (or commit) and where the log sits in the repository, so
links to the repository's code can point at the same files on the forge."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Checkout:
    ref: str  # the branch checked out; the commit on a detached HEAD (CI); else "HEAD"
    prefix: str  # the log's folder inside the repository: "" at its top, else "ml/"


def checkout_of(root: Path) -> Checkout:
    """The checkout `root` is in. Without git, or outside a repository: "HEAD" (which the
    forges resolve to the default branch) and no prefix."""
    prefix = _git(root, "rev-parse", "--show-prefix")
    ref = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD") or _git(
        root, "rev-parse", "--verify", "--quiet", "HEAD"
    )
    return Checkout(ref or "HEAD", prefix or "")


def head_commit(root: Path) -> str:
    """The commit checked out, or what stands for it: "no commit", "no git"."""
    if shutil.which("git") is None:
        return "no git"
    return _git(root, "rev-parse", "--verify", "--quiet", "HEAD") or "no commit"


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None

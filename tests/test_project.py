"""The project's own promises: README commands, CI, lint and types."""

from __future__ import annotations

import re
import subprocess
import sys

from support import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)\n```", text, re.S)[:2]


def test_readme_opens_with_serve_and_test_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    serve, test = readme_commands()
    assert text.index(serve) < 200, "the README must open with the two commands"
    assert "researchlog serve" in serve
    assert test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    _, test = readme_commands()
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_ruff_lint_and_format() -> None:
    for args in (["check", "tools", "tests"], ["format", "--check", "tools", "tests"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_tools() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_changelog_has_unreleased_changes() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in text

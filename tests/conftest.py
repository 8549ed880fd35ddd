"""Shared fixtures: temp git repositories, the built example site, headless Chromium."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import CHROMIUM, CHROMIUM_ARGS, ROOT, Repo, mkdocs_build, serve_site

# Test the package in this checkout, also in the subprocesses tests start (mkdocs, the CLI),
# whichever checkout the editable install points at.
TOOLS = str(ROOT / "tools")
sys.path.insert(0, TOOLS)
sys.path.insert(1, str(ROOT))  # the benchmarks, which live beside the package
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [TOOLS, os.environ.get("PYTHONPATH")]))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty git repository with a minimal mkdocs.yml, log/ and playbook/."""
    repository = Repo(tmp_path / "repo")
    repository.site_config()
    return repository


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own example log, built once with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("example") / "site"
    result = mkdocs_build(ROOT, strict=True, site_dir=site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def example_url(example_site: Path) -> Iterator[str]:
    with serve_site(example_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright. Missing Chromium fails loudly, never skips."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            "Chromium is not installed: apt-get install chromium (browser tests never"
            " skip silently)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console messages and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.console_messages = []
    tab.on("console", lambda message: tab.console_messages.append(message))
    yield tab
    context.close()

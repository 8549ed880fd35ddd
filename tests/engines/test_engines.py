"""The same site on every engine: MkDocs, ProperDocs (its continuation) and Zensical (Material's
successor). The example log is built by each, and read in Chromium as a reader would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_support import shown, type_query
from support import ROOT, Repo, entries_json, run_cli, serve_site

ENGINES = ("mkdocs", "properdocs", "zensical")
TITLES = {"mkdocs": "MkDocs", "properdocs": "ProperDocs", "zensical": "Zensical"}


def _build(engine: str, site: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--engine", engine, "--site-dir", str(site), cwd=ROOT)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example log built by each engine, once."""
    built = {}
    for engine in ENGINES:
        site = tmp_path_factory.mktemp(engine) / "site"
        result = _build(engine, site)
        assert result.returncode == 0, result.stderr
        assert f"researchlog: building with {TITLES[engine]} " in result.stderr
        built[engine] = site
    return built


def _files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and "pagefind" not in p.parts and p.suffix != ".gz"
    }


def test_properdocs_builds_the_mkdocs_site_but_for_the_generator(sites: dict[str, Path]) -> None:
    mkdocs, properdocs = _files(sites["mkdocs"]), _files(sites["properdocs"])
    assert mkdocs.keys() == properdocs.keys()
    differ = []
    for name, content in mkdocs.items():
        if content == properdocs[name]:
            continue
        ours = [line for line in content.splitlines() if b'name="generator"' not in line]
        theirs = [line for line in properdocs[name].splitlines() if b'name="generator"' not in line]
        if ours != theirs:
            differ.append(name)
    assert differ == []
    assert b"ProperDocs" in properdocs["index.html"]


def test_zensical_builds_every_page_and_file(sites: dict[str, Path]) -> None:
    mkdocs, zensical = _files(sites["mkdocs"]), _files(sites["zensical"])
    pages = {name for name in mkdocs if name.endswith("index.html")}
    assert pages <= zensical.keys(), pages - zensical.keys()
    data = {name for name in mkdocs if name.endswith((".json", ".xml", ".ipynb", ".png", ".svg"))}
    assert data - {"sitemap.xml"} <= zensical.keys()
    assert entries_json(sites["zensical"])["entries"] == entries_json(sites["mkdocs"])["entries"]
    assert (sites["zensical"] / "pagefind" / "pagefind.js").is_file()
    assert (sites["zensical"] / ".researchlog-site").is_file()


@pytest.fixture(params=ENGINES)
def served(request: Any, sites: dict[str, Path]) -> Iterator[tuple[str, str, Path]]:
    with serve_site(sites[request.param]) as url:
        yield request.param, url, sites[request.param]


@pytest.mark.browser
def test_a_reader_finds_the_same_site_on_every_engine(
    served: tuple[str, str, Path], page: Any
) -> None:
    engine, url, site = served
    failed: list[str] = []
    requests: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("request", lambda request: requests.append(request.url))
    entries = entries_json(site)["entries"]
    success = next(e for e in entries if e["status"] == "success" and e["kind"] == "markdown")
    # An entry page: its title and status badge.
    page.goto(url + success["url"])
    assert page.locator("h1").first.inner_text().startswith(success["title"])
    assert page.locator(".rl-entry .rl-status").first.inner_text().strip().endswith("Success")
    # The explorer: a row per entry, and a filter that narrows them.
    page.goto(url + "explorer/")
    rows = page.locator(".rl-explorer tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(entries)
    page.select_option("select[name=status]", "dead-end")
    dead_ends = sum(e["status"] == "dead-end" for e in entries)
    page.wait_for_function(
        "n => document.querySelectorAll('.rl-explorer tbody tr').length === n", arg=dead_ends
    )
    # A chart drawn from its data.
    page.goto(url + "metrics/wape/")
    page.locator(".rl-figure").first.scroll_into_view_if_needed()
    page.locator(".rl-figure svg.main-svg").first.wait_for(state="visible", timeout=20_000)
    # Search finds an entry by a word of its outcome.
    word = "shrinkage" if "shrinkage" in json.dumps(entries) else success["outcome"].split()[0]
    type_query(page, word)
    assert any(result["title"] for result in shown(page)), engine
    # with its status filters
    assert page.locator("[data-rl-status]").count() == 6, engine
    errors = [m.text for m in page.console_messages if m.type == "error"]
    assert errors == [], (engine, errors)
    assert failed == [], (engine, failed)
    assert [r for r in requests if not r.startswith(url)] == [], engine


def test_the_engine_is_said_and_can_be_set_in_the_config(repo: Repo, tmp_path: Path) -> None:
    repo.entry("log/a.md", title="A", status="success", outcome="Fine.")
    config = (repo.root / "mkdocs.yml").read_text()
    repo.write(
        "mkdocs.yml",
        config.replace("  - researchlog\n", "  - researchlog:\n      engine: zensical\n"),
    )
    repo.commit("a")
    result = run_cli("build", "--site-dir", str(tmp_path / "site"), cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert "researchlog: building with Zensical 0.0.73" in result.stderr
    assert (tmp_path / "site/log/a/index.html").is_file()
    # The command line wins over the config.
    again = run_cli(
        "build", "--engine", "properdocs", "--site-dir", str(tmp_path / "p"), cwd=repo.root
    )
    assert "building with ProperDocs" in again.stderr
    wrong = run_cli("build", "--engine", "sphinx", cwd=repo.root)
    assert wrong.returncode == 2 and "invalid choice: 'sphinx'" in wrong.stderr


def test_zensical_rewrites_only_staged_pages_whose_content_changed(
    repo: Repo, tmp_path: Path
) -> None:
    for name in ("a", "b", "c"):
        repo.entry(f"log/{name}.md", title=f"Entry {name}", status="running", project="p")
    repo.commit("three")
    site = tmp_path / "site"
    assert (
        run_cli("build", "--engine", "zensical", "--site-dir", str(site), cwd=repo.root).returncode
        == 0
    )
    docs = repo.root / ".researchlog-cache/zensical/docs"
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
    repo.entry("log/b.md", "Edited.\n", title="Entry b", status="running", project="p")
    assert (
        run_cli("build", "--engine", "zensical", "--site-dir", str(site), cwd=repo.root).returncode
        == 0
    )
    changed = {
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if before.get(p) != p.stat().st_mtime_ns
    }
    assert "log/b.md" in changed
    assert "log/a.md" not in changed and "log/c.md" not in changed
    assert "Edited." in (site / "log/b/index.html").read_text()


def test_the_log_verbs_need_no_engine(repo: Repo, tmp_path: Path) -> None:
    """check, find, new and init work the same whatever engine is installed, or none."""
    blocked = tmp_path / "no-engines"
    for package in ("mkdocs", "material", "properdocs", "zensical"):
        (blocked / package).mkdir(parents=True)
        (blocked / package / "__init__.py").write_text(f"raise ImportError('no {package} here')\n")
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(blocked), os.environ["PYTHONPATH"]]),
    }

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "researchlog", *args],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    fresh = tmp_path / "fresh"
    Repo(fresh)
    assert run("init", cwd=fresh).returncode == 0
    new = run("new", "First experiment", cwd=fresh)
    assert new.returncode == 0, new.stderr
    assert run("check", cwd=fresh).returncode == 0
    repo.entry("log/a.md", title="Calibration of the router", status="success", outcome="Fine.")
    found = run("find", "calibration", cwd=repo.root)
    assert found.returncode == 0 and "Calibration of the router" in found.stdout
    build = run("build", cwd=repo.root)
    assert build.returncode == 1 and "no engine to build the site with is installed" in build.stderr

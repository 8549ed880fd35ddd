"""Robustness: arbitrary input never crashes, hostile content stays text, nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from researchlog.core.settings import Settings
from researchlog.log.join import build_log
from researchlog.pages.urls import Urls
from researchlog.read.entries import entry_from_front_matter
from researchlog.read.frontmatter import read_markdown, read_notebook
from researchlog.views import build_site
from search_support import shown, type_query
from support import Repo, entry_text, git_status, make_corpus, mkdocs_build, run_cli, serve_site

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "title",
        "status",
        "question",
        "outcome",
        "project",
        "tags",
        "authors",
        "date",
        "metrics",
        "dataset",
        "effort_days",
        "superseded_by",
        "lessons",
        "links",
        "highlight",
        "kind",
        "execute",
        "samples",
        "demo",
        "other",
    ]
)


@FUZZ
@given(st.text())
def test_any_text_as_a_markdown_file_is_only_ever_reported(text: str) -> None:
    front = read_markdown("log/x.md", text)
    entry_from_front_matter("log/x.md", front, front.body, "markdown")


@FUZZ
@given(st.text())
def test_any_text_as_front_matter_is_only_ever_reported(text: str) -> None:
    front = read_markdown("log/x.md", f"---\n{text}\n---\nbody\n")
    entry_from_front_matter("log/x.md", front, front.body, "markdown")


@FUZZ
@given(st.dictionaries(field_names, yaml_values, max_size=8))
def test_any_mapping_as_front_matter_is_only_ever_reported(data: dict[str, Any]) -> None:
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"
    front = read_markdown("log/x.md", text)
    entry_from_front_matter("log/x.md", front, front.body, "markdown")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)


@FUZZ
@given(
    st.one_of(
        st.text(),
        json_values.map(json.dumps),
        st.dictionaries(st.sampled_from(["cells", "metadata", "nbformat"]), json_values).map(
            json.dumps
        ),
    )
)
def test_any_text_as_a_notebook_is_only_ever_reported(text: str) -> None:
    source = read_notebook("log/x.ipynb", text)
    entry_from_front_matter("log/x.ipynb", source.front, "", "notebook")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(field_names, yaml_values, max_size=8), st.text(max_size=200))
def test_the_build_pipeline_never_crashes(tmp_path: Path, data: dict[str, Any], body: str) -> None:
    root = tmp_path / "fuzz"
    (root / "log").mkdir(parents=True, exist_ok=True)
    (root / "playbook").mkdir(exist_ok=True)
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body
    (root / "log" / "x.md").write_text(text, encoding="utf-8")
    (root / "log" / "y.md").write_text(entry_text(title="Y", superseded_by="x"), encoding="utf-8")
    log = build_log(Settings(root=root, git_history=False))
    site = build_site(log, Urls())
    for source in site.pages:
        page = source.make()
        page.fill("<p>" + "</p><p>".join(page.blocks) + "</p>")
    ET.fromstring(next(f for f in site.files if f.src_uri == "feed.xml").content or b"")


def test_fuzzed_files_through_the_real_cli_and_build(repo: Repo) -> None:
    """A few nasty files end to end: check and the build report, never a traceback."""
    repo.write("log/a.md", "---\n" + "[" * 5000 + "\n---\n")
    repo.write("log/b.md", "---\ntitle: !!binary aGVsbG8=\nstatus: planned\n---\n")
    repo.write("log/c.md", "---\n? [complex, key]\n: value\ntitle: C\nstatus: planned\n---\n")
    repo.write("log/d.ipynb", '{"cells": "not a list", "nbformat": 4}')
    repo.write("log/e.md", "\ufeff---\ntitle: BOM\nstatus: planned\n---\n")
    repo.commit("nasty")
    check = run_cli("check", cwd=repo.root)
    assert "Traceback" not in check.stdout + check.stderr
    assert check.returncode == 1
    build = mkdocs_build(repo.root, site_dir=repo.root.parent / "site")
    assert build.returncode == 0 and "Traceback" not in build.stderr
    assert (repo.root.parent / "site/log/e/index.html").exists()


def test_allow_marker_silences_a_false_positive(repo: Repo) -> None:
    repo.entry(
        "log/a.md",
        "Example key from the docs: AKIAIOSFODNN7EXAMPLE <!-- researchlog: allow-secret -->\n",
        title="A",
    )
    notebook = repo.write(
        "log/b.ipynb",
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "raw",
                        "metadata": {},
                        "source": ["---\n", "title: B\n", "status: planned\n", "---"],
                    },
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "execution_count": 1,
                        "source": ["print(t)"],
                        "outputs": [
                            {
                                "output_type": "stream",
                                "name": "stdout",
                                "text": ["token ghp_" + "a1B2" * 9 + "\n"],
                            }
                        ],
                    },
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
            indent=1,
        ),
    )
    line = next(n for n, text in enumerate(notebook.read_text().splitlines(), 1) if "ghp_" in text)
    result = run_cli("check", cwd=repo.root)
    assert "log/a.md" not in result.stdout
    assert (
        f"log/b.ipynb:{line}: error: this line looks like it contains a GitHub token; the file is"
        " left out of the site"
    ) in result.stdout
    assert result.returncode == 1


PAYLOADS = {
    "script": "<script>window.__pwned='script'</script>",
    "img": '"><img src=x onerror="window.__pwned=\'img\'">',
    "markdown": "[click](javascript:window.__pwned='md') **bold** `code`",
    "style": "<style>body{display:none}</style>",
}


# Sample predictions of two entries of one project: shown on entry pages and compared.
HOSTILE_SAMPLES = [
    {
        "id": PAYLOADS["img"],
        "input": PAYLOADS["script"],
        "expected": PAYLOADS["markdown"],
        "prediction": PAYLOADS["style"],
        "note": PAYLOADS["script"],
    },
    {"id": "plain", "input": "x", "expected": "y", "prediction": PAYLOADS["markdown"]},
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = Repo(tmp_path_factory.mktemp("hostile") / "repo")
    repo.site_config()
    payload = " ".join(PAYLOADS.values())
    repo.write("playbook/index.md", f"---\ntitle: {json.dumps(PAYLOADS['img'])}\n---\nHi.\n")
    repo.write("playbook/evil.md", f"---\ntitle: {json.dumps(PAYLOADS['script'])}\n---\nHi.\n")
    repo.entry(
        "log/2025/evil.md",
        "Body.\n",
        title=payload,
        status="dead-end",
        question=payload,
        outcome=payload,
        project=PAYLOADS["script"],
        dataset=PAYLOADS["img"],
        tags=list(PAYLOADS.values()),
        authors=[PAYLOADS["img"]],
        links=["javascript:window.__pwned='link'"],
        metrics={PAYLOADS["script"]: 1.0},
        lessons=["evil"],
        samples=HOSTILE_SAMPLES,
        **{"x<b>": payload},
    )
    repo.entry(
        "log/2025/other.md",
        title="Other",
        status="success",
        outcome="ok",
        superseded_by=None,
        project=PAYLOADS["script"],
        metrics={PAYLOADS["script"]: 2.0},
        samples=[{**sample, "prediction": PAYLOADS["img"]} for sample in HOSTILE_SAMPLES],
    )
    repo.commit(f"add {payload}", author=(PAYLOADS["img"], "evil@example.org"))
    repo.entry(
        "log/2025/evil.md",
        "Body.\n",
        title=payload,
        status="success",
        question=payload,
        outcome=payload,
        project=PAYLOADS["script"],
        tags=list(PAYLOADS.values()),
        metrics={PAYLOADS["script"]: 1.5},
        samples=HOSTILE_SAMPLES,
    )
    repo.commit(PAYLOADS["script"], date="2025-03-10T10:00:00+00:00")
    site = repo.root.parent / "site"
    result = mkdocs_build(repo.root, site_dir=site)
    assert result.returncode == 0, result.stderr
    return site


def test_hostile_text_never_runs_in_a_browser(hostile_site: Path, browser: Any) -> None:
    """Every page of the site, then the explorer, the comparison and the search in use."""
    pages = sorted(
        str(p.parent.relative_to(hostile_site)) + "/" for p in hostile_site.rglob("index.html")
    )
    pages = [page.removeprefix("./") for page in pages]
    for expected in ("explorer/", "metrics/", "portfolio/", "log/2025/evil/", "playbook/evil/"):
        assert expected in pages
    dialogs: list[str] = []
    with serve_site(hostile_site) as base:
        context = browser.new_context()
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        def assert_harmless(where: str) -> None:
            assert tab.evaluate("window.__pwned") is None, where
            assert tab.evaluate("getComputedStyle(document.body).display") != "none", where
            for link in tab.query_selector_all("a[href^='javascript:']"):
                pytest.fail(f"{where} has a javascript: link: {link.get_attribute('href')}")

        for path in pages:
            tab.goto(base + path)
            tab.wait_for_load_state("load")
            assert_harmless(path)

        tab.goto(base + "log/2025/evil/")
        heading = tab.inner_text("article h1")
        assert PAYLOADS["script"] in heading and PAYLOADS["img"] in heading
        assert PAYLOADS["script"] in tab.title()
        assert PAYLOADS["style"] in tab.inner_text(".rl-samples")

        # The explorer draws its table from entries.json in the browser: text, never markup.
        tab.goto(base + "explorer/")
        row = tab.locator(".rl-explorer tbody tr").first
        row.wait_for()
        assert PAYLOADS["script"] in tab.inner_text(".rl-explorer tbody")
        tab.fill("#rl-x-q", "bold")  # only in the evil entry's title and outcome
        tab.wait_for_function(
            "document.querySelector('.rl-explorer__count').textContent.startsWith('1 of 2 ')"
        )
        assert PAYLOADS["script"] in tab.inner_text(".rl-explorer tbody")
        assert_harmless("explorer, filtered")

        # The comparison of the project's two entries, drawn by compare.js.
        project = next(p for p in pages if p.startswith("projects/") and p != "projects/")
        tab.goto(base + project)
        tab.locator(".rl-compare__table tbody tr").first.wait_for()
        assert PAYLOADS["img"] in tab.inner_text(".rl-compare__table")
        assert_harmless(project + " comparison")

        # Search results show titles, outcomes and excerpts as text.
        tab.goto(base)
        type_query(tab, "pwned")
        assert any(PAYLOADS["script"] in result["title"] for result in shown(tab))
        assert_harmless("search results")
        context.close()
    assert dialogs == []


def test_hostile_text_in_the_feed_and_json(hostile_site: Path) -> None:
    feed = ET.parse(hostile_site / "feed.xml").getroot()  # well-formed despite the payloads
    text = ET.tostring(feed, encoding="unicode")
    assert "<script>" not in text  # escaped inside the XML text
    content = "".join(e.text or "" for e in feed.iter() if e.tag.endswith("content"))
    assert "&lt;script&gt;" in content  # escaped again inside the HTML carried by the feed
    data = json.loads((hostile_site / "entries.json").read_text())
    assert any(PAYLOADS["script"] in e["title"] for e in data["entries"])


def test_interrupted_builds_never_break_the_next_one(tmp_path: Path) -> None:
    """SIGINT at several points of a build, then a normal build: it succeeds and is right."""
    corpus = make_corpus(tmp_path / "c60", entries=60, notebooks=6)
    assert run_cli("init", cwd=corpus).returncode == 0
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    for delay in (0.3, 0.6, 0.9, 1.2, 1.6):
        build = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(tmp_path / "site")],
            cwd=corpus,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
        )
        time.sleep(delay)
        build.send_signal(signal.SIGINT)
        build.wait(timeout=120)
    cache = corpus / ".researchlog-cache"
    leftovers = [p.name for p in cache.rglob(".tmp-*")] if cache.exists() else []
    assert leftovers == []
    final = mkdocs_build(corpus, site_dir=tmp_path / "site")
    assert final.returncode == 0, final.stderr
    data = json.loads((tmp_path / "site/entries.json").read_text())
    assert len(data["entries"]) == 60
    assert all(e["created"] for e in data["entries"])
    assert git_status(corpus) == ["?? log/entry.schema.json"]

"""Site search as a reader uses it: a real build, pagefind's index and headless Chromium.

The browser tests run on every site `searchable` yields: a small repository made here, and
any repository listed in RESEARCHLOG_SEARCH_REPOS (os.pathsep-separated paths, e.g. a
generated corpus or the example log). Each repository is copied, given two words nobody else
uses (one in a notebook's code cell, one in an entry's outcome) and built, so the tests hold
by construction on any log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from benchmarks.search import measure_listing, measure_search

from researchlog.authoring.init import init
from researchlog.build.search import (
    PART_PAGES_VARIABLE,
    PARTS_MOST,
    SearchIndexJob,
    find_pagefind,
    part_pages,
    partition,
)
from researchlog.core.settings import load_settings
from researchlog.log.join import build_log
from researchlog.pages.urls import Urls
from researchlog.views.search import SearchDocument, markdown_text, search_documents
from search_support import (
    COUNT,
    RESULTS,
    SearchSite,
    build_search_site,
    corpus_text,
    fresh_words,
    press_status,
    shown,
    small_log,
    total,
    type_query,
    words,
)
from support import ROOT, Repo, entries_json, free_port, mkdocs_build, serve_site

EXTRA_REPOS = [
    Path(p) for p in os.environ.get("RESEARCHLOG_SEARCH_REPOS", "").split(os.pathsep) if p
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchSite]:
    """The small log, built and served."""
    folder = tmp_path_factory.mktemp("small")
    repo = small_log(folder / "repo").root
    with serve_site(folder / "site") as url:
        yield build_search_site(repo, folder / "site", url, strict=True)


# Two documents a part: the small log's eight documents make an index in several parts.
IN_PARTS = {PART_PAGES_VARIABLE: "2"}


@pytest.fixture(scope="module")
def small_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchSite]:
    """The small log, built with its index in several parts, and served."""
    folder = tmp_path_factory.mktemp("small-in-parts")
    repo = small_log(folder / "repo").root
    with serve_site(folder / "site") as url:
        site = build_search_site(repo, folder / "site", url, strict=True, env=IN_PARTS)
        assert len(_listing(site.site)["parts"]) >= 2  # three parts or more
        yield site


@pytest.fixture(
    scope="module",
    params=["small", "small-in-parts", *[str(p) for p in EXTRA_REPOS]],
    ids=lambda p: p if p.startswith("small") else Path(p).name,
)
def searchable(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchSite]:
    """Each site the search tests run on: the small log, the same with its index in parts,
    then any repositories named."""
    if request.param.startswith("small"):
        yield request.getfixturevalue(request.param.replace("-", "_"))
        return
    folder = tmp_path_factory.mktemp("search")
    repo = folder / "repo"
    skip = shutil.ignore_patterns("site", ".researchlog-cache")
    shutil.copytree(request.param, repo, symlinks=True, ignore=skip)
    with serve_site(folder / "site") as url:
        yield build_search_site(repo, folder / "site", url, strict=False)


# ---- what the issue asks for ------------------------------------------------------------


@pytest.mark.browser
def test_a_word_only_in_a_notebook_code_cell_finds_the_notebook(
    searchable: SearchSite, page: Any
) -> None:
    page.goto(searchable.url)
    type_query(page, searchable.code_word)
    results = shown(page)
    assert [r["href"] for r in results] == [searchable.entry_url(searchable.notebook)]
    assert results[0]["title"] == searchable.notebook["title"]
    assert "Notebook" in results[0]["details"]
    assert searchable.code_word in results[0]["excerpt"]


@pytest.mark.browser
def test_a_word_only_in_an_outcome_finds_that_entry_first(
    searchable: SearchSite, page: Any
) -> None:
    page.goto(searchable.url)
    type_query(page, searchable.outcome_word)
    first = shown(page)[0]
    entry = searchable.outcome_entry
    assert first["href"] == searchable.entry_url(entry)
    assert first["title"] == entry["title"]
    assert first["outcome"] == entry["outcome"]
    assert searchable.outcome_word in first["outcome"]


@pytest.mark.browser
def test_the_dead_end_filter_leaves_only_dead_ends(searchable: SearchSite, page: Any) -> None:
    # A word that some dead ends and some other entries share, picked from the log itself.
    counts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for entry in searchable.entries:
        text = " ".join(filter(None, [entry["title"], entry["question"], entry["outcome"]]))
        counts[entry["status"] == "dead-end"].update(words(text))
    shared = (counts[True] & counts[False]).most_common(1)
    assert shared, "the log has no word shared by dead ends and other entries"
    word = shared[0][0]

    page.goto(searchable.url)
    type_query(page, word)
    unfiltered = total(page)
    press_status(page, "dead-end")
    results = shown(page)
    assert results and all(r["status"] == "✖Dead end" and r["deadEnd"] for r in results)
    assert 0 < total(page) < unfiltered
    assert page.get_attribute('[data-rl-status="dead-end"]', "aria-pressed") == "true"

    # With nothing typed, the filter alone lists every dead end in the log.
    page.fill(".rl-search__input", "")
    page.wait_for_function(
        "selector => /^\\d+ matching documents \\(filtered\\)$/"
        ".test(document.querySelector(selector).textContent)",
        arg=COUNT,
    )
    dead_ends = [e for e in searchable.entries if e["status"] == "dead-end"]
    assert total(page) == len(dead_ends)
    assert all(r["status"] == "✖Dead end" for r in shown(page))


@pytest.mark.browser
def test_the_project_filter_narrows_to_one_project(searchable: SearchSite, page: Any) -> None:
    projects = Counter(e["project"] for e in searchable.entries if e["project"])
    project, size = projects.most_common(1)[0]
    page.goto(searchable.url)
    page.keyboard.press("/")
    page.wait_for_selector(
        f'.rl-search__project-select option[value="{project}"]', state="attached"
    )
    page.select_option(".rl-search__project-select", project)
    page.wait_for_selector(RESULTS)
    assert total(page) == size
    assert all(r["details"].startswith(project) for r in shown(page))


@pytest.mark.browser
def test_search_works_from_the_keyboard_alone(searchable: SearchSite, page: Any) -> None:
    page.goto(searchable.url)
    type_query(page, searchable.outcome_word)
    assert page.evaluate("document.activeElement.id") == "rl-search-input"
    assert page.is_checked("#__search")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == searchable.entry_url(
        searchable.outcome_entry
    )
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "rl-search-input"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(searchable.entry_url(searchable.outcome_entry))
    assert not page.is_checked("#__search")

    # From the entry page (reached by instant navigation): s opens the search again, Enter
    # follows the first result.
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "rl-search-input"
    page.keyboard.type(searchable.code_word)
    page.keyboard.press("Enter")
    page.wait_for_url(searchable.entry_url(searchable.notebook))

    # Tab reaches the filters; Space presses one; Escape closes the search.
    page.keyboard.press("/")
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.rlStatus") == "dead-end":
            break
    assert page.evaluate("document.activeElement.dataset.rlStatus") == "dead-end"
    page.keyboard.press("Space")
    page.wait_for_selector(RESULTS)
    assert all(r["deadEnd"] for r in shown(page))
    # Tabbing on past the results leaves the search, which closes behind the reader.
    for _ in range(40):
        page.keyboard.press("Tab")
        if not page.evaluate(
            "document.querySelector('[data-rl-search]').contains(document.activeElement)"
        ):
            break
    assert not page.is_checked("#__search")
    page.keyboard.press("/")
    assert page.is_checked("#__search")
    page.keyboard.press("Escape")
    assert not page.is_checked("#__search")
    assert page.evaluate("document.activeElement.id") != "rl-search-input"


@pytest.mark.browser
def test_search_loads_nothing_from_other_hosts(searchable: SearchSite, page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(searchable.url)
    page.wait_for_load_state("networkidle")
    assert not any("/pagefind/" in url for url in requested), "the index loads before first use"
    type_query(page, searchable.code_word)
    press_status(page, "success")
    assert any("/pagefind/" in url for url in requested)
    assert all(url.startswith(searchable.url) for url in requested), requested
    errors = [m.text for m in page.console_messages if m.type == "error"]
    assert errors == []


@pytest.mark.browser
def test_search_on_a_phone(searchable: SearchSite, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(searchable.url)
        closed = page.locator(".md-search__inner").bounding_box()
        assert closed is not None and closed["height"] == 0  # only the button shows
        page.tap(".rl-search-open")
        page.wait_for_function("document.activeElement.id === 'rl-search-input'")
        page.keyboard.type(searchable.outcome_word)
        page.wait_for_selector(RESULTS)
        # Material slides the search in; measure once it has arrived.
        page.wait_for_function(
            "document.querySelector('.md-search__inner').getBoundingClientRect().x === 0"
        )
        box = page.locator(RESULTS).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        for selector in (
            ".rl-search__input",
            '[data-rl-status="superseded"]',
            ".rl-search__project-select",
        ):
            control = page.locator(selector).bounding_box()
            assert control is not None and control["x"] + control["width"] <= 390, selector
        # Long titles, outcomes and excerpts wrap rather than run off the screen.
        clipped = page.eval_on_selector_all(
            ".rl-search__article p, .rl-search__title",
            "lines => lines.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)",
        )
        assert clipped == []
    finally:
        context.close()


@pytest.mark.browser
def test_results_follow_the_dark_scheme(searchable: SearchSite, browser: Any) -> None:
    def luminance(colour: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"\d+", colour)[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(searchable.url)
        if page.get_attribute("body", "data-md-color-scheme") != "slate":
            pytest.skip("this site has no dark colour scheme")
        type_query(page, searchable.outcome_word)
        background = page.eval_on_selector(
            ".md-search__scrollwrap", "e => getComputedStyle(e).backgroundColor"
        )
        title = page.eval_on_selector(".rl-search__title", "e => getComputedStyle(e).color")
        assert luminance(background) < 0.2 < 0.7 < luminance(title)
    finally:
        context.close()


# ---- the small site only: escaping, failures, serve ------------------------------------


@pytest.mark.browser
def test_titles_and_outcomes_are_shown_as_text(small: SearchSite, page: Any) -> None:
    page.goto(small.url)
    type_query(page, "tokenizer")
    first = shown(page)[0]
    assert first["title"] == 'Tokenizer <img src=x onerror="alert(1)"> & <unk> handling'
    assert first["outcome"] == "Unclear <b>either</b> way."
    assert page.locator(".rl-search__item img, .rl-search__item b").count() == 0


@pytest.mark.browser
def test_playbook_pages_are_found_too(small: SearchSite, page: Any) -> None:
    page.goto(small.url)
    type_query(page, "clever")
    assert shown(page) == [
        {
            "href": small.url + "playbook/baselines/",
            "status": None,
            "deadEnd": False,
            "title": "Baselines first",
            "outcome": "",
            "details": "Playbook",
            "excerpt": "Baselines first. Always run a weighted baseline before anything clever.",
        }
    ]


def test_a_build_without_pagefind_reports_it_and_still_builds(repo: Repo, tmp_path: Path) -> None:
    repo.entry("log/a.md", title="Anything")
    repo.commit("one entry")
    missing = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(tmp_path / "site")],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "nowhere")},
        check=False,
    )
    assert missing.returncode == 0, missing.stderr
    assert (
        "ERROR   -  researchlog: the site has no search: the pagefind binary was not found;"
        " install it with pip install 'pagefind[extended]'" in missing.stderr
    )
    assert "Traceback" not in missing.stderr
    assert (tmp_path / "site/log/a/index.html").exists()
    assert not (tmp_path / "site/pagefind").exists()

    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: out of disk space' >&2\nexit 3\n")
    broken.chmod(0o755)
    failing = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "s2")],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "PAGEFIND_BINARY_PATH": str(broken)},
        check=False,
    )
    assert failing.returncode == 1
    assert "pagefind failed (exit 3): Error: out of disk space" in failing.stderr
    assert "Traceback" not in failing.stderr


@pytest.mark.browser
def test_the_search_box_says_when_a_site_has_no_index(
    small: SearchSite, page: Any, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(small.site, site, ignore=shutil.ignore_patterns("pagefind"))
    with serve_site(site) as url:
        page.goto(url)
        page.keyboard.press("/")
        page.keyboard.type("focal")
        page.wait_for_function(
            "selector => /not available/.test(document.querySelector(selector).textContent)",
            arg=COUNT,
        )
    assert page.inner_text(COUNT) == "Search is not available: this site has no search index."


def test_material_search_plugin_is_reported_as_redundant(repo: Repo, tmp_path: Path) -> None:
    repo.write("mkdocs.yml", (repo.root / "mkdocs.yml").read_text() + "  - search\n")
    repo.entry("log/a.md", title="Anything")
    result = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "Material's search plugin is enabled, but researchlog provides the site's search" in (
        result.stderr
    )


def test_header_override_is_materials_header_with_our_search() -> None:
    """The override is a copy of Material's header; if Material changes its header, this
    fails and the copy needs refreshing."""
    import material

    def without(text: str, block: str) -> str:
        found = re.search(block, text, re.S)
        assert found, f"no {block!r} in the header"
        head = re.match(r"{#-.*?-#}\n", text, re.S)  # the comment at the top
        start = head.end() if head else 0
        return (text[start : found.start()] + text[found.end() :]).strip()

    theirs = (Path(material.__file__).parent / "templates/partials/header.html").read_text()
    ours = (ROOT / "tools/researchlog/overrides/partials/header.html").read_text()
    assert without(
        theirs, r'\s*{% if "material/search" in config.plugins %}.*?{% endif %}\s*{% endif %}'
    ) == (without(ours, r'\s*{#- researchlog: .*?{% include "partials/search.html" %}'))


@pytest.mark.browser
def test_serve_rebuilds_the_index(small: SearchSite, page: Any, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with _serving_copy(small, repo, "mkdocs") as url:
        _wait_for(lambda: _search_finds(page, url, small.outcome_word), 90)
        word = fresh_words(corpus_text(repo), 3)[-1]
        Repo(repo, init_git=False).entry(
            "log/2025/2025-04-01-late-idea.md", title="A late idea", outcome=f"It {word}."
        )
        _wait_for(lambda: _search_finds(page, url, word), 90)


@contextlib.contextmanager
def _serving_copy(
    small: SearchSite, repo: Path, program: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A copy of the small log at `repo`, served by `program serve`; yields its address."""
    shutil.copytree(small.repo, repo, symlinks=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", program, "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


# pagefind, but a whole index (not a preview's overlay of changed pages) waits while the file
# named by $HOLD_WHOLE_INDEX exists.
HELD_PAGEFIND = """#!/bin/sh
case "$*" in
  *researchlog-search-overlay*) ;;
  *) while [ -e "$HOLD_WHOLE_INDEX" ]; do sleep 0.2; done ;;
esac
exec {binary} "$@"
"""


@pytest.mark.browser
@pytest.mark.parametrize("parts", [{}, IN_PARTS], ids=["one index", "in parts"])
def test_a_preview_finds_what_changed_before_the_whole_index_is_made(
    small: SearchSite, page: Any, tmp_path: Path, parts: dict[str, str]
) -> None:
    repo = tmp_path / "repo"
    binary = find_pagefind()
    assert binary is not None
    held = tmp_path / "pagefind"
    held.write_text(HELD_PAGEFIND.format(binary=binary))
    held.chmod(0o755)
    hold = tmp_path / "hold"
    held_env = {"PAGEFIND_BINARY_PATH": str(held), "HOLD_WHOLE_INDEX": str(hold), **parts}
    with _serving_copy(small, repo, "researchlog", held_env) as url:
        try:
            _wait_for(lambda: _search_finds(page, url, small.outcome_word), 90)
            hold.write_text("")
            fresh, gone = fresh_words(corpus_text(repo), 3)[-2:], small.outcome_word
            Repo(repo, init_git=False).entry(
                "log/2025/2025-04-01-late-idea.md", title="A late idea", outcome=f"It {fresh[0]}."
            )
            outcome = repo / small.outcome_entry["path"]
            outcome.write_text(outcome.read_text().replace(gone, fresh[1]))
            # Found while the whole index is held: the new entry, and the edited one by its new
            # word only (its older results are dropped).
            _wait_for(lambda: _search_finds(page, url, fresh[0]), 30)
            assert [item["title"] for item in shown(page)] == ["A late idea"]
            _wait_for(lambda: _search_finds(page, url, fresh[1]), 10)
            assert [item["title"] for item in shown(page)] == [small.outcome_entry["title"]]
            page.goto(url)
            type_query(page, gone)
            assert shown(page) == []
            assert hold.exists()
            # The whole index replaces the overlay, and finds the same.
            hold.unlink()
            _wait_for(lambda: not (_overlay_listing(url) or {}).get("pages", [None]), 60)
            assert _search_finds(page, url, fresh[0]) and _search_finds(page, url, fresh[1])
            assert bool(_served_json(url + "pagefind/parts.json")["parts"]) == bool(parts)
        finally:
            hold.unlink(missing_ok=True)  # before the server stops: no pagefind left waiting


def _overlay_listing(url: str) -> Any:
    return _served_json(url + "pagefind-overlay/pages.json")


def _served_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _search_finds(page: Any, url: str, word: str) -> bool:
    try:
        page.goto(url, timeout=5000)
        type_query(page, word, timeout=5000)
        return total(page) > 0
    except Exception:  # not served or not indexed yet, or reloaded by livereload meanwhile
        return False


def _wait_for(check: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"not true after {seconds}s")


# ---- an index in parts ----------------------------------------------------------------

_DATED_PAGES = "4"  # documents a part: twenty entries and a playbook page make six parts


@dataclass(frozen=True)
class DatedLog:
    """A log of twenty entries, each on its own date and with a word of its own, built
    twice with its index in parts: the second time after one entry's word was changed."""

    repo: Path
    site: Path
    url: str
    entries: list[dict[str, Any]]
    words: dict[str, str]  # entry path -> the word only that entry has (after the change)
    changed: str  # the entry whose word was changed
    old_word: str  # what it had before
    builds: tuple[str, str]  # what each build logged
    kept: tuple[set[str], set[str]]  # the parts in the cache after each build


def _made_up(number: int) -> str:
    """A word no language has, and no other of these begins with."""
    return f"zv{'abcdefghijklmnopqrstuvwxy'[number]}kq"


def _listing(site: Path) -> dict[str, Any]:
    listing: dict[str, Any] = json.loads((site / "pagefind/parts.json").read_text())
    return listing


def _kept_parts(repo: Path) -> set[str]:
    return {p.name for p in (repo / ".researchlog-cache/search").iterdir() if p.is_dir()}


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatedLog]:
    folder = tmp_path_factory.mktemp("dated")
    repo = Repo(folder / "repo")
    init(repo.root)
    statuses = ["success", "dead-end", "success", "running", "success"]
    projects = ["alpha", "beta", "gamma", None]
    words = {}
    for number in range(20):
        date = dt.date(2023, 11, 5) + dt.timedelta(days=23 * number)
        path = f"log/{date:%Y}/{date}-trial-{number:02d}.md"
        words[path] = _made_up(number)
        fields: dict[str, Any] = {"title": f"Trial {number:02d}", "date": date}
        if projects[number % 4]:
            fields["project"] = projects[number % 4]
        repo.entry(
            path,
            f"We tried the {words[path]} idea.\n",
            status=statuses[number % 5],
            **fields,
        )
    repo.commit("twenty trials")
    site = folder / "site"
    env = {PART_PAGES_VARIABLE: _DATED_PAGES}
    first = mkdocs_build(repo.root, strict=True, site_dir=site, env=env)
    assert first.returncode == 0, first.stderr
    assert len(_listing(site)["parts"]) >= 3  # the first part, and three more or more
    kept_first = _kept_parts(repo.root)
    changed = next(path for path in words if path.endswith("-trial-07.md"))
    old_word, words[changed] = words[changed], _made_up(24)
    entry = repo.root / changed
    entry.write_text(entry.read_text().replace(old_word, words[changed]))
    second = mkdocs_build(repo.root, strict=True, site_dir=site, env=env)
    assert second.returncode == 0, second.stderr
    with serve_site(site) as url:
        yield DatedLog(
            repo=repo.root,
            site=site,
            url=url,
            entries=entries_json(site)["entries"],
            words=words,
            changed=changed,
            old_word=old_word,
            builds=(first.stderr, second.stderr),
            kept=(kept_first, _kept_parts(repo.root)),
        )


def test_a_changed_entry_indexes_only_its_own_part_again(dated: DatedLog) -> None:
    counts = [
        re.search(r"search index: (\d+) pages in [\d.]+s, (\d+) of (\d+) parts indexed", build)
        for build in dated.builds
    ]
    assert counts[0] and counts[1], dated.builds
    parts = int(counts[0].group(3))
    assert parts >= 4
    assert counts[0].groups() == ("21", str(parts), str(parts))  # 20 entries, a playbook page
    assert counts[1].groups() == ("21", "1", str(parts))
    # One part made anew, kept beside the others; the site lists the parts but the first.
    assert len(dated.kept[0]) == parts
    assert len(dated.kept[1] - dated.kept[0]) == 1 and dated.kept[0] <= dated.kept[1]
    listing = _listing(dated.site)
    assert len(listing["parts"]) == parts - 1
    assert all(
        (dated.site / "pagefind" / folder / "pagefind-entry.json").is_file()
        for folder in listing["parts"]
    )
    # Every entry's result has its date listed once.
    dates = json.loads((dated.site / "pagefind" / listing["dates"]).read_text())
    assert sorted(dates) == sorted(e["date"] for e in dated.entries)
    assert all(len(ids) == 1 for ids in dates.values())


@pytest.mark.browser
def test_an_index_in_parts_finds_every_entry_after_one_changed(dated: DatedLog, page: Any) -> None:
    page.goto(dated.url)
    page.keyboard.press("/")
    by_path = {e["path"]: e for e in dated.entries}
    for path, word in [*dated.words.items(), (dated.changed, dated.old_word)]:
        page.fill(".rl-search__input", word)
        page.wait_for_function(
            "([selector, query]) => document.querySelector(selector).textContent.includes(query)",
            arg=[COUNT, f"\u201c{word}\u201d"],
        )
        found = [r["title"] for r in shown(page)]
        assert found == ([] if word == dated.old_word else [by_path[path]["title"]]), word
    assert [m.text for m in page.console_messages if m.type == "error"] == []


@pytest.mark.browser
def test_filters_alone_list_entries_newest_first_across_parts(dated: DatedLog, page: Any) -> None:
    successes = [e for e in dated.entries if e["status"] == "success"]
    assert len(_parts_holding(dated, successes)) >= 3, "the test needs them in several parts"
    assert _listed(page, dated.url, "success") == _newest_first(successes)


@pytest.mark.browser
def test_a_listing_reads_the_dates_the_site_lacks_from_the_results(
    dated: DatedLog, page: Any, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(dated.site, site)
    (site / "pagefind" / _listing(site)["dates"]).unlink()
    dead_ends = [e for e in dated.entries if e["status"] == "dead-end"]
    assert len(_parts_holding(dated, dead_ends)) >= 2
    with serve_site(site) as url:
        assert _listed(page, url, "dead-end") == _newest_first(dead_ends)


def _listed(page: Any, url: str, status: str) -> list[tuple[str, str]]:
    """Every entry the status filter lists with nothing typed: (title, date), in order."""
    page.goto(url)
    page.keyboard.press("/")
    press_status(page, status)
    while page.is_visible(".rl-search__more"):  # ten results a page
        before = len(shown(page))
        page.click(".rl-search__more")
        page.wait_for_function(
            "([selector, count]) => document.querySelectorAll(selector).length > count",
            arg=[RESULTS, before],
        )
    results = shown(page)
    assert page.inner_text(COUNT) == f"{len(results)} matching documents (filtered)"
    return [(r["title"], r["details"].split(" · ")[-1]) for r in results]


def _newest_first(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["title"], e["date"]) for e in sorted(entries, key=lambda e: e["date"])[::-1]]


@pytest.mark.browser
def test_the_project_menu_counts_every_part(dated: DatedLog, page: Any) -> None:
    counts = Counter(e["project"] for e in dated.entries if e["project"])
    assert len(_parts_holding(dated, [e for e in dated.entries if e["project"] == "alpha"])) > 1
    page.goto(dated.url)
    page.keyboard.press("/")
    page.wait_for_selector('.rl-search__project-select option[value="gamma"]', state="attached")
    options = page.eval_on_selector_all(
        ".rl-search__project-select option[value]:not([value=''])",
        "options => options.map(o => o.textContent)",
    )
    assert options == [f"{name} ({counts[name]})" for name in sorted(counts)]
    page.select_option(".rl-search__project-select", "alpha")
    page.wait_for_function(
        "selector => /filtered/.test(document.querySelector(selector).textContent)", arg=COUNT
    )
    assert total(page) == counts["alpha"]


@pytest.mark.browser
def test_an_index_in_parts_links_pages_without_directory_urls(
    small: SearchSite, page: Any, tmp_path: Path
) -> None:
    repo, site = tmp_path / "repo", tmp_path / "site"
    shutil.copytree(small.repo, repo, symlinks=True)
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text() + "use_directory_urls: false\n")
    result = mkdocs_build(repo, strict=True, site_dir=site, env=IN_PARTS)
    assert result.returncode == 0, result.stderr
    assert _listing(site)["parts"]
    with serve_site(site) as url:
        page.goto(url)
        for word, entry in [
            (small.code_word, small.notebook),
            (small.outcome_word, small.outcome_entry),
        ]:
            type_query(page, word)
            href = shown(page)[0]["href"]
            assert href == url + entry["path"].rsplit(".", 1)[0] + ".html"
            page.goto(href)
            assert entry["title"] in page.title()
            page.goto(url)


def _parts_holding(dated: DatedLog, entries: list[dict[str, Any]]) -> set[int]:
    """The parts of the index that hold these entries' documents."""
    log = build_log(load_settings(dated.repo))
    documents = search_documents(log, Urls(directory_urls=True))
    urls = {"/" + e["url"] for e in entries}
    return {
        number
        for number, part in enumerate(partition(documents, int(_DATED_PAGES)))
        for document in part
        if "/" + document.path.removesuffix("index.html") in urls
    }


def test_the_index_is_split_by_a_stable_hash_of_each_path(monkeypatch: Any) -> None:
    documents = [SearchDocument(f"log/{n}/index.html", "<p>x</p>") for n in range(1000)]
    parts = partition(documents)
    assert len(parts) == 4 and sorted(d.path for p in parts for d in p) == sorted(
        d.path for d in documents
    )
    assert all(200 < len(part) < 300 for part in parts)
    # Where a path goes depends on the path alone: the same in any process, in any order.
    again = partition(documents[::-1])
    assert [{d.path for d in p} for p in parts] == [{d.path for d in p} for p in again]
    assert "log/0/index.html" in {d.path for d in parts[1]}  # sha256, not hash()
    assert len(partition(documents * 100)) == PARTS_MOST
    assert len(partition(documents[:1])) == 1
    monkeypatch.setenv(PART_PAGES_VARIABLE, "10")
    assert part_pages() == 10
    monkeypatch.setenv(PART_PAGES_VARIABLE, "none")
    assert part_pages() == 250


# ---- what is indexed ----------------------------------------------------------------------


def test_markdown_text_keeps_words_and_code_and_drops_markup() -> None:
    text = (
        "# Focal loss\n\nWe tried **focal** loss ([paper](https://example.org/p)).\n\n"
        "![curve](../assets/curve.png){ width=300 }\n\n"
        "| metric | value |\n|---|---:|\n| f1 | 0.81 |\n\n"
        '```python\nmodel.fit(train_set)\n```\n\n<div class="note">Raw HTML</div>\n'
    )
    assert markdown_text(text) == [
        "Focal loss",
        "We tried focal loss (paper).",
        "metric value f1 0.81",
        "model.fit(train_set)",
        "Raw HTML",
    ]


def test_search_documents_carry_filters_and_metadata(repo: Repo) -> None:
    repo.entry(
        "log/2025/2025-01-10-focal-loss.md",
        "# Focal loss for the detector\n\nBody words.\n",
        title="Focal loss for the detector",
        status="dead-end",
        project="defect, detector",
        outcome='No gain, "really" <none>.',
    )
    repo.write("playbook/build-fast.md", "---\ntitle: Build fast\n---\n# Build fast\n\nSoon.\n")
    repo.commit("entry and playbook")
    log = build_log(load_settings(repo.root))
    entry, playbook = search_documents(log, Urls(directory_urls=False), "de")
    assert entry.path == "log/2025/2025-01-10-focal-loss.html"
    assert '<html lang="de">' in entry.html
    assert 'data-rl-status="dead-end"' in entry.html
    assert 'data-rl-outcome="No gain, &quot;really&quot; &lt;none&gt;."' in entry.html
    assert 'data-pagefind-filter="status[data-rl-status], project[data-rl-project]"' in entry.html
    assert 'data-pagefind-sort="date[data-rl-date]"' in entry.html
    assert entry.html.count("Focal loss for the detector") == 2  # <title> and <h1>, not the body
    assert "<p>Body words.</p>" in entry.html
    assert playbook.path == "playbook/build-fast.html"
    assert "data-pagefind-filter" not in playbook.html
    assert 'data-rl-kind="playbook"' in playbook.html


def test_cancelling_the_index_stops_pagefind(tmp_path: Path, monkeypatch: Any) -> None:
    """A failed build stops the indexer it started, pagefind included."""
    pid_file = tmp_path / "pagefind.pid"
    slow = tmp_path / "pagefind"
    slow.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    temporary = tmp_path / "tmp"  # the build's and the worker's temporary folder
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    job = SearchIndexJob.start(
        [SearchDocument("a/index.html", "<p>a</p>")], tmp_path / "out", tmp_path / "cache"
    )
    _wait_for(pid_file.exists, 30)
    pagefind = int(pid_file.read_text())
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 10
    assert job.process is not None and job.process.returncode is not None
    _wait_for(lambda: not _running(pagefind), 10)
    assert job.log is not None and job.log.closed
    assert not list(temporary.iterdir())


def test_the_index_links_the_kept_parts_and_indexes_again_a_part_edited_in_a_site(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The site's index is the kept parts' files, linked, not copied. A file of it edited in
    place (which edits the kept part too) is seen by the next build: that part is indexed
    again, and the site gets pagefind's own file back."""
    monkeypatch.setenv(PART_PAGES_VARIABLE, "2")
    documents = [
        SearchDocument(f"log/{n}/index.html", f"<html><body><h1>Page {n}</h1>w{n}x</body></html>")
        for n in range(8)
    ]
    output, cache = tmp_path / "site/pagefind", tmp_path / "cache"
    first = SearchIndexJob.start(documents, output, cache).finish()
    assert first.ok and "3 of 3 parts" in first.message, first.message  # one part is empty
    in_site, in_cache = _inodes(output), set(_inodes(cache).values())
    made_here = {name for name in in_site if name == "parts.json" or name.startswith("dates-")}
    assert made_here and len(made_here) == 2
    # Every other file of the site's index is the kept part's, linked.
    assert {in_site[name] for name in set(in_site) - made_here} <= in_cache
    entry = output / "pagefind-entry.json"
    original = entry.read_bytes()
    with entry.open("ab") as stream:  # in place, as a hand edit or a script would
        stream.write(b" ")

    again = SearchIndexJob.start(documents, output, cache).finish()
    assert again.ok and "1 of 3 parts" in again.message, again.message
    assert entry.read_bytes() == original
    unchanged = SearchIndexJob.start(documents, output, cache).finish()
    assert unchanged.ok and "unchanged since the last build" in unchanged.message


def _inodes(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.stat().st_ino
        for path in folder.rglob("*")
        if path.is_file()
    }


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has stopped running


@pytest.mark.browser
def test_benchsearch_measures_a_cold_search(small: SearchSite, browser: Any) -> None:
    found, missing = measure_search(
        small.site, [small.code_word, "qqzzxj"], browser=browser, timeout_s=3
    )
    assert found.results_shown == 1
    assert small.notebook["title"] in found.first_result
    assert found.first_result_ms is not None and found.first_result_ms > 0
    # The page itself and the index were served before the first result.
    assert 0 < found.index_bytes_before_result < found.bytes_before_result
    assert found.requests_before_result > 5
    assert missing.first_result_ms is None and missing.results_shown == 0
    (listing,) = measure_listing(small.site, ["dead-end"], browser=browser, timeout_s=3)
    assert listing.query == "status:dead-end" and listing.results_shown == 2
    assert listing.first_result_ms is not None and listing.index_bytes_before_result > 0

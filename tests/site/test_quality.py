"""Quality gates on the built example site, as a careful user and reviewer would check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quality import axe_violations, broken_links, horizontal_overflow, page_problems
from support import entries_json


def page_types(site: Path) -> dict[str, str]:
    """One URL per kind of page the site has (relative to the site root)."""
    entries = entries_json(site)["entries"]
    markdown = next(e for e in entries if e["kind"] == "markdown")
    notebook = next(e for e in entries if e["kind"] == "notebook")
    project = sorted(p.parent.name for p in (site / "projects").glob("*/index.html"))[0]
    playbook = sorted(p.parent.name for p in (site / "playbook").glob("*/index.html"))[0]
    pages = {
        "home": "",
        "markdown entry": markdown["url"],
        "notebook entry": notebook["url"],
        "dead ends": "dead-ends/",
        "outcomes": "outcomes/",
        "project": f"projects/{project}/",
        "projects": "projects/",
        "tags": "tags/",
        "timeline": "timeline/",
        "playbook": f"playbook/{playbook}/",
        "start here": "playbook/",
        "explorer": "explorer/",
        "metrics": "metrics/",
        "portfolio": "portfolio/",
    }
    for name, url in pages.items():
        assert (site / url / "index.html").exists(), f"the site has no {name} page at {url}"
    return pages


def test_no_broken_internal_links_anchors_or_assets(example_site: Path) -> None:
    broken = [str(b) for b in broken_links(example_site) if b.page != "404.html"]
    assert broken == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_work_offline_without_console_noise(
    example_site: Path, example_url: str, browser: Any, scheme: str
) -> None:
    problems: dict[str, list[str]] = {}
    for name, url in page_types(example_site).items():
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        found = page_problems(tab, example_url + url, example_url)
        if found:
            problems[name] = found
        context.close()
    assert problems == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(
    example_site: Path, example_url: str, browser: Any, scheme: str
) -> None:
    violations: dict[str, list[str]] = {}
    context = browser.new_context(color_scheme=scheme)
    tab = context.new_page()
    for name, url in page_types(example_site).items():
        tab.goto(example_url + url, wait_until="networkidle")
        found = axe_violations(tab)
        if found:
            violations[name] = found
    context.close()
    assert violations == {}


def test_narrow_screens_do_not_scroll_sideways(
    example_site: Path, example_url: str, browser: Any
) -> None:
    pages = page_types(example_site)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    tab = context.new_page()
    overflow = {}
    for name in ("home", "markdown entry", "notebook entry", "explorer", "project"):
        tab.goto(example_url + pages[name], wait_until="networkidle")
        overflow[name] = horizontal_overflow(tab)
    context.close()
    assert overflow == dict.fromkeys(overflow, 0)


def test_home_and_entry_page_show_the_header(
    example_site: Path, example_url: str, page: Any
) -> None:
    entries = entries_json(example_site)["entries"]
    dead_end = next(e for e in entries if e["status"] == "dead-end" and e["kind"] == "markdown")
    page.goto(example_url)
    assert page.locator("article h1").inner_text().removesuffix("¶") == "Northwind ML research log"
    cards = page.locator(".rl-card")
    assert cards.count() == 6
    assert page.locator(".rl-card--dead-end .rl-status").text_content() == "✖Dead end"
    page.get_by_role("link", name=dead_end["title"]).first.click()
    page.wait_for_url(example_url + dead_end["url"])
    header = page.locator(".rl-entry")
    assert header.is_visible()
    assert header.locator(".rl-status").first.text_content() == "✖Dead end"
    assert dead_end["outcome"] in header.inner_text()
    assert dead_end["question"] in header.inner_text()

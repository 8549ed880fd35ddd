"""The example log as a new team member meets it: the playbook, scoping, predictions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup

from support import ROOT, entries_json


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def playbook_pages() -> list[dict[str, Any]]:
    pages = []
    for path in sorted((ROOT / "playbook").glob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        pages.append({"slug": path.stem, **front})
    return sorted(pages, key=lambda p: p["order"])


def test_every_principle_cites_entries_from_our_log(example_site: Path) -> None:
    principles = [p for p in playbook_pages() if p["slug"] != "index"]
    assert len(principles) >= 7
    entries = entries_json(example_site)["entries"]
    for principle in principles:
        page = soup(example_site, f"playbook/{principle['slug']}")
        section = page.select_one("h2#from-our-log")
        assert section is not None, principle["slug"]
        cited = [a.get_text() for a in section.find_next("ul").select(".rl-item__title")]
        expected = [e["title"] for e in entries if principle["slug"] in e["lessons"]]
        assert cited and sorted(cited) == sorted(expected), principle["slug"]
        assert "min read" in page.select_one(".rl-reading-time").get_text()


def test_playbook_navigation_follows_order(example_site: Path) -> None:
    page = soup(example_site, "playbook")
    section = next(
        li
        for li in page.select("nav.md-nav--primary > ul > li")
        if li.select_one("nav")
        and " ".join(li.select_one(".md-nav__link").get_text().split()) == "Playbook"
    )
    # The section itself opens Start here; its children follow the pages' order: fields.
    assert section.select_one(".md-nav__container a")["href"] == "./"
    children = [
        " ".join(a.get_text().split())
        for a in section.select("ul.md-nav__list a")
        if a["href"] != "./"  # Material repeats the section's own page for small screens
    ]
    principles = [p["title"] for p in playbook_pages() if p["slug"] != "index"]
    assert children == principles
    order = page.select_one("ol.rl-reading-order")
    assert [a.get_text() for a in order.select("a")] == principles


def test_start_here_lists_the_essential_reading(example_site: Path) -> None:
    highlighted = sorted(
        e["title"] for e in entries_json(example_site)["entries"] if e["highlight"]
    )
    assert len(highlighted) >= 3
    section = soup(example_site, "playbook").select_one("h2#essential-reading")
    listed = sorted(a.get_text() for a in section.find_next("ul").select(".rl-item__title"))
    assert listed == highlighted


def test_scope_entry_renders_its_assumptions_as_a_checklist(example_site: Path) -> None:
    scope = next(e for e in entries_json(example_site)["entries"] if e["kind"] == "scope")
    page = soup(example_site, scope["url"])
    items = page.select("li.task-list-item")
    assert len(items) >= 4
    boxes = [item.select_one("input[type=checkbox]") for item in items]
    assert all(box is not None and box.get("aria-label") for box in boxes)
    ticked = [box for box in boxes if box.has_attr("checked")]
    assert 0 < len(ticked) < len(boxes)
    assert any(item.select_one("del") for item in items), "a refuted assumption is struck"
    assert "Scoping document" in page.select_one(".rl-entry__status").get_text()
    project = soup(example_site, f"projects/{scope['project']}")
    scoping = project.select_one("h2#scoping")
    assert scoping is not None
    assert scope["title"] in scoping.find_next("ul").get_text()
    home = soup(example_site, ".")
    open_count = sum(1 for box in boxes if not box.has_attr("checked")) - sum(
        1 for item in items if item.select_one("del") and not item.select_one("input[checked]")
    )
    assert home.select_one(".rl-assumptions .rl-card__count").get_text() == str(open_count)


def test_compare_predictions_on_the_example_project(
    example_site: Path, example_url: str, page: Any
) -> None:
    with_samples = [
        e
        for e in entries_json(example_site)["entries"]
        if e["project"] == "ticket-routing" and e["samples"]
    ]
    assert len(with_samples) >= 3
    page.goto(example_url + "projects/ticket-routing/")
    summary = page.locator(".rl-compare__summary")
    summary.filter(has_text="differ").wait_for()
    rows = page.locator(".rl-compare__table tbody tr")
    marks = [rows.nth(i).locator("td").nth(0).inner_text() for i in range(rows.count())]
    differing = [m for m in marks if "Differs" in m]
    assert differing, "the example entries disagree on some samples"
    assert marks[: len(differing)] == differing, "differing rows come first"
    page.evaluate("window.__kept = 'same page'")
    first = page.locator("#rl-compare-1")
    current = first.input_value()
    other = next(
        e["slug"]
        for e in with_samples
        if e["slug"] not in (current, page.locator("#rl-compare-2").input_value())
    )
    first.select_option(other)
    page.wait_for_url(f"**?compare={other}**")
    assert page.evaluate("window.__kept") == "same page"
    assert page.locator(".rl-compare__table tbody tr").count() > 0

"""Projects as bets on the example site: each project page opens with its card, the
Portfolio lists the bets due for a decision and who is on which, and each bet has a feed.

Expected values come from the example's own cards and entries, not from the pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from bs4 import BeautifulSoup

from atom import ATOM, atom_problems
from support import ROOT, entries_json


def card(slug: str) -> dict[str, Any]:
    text = (ROOT / "log" / "projects" / f"{slug}.md").read_text(encoding="utf-8")
    front: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return front


def projects(site: Path) -> dict[str, dict[str, Any]]:
    return {p["slug"]: p for p in entries_json(site)["projects"]}


def effort_of(site: Path, project: str) -> float:
    return sum(
        e["effort_days"] or 0 for e in entries_json(site)["entries"] if e["project"] == project
    )


def test_entries_json_lists_the_bets(example_site: Path) -> None:
    data = entries_json(example_site)
    found = projects(example_site)
    assert sorted(found) == sorted(p.stem for p in (ROOT / "log" / "projects").glob("*.md"))
    entries = {e["slug"]: e for e in data["entries"]}
    assert not any(e["path"].startswith("log/projects/") for e in data["entries"])
    for slug, bet in found.items():
        front = card(slug)
        assert bet["title"] == front["title"] and bet["status"] == front["status"]
        assert bet["hypothesis"] == front["hypothesis"] and bet["owners"] == front["owners"]
        assert (bet["main_metric"], bet["dataset"], bet["direction"], bet["target"]) == (
            front["metric"],
            front["dataset"],
            front["direction"],
            front["target"],
        )
        assert bet["budget_days"] == front["budget_days"]
        assert bet["effort_days"] == effort_of(example_site, slug)
        assert [d["decision"] for d in bet["decisions"]] == [
            d["decision"] for d in front["decisions"]
        ]
        best = entries[bet["best"]["entry"]]
        assert best["status"] not in ("planned", "running"), "only finished work sets a best"
        assert best["metrics"][bet["main_metric"]] == bet["best"]["value"]
        over = bet["effort_days"] > bet["budget_days"]
        assert over == any(d["reason"] == "over-budget" for d in bet["due"])
        assert bet["due_for_decision"] == bool(bet["due"])
        assert isinstance(bet["people"], list) and isinstance(bet["stale"], bool)
    # The bets the example's story is about: one pivot at least, and one bet to decide on.
    assert any(d["decision"] in ("pivot", "stop") for p in found.values() for d in p["decisions"])
    assert [p["slug"] for p in found.values() if p["due_for_decision"]] == ["defect-detector"]
    assert found["ticket-routing"]["main_metric"] == "val_macro_f1"
    assert not found["ticket-routing"]["stale"]


@pytest.mark.browser
def test_a_project_page_opens_with_its_card_and_budget(
    example_site: Path, example_url: str, page: Any
) -> None:
    front = card("defect-detector")
    page.goto(example_url + "projects/defect-detector/")
    assert page.locator("article h1").inner_text().removesuffix("¶").strip() == front["title"]
    section = page.get_by_role("region", name="Project card")
    assert section.is_visible()
    facts = dict(
        zip(
            section.locator("dt").all_inner_texts(),
            section.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    assert facts["Hypothesis"] == front["hypothesis"]
    assert facts["Owner"] == ", ".join(front["owners"])
    effort = effort_of(example_site, "defect-detector")
    share = f"{effort / front['budget_days']:.0%}"
    budget = f"{effort:g} of {front['budget_days']} days ({share})"
    assert facts["Budget used"].startswith(budget)
    assert facts["Kill criteria"].startswith(front["kill_criteria"])
    assert front["decisions"][-1]["why"] in facts["Last decision"]
    status = section.locator(".rl-bet-status").inner_text()
    assert status.endswith(front["status"].capitalize()), "the status is a word"
    assert section.locator(".rl-due").inner_text().endswith("Due for a decision")
    # The decisions sit on the timeline with the entries, newest first.
    timeline = page.locator("ol.rl-timeline > li")
    dates = [timeline.nth(i).locator("time").get_attribute("datetime") for i in range(5)]
    assert dates == sorted(dates, reverse=True)
    pivots = page.locator("ol.rl-timeline .rl-decision--pivot")
    assert pivots.count() == sum(1 for d in front["decisions"] if d["decision"] == "pivot")
    page.wait_for_load_state("networkidle")  # the feed link in the head costs no request
    assert [m.text for m in page.console_messages if m.type == "error"] == []


@pytest.mark.browser
def test_the_portfolio_lists_the_bet_due_for_a_decision(
    example_site: Path, example_url: str, page: Any
) -> None:
    due = [p for p in projects(example_site).values() if p["due_for_decision"]]
    assert due
    page.goto(example_url + "portfolio/")
    card_link = page.get_by_role("link", name=f"{len(due)} due for a decision")
    card_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/portfolio/#due")
    listed = page.locator(".rl-due-list li")
    assert listed.count() == len(due)
    for bet in due:
        item = listed.filter(has_text=bet["title"])
        assert item.count() == 1
        for reason in bet["due"]:
            assert reason["text"] in item.inner_text()
    row = page.locator("table.rl-bets tbody tr", has_text=due[0]["slug"])
    assert "Due for a decision" in row.inner_text()
    team = page.locator("table.rl-team tbody tr")
    assert team.count() == len(projects(example_site))


@pytest.mark.browser
def test_each_project_feed_is_announced_and_validates_as_atom(
    example_site: Path, example_url: str, page: Any
) -> None:
    for slug, bet in projects(example_site).items():
        page.goto(example_url + f"projects/{slug}/")
        link = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
        assert link.count() == 1
        feed_url = urljoin(page.url, link.get_attribute("href"))
        visible = page.get_by_role("link", name="Follow this bet")
        assert urljoin(page.url, visible.get_attribute("href")) == feed_url
        response = page.request.get(feed_url)
        assert response.ok
        body = response.body()
        assert atom_problems(body) == [], slug
        root = ET.fromstring(body)
        titles = [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]
        decided = [t for t in titles if t.startswith("Decision: ")]
        assert len(decided) == len(bet["decisions"])
        project_entries = [e for e in entries_json(example_site)["entries"] if e["project"] == slug]
        assert sum(t.startswith("New entry: ") for t in titles) == len(project_entries)
        for element in root.iter(f"{ATOM}link"):  # every link leads to a page of the site
            target = urljoin(feed_url, element.get("href") or "")
            assert page.request.get(target).ok, target
    site_feed = page.request.get(example_url + "feed.xml")
    assert atom_problems(site_feed.body()) == []


@pytest.mark.browser
def test_bets_fit_a_phone(browser: Any, example_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    for url in ("portfolio/", "projects/defect-detector/"):
        phone.goto(example_url + url)
        width = phone.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"{url} scrolls sideways: {width}px wide"
    context.close()


def test_the_card_text_links_work_from_the_project_page(example_site: Path) -> None:
    page = BeautifulSoup(
        (example_site / "projects/demand-forecast/index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    article = page.select_one("article")
    assert article is not None
    links = [a["href"] for a in article.select("p a[href^='../../log/']")]
    assert links, "the card's own text links entries"
    for href in links:
        target = (example_site / "projects/demand-forecast" / href).resolve() / "index.html"
        assert target.exists(), href


def test_the_atom_checker_catches_what_readers_would_trip_on() -> None:
    good = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x:feed</id>'
        "<updated>2026-01-02T03:04:05+00:00</updated><author><name>A</name></author>"
        '<link rel="self" href="f.xml"/><entry><title>E</title><id>urn:x:1</id>'
        '<updated>2026-01-02T03:04:05Z</updated><link rel="alternate" href="e/"/></entry></feed>'
    )
    assert atom_problems(good.encode()) == []
    broken = {
        "<updated>2026-01-02T03:04:05Z</updated>": "<updated>2026-01-02</updated>",
        "<id>urn:x:1</id>": "<id>one</id>",
        '<link rel="alternate" href="e/"/>': "",
        "<author><name>A</name></author>": "",
        "<title>E</title>": "<title>E</title><title>F</title>",
    }
    for old, new in broken.items():
        assert atom_problems(good.replace(old, new).encode()), new

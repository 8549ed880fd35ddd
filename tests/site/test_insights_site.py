"""Seeing across entries: the Explorer, Metrics, Portfolio and project pages, in a real build
and in headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from support import Repo, entries_json, mkdocs_build, serve_site

MKDOCS = """\
site_name: Insights log
docs_dir: playbook
theme:
  name: material
  font: false
  features:
    - navigation.instant
plugins:
  - researchlog:
      metrics:
        latency_ms: lower
      stale_after: 3
"""

# slug: (date, status, project, dataset, metrics, effort, tags)
ENTRIES: dict[str, tuple[str, str, str, str | None, dict[str, float], float | None, list[str]]] = {
    "baseline": ("2025-01-10", "success", "defects", "defects-v3", {"val_f1": 0.80}, 2,
                 ["detection", "baseline"]),
    "focal-loss": ("2025-02-01", "dead-end", "defects", "defects-v3", {"val_f1": 0.78}, 3,
                   ["detection", "loss-functions"]),
    "balanced-sampling": ("2025-03-01", "success", "defects", "defects-v3", {"val_f1": 0.86}, 4,
                          ["detection", "sampling"]),
    "mixup": ("2025-03-15", "dead-end", "defects", "defects-v3",
              {"val_f1": 0.84, "latency_ms": 41}, 1, ["detection", "augmentation"]),
    "distillation": ("2025-04-01", "running", "defects", None, {}, 1, ["detection"]),
    "router-bert": ("2025-02-10", "dead-end", "tickets", "tickets-v1", {"accuracy": 0.70}, 5,
                    ["nlp"]),
    "router-lr": ("2025-02-20", "inconclusive", "tickets", "tickets-v1", {"accuracy": 0.69},
                  2, ["nlp", "baseline"]),
    "router-llm": ("2025-02-25", "inconclusive", "tickets", "tickets-v1", {"accuracy": 0.65},
                   2, ["nlp"]),
    "router-svm": ("2025-03-05", "inconclusive", "tickets", "tickets-v1", {"accuracy": 0.60},
                   1, ["nlp"]),
    "router-plan": ("2025-05-01", "planned", "tickets", None, {}, None, ["nlp"]),
}  # fmt: skip
ODD_TITLE = "Sampling <b>rare</b> defects & 'edge' cases"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = Repo(tmp_path_factory.mktemp("insights") / "repo")
    repo.site_config(MKDOCS)
    for slug, (date, status, project, dataset, metrics, effort, tags) in ENTRIES.items():
        fields: dict[str, Any] = {
            "title": ODD_TITLE if slug == "balanced-sampling" else slug.replace("-", " ").title(),
            "status": status,
            "project": project,
            "date": date,
            "tags": tags,
            "authors": ["Wei Zhang"] if project == "tickets" else ["Ana Lima"],
        }
        if status != "planned":
            fields["question"] = f"Does {slug.replace('-', ' ')} help?"
        if status not in ("planned", "running"):
            fields["outcome"] = f"{slug} finished as {status}."
        if dataset:
            fields["dataset"] = dataset
        if metrics:
            fields["metrics"] = metrics
        if effort is not None:
            fields["effort_days"] = effort
        repo.entry(f"log/2025/{date}-{slug}.md", **fields)
    repo.commit("log entries", date="2025-05-02T10:00:00+00:00")
    built = repo.root.parent / "site"
    result = mkdocs_build(repo.root, strict=True, site_dir=built)
    assert result.returncode == 0, result.stderr
    return built


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_site(site) as url:
        yield url


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def text(element: Any) -> str:
    """Visible text with whitespace collapsed, as a reader sees it."""
    return " ".join(element.get_text().split())


def errors(page: Any) -> list[str]:
    return [m.text for m in page.console_messages if m.type == "error"]


def rows(page: Any) -> list[str]:
    return page.locator(".rl-explorer__table tbody .rl-row__title").all_inner_texts()  # type: ignore[no-any-return]


def wait_for_figures(page: Any, count: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('.rl-figure .main-svg').length >= {count}", timeout=15000
    )


# ----------------------------------------------------------------------------- static pages


def test_navigation_has_the_new_pages(site: Path) -> None:
    nav = [text(a) for a in soup(site, ".").select("nav.md-nav--primary > ul > li > a")]
    assert nav == [
        "Home",
        "Explorer",
        "Dead ends",
        "Outcomes",
        "Projects",
        "Portfolio",
        "Metrics",
        "Tags",
        "Timeline",
    ]


def test_metrics_index_leaderboard(site: Path) -> None:
    page = soup(site, "metrics")
    table = page.select_one("table.rl-leaderboard")
    assert table is not None
    body = [[text(td) for td in tr.select("td")] for tr in table.select("tbody tr")]
    assert body == [
        ["accuracy", "tickets-v1", "higher is better", "4", "0.7", "✖Dead end Router Bert"],
        ["latency_ms", "defects-v3", "lower is better", "1", "41", "✖Dead end Mixup"],
        ["val_f1", "defects-v3", "higher is better", "4", "0.86", f"✔Success {ODD_TITLE}"],
    ]
    link = table.select_one("tbody tr a")
    assert link is not None and link["href"] == "accuracy/#dataset-tickets-v1"


def test_metric_page_leaderboard_is_best_first(site: Path) -> None:
    page = soup(site, "metrics/val-f1")
    assert text(page.select_one("h1")) == "Metric: val_f1"
    board = page.select_one("#dataset-defects-v3 ~ div table.rl-leaderboard")
    assert board is not None
    ranked = [[text(td) for td in tr.select("td")][:2] for tr in board.select("tbody tr")]
    assert ranked == [["1", "0.86"], ["2", "0.84"], ["3", "0.8"], ["4", "0.78"]]
    caption = page.select_one(".rl-figure-wrap figcaption")
    assert caption is not None
    assert text(caption).startswith("4 entries report val_f1 on defects-v3")
    # The chart is named on its <figure>: plotly's toolbar buttons cannot sit in role=img.
    figure = page.select_one("figure.rl-figure-wrap")
    assert figure is not None and "val_f1" in figure["aria-label"]


def test_a_single_value_gets_no_chart(site: Path) -> None:
    page = soup(site, "metrics/latency-ms")
    assert page.select(".rl-figure") == []
    assert len(page.select("table.rl-leaderboard tbody tr")) == 1


def test_portfolio_compares_bets(site: Path) -> None:
    page = soup(site, "portfolio")
    cards = [text(li) for li in page.select(".rl-cards li")]
    assert cards == [
        "2 bets",
        "2 active (running or planned work)",
        "16 days of effort in the last 90 days",
        "1 stale (no improvement in 3 attempts)",
        "1 due for a decision",
    ]
    due = [text(li) for li in page.select(".rl-due-list li")]
    assert due == [
        "!Due for a decision tickets: stale: no new best in 3 attempts (since 2025-03-05);"
        " no decision recorded."
    ]
    effort = page.select_one("table.rl-effort")
    assert effort is not None
    assert [[text(td) for td in tr.select("td")][:3] for tr in effort.select("tbody tr")] == [
        ["tickets", "10 days", "62%"],
        ["defects", "6 days", "38%"],
    ]
    assert "2025-02-02 to 2025-05-02" in page.get_text()
    stale = [text(li) for li in page.select(".rl-stale-list li")]
    assert stale == [
        "tickets: best accuracy on tickets-v1 0.7, no improvement in its last 3 attempts."
    ]
    bets = {
        text(tr.select_one("td")): [text(td) for td in tr.select("td")]
        for tr in page.select("table.rl-bets tbody tr")
    }
    assert bets["defects"][4:7] == [
        "11 days",
        "0.86 val_f1 on defects-v3",
        "no improvement in its last 2 attempts",
    ]
    assert bets["tickets"][6] == "Stale no improvement in its last 3 attempts"


def test_project_page_shows_the_bet(site: Path) -> None:
    page = soup(site, "projects/defects")
    assert "5 entries · effort 11 days · last activity 2025-05-02" in text(page)
    headings = [text(h) for h in page.select("article h2")]
    assert headings[0] == "Returns"
    facts = dict(
        zip(
            [text(dt) for dt in page.select(".rl-bet dt")],
            [text(dd) for dd in page.select(".rl-bet dd")],
            strict=True,
        )
    )
    assert facts == {
        "Main metric": "val_f1 on defects-v3 (higher is better)",
        "Best so far": f"0.86, {ODD_TITLE}",
        "Since then": "no improvement in its last 2 attempts",
    }
    caption = text(page.select_one(".rl-figure-wrap figcaption"))
    assert caption == (
        f"Best val_f1 on defects-v3 so far: 0.86, reached by {ODD_TITLE} after 9 days;"
        " total effort 11 days; no improvement in its last 2 attempts. Click a point to open"
        " its entry."
    )


def test_related_entries_mark_dead_ends(site: Path) -> None:
    page = soup(site, "log/2025/2025-01-10-baseline")
    related = page.select("#related ~ ul.rl-list li")
    assert related, "the baseline has related entries"
    assert len(related) <= 5
    dead = [li for li in related if "rl-item--dead-end" in li["class"]]
    assert dead and all(text(li.select_one(".rl-status")) == "✖Dead end" for li in dead)


# ----------------------------------------------------------------------------- browser


@pytest.mark.browser
def test_explorer_filters_by_status_and_the_url_reproduces_it(
    page: Any, site: Path, site_url: str
) -> None:
    dead_ends = [e["title"] for e in entries_json(site)["entries"] if e["status"] == "dead-end"]
    page.goto(site_url + "explorer/")
    page.wait_for_selector(".rl-explorer__table tbody tr")
    assert len(rows(page)) == len(ENTRIES)
    page.select_option("#rl-x-status", "dead-end")
    assert sorted(rows(page)) == sorted(dead_ends)
    assert page.locator(".rl-explorer__count").inner_text() == "3 of 10 entries."
    assert not page.locator(".rl-explorer__more").is_visible()  # nothing more to show
    assert parse_qs(urlsplit(page.url).query) == {"status": ["dead-end"]}

    shared = page.context.new_page()
    shared.goto(page.url)
    shared.wait_for_selector(".rl-explorer__table tbody tr")
    assert sorted(rows(shared)) == sorted(dead_ends)
    assert shared.input_value("#rl-x-status") == "dead-end"

    page.go_back()
    page.wait_for_function("document.querySelectorAll('.rl-row').length === 10")
    assert page.input_value("#rl-x-status") == ""
    page.go_forward()
    page.wait_for_function("document.querySelectorAll('.rl-row').length === 3")
    assert errors(page) == []


@pytest.mark.browser
def test_explorer_combines_filters_in_the_url(page: Any, site_url: str) -> None:
    page.goto(site_url + "explorer/?tag=detection&tag=baseline&sort=title&dir=desc")
    page.wait_for_selector(".rl-explorer__table tbody tr")
    assert rows(page) == ["Baseline"]  # both tags must match
    page.goto(site_url + "explorer/?project=defects&from=2025-02-01&to=2025-03-15&sort=title")
    page.wait_for_selector(".rl-explorer__table tbody tr")
    assert rows(page) == ["Focal Loss", "Mixup", ODD_TITLE]  # title escaped, not HTML
    page.goto(site_url + "explorer/?q=router+helP&author=Wei+Zhang&sort=date&dir=asc")
    page.wait_for_selector(".rl-explorer__table tbody tr")
    assert rows(page) == ["Router Bert", "Router Lr", "Router Llm", "Router Svm"]  # not planned
    header = page.locator('th[data-column="date"]')
    assert header.get_attribute("aria-sort") == "ascending"


@pytest.mark.browser
def test_explorer_works_with_the_keyboard_alone(page: Any, site_url: str) -> None:
    page.goto(site_url + "explorer/")
    page.wait_for_selector(".rl-explorer__table tbody tr")
    page.focus("#rl-x-q")
    page.keyboard.type("router")
    assert len(rows(page)) == 5
    page.keyboard.press("Tab")  # to the status filter
    assert page.evaluate("document.activeElement.id") == "rl-x-status"
    page.keyboard.press("Tab")  # project
    page.keyboard.press("Tab")  # the tag box
    assert page.evaluate("document.activeElement.id") == "rl-x-tag"
    page.keyboard.type("baseline")
    page.keyboard.press("Enter")
    assert rows(page) == ["Router Lr"]
    assert parse_qs(urlsplit(page.url).query) == {"q": ["router"], "tag": ["baseline"]}
    chip = page.locator(".rl-chip")
    assert chip.get_attribute("aria-label") == "Remove tag baseline"
    chip.focus()
    page.keyboard.press("Enter")
    assert len(rows(page)) == 5
    assert page.evaluate("document.activeElement.id") == "rl-x-tag"

    sort = page.locator('button[data-sort="title"]')
    sort.focus()
    page.keyboard.press("Enter")
    assert rows(page) == ["Router Bert", "Router Llm", "Router Lr", "Router Plan", "Router Svm"]
    assert page.locator('th[data-column="title"]').get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert rows(page) == ["Router Svm", "Router Plan", "Router Lr", "Router Llm", "Router Bert"]
    assert page.locator('th[data-column="title"]').get_attribute("aria-sort") == "descending"
    assert page.locator('th[data-column="date"]').get_attribute("aria-sort") == "none"
    assert page.locator(".rl-explorer__count").inner_text() == "5 of 10 entries."


@pytest.mark.browser
def test_explorer_fits_a_phone(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(site_url + "explorer/")
    phone.wait_for_selector(".rl-explorer__table tbody tr")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px wide"
    context.close()


@pytest.mark.browser
def test_metrics_chart_draws_one_point_per_entry_and_opens_it(
    page: Any, site: Path, site_url: str
) -> None:
    expected = [e for e in entries_json(site)["entries"] if "val_f1" in e["metrics"]]
    page.goto(site_url + "metrics/val-f1/")
    wait_for_figures(page, 1)
    points = page.locator(".rl-figure .scatterlayer .trace .points path.point")
    assert points.count() == len(expected) == 4
    legend = page.locator(".rl-figure .legendtext").all_text_contents()
    assert legend == ["Best so far", "Success", "Dead end"]
    symbols = page.evaluate(
        """() => [...document.querySelectorAll('.rl-figure .scatterlayer .trace')]
            .map(t => [...t.querySelectorAll('path.point')].map(p => p.getAttribute('d')))
            .filter(d => d.length).map(d => d[0])"""
    )
    assert len(set(symbols)) == 2, "success and dead end need different marker shapes"

    def hover(point: Any) -> str:
        page.mouse.move(0, 0)
        page.wait_for_selector(".hoverlayer .hovertext", state="detached")
        box = point.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector(".hoverlayer .hovertext")
        return page.locator(".hoverlayer").text_content()  # type: ignore[no-any-return]

    traces = page.locator(".rl-figure .scatterlayer .trace")
    success = traces.nth(1).locator("path.point")
    hovers = [hover(success.nth(index)) for index in range(success.count())]
    assert any(ODD_TITLE in h for h in hovers), hovers  # user text shown as text, not markup

    target = traces.nth(2).locator("path.point").first
    shown_text = hover(target)
    shown = next(e for e in expected if e["status"] == "dead-end" and e["title"] in shown_text)
    assert "Dead end" in shown_text and shown["outcome"] in shown_text
    box = target.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(site_url + shown["url"])
    assert page.locator("h1").inner_text() == shown["title"]
    assert errors(page) == []


@pytest.mark.browser
def test_chart_colours_follow_the_scheme(page: Any, site_url: str) -> None:
    page.goto(site_url + "metrics/val-f1/")
    wait_for_figures(page, 1)
    script = """() => {
        const point = document.querySelector('.rl-figure .scatterlayer .trace:nth-child(3) .point');
        const badge = getComputedStyle(document.body).getPropertyValue('--rl-dead-end-fg');
        return [getComputedStyle(point).fill || point.style.fill, badge.trim()];
    }"""
    light_fill, light_badge = page.evaluate(script)
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    page.wait_for_function(
        "getComputedStyle(document.querySelector("
        "'.rl-figure .scatterlayer .trace:nth-child(3) .point')).fill !== " + json.dumps(light_fill)
    )
    dark_fill, dark_badge = page.evaluate(script)
    assert light_badge != dark_badge

    def rgb(colour: str) -> tuple[int, ...]:
        if colour.startswith("#"):
            return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return tuple(int(n) for n in re.findall(r"\d+", colour)[:3])

    assert rgb(light_fill) == rgb(light_badge)
    assert rgb(dark_fill) == rgb(dark_badge)


@pytest.mark.browser
def test_project_page_draws_its_returns_curve(page: Any, site_url: str) -> None:
    page.goto(site_url + "projects/defects/")
    wait_for_figures(page, 1)
    figure = page.locator(".rl-figure")
    assert figure.locator(".xtitle").text_content() == "Cumulative effort (days)"
    assert figure.locator(".ytitle").text_content() == "val_f1 (higher is better)"
    assert figure.locator(".scatterlayer path.point").count() == 4  # entries with val_f1
    line = figure.locator(".scatterlayer .trace").first.locator("path.js-line")
    assert line.count() == 1  # the best so far, as a step line
    ticks = figure.locator(".xtick text").all_text_contents()
    assert ticks and float(ticks[-1]) <= 11  # cumulative effort is 11 days
    assert errors(page) == []


@pytest.mark.browser
def test_pages_work_after_instant_navigation(page: Any, site_url: str) -> None:
    """Material swaps page content without a reload: figures and the explorer still start."""
    page.goto(site_url)
    page.locator("nav.md-nav--primary a", has_text="Metrics").first.click()
    page.wait_for_url(site_url + "metrics/")
    page.locator("table.rl-leaderboard a", has_text="val_f1").first.click()
    page.wait_for_url(site_url + "metrics/val-f1/#dataset-defects-v3")
    wait_for_figures(page, 1)
    assert page.locator(".rl-figure .scatterlayer path.point").count() == 4
    page.locator("nav.md-nav--primary a", has_text="Explorer").first.click()
    page.wait_for_url(site_url + "explorer/")
    page.wait_for_function("document.querySelectorAll('.rl-row').length === 10")
    assert page.evaluate("performance.getEntriesByName('researchlog:explorer-load').length") == 1
    page.select_option("#rl-x-status", "success")
    assert len(rows(page)) == 2
    assert page.evaluate("performance.getEntriesByName('researchlog:explorer-render').length") == 1
    assert errors(page) == []

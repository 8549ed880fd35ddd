"""The generated site, from a real `mkdocs build` of a real repository."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from support import Repo, by_slug, mkdocs_build

ATOM = "{http://www.w3.org/2005/Atom}"


def text(element: object) -> str:
    """Visible text with whitespace collapsed, as a reader sees it."""
    return " ".join(element.get_text().split())  # type: ignore[attr-defined]


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path]:
    repo = Repo(tmp_path_factory.mktemp("site") / "repo")
    repo.site_config()
    repo.write("playbook/index.md", "---\ntitle: Start here\n---\n# Start here\n\nRead on.\n")
    repo.write(
        "playbook/build-fast.md",
        "---\ntitle: Build fast\norder: 1\n---\n# Build fast\n\n"
        "See [the focal loss entry](../log/2025/2025-03-02-focal-loss.md).\n",
    )
    repo.entry(
        "log/2025/2025-03-02-focal-loss.md",
        "# Focal loss\n\nWe tried it.\n",
        title="Focal loss for the defect detector",
        status="running",
        question="Does focal loss beat weighted BCE?",
        project="defect-detector",
        tags=["detection", "loss-functions"],
        dataset="defects-v3",
        metrics={"val_f1": 0.81, "latency_ms": 41},
        effort_days=2,
        lessons=["build-fast"],
    )
    repo.commit("add focal loss", date="2025-03-02T09:00:00+01:00")
    repo.entry(
        "log/2025/2025-03-02-focal-loss.md",
        "# Focal loss\n\nWe tried it.\n",
        title="Focal loss for the defect detector",
        status="dead-end",
        question="Does focal loss beat weighted BCE?",
        project="defect-detector",
        outcome="No gain (F1 0.81 vs 0.82) and 3x slower.",
        tags=["detection"],
        dataset="defects-v3",
        metrics={"val_f1": 0.81, "latency_ms": 41},
        effort_days=2,
        lessons=["build-fast"],
    )
    repo.entry(
        "log/2025/2025-03-10-weighted-bce.md",
        title="Weighted BCE baseline",
        status="superseded",
        superseded_by="2025-03-20-balanced-sampling",
        project="defect-detector",
        outcome="Fine, but beaten.",
    )
    repo.entry(
        "log/2025/2025-03-20-balanced-sampling.md",
        title="Class-balanced sampling",
        status="success",
        project="defect-detector",
        outcome="F1 0.86, shipped.",
        tags=["detection"],
    )
    repo.entry(
        "log/2025/2025-04-01-ticket-router.md",
        title="Ticket router baseline",
        status="planned",
        project="ticket-routing",
    )
    repo.commit(
        "dead end, and three more",
        date="2025-03-19T11:00:00+01:00",
        author=("Wei Zhang", "wei@example.org"),
    )
    site = repo.root.parent / "site"
    result = mkdocs_build(repo.root, strict=True, site_dir=site)
    assert result.returncode == 0, result.stderr
    return repo, site


def test_build_writes_nothing_into_the_log(built: tuple[Repo, Path]) -> None:
    repo, _ = built
    assert repo.git("status", "--porcelain") == ""


def test_entry_page_header(built: tuple[Repo, Path]) -> None:
    _, site = built
    page = soup(site, "log/2025/2025-03-02-focal-loss")
    header = page.select_one(".rl-entry")
    assert header is not None
    badge = header.select_one(".rl-status")
    assert badge is not None and badge.get_text(strip=True) == "✖Dead end"
    assert "rl-status--dead-end" in badge["class"]
    facts = {
        dt.get_text(): dd.get_text(" ", strip=True)
        for dt, dd in zip(header.select("dt"), header.select("dd"), strict=True)
    }
    assert facts["Question"] == "Does focal loss beat weighted BCE?"
    assert facts["Outcome"] == "No gain (F1 0.81 vs 0.82) and 3x slower."
    assert facts["Project"] == "defect-detector"
    assert facts["Dataset"] == "defects-v3"
    assert facts["Authors"] == "Ana Lima, Wei Zhang"
    assert facts["Date"] == "2025-03-02"
    assert facts["Effort"] == "2 days"
    assert facts["Tags"] == "detection"
    assert facts["Lessons"] == "Build fast"
    project = header.select_one("dd a[href]")
    assert project is not None and project["href"] == "../../../projects/defect-detector/"
    metrics = {row.th.get_text(): row.td.get_text() for row in header.select("tbody tr")}
    assert metrics == {"val_f1": "0.81", "latency_ms": "41"}
    # No direction is configured: each is inferred from the metric's name.
    directions = [td.get_text() for td in header.select("tbody .rl-metrics__dir")]
    assert directions == ["higher is better", "lower is better"]
    assert page.select_one(".md-tag").get_text() == "detection"
    assert "reached dead end after 17 days" in header.get_text()


def test_entry_history_section(built: tuple[Repo, Path]) -> None:
    _, site = built
    page = soup(site, "log/2025/2025-03-02-focal-loss")
    assert page.select_one("h2#history") is not None
    rows = page.select(".rl-history__table tbody tr")
    assert [r.select("td")[3].get_text() for r in rows] == [
        "dead end, and three more",
        "add focal loss",
    ]
    statuses = page.select_one(".rl-history__statuses").get_text(" ", strip=True)
    assert "Running" in statuses and "Dead end" in statuses
    assert "Ana Lima (1 commit), Wei Zhang (1 commit)" in page.get_text()


def test_superseded_banner_and_successor(built: tuple[Repo, Path]) -> None:
    _, site = built
    old = soup(site, "log/2025/2025-03-10-weighted-bce")
    banner = old.select_one(".rl-banner")
    assert banner is not None
    assert "This entry was superseded by Class-balanced sampling ✔Success." in text(banner)
    assert banner.a["href"] == "../2025-03-20-balanced-sampling/"
    new = soup(site, "log/2025/2025-03-20-balanced-sampling")
    assert "This entry replaces Weighted BCE baseline." in text(new.select_one(".rl-banner"))


def test_dead_ends_page_groups_by_project(built: tuple[Repo, Path]) -> None:
    _, site = built
    page = soup(site, "dead-ends")
    headings = [h.get_text(strip=True) for h in page.select("article h2")]
    assert headings == ["defect-detector"]
    items = page.select(".rl-item")
    assert len(items) == 1
    assert "No gain (F1 0.81 vs 0.82) and 3x slower." in items[0].get_text()


def test_home_counts_and_navigation(built: tuple[Repo, Path]) -> None:
    _, site = built
    page = soup(site, ".")
    counts = {
        card["class"][1].removeprefix("rl-card--"): card.select_one(".rl-card__count").get_text()
        for card in page.select(".rl-card")
    }
    assert counts == {
        "planned": "1",
        "running": "0",
        "success": "1",
        "dead-end": "1",
        "inconclusive": "0",
        "superseded": "1",
    }
    items = page.select("nav.md-nav--primary > ul > li")
    nav = [text(li.select_one(".md-nav__link")) for li in items]
    assert nav == [
        "Home",
        "Playbook",
        "Explorer",
        "Dead ends",
        "Outcomes",
        "Projects",
        "Portfolio",
        "Metrics",
        "Tags",
        "Timeline",
    ]
    assert "Focal loss" not in page.select_one("nav.md-nav--primary").get_text()


def test_projects_and_tags_pages(built: tuple[Repo, Path]) -> None:
    _, site = built
    project = soup(site, "projects/defect-detector")
    assert [h.get_text(strip=True) for h in project.select("article h2")] == [
        "Returns",
        "Success (1)",
        "Dead end (1)",
        "Superseded (1)",
    ]
    assert "effort 2 days" in project.get_text()
    tag = soup(site, "tags/detection")
    assert len(tag.select(".rl-item")) == 2


def test_playbook_links_resolve_and_list_entries(built: tuple[Repo, Path]) -> None:
    _, site = built
    page = soup(site, "playbook/build-fast")
    link = page.select_one("article p a[href*='focal-loss']")
    assert link is not None and link["href"] == "../../log/2025/2025-03-02-focal-loss/"
    taught = page.select(".rl-item__title")
    assert [a.get_text() for a in taught] == ["Focal loss for the defect detector"]


def test_entries_json(built: tuple[Repo, Path]) -> None:
    _, site = built
    data = json.loads((site / "entries.json").read_text())
    assert data["version"] == 1
    entries = by_slug(site)
    assert set(entries) == {
        "2025-03-02-focal-loss",
        "2025-03-10-weighted-bce",
        "2025-03-20-balanced-sampling",
        "2025-04-01-ticket-router",
    }
    focal = entries["2025-03-02-focal-loss"]
    assert focal["path"] == "log/2025/2025-03-02-focal-loss.md"
    assert focal["url"] == "log/2025/2025-03-02-focal-loss/"
    assert focal["kind"] == "markdown"
    assert focal["metrics"] == {"val_f1": 0.81, "latency_ms": 41}
    assert focal["created"] == "2025-03-02T09:00:00+01:00"
    assert focal["updated"] == "2025-03-19T11:00:00+01:00"
    assert [s["status"] for s in focal["status_history"]] == ["running", "dead-end"]
    assert focal["git_authors"] == [
        {"name": "Ana Lima", "commits": 1},
        {"name": "Wei Zhang", "commits": 1},
    ]
    assert entries["2025-03-20-balanced-sampling"]["supersedes"] == ["2025-03-10-weighted-bce"]


def test_feed_is_valid_atom(built: tuple[Repo, Path]) -> None:
    _, site = built
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Week of 2025-03-17: 3 new entries, 1 status change",
        "Week of 2025-02-24: 1 new entry",
    ]
    content = entries[0].findtext(f"{ATOM}content") or ""
    assert "Focal loss for the defect detector: Running → Dead end" in content


def test_timeline_lists_status_changes(built: tuple[Repo, Path]) -> None:
    _, site = built
    page = soup(site, "timeline")
    weeks = [h.get_text(strip=True) for h in page.select("article h2")]
    assert weeks == ["Week of 2025-03-17", "Week of 2025-02-24"]
    first_week = [text(li) for li in page.select("ul.rl-events")[0].select("li")]
    assert "2025-03-19 Focal loss for the defect detector ◔Running → ✖Dead end defect-detector" in (
        first_week
    )


def test_strict_build_fails_on_a_broken_entry(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.site_config()
    repo.entry("log/ok.md", title="Fine")
    repo.write("log/bad.md", "---\ntitle: Bad\nstatus: dead_end\n---\n")
    lenient = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert lenient.returncode == 0, lenient.stderr
    assert (tmp_path / "site/log/ok/index.html").exists()
    assert not (tmp_path / "site/log/bad/index.html").exists()
    assert 'log/bad.md:3: error: unknown status "dead_end"' in lenient.stderr
    strict = mkdocs_build(repo.root, strict=True, site_dir=tmp_path / "strict")
    assert strict.returncode == 1
    output = strict.stdout + strict.stderr
    assert "Aborted with" in output and "in strict mode" in output

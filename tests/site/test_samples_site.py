"""Sample predictions on the built site: entry sections, the demo link, the JSON the build
writes, and Compare predictions in a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from support import (
    MINIMAL_MKDOCS,
    Repo,
    by_slug,
    entry_text,
    free_port,
    mkdocs_build,
    serve_site,
)

ROUTER = "log/2025/2025-05-02-router.md"
BASELINE = "2025-05-01-keyword-rules"
CSV_ENTRY = "2025-05-10-tfidf-classifier"
JSONL_ENTRY = "2025-05-20-fine-tuned-encoder"
IMAGES = "2025-06-01-defect-snapshots"
LONG_TICKET = (
    "Since the last update the export button does nothing at all: I click it, the spinner"
    " shows for a second, and then no file is downloaded, in Chrome and in Firefox."
)
THEME = """\
  font: false
  features: [navigation.instant]
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
"""
# (id, ticket, expected, keyword rules, tf-idf, fine-tuned); None: no such sample
TICKETS: list[tuple[str, str, str, str | None, str | None, str | None]] = [
    ("t1", "My invoice shows a double charge for May", "billing", "billing", "billing", "billing"),
    ("t2", "App crashes when I upload a photo", "bug", "account", "bug", "bug"),
    ("t3", "How do I change my password?", "account", "account", "account", "billing"),
    ("t4", LONG_TICKET, "bug", "bug", "bug", "feature-request"),
    (
        "t5",
        "Please add a dark mode <script>alert(1)</script>",
        "feature-request",
        "billing",
        "feature-request",
        "feature-request",
    ),
    ("t6", "Cancel my subscription", "account", None, None, "account"),
]


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def text(element: Any) -> str:
    return " ".join(element.get_text().split())


def ticket_log(repo: Repo, site_url: str) -> None:
    """Three entries of one project with samples in all three forms and the same ids."""
    config = MINIMAL_MKDOCS.replace("  font: false\n", THEME)
    repo.write("mkdocs.yml", f"site_url: {site_url}\n{config}")
    inline = [
        {"id": t[0], "input": t[1], "expected": t[2], "prediction": t[3]}
        for t in TICKETS
        if t[3] is not None
    ]
    inline[1]["note"] = "Keyword 'upload' routes to account"
    repo.entry(
        f"log/2025/{BASELINE}.md",
        title="Keyword rules baseline",
        status="success",
        project="ticket-routing",
        date="2025-05-01",
        outcome="Accuracy 0.60.",
        samples=inline,
    )
    csv_rows = ["id,input,expected,prediction,note"] + [
        ",".join(['"' + v.replace('"', '""') + '"' for v in (t[0], t[1], t[2], t[4])] + [""])
        for t in TICKETS
        if t[4] is not None
    ]
    repo.write(f"log/2025/{CSV_ENTRY}.samples.csv", "\n".join(csv_rows) + "\n")
    repo.entry(
        f"log/2025/{CSV_ENTRY}.md",
        title="TF-IDF classifier",
        status="success",
        project="ticket-routing",
        date="2025-05-10",
        outcome="Accuracy 0.83.",
        samples=f"{CSV_ENTRY}.samples.csv",
    )
    jsonl = [
        json.dumps({"id": t[0], "input": t[1], "expected": t[2], "prediction": t[5]})
        for t in TICKETS
    ]
    repo.write(f"log/2025/{JSONL_ENTRY}.samples.jsonl", "\n".join(jsonl) + "\n")
    repo.entry(
        f"log/2025/{JSONL_ENTRY}.md",
        title="Fine-tuned encoder",
        status="running",
        project="ticket-routing",
        date="2025-05-20",
        samples=f"{JSONL_ENTRY}.samples.jsonl",
        demo="https://demo.example.org/router?v=2",
    )
    # Another project: image inputs, and more rows than are shown.
    repo.write("log/2025/snapshots/scratch-1.png", _PNG)
    repo.write("log/2025/snapshots/dent-2.png", _PNG)
    photo = {"input": "snapshots/scratch-1.png", "expected": "scratch", "prediction": "scratch"}
    rows = [
        {"id": 1, **photo},
        {"id": 2, "input": "snapshots/dent-2.png", "expected": "dent", "prediction": "scratch"},
    ] + [
        {"id": n, "input": f"part {n}", "expected": "ok", "prediction": "ok" if n % 10 else "dent"}
        for n in range(3, 603)
    ]
    repo.write(f"log/2025/{IMAGES}.samples.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    repo.entry(
        f"log/2025/{IMAGES}.md",
        title="Defect snapshots",
        status="running",
        project="defect-detector",
        date="2025-06-01",
        samples=f"{IMAGES}.samples.jsonl",
    )
    repo.commit("ticket routing and defect entries")


# A 1x1 PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc00000030101001850dd6c0000000049454e44ae426082"
)


PORT = free_port()
# Material's instant navigation only follows links listed in the sitemap, which it matches by
# protocol, host name and port: site_url must name the port the test server listens on.
SITE_URL = f"http://127.0.0.1:{PORT}/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = Repo(tmp_path_factory.mktemp("samples") / "repo")
    repo.site_config()
    ticket_log(repo, SITE_URL)
    site = repo.root.parent / "site"
    result = mkdocs_build(repo.root, strict=True, site_dir=site)
    assert result.returncode == 0, result.stderr
    assert repo.git("status", "--porcelain") == ""  # building writes nothing into the log
    return site


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_site(site, port=PORT) as url:
        assert url == SITE_URL
        yield url


def test_entry_page_lists_samples_marked_in_words(site: Path) -> None:
    page = soup(site, f"log/2025/{BASELINE}")
    heading = page.select_one("h2#sample-predictions")
    assert heading is not None and heading.get_text(strip=True) == "Sample predictions"
    section = page.select_one(".rl-samples")
    assert text(section.select_one(".rl-samples__count")) == "3 of 5 samples correct."
    head = [th.get_text() for th in section.select("thead th")]
    assert head == ["ID", "Result", "Input", "Expected", "Prediction", "Note"]
    rows = [[text(cell) for cell in tr.select("th, td")] for tr in section.select("tbody tr")]
    assert rows[0] == [
        "t1",
        "✔Correct",
        "My invoice shows a double charge for May",
        "billing",
        "billing",
        "",
    ]
    assert rows[1][:2] == ["t2", "✖Incorrect"]
    assert rows[1][5] == "Keyword 'upload' routes to account"
    # The icon is decoration; the word carries the meaning.
    icon = section.select_one(".rl-mark__icon")
    assert icon is not None and icon["aria-hidden"] == "true"
    # User text is escaped, never run.
    assert page.select("article script") == []
    assert "<script>alert(1)</script>" in text(section)


def test_long_text_is_folded(site: Path) -> None:
    page = soup(site, f"log/2025/{BASELINE}")
    folded = page.select(".rl-samples details.rl-fold")
    assert len(folded) == 1
    summary = folded[0].summary.get_text()
    assert summary == " ".join(LONG_TICKET.split())[:120].rstrip() + "…"
    assert text(folded[0].select_one(".rl-samples__text")) == LONG_TICKET


def test_file_samples_link_their_source(site: Path) -> None:
    page = soup(site, f"log/2025/{CSV_ENTRY}")
    section = page.select_one(".rl-samples")
    assert text(section.select_one(".rl-samples__count")) == "5 of 5 samples correct."
    source = section.select_one(".rl-samples__source a")
    assert source.get_text() == f"{CSV_ENTRY}.samples.csv"
    target = (site / f"log/2025/{CSV_ENTRY}" / source["href"]).resolve()
    assert target == (site / f"log/2025/{CSV_ENTRY}.samples.csv").resolve() and target.exists()


def test_images_are_a_gallery_and_large_files_are_cut(site: Path) -> None:
    page = soup(site, f"log/2025/{IMAGES}")
    section = page.select_one(".rl-samples")
    assert text(section.select_one(".rl-samples__count")) == "541 of 602 samples correct."
    cut = section.select_one(".rl-samples__cut")
    assert (
        text(cut)
        == f"Showing the first 500 of 602 samples; all of them are in {IMAGES}.samples.jsonl."
    )
    items = section.select(".rl-gallery li")
    assert len(items) == 500
    image = items[1].select_one("img")
    assert image["alt"] == "Input of sample 2: dent-2.png"
    assert image["loading"] == "lazy"
    assert image.parent.name == "a" and image.parent["href"] == image["src"]
    assert (site / f"log/2025/{IMAGES}" / image["src"]).resolve().exists()
    assert text(items[1].select_one(".rl-gallery__result")) == "✖Incorrect"
    facts = [text(x) for x in items[1].select("dt, dd")]
    assert facts == ["ID", "2", "Expected", "dent", "Prediction", "scratch"]
    assert text(items[2].select_one(".rl-gallery__text")) == "part 3"


def test_demo_link_is_first_in_the_header(site: Path) -> None:
    page = soup(site, f"log/2025/{JSONL_ENTRY}")
    header = page.select_one(".rl-entry")
    demo = header.select_one("a.rl-demo")
    assert demo is not None
    assert demo.get_text(strip=True) == "▶Try the demo" and demo.span["aria-hidden"] == "true"
    assert demo["href"] == "https://demo.example.org/router?v=2"
    assert "md-button--primary" in demo["class"]
    assert text(demo.parent) == "▶ Try the demo on demo.example.org"
    # Straight under the status line, before the facts.
    blocks = [child for child in header.children if getattr(child, "name", None)]
    assert [b.get("class")[0] for b in blocks[:3]] == [
        "rl-entry__status",
        "rl-demo-line",
        "rl-facts",
    ]
    assert soup(site, f"log/2025/{CSV_ENTRY}").select_one("a.rl-demo") is None


def test_build_writes_samples_json(site: Path) -> None:
    data = json.loads((site / f"samples/{JSONL_ENTRY}.json").read_text(encoding="utf-8"))
    assert data["title"] == "Fine-tuned encoder"
    assert data["url"] == f"log/2025/{JSONL_ENTRY}/"
    assert [r["id"] for r in data["rows"]] == ["t1", "t2", "t3", "t4", "t5", "t6"]
    assert data["rows"][2] == {
        "id": "t3",
        "input": "How do I change my password?",
        "image": None,
        "expected": "account",
        "prediction": "billing",
        "correct": False,
        "note": None,
    }
    big = json.loads((site / f"samples/{IMAGES}.json").read_text(encoding="utf-8"))
    assert (len(big["rows"]), big["total"]) == (500, 602)
    assert big["rows"][0]["image"] == "log/2025/snapshots/scratch-1.png"
    entries = by_slug(site)
    assert entries[CSV_ENTRY]["samples"] == {
        "source": f"log/2025/{CSV_ENTRY}.samples.csv",
        "url": f"samples/{CSV_ENTRY}.json",
        "total": 5,
        "correct": 5,
        "incorrect": 0,
        "unknown": 0,
    }


def test_project_page_offers_the_comparison(site: Path) -> None:
    page = soup(site, "projects/ticket-routing")
    assert page.select_one("h2#compare-predictions") is not None
    view = page.select_one(".rl-compare")
    selects = view.select("select")
    assert [s["id"] for s in selects] == ["rl-compare-1", "rl-compare-2"]
    assert [view.select_one(f"label[for={s['id']}]").get_text() for s in selects] == [
        "Entry 1",
        "Entry 2",
    ]
    options = [o["value"] for o in selects[0].select("option")]
    assert options == [JSONL_ENTRY, CSV_ENTRY, BASELINE]  # newest first
    # By default the two most recent entries with samples, the older one first.
    assert [s.select_one("option[selected]")["value"] for s in selects] == [
        CSV_ENTRY,
        JSONL_ENTRY,
    ]
    for option in selects[0].select("option"):
        assert (site / "projects/ticket-routing" / option["data-file"]).resolve().exists()
    script = view["data-researchlog-script"]
    assert (site / "projects/ticket-routing" / script).resolve().name == "compare.js"
    # One entry with samples is nothing to compare.
    assert soup(site, "projects/defect-detector").select_one(".rl-compare") is None


def grid(page: Any) -> list[list[str]]:
    """The comparison table as a reader sees it: one list of cell texts per row."""
    rows: list[list[str]] = page.eval_on_selector_all(
        ".rl-compare__table tbody tr",
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )
    return rows


@pytest.mark.browser
def test_compare_predictions_in_the_browser(page: Any, site_url: str) -> None:
    project = f"{site_url}projects/ticket-routing/"
    page.goto(project)
    status = page.locator(".rl-compare__summary")
    status.filter(has_text="differ").wait_for()
    assert status.inner_text() == (
        "2 of 6 samples differ between “TF-IDF classifier” and “Fine-tuned encoder”; they are"
        " listed first. 1 sample is missing from some of them."
    )
    assert status.get_attribute("role") == "status"
    heads = page.locator(".rl-compare__table thead th").all_inner_texts()
    assert [" ".join(h.split()) for h in heads] == [
        "Sample",
        "Agreement",
        "Input",
        "Expected",
        "Prediction of TF-IDF classifier 2025-05-10",
        "Prediction of Fine-tuned encoder 2025-05-20",
    ]
    rows = grid(page)
    # Differing samples first, then the one only some entries have, then the rest.
    assert [r[0] for r in rows] == ["t3", "t4", "t6", "t1", "t2", "t5"]
    assert [r[1] for r in rows] == ["≠ Differs"] * 2 + ["∅ Missing in some"] + ["= Same"] * 3
    assert rows[0][4:] == ["account ✔ Correct", "billing ✖ Incorrect"]
    assert rows[2][4] == "no such sample"
    assert page.locator(".rl-compare__table details.rl-fold").count() == 1
    assert page.locator(".rl-compare__table script").count() == 0  # escaped, not run

    # Switching entries updates the table in place: no reload, the address follows.
    page.evaluate("window.__kept = 'same page'")
    page.select_option("#rl-compare-1", BASELINE)
    status.filter(has_text="Keyword rules baseline").wait_for()
    assert [r[0] for r in grid(page)] == ["t2", "t3", "t4", "t5", "t6", "t1"]
    assert page.evaluate("window.__kept") == "same page"
    assert page.url == f"{project}?compare={BASELINE}&compare={JSONL_ENTRY}"

    # Three entries side by side.
    page.get_by_role("button", name="Add an entry").click()
    status.filter(has_text="the 3 entries").wait_for()
    assert page.locator("#rl-compare-3").input_value() == CSV_ENTRY
    assert page.locator("#rl-compare-3").evaluate("e => e === document.activeElement")
    assert len(grid(page)[0]) == 7
    assert page.get_by_role("button", name="Add an entry").is_hidden()  # all entries shown
    assert page.evaluate("window.__kept") == "same page"
    page.get_by_role("button", name="Remove entry 3").click()
    status.filter(has_text="Keyword rules baseline").wait_for()
    assert page.get_by_role("button", name="Add an entry").is_visible()

    # The address is shareable: opening it shows the same comparison.
    page.goto(f"{project}?compare={JSONL_ENTRY}&compare={BASELINE}")
    status.filter(has_text="differ").wait_for()
    assert page.locator("#rl-compare-1").input_value() == JSONL_ENTRY
    assert "between “Fine-tuned encoder” and “Keyword rules baseline”" in status.inner_text()
    errors = [m.text for m in page.console_messages if m.type == "error"]
    assert errors == []


@pytest.mark.browser
def test_compare_after_instant_navigation_and_on_a_phone(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{site_url}log/2025/{CSV_ENTRY}/")
        page.evaluate("window.__kept = 'no reload'")
        page.locator(".rl-facts a", has_text="ticket-routing").click()
        page.locator(".rl-compare__table tbody tr").first.wait_for()
        assert page.evaluate("window.__kept") == "no reload"  # Material's instant navigation
        assert [r[0] for r in grid(page)][:2] == ["t3", "t4"]
        # On a phone the table scrolls inside its own box; the page does not.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        box = page.locator(".rl-compare .rl-table-scroll")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        assert box.get_attribute("tabindex") == "0"  # reachable by keyboard to scroll
        # Keyboard: change an entry from its select without a mouse.
        page.locator("#rl-compare-1").focus()
        page.keyboard.press("ArrowDown")
        page.locator(".rl-compare__summary", has_text="Keyword rules baseline").wait_for()
        assert page.url.endswith(f"?compare={BASELINE}&compare={JSONL_ENTRY}")
        # Dark scheme: marks take the scheme's colours.
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        colour = page.locator(".rl-compare .rl-mark--correct").first.evaluate(
            "e => getComputedStyle(e).color"
        )
        assert colour == "rgb(200, 230, 201)"
        assert all(r.startswith(site_url) for r in requests), "nothing from other hosts"
    finally:
        context.close()


def test_build_reports_bad_samples_and_still_builds(repo: Repo, tmp_path: Path) -> None:
    repo.write(ROUTER, entry_text(title="Router", samples="router.csv"))
    repo.write("log/2025/router.csv", "id,input,expected,prediction\n1,x,y,y\n2,x\n")
    lenient = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert lenient.returncode == 0, lenient.stderr
    assert "log/2025/router.csv:3: error: this row has 2 values" in lenient.stderr
    page = (tmp_path / "site/log/2025/2025-05-02-router/index.html").read_text()
    assert "1 of 1 sample correct." in page
    strict = mkdocs_build(repo.root, strict=True, site_dir=tmp_path / "strict")
    assert strict.returncode == 1

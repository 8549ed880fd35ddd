"""Real notebooks render as their authors saw them.

35 real notebooks with saved outputs, from public PyPI sdists (tests/realnb/manifest.json,
downloaded and checked at test time by tests/realnb/fetch.py), and 5 CONSTRUCTED ones for
the cases no registry artifact covers (tests/realnb/constructed.py), are committed as entries
of one real git repository, built once with `mkdocs build` and served on 127.0.0.1. Every page
is opened in headless Chromium and compared with nbformat's own reading of its notebook.

The output contract (`output_kind`, mirrored by researchlog/notebooks/outputs.py) says which
`.rl-nb-output` element each output becomes.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from realnb.constructed import IDS as CONSTRUCTED_IDS
from realnb.constructed import write_constructed
from realnb.fetch import FetchError, default_cache, manifest, real_notebooks
from support import Repo, mkdocs_build, serve_site

pytestmark = [pytest.mark.realnb, pytest.mark.slow]

REAL_IDS = tuple(record["id"] for record in manifest())
IDS = REAL_IDS + CONSTRUCTED_IDS
LOG = "log/realnb"
CONFIG = """\
site_name: Real notebooks
docs_dir: playbook
theme:
  name: material
  font: false
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
plugins:
  - search
  - researchlog:
      # What is tested here is how outputs are drawn, not the size limit (tested in
      # test_notebooks): chartify's 5.1 MB notebook is shown whole.
      notebook_max_mb: 50
"""
# Problems the build may report for any of these notebooks: each was taken out of the
# folder it was written in, so the files it links to beside it (other notebooks, images,
# .rst pages) are not in this log; and some show pictures from other hosts, which the site
# links to instead of loading them (and says so).
EXPECTED_PROBLEMS = (
    re.compile(r"warning: links to (?!\w+:)\S.*, but the site has no file "),
    re.compile(r"warning: cell \d+ loads \d+ files? from another host "),
)
# Pages with charts or widgets, by kind (see output_kind); test_chart_pages_are_listed
# checks this against the notebooks.
CHART_PAGES = {
    "plotly": ("mkdocs-jupyter-demo", "jupytext-plotly-graphs"),
    "vega": ("ipp-scheduler-benchmarks", "constructed-vega-mime"),
    "bokeh": ("mkdocs-jupyter-demo", "chartify-examples"),
    "widget": (
        "nbconvert-widget-list",
        "nbconvert5-widget-list",
        "nbconvert-notebook-inject",
        "ipp-monte-carlo",
        "ipp-progress",
        "ipp-visualizing-tasks",
        "ipp-parallel-magics",
        "pythreejs-textures",
    ),
}
CHART_SELECTORS = {
    "plotly": (".rl-figure", "svg.main-svg"),
    "vega": (".rl-vega", "svg, canvas"),
    "bokeh": (".rl-bokeh", "canvas"),
    "widget": (".rl-widget", ""),  # the widget itself is visible
}

# ----------------------------------------------------------------------------- the contract

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KINDS_BY_MIME = (
    (WIDGET_VIEW, "widget"),
    ("application/vnd.plotly.v1+json", "plotly"),
    *((f"application/vnd.vegalite.v{v}+json", "vega") for v in (5, 4, 3, 2)),
    *((f"application/vnd.vega.v{v}+json", "vega") for v in (5, 4, 3)),
    ("application/vnd.bokehjs_exec.v0+json", "bokeh"),
    ("text/html", "html"),
    ("image/svg+xml", "image"),
    ("image/png", "image"),
    ("image/jpeg", "image"),
    ("image/gif", "image"),
    ("text/markdown", "markdown"),
    ("text/latex", "latex"),
    ("application/javascript", "script"),
    ("text/plain", "text"),
)
BOKEH_LOADER = "application/vnd.bokehjs_load.v0+json"
REMOVED_CELL = {"remove-cell", "remove_cell", "remove-output", "remove_output"}


def output_kind(output: dict[str, Any], widget_models: set[str]) -> str | None:
    """The kind of page element one notebook output becomes, or None for no element.

    The contract: every output of every code cell (as nbformat reads the file, consecutive
    stream outputs of one stream name merged, cells tagged remove-cell or remove-output left
    out) is exactly one `.rl-nb-output` element in the page, its `data-output` attribute
    naming the kind returned here:

    - "stream" and "error" by output_type;
    - otherwise by the first MIME type the output has, in this order:
      application/vnd.jupyter.widget-view+json -> "widget" (only if the notebook's
      metadata.widgets state holds the view's model_id; else the next MIME type decides),
      application/vnd.plotly.v1+json -> "plotly", application/vnd.vegalite.v5/v4/v3/v2+json
      and application/vnd.vega.v5/v4/v3+json -> "vega", application/vnd.bokehjs_exec.v0+json
      -> "bokeh", text/html -> "html", image/svg+xml, image/png, image/jpeg, image/gif ->
      "image", text/markdown -> "markdown", text/latex -> "latex", application/javascript
      -> "script", text/plain -> "text";
    - no element for an output with none of these, for Bokeh's loader (an output with
      application/vnd.bokehjs_load.v0+json and no bokehjs_exec), and for plotly's loader
      (only text/html and text/plain, the HTML setting window.PlotlyConfig and holding no
      figure: plotly 5 and later start every figure saved as HTML with the same
      window.PlotlyConfig script, and those figures are "html").
    """
    kind = output.get("output_type")
    if kind in ("stream", "error"):
        return str(kind)
    data = output.get("data") or {}
    if BOKEH_LOADER in data and "application/vnd.bokehjs_exec.v0+json" not in data:
        return None
    html = data.get("text/html", "")
    html = "".join(html) if isinstance(html, list) else str(html)
    if (
        set(data) <= {"text/html", "text/plain"}
        and "window.PlotlyConfig" in html[:2000]
        and "plotly-graph-div" not in html
    ):
        return None
    for mime, name in KINDS_BY_MIME:
        if mime not in data:
            continue
        if mime == WIDGET_VIEW:
            view = data[mime]
            if not (isinstance(view, dict) and view.get("model_id") in widget_models):
                continue
        return name
    return None


def widget_models(notebook: Any) -> set[str]:
    """The model ids whose state the notebook saved (metadata.widgets)."""
    widgets = notebook.metadata.get("widgets") or {}
    saved = widgets.get("application/vnd.jupyter.widget-state+json") or {}
    state = saved.get("state") if isinstance(saved, dict) else None
    return set(state) if isinstance(state, dict) else set()


def expected_kinds(notebook: Any) -> list[str]:
    """The kinds of the page's `.rl-nb-output` elements, in order (see output_kind)."""
    models = widget_models(notebook)
    kinds: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or REMOVED_CELL & set(cell.metadata.get("tags", [])):
            continue
        merged: list[dict[str, Any]] = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else {}
            if (
                output.get("output_type") == "stream"
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")
            ):
                continue  # CoalesceStreamsPreprocessor merges it into the previous one
            merged.append(output)
        kinds += [k for k in (output_kind(o, models) for o in merged) if k is not None]
    return kinds


def finished_tqdm_bars(notebook: Any) -> int:
    """Widget views that are finished tqdm bars: an HBox holding an HTML label with 100%
    and a progress bar whose value is its max."""
    saved = (notebook.metadata.get("widgets") or {}).get(
        "application/vnd.jupyter.widget-state+json"
    ) or {}
    state = saved.get("state") or {}
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = (output.get("data") or {}).get(WIDGET_VIEW)
            model = state.get(view.get("model_id")) if isinstance(view, dict) else None
            if not model or model.get("model_name") != "HBoxModel":
                continue
            children = [
                state.get(str(child).removeprefix("IPY_MODEL_"), {})
                for child in model["state"].get("children", [])
            ]
            names = {child.get("model_name"): child.get("state", {}) for child in children}
            bar = names.get("FloatProgressModel") or names.get("IntProgressModel")
            label = names.get("HTMLModel", {}).get("value", "")
            if bar and "100%" in label and bar.get("value") == bar.get("max"):
                count += 1
    return count


# ----------------------------------------------------------------------------- the site


@dataclass
class RealSite:
    root: Path
    site: Path
    url: str
    build: subprocess.CompletedProcess[str] = field(repr=False)
    entries: dict[str, Path] = field(repr=False)  # id -> the entry file in the repository
    visits: dict[str, Visit] = field(default_factory=dict, repr=False)

    def page_url(self, notebook: str) -> str:
        return f"{self.url}{LOG}/{notebook}/"

    def page_file(self, notebook: str) -> Path:
        return self.site / LOG / notebook / "index.html"

    def notebook(self, notebook: str) -> Any:
        return nbformat.read(self.entries[notebook], as_version=4)


def with_front_matter(path: Path, notebook: str) -> str:
    """The notebook's JSON as it is, with metadata.researchlog added (nbformat 3 too)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("metadata", {})["researchlog"] = {
        "title": notebook,
        "status": "success",
        "question": f"Does {notebook} render as its author saw it?",
        "outcome": "A real notebook, shown on the site.",
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    """All real and constructed notebooks in one repository, built once and served."""
    try:
        real = real_notebooks(default_cache())
    except FetchError as exc:
        pytest.fail(f"the real notebooks could not be fetched: {exc}")
    base = tmp_path_factory.mktemp("realnb")
    sources = {nb.id: nb.path for nb in real}
    sources.update(write_constructed(real, base / "constructed"))
    repo = Repo(base / "repo")
    repo.site_config(CONFIG)
    entries = {}
    for notebook, path in sources.items():
        entries[notebook] = repo.write(f"{LOG}/{notebook}.ipynb", with_front_matter(path, notebook))
    repo.commit("Real notebooks")
    site = base / "site"
    build = mkdocs_build(repo.root, site_dir=site)
    assert build.returncode == 0, build.stderr
    with serve_site(site) as url:
        yield RealSite(repo.root, site, url, build, entries)


# ----------------------------------------------------------------------------- the browser


@dataclass
class Visit:
    """What Chromium saw on one page, after scrolling through it to its end."""

    status: int | None
    console_errors: list[str]
    page_errors: list[str]
    failed: list[str]
    offsite: list[str]
    broken_images: list[str]
    misplaced_math: list[str]  # inline formulas taken out of their line of text
    html: str


SCROLL_THROUGH = """async () => {
  const step = Math.max(window.innerHeight - 100, 200);
  for (let y = 0; y < document.documentElement.scrollHeight && y < 500 * step; y += step) {
    window.scrollTo(0, y);
    await new Promise(done => setTimeout(done, 25));
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
  await Promise.all([...document.images].map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done);
    img.addEventListener('error', done);
    setTimeout(done, 5000);
  })));
  return [...document.images]
    .filter(img => img.getAttribute('src') && (!img.complete || img.naturalWidth === 0))
    .map(img => img.src.slice(0, 200));
}"""


# Inline formulas whose box, or a box around them inside their paragraph, floats or is a
# block: they are no longer in their line of text.
MISPLACED_MATH = """() => [...document.querySelectorAll('.md-content math')]
  .filter(math => math.getAttribute('display') !== 'block')
  .filter(math => {
    const stop = /^(p|li|td|th|dd|dt|h[1-6]|div|article|figcaption|blockquote)$/i;
    for (let box = math; box && !stop.test(box.localName); box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.float !== 'none' || style.position === 'absolute') return true;
      if (box !== math && /^(block|flex|grid|table)$/.test(style.display)) return true;
    }
    return false;
  })
  .map(math => math.getAttribute('alttext') || math.textContent)"""


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


@pytest.fixture(scope="session")
def context(browser: Any) -> Iterator[Any]:
    """One browser context for every page; requests to other hosts are refused (and
    recorded by each visit)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(lambda url: not is_local(url), lambda route: route.abort())
    yield context
    context.close()


def open_page(context: Any, url: str) -> tuple[Any, dict[str, list[str]], Any]:
    """A new tab in the shared context, recording what goes wrong, at `url`."""
    page = context.new_page()
    seen: dict[str, list[str]] = {"console": [], "errors": [], "failed": [], "requests": []}

    def console(message: Any) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            seen["console"].append(f"{message.text} [{where[:200]}]")

    def response(answer: Any) -> None:
        if answer.status >= 400:
            seen["failed"].append(f"{answer.url[:200]} (HTTP {answer.status})")

    def failed(request: Any) -> None:
        seen["failed"].append(f"{request.url[:200]} ({request.failure})")

    page.on("console", console)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("requestfailed", failed)
    page.on("response", response)
    return page, seen, page.goto(url, wait_until="load")


def close_page(page: Any) -> None:
    """Close a tab once its requests are done (the test server complains of cut transfers)."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=5_000)
    page.close()


def visit(real_site: RealSite, context: Any, notebook: str) -> Visit:
    """The page in Chromium, opened once per session and remembered."""
    if notebook in real_site.visits:
        return real_site.visits[notebook]
    page, seen, response = open_page(context, real_site.page_url(notebook))
    broken: list[str] = []
    misplaced: list[str] = []
    if response is not None and response.ok:
        broken = page.evaluate(SCROLL_THROUGH)
        misplaced = page.evaluate(MISPLACED_MATH)
        # Still busy after 10 s: the requests made so far are judged.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=10_000)
    result = Visit(
        status=response.status if response is not None else None,
        console_errors=list(seen["console"]),
        page_errors=list(seen["errors"]),
        failed=list(seen["failed"]),
        offsite=[u[:200] for u in seen["requests"] if not is_local(u)],
        broken_images=broken,
        misplaced_math=misplaced,
        html=page.content(),
    )
    page.close()
    real_site.visits[notebook] = result
    return result


def notebook_body(html: str, notebook: str) -> tuple[BeautifulSoup, Tag | None, list[Tag]]:
    """The page; its title if the notebook gave it (a first Markdown cell's heading), else
    None; and the other elements of its article that come from the notebook: those after
    the entry's header (.rl-entry) and before the History section."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one(".md-content article")
    if article is None:
        return soup, None, []
    title = article.find("h1")
    if title is not None and title.get_text(strip=True).rstrip("¶") == notebook:
        title = None  # the front matter's title
    body: list[Tag] = []
    started = article.select_one(".rl-entry") is None
    for child in article.find_all(recursive=False):
        if not started:
            started = "rl-entry" in (child.get("class") or [])
            continue
        if child.get("id") == "history":
            break
        body.append(child)
    return soup, title, body


# ----------------------------------------------------------------------------- the source


def markdown_parser() -> MarkdownIt:
    """CommonMark with `$…$` math, as Jupyter reads Markdown cells."""
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, allow_space=True)


def markdown_cells(notebook: Any) -> list[str]:
    return [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "markdown" and not REMOVED_CELL & set(cell.metadata.get("tags", []))
    ]


def plain_text(children: list[Token], *, math: bool = True) -> str:
    """A heading's text as Jupyter takes it for its anchor (math with its dollars)."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "math_inline":
            parts.append(f"${child.content}$" if math else "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(plain_text(child.children, math=math))
    return "".join(parts)


@dataclass
class MarkdownFacts:
    headings: list[str] = field(default_factory=list)  # Jupyter anchors of top-level headings
    literal_dollars: int = 0  # headings with a $ that is not math
    lists_after_text: list[str] = field(default_factory=list)  # first item of each
    fragments: list[str] = field(default_factory=list)  # targets of links to #anchors


def markdown_facts(notebook: Any) -> MarkdownFacts:
    md = markdown_parser()
    facts = MarkdownFacts()
    for source in markdown_cells(notebook):
        tokens = md.parse(source)
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and token.level == 0:
                children = tokens[index + 1].children or []
                facts.headings.append(re.sub(r"\s+", "-", plain_text(children).strip()))
                facts.literal_dollars += "$" in plain_text(children, math=False)
            before = tokens[index - 1] if index else None
            if (
                token.type in ("bullet_list_open", "ordered_list_open")
                and token.level == 0
                and before is not None
                and before.type == "paragraph_close"
                and before.map
                and token.map
                and before.map[1] == token.map[0]
            ):
                item = next(t for t in tokens[index:] if t.type == "inline")
                first = re.sub(r"\s+", " ", plain_text(item.children or [])).strip()
                facts.lists_after_text.append(first[:40])
        for link in _walk(tokens):
            href = link.attrGet("href") if link.type == "link_open" else None
            if isinstance(href, str) and href.startswith("#") and len(href) > 1:
                facts.fragments.append(unquote(href[1:]))
        facts.fragments += [unquote(f) for f in re.findall(r"href=[\"']#([^\"']+)", source)]
    return facts


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def build_problems(stderr: str, notebook: str) -> list[str]:
    """The build's problems for one entry: its lines that start with the entry's path."""
    path = f"{LOG}/{notebook}.ipynb"
    found = []
    for line in stderr.splitlines():
        text = re.sub(r"^(INFO|WARNING|ERROR)\s+-\s+(researchlog:\s+)?", "", line)
        if text.startswith(f"{path}:"):
            found.append(text)
    return found


# ----------------------------------------------------------------------------- tests


def test_chart_pages_are_listed(real_site: RealSite) -> None:
    """CHART_PAGES (used to parametrize test_charts_and_widgets_are_drawn) is what the
    notebooks hold."""
    found: dict[str, set[str]] = {kind: set() for kind in CHART_PAGES}
    for notebook in IDS:
        for kind in expected_kinds(real_site.notebook(notebook)):
            if kind in found:
                found[kind].add(notebook)
    assert found == {kind: set(pages) for kind, pages in CHART_PAGES.items()}


@pytest.mark.parametrize("notebook", IDS)
def test_build_reports_no_unexpected_problem(real_site: RealSite, notebook: str) -> None:
    problems = build_problems(real_site.build.stderr, notebook)
    unexpected = [p for p in problems if not any(e.search(p) for e in EXPECTED_PROBLEMS)]
    assert unexpected == [], "\n".join(unexpected)


@pytest.mark.browser
@pytest.mark.parametrize("notebook", IDS)
def test_page_loads_cleanly_from_this_site_alone(
    real_site: RealSite, context: Any, notebook: str
) -> None:
    """No console errors, uncaught exceptions, failed requests, images that do not show, or
    requests to other hosts; except for the files beside the notebook in its package, which
    the build reported missing (EXPECTED_PROBLEMS)."""
    assert real_site.page_file(notebook).exists(), f"no page for {notebook}"
    seen = visit(real_site, context, notebook)
    assert seen.status == 200
    missing = missing_files(real_site, notebook)
    problems = {
        "console error": seen.console_errors,
        "uncaught exception": seen.page_errors,
        "failed request": seen.failed,
        "request to another host": seen.offsite,
        "image that does not show": seen.broken_images,
    }
    report = [
        f"{what}: {item}"
        for what, items in problems.items()
        for item in items
        if not any(url in item for url in missing)
    ]
    assert report == [], "\n".join(report)


def missing_files(real_site: RealSite, notebook: str) -> set[str]:
    """The addresses of files the notebook links to that the build reported missing."""
    found = set()
    for problem in build_problems(real_site.build.stderr, notebook):
        match = MISSING_FILE.search(problem)
        if match:
            found.add(f"{real_site.url}{match.group(1)}")
    return found


MISSING_FILE = re.compile(r", but the site has no file (\S+)$")


@pytest.mark.browser
@pytest.mark.parametrize("notebook", IDS)
def test_every_output_is_one_element_of_its_kind(
    real_site: RealSite, context: Any, notebook: str
) -> None:
    assert real_site.page_file(notebook).exists(), f"no page for {notebook}"
    expected = expected_kinds(real_site.notebook(notebook))
    soup = BeautifulSoup(visit(real_site, context, notebook).html, "html.parser")
    shown = [str(e.get("data-output")) for e in soup.select(".md-content .rl-nb-output")]
    assert Counter(shown) == Counter(expected)
    assert shown == expected


@pytest.mark.browser
@pytest.mark.parametrize(
    ("notebook", "kind"),
    [(notebook, kind) for kind, pages in CHART_PAGES.items() for notebook in pages],
)
def test_charts_and_widgets_are_drawn(
    real_site: RealSite, context: Any, notebook: str, kind: str
) -> None:
    assert real_site.page_file(notebook).exists(), f"no page for {notebook}"
    notebook_node = real_site.notebook(notebook)
    count = expected_kinds(notebook_node).count(kind)
    container, drawn = CHART_SELECTORS[kind]
    page, _, _ = open_page(context, real_site.page_url(notebook))
    try:
        charts = page.locator(f".md-content {container}")
        assert charts.count() >= count, f"{charts.count()} {container} for {count} {kind} outputs"
        for index in range(count):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            shown = chart.locator(drawn).first if drawn else chart
            shown.wait_for(state="visible", timeout=15_000)
        if kind == "widget":
            finished = page.locator(f".md-content {container}").evaluate_all(FINISHED_BARS)
            assert finished >= finished_tqdm_bars(notebook_node)
    finally:
        close_page(page)


# A widget showing a finished bar: its text has 100%, and its bar is at its max
# (a <progress>, or an element with role=progressbar and aria-valuenow/-valuemax).
FINISHED_BARS = """widgets => widgets.filter(widget => {
  if (!widget.innerText.includes('100%')) return false;
  const bar = widget.querySelector('progress, [role=progressbar]');
  if (!bar) return false;
  if (bar.localName === 'progress') return bar.max > 0 && bar.value >= bar.max;
  const now = Number(bar.getAttribute('aria-valuenow'));
  const max = Number(bar.getAttribute('aria-valuemax'));
  return max > 0 && now >= max;
}).length"""


@pytest.mark.browser
@pytest.mark.parametrize("notebook", IDS)
def test_markdown_cells_read_as_in_jupyter(
    real_site: RealSite, context: Any, notebook: str
) -> None:
    """Top-level headings of Markdown cells are the page's headings (in its table of
    contents, no $ left from math); a list right after a line of text is a list; links to
    #Jupyter-Style-Anchors reach their heading; formulas are typeset where they stand (also
    inside HTML blocks, as MathJax does) and inline ones stay in their line."""
    assert real_site.page_file(notebook).exists(), f"no page for {notebook}"
    facts = markdown_facts(real_site.notebook(notebook))
    seen = visit(real_site, context, notebook)
    soup, title, body = notebook_body(seen.html, notebook)
    headings: list[Tag] = []
    for element in body:
        if re.fullmatch(r"h[1-6]", element.name):
            headings.append(element)
        else:  # not a heading inside a cell's outputs or inside a block of Markdown
            headings += [h for h in element.select(HEADINGS) if not h.find_parent(class_=BLOCKS)]
    report = []
    # The page's title, when the notebook's first heading gave it, is not in the table of
    # contents (Material leaves the title out); every other heading is.
    toc = soup.select_one("nav.md-nav--secondary")
    toc_targets = {unquote(a["href"][1:]) for a in toc.select("a[href^='#']")} if toc else set()
    missing = [h.get("id") for h in headings if h.get("id") not in toc_targets]
    if missing:
        report.append(f"{len(missing)} headings not in the table of contents: {missing}")
    headings = [title, *headings] if title is not None else headings
    shown = [text_of(h) for h in headings]
    if len(headings) != len(facts.headings):
        report.append(
            f"{len(facts.headings)} headings in Markdown cells, {len(headings)} on the page:"
            f" {facts.headings} / {shown}"
        )
    dollars = [text for text in shown if "$" in text]
    if len(dollars) != facts.literal_dollars:
        report.append(f"headings with $ left from math: {dollars}")
    items = [text_of(li) for li in soup.select(".md-content li")]
    for first in facts.lists_after_text:
        if not any(item.startswith(first[:20]) for item in items):
            report.append(f"a list after a line of text is not a list: no item {first!r}")
    ids = {str(e["id"]) for e in soup.select(".md-content [id]")}
    anchors = set(facts.headings)
    for fragment in facts.fragments:
        if fragment in anchors and fragment not in ids:
            report.append(f"a link to #{fragment} reaches nothing")
    if seen.misplaced_math:
        report.append(
            f"{len(seen.misplaced_math)} inline formulas out of their line of text, such as"
            f" {seen.misplaced_math[:3]}"
        )
    tex = [t for block in soup.select(".md-content .rl-nb-markdown") for t in tex_left(block)]
    if tex:
        report.append(f"{len(tex)} formulas left as $…$ text, such as {tex[:2]}")
    assert report == [], "\n".join(report)


# $…$ holding TeX (a backslash, ^, _ or braces), on one line: a formula MathJax would typeset.
TEX = re.compile(r"\$[^$\n]*[\\^_{}][^$\n]*\$")


def tex_left(block: Tag) -> list[str]:
    """Formulas left as text in a rendered Markdown block (code and preformatted text aside)."""
    copy = BeautifulSoup(str(block), "html.parser")
    for code in copy.select("code, pre"):
        code.decompose()
    return [m[:60] for m in TEX.findall(copy.get_text())]


HEADINGS = "h1, h2, h3, h4, h5, h6"
BLOCKS = re.compile(r"^rl-nb-(cell|markdown|outputs)$")


def text_of(element: Tag) -> str:
    return re.sub(r"\s+", " ", element.get_text(" ")).strip().rstrip("¶").strip()


@pytest.mark.browser
def test_constructed_cases_show_what_was_saved(real_site: RealSite, context: Any) -> None:
    """The constructed cases beyond counts: 300 stream chunks read as one text, the mp4
    video can be played, the SVG without xmlns is drawn."""
    streams = BeautifulSoup(
        visit(real_site, context, "constructed-stream-runs").html, "html.parser"
    ).select(".md-content .rl-nb-stream")
    lines = "".join(
        o.text
        for o in real_site.notebook("constructed-stream-runs").cells[1].outputs
        if o.name == "stdout"
    )
    assert streams and streams[0].get_text() == lines
    page, _, _ = open_page(context, real_site.page_url("constructed-video-mp4"))
    try:
        video = page.locator(".md-content video")
        assert video.count() == 1
        source = video.evaluate("v => v.currentSrc || v.getAttribute('src') || ''")
        assert source, "the video has no source"
        video.scroll_into_view_if_needed()
        page.wait_for_function(
            "v => v.readyState >= 1 || v.error", arg=video.element_handle(), timeout=10_000
        )
        assert video.evaluate("v => v.error && v.error.message") is None
    finally:
        close_page(page)
    svg = visit(real_site, context, "constructed-svg-no-xmlns")
    assert BeautifulSoup(svg.html, "html.parser").select('.md-content img[src$=".svg"]')
    assert svg.broken_images == []

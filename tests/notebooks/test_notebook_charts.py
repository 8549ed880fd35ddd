"""Charts and widgets of other libraries, from a notebook really run with Bokeh, Altair,
plotly and tqdm, drawn in Chromium from their data by the site's own copies of BokehJS,
vega-embed and plotly.js: with nothing from other hosts, and nothing of the notebook's own
script run."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from support import Repo, free_port, mkdocs_build, serve_site

ENTRY = "log/2025/charts.ipynb"
PAGE = "log/2025/charts/"
PORT = free_port()
CONFIG = f"""\
site_name: Test log
site_url: http://127.0.0.1:{PORT}/
docs_dir: playbook
theme:
  name: material
  font: false
  features: [navigation.instant]
  palette:
    - scheme: default
      toggle: {{icon: material/weather-night, name: Switch to dark mode}}
    - scheme: slate
      toggle: {{icon: material/weather-sunny, name: Switch to light mode}}
plugins:
  - researchlog
"""
CELLS = [
    # Bokeh 3, as output_notebook() and show() save it; with a callback and HTML that must
    # not run on the site.
    "from bokeh.io import output_notebook, show\n"
    "from bokeh.layouts import column\n"
    "from bokeh.models import CustomJS, Div\n"
    "from bokeh.plotting import figure\n"
    "output_notebook(hide_banner=True)\n"
    "p = figure(title='Validation loss', width=400, height=250)\n"
    "p.line([1, 2, 3, 4], [0.9, 0.5, 0.4, 0.35])\n"
    "p.js_on_event('tap', CustomJS(code=\"document.body.dataset.bokehjs = 'ran'\"))\n"
    "show(column(Div(text='<b onmouseover=\"document.body.dataset.div = 1\">Run 7</b>'), p))",
    # Altair, as a vega-lite MIME bundle (JupyterLab's renderer) ...
    "import altair as alt\nimport pandas as pd\nalt.renderers.enable('mimetype')\n"
    "data = pd.DataFrame({'epoch': [1, 2, 3], 'loss': [0.9, 0.5, 0.4]})\n"
    "chart = alt.Chart(data).mark_line().encode(x='epoch', y='loss')"
    ".properties(title='Loss by epoch')\nchart",
    # ... and as HTML that calls vegaEmbed from a CDN.
    "alt.renderers.enable('html')\nchart",
    # plotly saved as HTML only (its notebook_connected renderer).
    "import plotly.graph_objects as go\nimport plotly.io as pio\n"
    "pio.renderers.default = 'notebook_connected'\n"
    "go.Figure(go.Bar(x=['a', 'b'], y=[3, 1]), layout_title_text='Bars').show()",
    # A tqdm bar: an HBox of HTML, FloatProgress and HTML, its state saved by nbclient.
    "from tqdm.notebook import tqdm\nfor _ in tqdm(range(500)):\n    pass",
    # A training loop that prints a line per epoch, flushed each time: one stream output
    # per line, as nbclient saves them.
    "import sys\nfor epoch in range(300):\n"
    "    print(f'epoch {epoch} loss {1 / (epoch + 1):.4f}')\n    sys.stdout.flush()",
]
FRONT = """---
title: Charts of every library
status: success
question: Are charts of other libraries drawn?
outcome: Yes, from their data.
---"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbformat import v4

    notebook = v4.new_notebook(cells=[v4.new_raw_cell(FRONT)])
    notebook.cells += [v4.new_code_cell(source) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    folder = tmp_path_factory.mktemp("charts")
    ExecutePreprocessor(timeout=300).preprocess(notebook, {"metadata": {"path": str(folder)}})
    mimes = {m for c in notebook.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert {
        "application/vnd.bokehjs_exec.v0+json",
        "application/vnd.vegalite.v5+json",
        "application/vnd.jupyter.widget-view+json",
    } <= mimes, mimes
    assert notebook.metadata["widgets"]  # nbclient saved the widgets' state
    notebook.cells.append(unreachable_chart(notebook))
    repo = Repo(folder / "repo")
    repo.site_config(CONFIG)
    repo.write(ENTRY, nbformat.writes(notebook))
    repo.commit("charts")
    result = mkdocs_build(repo.root, site_dir=folder / "site")
    assert result.returncode == 0, result.stderr
    return folder / "site"


# A 1x1 PNG: what the notebook saved of a chart the site cannot draw.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAF"
    "BQIAX8jx0gAAAABJRU5ErkJggg=="
)


def unreachable_chart(notebook: Any) -> Any:
    """The Altair chart again, its data on another host, with a picture of it saved."""
    from nbformat import v4

    spec = next(
        copy.deepcopy(o["data"]["application/vnd.vegalite.v5+json"])
        for c in notebook.cells
        for o in c.get("outputs", [])
        if "application/vnd.vegalite.v5+json" in o.get("data", {})
    )
    spec.pop("datasets", None)
    spec["data"] = {"url": "https://example.org/losses.json"}
    cell = v4.new_code_cell("chart_of_remote_data")
    cell.outputs = [
        v4.new_output(
            "display_data",
            data={
                "application/vnd.vegalite.v5+json": spec,
                "image/png": PIXEL,
                "text/plain": "alt.Chart(...)",
            },
        )
    ]
    return cell


@pytest.fixture(scope="module")
def url(site: Path) -> Iterator[str]:
    with serve_site(site, PORT) as address:
        yield address


def test_charts_are_data_on_the_page_and_libraries_files_of_the_site(site: Path) -> None:
    soup = BeautifulSoup((site / PAGE / "index.html").read_text(encoding="utf-8"), "html.parser")
    kinds = [o["data-output"] for o in soup.select(".rl-nb-output")]
    assert kinds == ["html", "bokeh", "vega", "html", "html", "widget", "stream", "vega"]
    document = soup.select_one(".rl-bokeh")["data-docs"]
    assert "document.body.dataset.bokehjs" not in document  # the callback's code is gone
    assert "Run 7" in document and "onmouseover" not in document
    for element in soup.select("[data-vega-src], [data-bokeh-src]"):
        for source in (element.get("data-vega-src") or element["data-bokeh-src"]).split():
            assert (site / PAGE / source).resolve().is_file(), source
    assert not list((site / "assets").rglob("bokeh-2*"))  # only what the page needs


@pytest.mark.browser
def test_charts_and_widgets_are_drawn_offline_and_run_nothing(page: Any, url: str) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Charts of every library").first.click()  # instant navigation
    page.wait_for_url(f"{url}{PAGE}")
    bokeh = page.locator(".rl-bokeh").first
    bokeh.scroll_into_view_if_needed()
    canvas = bokeh.locator("canvas").first
    canvas.wait_for(state="visible", timeout=15_000)
    bokeh.get_by_text("Run 7").hover()  # in BokehJS's shadow DOM
    bokeh.locator(".bk-events").first.click()  # the tap that would run the CustomJS callback
    vega = page.locator(".rl-vega")
    for index in range(2):
        vega.nth(index).scroll_into_view_if_needed()
        vega.nth(index).locator("svg").first.wait_for(state="visible", timeout=15_000)
    assert "Loss by epoch" in vega.first.inner_text()
    plotly = page.locator(".rl-figure")
    plotly.first.scroll_into_view_if_needed()
    plotly.first.locator("svg.main-svg").first.wait_for(state="visible", timeout=15_000)
    assert "Bars" in plotly.first.inner_text()
    widget = page.locator(".rl-widget").first
    assert "100%" in widget.inner_text() and "500/500" in widget.inner_text()
    bar = widget.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == bar.get_attribute("aria-valuemax") == "500"
    # The chart whose data is on another host: its picture instead, and no request there.
    fallback = vega.nth(2)
    fallback.scroll_into_view_if_needed()
    picture = fallback.locator("img")
    picture.wait_for(state="visible", timeout=15_000)
    assert base64.b64decode(PIXEL) == page.request.get(picture.evaluate("i => i.src")).body()
    # The training loop's 300 lines: one output, folded to part of the screen; the button
    # (reached and pressed with the keyboard) shows it whole, and folds it again.
    stream = page.locator(".rl-nb-output[data-output=stream]").last
    button = page.locator(".rl-nb-fold")
    assert button.count() == 1
    assert button.get_attribute("aria-expanded") == "false"
    assert button.inner_text() == "Show all 300 lines"
    assert stream.evaluate("e => e.getBoundingClientRect().height") < 900
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert stream.evaluate("e => e.getBoundingClientRect().height") > 3000
    assert "epoch 299 loss 0.0033" in stream.inner_text()
    page.keyboard.press("Enter")
    assert button.inner_text() == "Show all 300 lines"
    # Dark mode draws the vega charts again in the dark theme.
    light = vega.first.locator("svg").first.evaluate("s => s.innerHTML")
    page.locator("label[for='__palette_1']").first.click()
    page.wait_for_function(
        "old => { const s = document.querySelector('.rl-vega svg');"
        " return s && s.innerHTML !== old; }",
        arg=light,
    )
    assert page.evaluate("document.body.dataset.bokehjs || document.body.dataset.div") is None
    assert [r for r in requests if not r.startswith(url) and not r.startswith("data:")] == []
    console = [m.text for m in page.console_messages if m.type == "error"]
    assert console == [] and errors == []

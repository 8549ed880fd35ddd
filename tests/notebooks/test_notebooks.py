"""Notebook entries, from notebooks really executed with plotly, matplotlib and pandas, through
real `mkdocs build`s, to the page a reader sees in Chromium."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from support import MINIMAL_MKDOCS, Repo, free_port, mkdocs_build, run_cli, serve_site

ENTRY = "log/2025/2025-04-01-learning-rate-sweep.ipynb"
PAGE = "log/2025/2025-04-01-learning-rate-sweep"
FRONT_MATTER = """---
title: Learning-rate sweep for the ticket router
status: success
question: Which learning rate trains the router fastest?
outcome: 3e-4 wins; 1e-3 diverges.
project: ticket-routing
tags: [optimisation]
---"""
INSTANT_MKDOCS = """\
site_name: Test log
site_url: https://log.example.org/
docs_dir: playbook
theme:
  name: material
  font: false
  features: [navigation.instant]
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
plugins:
  - search
  - researchlog
"""
SCRIPTED_SVG = (
    "<svg width='12' height='12' onload=\"document.documentElement.setAttribute("
    "'data-onload', 'yes')\"><script>document.documentElement.setAttribute('data-pwned',"
    " 'yes')</script><a href='javascript:alert(1)'><rect width='12' height='12'/></a>"
    "<image href='https://example.org/track.png' width='1' height='1'/></svg>"
)
UNSAFE_MARKDOWN = (
    "Notes with <b>inline HTML</b>.\n\n<script>document.body.dataset.mdpwned = 'yes'</script>\n\n"
    "<img id='mdimg' src='#'"
    " onerror=\"document.body.dataset.mdimg = 'yes'\" alt='x'>\n"
)
# A 1x1 red PNG, pasted into a Markdown cell as an attachment.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAF"
    "BQIAX8jx0gAAAABJRU5ErkJggg=="
)
UNSAFE_HTML = (
    "<p id='unsafe' onmouseover=\"document.body.dataset.hovered='yes'\">Hover me</p>"
    "<script>document.body.dataset.pwned = 'yes'</script>"
    "<a id='jslink' href='javascript:alert(1)'>link</a>"
)

CODE_CELLS = [
    # stdout, stderr and ANSI colours
    "import sys\nprint('epoch 1 loss=0.91')\nprint('epoch 2 loss=0.52')\n"
    "print('\\x1b[31mwarning: lr too high\\x1b[0m', file=sys.stderr)",
    # a pandas table
    "import pandas as pd\n"
    "results = pd.DataFrame({'lr': [1e-4, 3e-4, 1e-3], 'val_f1': [0.81, 0.86, 0.12]})\nresults",
    # a matplotlib PNG
    "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
    "plt.figure(figsize=(4, 3))\nplt.plot([1, 2, 3], [0.9, 0.5, 0.3], label='loss')\n"
    "plt.title('Training loss')\nplt.show()",
    # a plotly figure (application/vnd.plotly.v1+json)
    "import plotly.graph_objects as go\n"
    "fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[0.81, 0.86, 0.12], name='val_f1'))\n"
    "fig.update_layout(title='F1 by learning rate')\nfig.show()",
    # SVG and JPEG images
    "from IPython.display import SVG, Image, display\nimport io\n"
    'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect width="40" height="20" fill="teal"/></svg>\'))\n'
    # one that runs script when opened, and names no namespace
    f"display(SVG({SCRIPTED_SVG!r}))\n"
    "buffer = io.BytesIO()\nplt.figure(figsize=(2, 1))\nplt.plot([0, 1], [1, 0])\n"
    "plt.savefig(buffer, format='jpeg')\nplt.close('all')\n"
    "display(Image(data=buffer.getvalue(), format='jpeg'))",
    # LaTeX output
    "from IPython.display import Math\nMath(r'\\mathrm{F1} = \\frac{2PR}{P + R}')",
    # HTML that tries to run code, and a JavaScript output
    f"from IPython.display import HTML, Javascript, display\ndisplay(HTML({UNSAFE_HTML!r}))\n"
    "display(Javascript(\"document.body.dataset.js = 'ran'\"))",
    # an error with an ANSI traceback
    "def train(lr):\n    return 1 / (lr - lr)\n\ntrain(0.001)",
]


def make_notebook(front_matter: str = FRONT_MATTER) -> Any:
    import nbformat.v4 as v4

    markdown = v4.new_markdown_cell(
        "# Learning-rate sweep\n\nWe sweep the learning rate $\\eta$ and score with"
        " $$\\mathrm{F1} = \\frac{2PR}{P+R}$$\n\nPrices such as $5 and $10 stay text."
        " The pasted plot: ![pasted plot](attachment:pasted.png)\n\n## Results\n\n"
        "The sweep ran on `val` with [the baseline](2025-03-01-baseline.md)."
    )
    markdown["attachments"] = {"pasted.png": {"image/png": PIXEL}}
    cells = [v4.new_raw_cell(front_matter), markdown]
    cells += [v4.new_code_cell(source) for source in CODE_CELLS]
    cells.append(v4.new_markdown_cell(UNSAFE_MARKDOWN))
    cells.append(v4.new_code_cell("token = 'hidden-by-tag'", metadata={"tags": ["remove-cell"]}))
    cells.append(v4.new_markdown_cell("## Decision\n\nShip 3e-4 as the new default."))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


@pytest.fixture(scope="session")
def executed_notebook(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The notebook, really run once per session by nbconvert with ipykernel."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    notebook = make_notebook()
    folder = tmp_path_factory.mktemp("execute")
    ExecutePreprocessor(timeout=180, allow_errors=True).preprocess(
        notebook, {"metadata": {"path": str(folder)}}
    )
    kinds = {
        kind
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for kind in [output["output_type"], *output.get("data", {})]
    }
    expected = {
        "stream",
        "error",
        "text/html",
        "image/png",
        "image/jpeg",
        "image/svg+xml",
        "text/latex",
        "application/javascript",
        "application/vnd.plotly.v1+json",
    }
    assert expected <= kinds, f"the kernel did not produce {expected - kinds}"
    text: str = nbformat.writes(notebook)
    return text


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def notebook_repo(root: Path, notebook: str, config: str = INSTANT_MKDOCS) -> Repo:
    repo = Repo(root)
    repo.site_config(config)
    repo.write(
        "log/2025/2025-03-01-baseline.md",
        "---\ntitle: Baseline router\nstatus: success\nquestion: How good is TF-IDF?\n"
        "outcome: F1 0.80.\n---\n\n# Baseline router\n\nTF-IDF and logistic regression.\n",
    )
    repo.write(ENTRY, notebook)
    return repo


PORT = free_port()


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, executed_notebook: str
) -> tuple[Repo, Path, subprocess.CompletedProcess[str]]:
    # Material's instant navigation follows only links in the sitemap, matched by host and
    # port: the site is built for the address the browser test serves it on.
    config = INSTANT_MKDOCS.replace("https://log.example.org/", f"http://127.0.0.1:{PORT}/")
    repo = notebook_repo(tmp_path_factory.mktemp("nb") / "repo", executed_notebook, config)
    repo.commit("sweep", date="2025-04-01T10:00:00+00:00")
    site = repo.root.parent / "site"
    result = mkdocs_build(repo.root, site_dir=site)
    assert result.returncode == 0, result.stderr
    return repo, site, result


def test_notebook_page_has_the_entry_header_and_download(
    built: tuple[Repo, Path, Any],
) -> None:
    repo, site, _ = built
    page = soup(site, PAGE)
    assert page.h1.get_text(strip=True).startswith("Learning-rate sweep")
    header = page.select_one(".rl-entry")
    assert header is not None
    assert "3e-4 wins; 1e-3 diverges." in header.get_text()
    assert "Notebook" in header.select_one(".rl-entry__kind").get_text()
    download = header.select_one("a.rl-download")
    assert download is not None and download.has_attr("download")
    copied = site / PAGE / download["href"]
    assert copied.read_bytes() == (repo.root / ENTRY).read_bytes()
    # The front matter cell is the header, not part of the body.
    assert "status: success" not in page.select_one("article").get_text()


def test_markdown_cells_are_site_markdown(built: tuple[Repo, Path, Any]) -> None:
    _, site, _ = built
    page = soup(site, PAGE)
    article = page.select_one("article")
    headings = [h.get_text(strip=True).rstrip("¶") for h in article.select("h2")]
    assert headings[:2] == ["Results", "Decision"]
    toc = page.select_one("nav.md-nav--secondary").get_text()
    assert "Results" in toc and "Decision" in toc
    link = article.find("a", string="the baseline")
    assert link["href"] == "../2025-03-01-baseline/"  # MkDocs resolved the .md link
    inline = article.select("p math")
    assert any(m.get("alttext") == "\\eta" for m in inline)
    assert article.select_one(".rl-math math[display=block]") is not None
    assert "Prices such as $5 and $10 stay text." in article.get_text()
    pasted = article.find("img", alt="pasted plot")
    assert pasted is not None
    assert (site / PAGE / pasted["src"]).read_bytes() == base64.b64decode(PIXEL)


def test_every_output_kind_is_rendered(built: tuple[Repo, Path, Any]) -> None:
    _, site, _ = built
    page = soup(site, PAGE)
    html = (site / PAGE / "index.html").read_text(encoding="utf-8")
    cells = page.select(".rl-nb-cell")
    assert len(cells) == len(CODE_CELLS)  # not the cell tagged remove-cell
    assert "hidden-by-tag" not in html
    # Code is highlighted with the markup Material styles.
    code = cells[1].select_one(".highlight code")
    assert code is not None and code.select_one("span.kn").get_text() == "import"
    # Streams, with stderr apart and ANSI colours as classes, not escape codes.
    assert "epoch 2 loss=0.52" in cells[0].select_one(".rl-nb-stream--stdout").get_text()
    warning = cells[0].select_one(".rl-nb-stream--stderr .ansi-red-fg")
    assert warning is not None and warning.get_text() == "warning: lr too high"
    assert "\x1b[" not in html and "[0;31m" not in html
    # The pandas table.
    table = cells[1].select_one(".rl-nb-html table")
    assert table is not None and "0.86" in table.get_text()
    # Images are files beside the page, with alt text, never inline base64.
    assert "data:image" not in html and "base64" not in html
    images = {Path(img["src"]).suffix: img for img in page.select(".rl-nb-image img")}
    assert set(images) == {".png", ".svg", ".jpg"}
    png = site / PAGE / images[".png"]["src"]
    assert png.read_bytes().startswith(b"\x89PNG")
    assert images[".png"]["alt"] == "Output of cell 5"
    assert (site / PAGE / images[".jpg"]["src"]).read_bytes().startswith(b"\xff\xd8")
    assert b"<rect" in (site / PAGE / images[".svg"]["src"]).read_bytes()
    # The plotly figure, drawn from its JSON by the shared plotly.js.
    figure = cells[3].select_one(".rl-figure")
    assert figure is not None
    assert figure.parent["aria-label"] == "Chart: F1 by learning rate"
    spec = json.loads(figure["data-figure"])
    assert spec["data"][0]["y"] == [0.81, 0.86, 0.12]
    assert "plotlyServerURL" not in spec["config"]
    assert figure["data-plotly-src"] == "../../../assets/researchlog/plotly.min.js"
    assert (site / "assets/researchlog/plotly.min.js").stat().st_size > 1_000_000
    # LaTeX output as MathML.
    assert cells[5].select_one(".rl-math math") is not None
    # The error, with its traceback readable and coloured.
    error = cells[7].select_one(".rl-nb-error")
    assert error is not None and "ZeroDivisionError" in error.get_text()
    assert error.select_one("[class^=ansi-]") is not None


def test_unsafe_html_is_left_out_and_said_once(built: tuple[Repo, Path, Any]) -> None:
    _, site, _ = built
    page = soup(site, PAGE)
    cell = page.select(".rl-nb-cell")[6]
    unsafe = cell.select_one("#unsafe")
    assert unsafe is not None and unsafe.get_text() == "Hover me"
    assert not unsafe.has_attr("onmouseover")
    assert cell.select_one("script") is None
    assert not cell.select_one("#jslink").has_attr("href")
    # The JavaScript output is shown as its code, folded, and not run.
    script = cell.select_one(".rl-nb-output[data-output=script] details")
    assert "document.body.dataset.js" in script.select_one("pre").get_text()
    # One note for the page, above the notebook, naming the cells (this one, the SVG with a
    # script, and the Markdown cell with a script and a handler) with links to them.
    assert not page.select(".rl-nb-note--safety")
    notes = page.select(".rl-nb-left-out")
    assert len(notes) == 1
    assert notes[0].select("p")[1].get_text(" ", strip=True) == (
        "Left out for safety: 4 scripts, 3 event handlers, 2 javascript: links and 1 reference"
        " to another file or host (in cells 7 , 9 and 11 ). Notebook outputs run code only on"
        " sites that set trust_notebook_html: true."
    )
    assert [a["href"] for a in notes[0].select("a")] == ["#cell-7", "#cell-9", "#cell-11"]
    article = page.select_one("article")
    assert article.find(id="cell-11") is not None  # the Markdown cell


def test_markdown_cells_and_svg_files_run_nothing(built: tuple[Repo, Path, Any]) -> None:
    _, site, _ = built
    article = soup(site, PAGE).select_one("article")
    assert "inline HTML" in article.select_one(".rl-nb-markdown b").get_text()
    assert not any("mdpwned" in s.get_text() for s in article.select("script"))
    image = article.select_one("#mdimg")
    assert image is not None and not image.has_attr("onerror")
    svgs = [site / PAGE / img["src"] for img in article.select('.rl-nb-image img[src$=".svg"]')]
    assert len(svgs) == 2
    scripted = svgs[1].read_text()
    assert "<script" not in scripted and "onload" not in scripted
    assert "javascript:" not in scripted and "example.org" not in scripted
    assert 'xmlns="http://www.w3.org/2000/svg"' in scripted  # shown as a file by browsers
    assert "<rect" in scripted


def test_search_indexes_text_but_not_images_or_figure_data(
    built: tuple[Repo, Path, Any],
) -> None:
    _, site, _ = built
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] + d["title"] for d in index["docs"] if d["location"].startswith(PAGE))
    assert "We sweep the learning rate" in text  # markdown
    assert "plt.title" in text  # code
    assert "epoch 2 loss=0.52" in text  # stream output
    assert "ZeroDivisionError" in text  # error output
    assert "iVBORw0KGgo" not in text  # no image data
    assert "plotly" not in text.replace("import plotly", "").lower().replace("plotly.graph", "")
    assert '"y":' not in text and "0.81,0.86" not in text  # no figure JSON


def test_rebuild_converts_nothing_and_imports_no_nbconvert(
    built: tuple[Repo, Path, Any],
) -> None:
    repo, site, first = built
    assert "1 notebooks: 1 converted, 0 from the cache" in first.stderr
    again = mkdocs_build(repo.root, site_dir=site)
    assert again.returncode == 0, again.stderr
    assert "1 notebooks: 0 converted, 1 from the cache" in again.stderr
    probe = (
        "import sys\nfrom pathlib import Path\n"
        "from researchlog.core.settings import load_settings\n"
        "from researchlog.log import build_log\nfrom researchlog.notebooks.conversions import"
        " NotebookConversions\nfrom researchlog.pages.urls import Urls\n"
        "log = build_log(load_settings(Path('.')))\n"
        "pages = NotebookConversions.start(log, Urls()).finish()\n"
        "print(pages.converted, pages.cached, 'nbconvert' in sys.modules,"
        " 'nbformat' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo.root, capture_output=True, text=True, check=False
    )
    assert result.stdout.split() == ["0", "1", "False", "False"], result.stderr
    assert repo.git("status", "--porcelain") == ""  # the cache is ignored by git


def test_a_build_read_from_standard_input_converts_notebooks(
    tmp_path: Path, executed_notebook: str
) -> None:
    """Worker processes cannot start for a program read from standard input (they import the
    main module again from its file): the notebooks are converted in the build's process."""
    repo = notebook_repo(tmp_path / "repo", executed_notebook)
    repo.commit("sweep", date="2025-04-01T10:00:00+00:00")
    script = (
        "from mkdocs.commands.build import build\n"
        "from mkdocs.config import load_config\n"
        "build(load_config('mkdocs.yml', site_dir='../site'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-"],
        input=script,
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "could not be converted" not in result.stderr
    assert "Traceback" not in result.stderr
    page = soup(tmp_path / "site", "log/2025/2025-04-01-learning-rate-sweep").get_text()
    assert "Ship 3e-4 as the new default." in page


def test_size_limit_cuts_outputs_with_a_note(tmp_path: Path, executed_notebook: str) -> None:
    config = INSTANT_MKDOCS.replace(
        "  - researchlog\n", "  - researchlog:\n      notebook_max_mb: 0.01\n"
    )
    repo = notebook_repo(tmp_path / "repo", executed_notebook, config)
    result = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert result.returncode == 0, result.stderr
    # Reported where the first output left out is, by the check that reads the log.
    assert re.search(rf"{ENTRY}:\d+: warning: the outputs add up to", result.stderr)
    assert "over the 0.01 MB limit (notebook_max_mb)" in result.stderr
    page = soup(tmp_path / "site", PAGE)
    assert "Some outputs are not shown" in page.select_one(".rl-nb-cut").get_text()
    cut = page.select(".rl-nb-note--cut")
    assert cut and "was left out here" in cut[0].get_text()
    assert "epoch 2 loss=0.52" in page.get_text()  # small outputs before the limit stay


def test_trusted_html_keeps_scripts(tmp_path: Path, executed_notebook: str) -> None:
    config = INSTANT_MKDOCS.replace(
        "  - researchlog\n", "  - researchlog:\n      trust_notebook_html: true\n"
    )
    repo = notebook_repo(tmp_path / "repo", executed_notebook, config)
    result = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert result.returncode == 0, result.stderr
    cell = soup(tmp_path / "site", PAGE).select(".rl-nb-cell")[6]
    assert cell.select_one("#unsafe").has_attr("onmouseover")
    scripts = [s.get_text() for s in cell.select("script")]
    assert "document.body.dataset.pwned = 'yes'" in scripts
    assert "document.body.dataset.js = 'ran'" in scripts
    assert soup(tmp_path / "site", PAGE).select_one(".rl-nb-left-out") is None


BROKEN_JSON = '{\n "cells": [],\n "metadata": {}\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'


def schema_violation() -> str:
    """A notebook whose second cell has an output of a kind nbformat does not know."""
    notebook = json.loads(
        json.dumps(make_notebook(FRONT_MATTER.replace("Learning-rate sweep", "Bad output")))
    )
    notebook["cells"][2]["outputs"] = [{"output_type": "strem", "name": "stdout", "text": "x"}]
    notebook["cells"][2]["execution_count"] = 1
    return json.dumps(notebook, indent=1)


def test_broken_notebooks_are_reported_and_the_rest_builds(tmp_path: Path) -> None:
    repo = notebook_repo(tmp_path / "repo", schema_violation(), MINIMAL_MKDOCS)
    repo.write("log/2025/2025-04-02-broken.ipynb", BROKEN_JSON)
    check = run_cli("check", cwd=repo.root)
    assert check.returncode == 1
    assert (
        "log/2025/2025-04-02-broken.ipynb:4: error: not a valid notebook: JSON error at"
        " column 2: Expecting ',' delimiter" in check.stdout
    )
    line = schema_violation().splitlines().index('   "cell_type": "code",') + 1
    assert (
        f"{ENTRY}:{line}: error: not a valid notebook (nbformat schema): cell 3, output 1:"
        in check.stdout
    )
    result = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "2025-04-02-broken.ipynb:4: error: not a valid notebook" in result.stderr
    assert (tmp_path / "site/log/2025/2025-03-01-baseline/index.html").exists()
    # The notebook that breaks the schema is still shown, as far as it can be.
    cells = soup(tmp_path / "site", PAGE).select(".rl-nb-cell")
    assert len(cells) == len(CODE_CELLS)
    assert cells[0].select_one(".rl-nb-outputs") is None  # its unknown output is skipped
    strict = mkdocs_build(repo.root, strict=True, site_dir=tmp_path / "strict")
    assert strict.returncode != 0


EXECUTE_FRONT_MATTER = """---
title: Run at build time
status: running
question: Does execution work?
execute: true
---"""


def test_execute_true_runs_the_notebook_and_reports_failing_cells(tmp_path: Path) -> None:
    import nbformat
    import nbformat.v4 as v4

    notebook = v4.new_notebook(
        cells=[
            v4.new_raw_cell(EXECUTE_FRONT_MATTER),
            v4.new_code_cell("print(6 * 7)"),
            v4.new_code_cell("raise ValueError('the data folder is empty')"),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    text = nbformat.writes(notebook)
    repo = notebook_repo(tmp_path / "repo", text, MINIMAL_MKDOCS)
    result = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert result.returncode == 0, result.stderr
    line = text.splitlines().index('   "cell_type": "code",', 0) + 1
    line = [i + 1 for i, t in enumerate(text.splitlines()) if '"cell_type": "code"' in t][1]
    assert (
        f"{ENTRY}:{line}: error: cell 3 raised ValueError: the data folder is empty"
        in result.stderr
    )
    page = soup(tmp_path / "site", PAGE)
    assert page.select_one(".rl-nb-stream").get_text().strip() == "42"
    assert "the data folder is empty" in page.select_one(".rl-nb-error").get_text()
    assert (repo.root / ENTRY).read_text(encoding="utf-8") == text  # the file is untouched
    # The executed result is cached; the failure is still reported.
    again = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert "0 converted, 1 from the cache" in again.stderr
    assert "cell 3 raised ValueError" in again.stderr


def test_new_notebook_entry_builds_cleanly(repo: Repo) -> None:
    import nbformat

    created = run_cli("new", "Tokenizer ablation", "--notebook", cwd=repo.root)
    assert created.returncode == 0, created.stderr
    path = next((repo.root / "log").rglob("*.ipynb"))
    nbformat.validate(nbformat.read(path, as_version=4))
    repo.commit("new notebook")
    result = mkdocs_build(repo.root, strict=True, site_dir=repo.root.parent / "site")
    assert result.returncode == 0, result.stderr
    url = path.relative_to(repo.root).with_suffix("").as_posix()
    page = soup(repo.root.parent / "site", url)
    assert page.h1.get_text(strip=True).startswith("Tokenizer ablation")
    assert page.select_one(".rl-nb-cell .highlight") is not None


@pytest.mark.browser
def test_notebook_page_in_chromium_through_instant_navigation(
    built: tuple[Repo, Path, Any], page: Any
) -> None:
    _, site, _ = built
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with serve_site(site, PORT) as url:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url)
        page.wait_for_load_state("networkidle")  # instant navigation starts with the sitemap
        page.evaluate("window.loadedOnce = true")
        assert not [r for r in requests if "plotly" in r]  # Home has no figures
        page.get_by_role("link", name="Learning-rate sweep for the ticket router").first.click()
        page.wait_for_url(f"{url}{PAGE}/")
        # Charts are drawn as they come near the viewport.
        page.locator(".rl-figure").first.scroll_into_view_if_needed()
        chart = page.locator(".rl-figure svg.main-svg").first
        chart.wait_for(state="visible", timeout=15000)
        # Reached through instant navigation: the page was not loaded anew.
        assert page.evaluate("window.loadedOnce") is True
        assert page.locator(".rl-figure .scatterlayer .trace").count() == 1
        plotly = [r for r in requests if "plotly" in r]
        assert plotly == [f"{url}assets/researchlog/plotly.min.js"]  # once, from this site
        png = page.locator('.rl-nb-image img[src$=".png"]')
        png.scroll_into_view_if_needed()
        png.wait_for(state="visible")
        page.wait_for_function(
            "document.querySelector('.rl-nb-image img[src$=\".png\"]').naturalWidth > 0"
        )
        assert page.locator(".rl-nb-html table").first.is_visible()
        # Nothing in the notebook's HTML or JavaScript outputs ran.
        assert page.evaluate("document.body.dataset.pwned || document.body.dataset.js") is None
        # Nor did the HTML in its Markdown cells.
        assert page.evaluate("document.body.dataset.mdpwned || document.body.dataset.mdimg") is None
        # Dark mode re-themes the chart's text.
        light = page.locator(".rl-figure .gtitle").first.evaluate("e => getComputedStyle(e).fill")
        page.locator("label[for='__palette_1']").first.click()
        page.wait_for_function(
            "c => getComputedStyle(document.querySelector('.rl-figure .gtitle')).fill !== c",
            arg=light,
        )
        # An SVG output opened on its own runs nothing either.
        svg = page.locator('.rl-nb-image img[src$=".svg"]').nth(1).evaluate("img => img.src")
        alone = page.context.new_page()
        alone.goto(svg)
        assert alone.evaluate("document.documentElement.localName") == "svg"
        ran = alone.evaluate(
            "document.documentElement.getAttribute('data-pwned')"
            " || document.documentElement.getAttribute('data-onload')"
        )
        assert ran is None
        alone.close()
        # A direct visit draws the chart too.
        page.goto(f"{url}{PAGE}/")
        page.locator(".rl-figure").first.scroll_into_view_if_needed()
        page.locator(".rl-figure svg.main-svg").first.wait_for(state="visible", timeout=15000)
    console_errors = [m.text for m in page.console_messages if m.type == "error"]
    assert console_errors == [] and errors == []

"""How notebook cells become page elements: one element per output, of its kind; Markdown
cells as Jupyter reads them (headings in the table of contents, math, raw HTML, attachments,
addresses); what is left out said once; nothing loaded from other hosts. One constructed
notebook, built once with `mkdocs build`, and checked against nbformat's own reading."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat import v4

from support import Repo, mkdocs_build, run_cli

ENTRY = "log/2025/outputs.ipynb"
PAGE = "log/2025/outputs"
CONFIG = """\
site_name: Test log
docs_dir: playbook
theme:
  name: material
  font: false
plugins:
  - researchlog
"""
# Two different 1x1 PNGs (red and blue), pasted into two cells under the same name.
RED = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAF"
    "BQIAX8jx0gAAAABJRU5ErkJggg=="
)
BLUE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPj/HwAD"
    "BwIAMCbHYQAAAABJRU5ErkJggg=="
)
VIDEO = base64.b64encode(b"\x00\x00\x00\x18ftypmp42" + bytes(16)).decode()


def widget_view(model_id: str) -> dict[str, Any]:
    return {
        "application/vnd.jupyter.widget-view+json": {
            "version_major": 2,
            "version_minor": 0,
            "model_id": model_id,
        },
        "text/plain": "widget",
    }


def model(name: str, module: str = "@jupyter-widgets/controls", **state: Any) -> dict[str, Any]:
    return {"model_name": f"{name}Model", "model_module": module, "state": state}


# As tqdm and ipywidgets save them: a finished bar (an HBox of an HTML label, a progress bar
# and another label), a slider, a button, and a third-party widget. "gone" is not saved.
WIDGET_STATE = {
    "bar": model("HBox", children=["IPY_MODEL_pct", "IPY_MODEL_progress", "IPY_MODEL_count"]),
    "pct": model("HTML", value="100%"),
    "progress": model(
        "FloatProgress", value=50612.0, max=50612.0, bar_style="success", style="IPY_MODEL_s"
    ),
    "s": model("ProgressStyle", bar_color="url(https://example.org/x)"),
    "count": model("HTML", value=" 50612/50612 [00:01&lt;00:00]<script>steal()</script>"),
    "slider": model("IntSlider", value=7, max=10, description="Epochs"),
    "button": model("Button", description="Train", button_style="primary"),
    "scene": model("Renderer", "jupyter-threejs"),
}


def display(data: dict[str, Any], **metadata: Any) -> Any:
    return v4.new_output("display_data", data=data, metadata=metadata)


def make_notebook() -> Any:
    pasted = v4.new_markdown_cell("Red: ![red](attachment:image.png)")
    pasted["attachments"] = {"image.png": {"image/png": RED}}
    pasted_again = v4.new_markdown_cell(
        'Blue: <img src="attachment:image.png" alt="blue" width="10">'
    )
    pasted_again["attachments"] = {"image.png": {"image/png": BLUE}}
    streams = v4.new_code_cell(
        "for i in range(3): print(i)",
        outputs=[
            v4.new_output("stream", name="stdout", text="0\n"),
            v4.new_output("stream", name="stdout", text="1\n"),
            v4.new_output("stream", name="stderr", text="careful\n"),
            v4.new_output("stream", name="stdout", text="2\n"),
        ],
    )
    damaged = v4.new_code_cell(
        "show()",
        outputs=[
            display({"image/png": "abcd", "text/plain": "<Figure>"}),
            display({"image/png": RED, "text/plain": "<Figure>"}),
        ],
    )
    media = v4.new_code_cell(
        "HTML(video); HTML(unsafe)",
        outputs=[
            display(
                {
                    "text/html": f'<video controls src="data:video/mp4;base64,{VIDEO}"></video>',
                    "text/plain": "<IPython.core.display.HTML object>",
                }
            ),
            display(
                {
                    "text/html": "<b onclick='steal()'>bold</b><script>steal()</script>"
                    '<img src="https://example.org/tracker.png" alt="a tracker">',
                    "text/plain": "<IPython.core.display.HTML object>",
                }
            ),
            display({"application/javascript": "steal()", "text/plain": "<Javascript>"}),
            display({"text/markdown": "**markdown** with $x^2$", "text/plain": "md"}),
            display({"text/latex": "$$\\frac{1}{2}$$", "text/plain": "half"}),
            display({"text/plain": "just text"}),
            display({"application/x-unknown": "nothing to show"}),
        ],
    )
    figure = v4.new_code_cell(
        "fig.show()",
        outputs=[
            display(
                {
                    "application/vnd.plotly.v1+json": {
                        "data": [{"type": "bar", "x": [1, 2], "y": [3, 4]}],
                        "layout": {
                            "images": [
                                {"source": "https://example.org/logo.png", "x": 0, "y": 0},
                                {"source": f"data:image/png;base64,{RED}", "x": 1, "y": 1},
                            ]
                        },
                    },
                    "text/plain": "Figure",
                }
            )
        ],
    )
    widgets = v4.new_code_cell(
        "for x in tqdm(range(50612)): ...",
        outputs=[
            display(widget_view("bar")),
            display(widget_view("slider")),
            display(widget_view("button")),
            display(widget_view("scene")),
            display({**widget_view("gone"), "text/plain": "IntSlider(value=3)"}),
        ],
    )
    cells = [
        v4.new_markdown_cell("# The title\n\nIntroduction."),
        pasted,
        pasted_again,
        v4.new_markdown_cell(
            "# Part two\n\nA list right after text:\n- first item\n- second item\n\n"
            "## The $\\lambda$ parameter\n\nSee [the parameter](#The-$\\lambda$-parameter)."
        ),
        v4.new_markdown_cell(
            "## Capturing output with %%capture\n\n"
            '<div class="alert">\n\nMath in HTML: $\\alpha_1$ and $$\\beta^2$$\n\n</div>\n\n'
            "Remote: ![logo](https://example.org/logo.png) and"
            ' <img src="//example.org/other.png" alt="other">\n\n'
            'Beside: <img src="missing.png" alt="missing"> and ![root](/img/root.png)'
        ),
        streams,
        damaged,
        media,
        figure,
        widgets,
    ]
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "version_major": 2,
            "version_minor": 0,
            "state": WIDGET_STATE,
        }
    }
    notebook.metadata["researchlog"] = {
        "title": "Outputs of every kind",
        "status": "success",
        "question": "Is every output shown as its kind?",
        "outcome": "Yes.",
    }
    return notebook


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path, Any, Any]:
    root = tmp_path_factory.mktemp("outputs")
    repo = Repo(root / "repo")
    repo.site_config(CONFIG)
    text = nbformat.writes(make_notebook())
    repo.write(ENTRY, text)
    repo.commit("outputs")
    site = root / "site"
    build = mkdocs_build(repo.root, site_dir=site)
    assert build.returncode == 0, build.stderr
    check = run_cli("check", "--json", cwd=repo.root)
    return repo, site, build, check


def page(site: Path) -> BeautifulSoup:
    return BeautifulSoup((site / PAGE / "index.html").read_text(encoding="utf-8"), "html.parser")


def line_of(repo: Repo, cell: int) -> int:
    lines = (repo.root / ENTRY).read_text().splitlines()
    return [i + 1 for i, line in enumerate(lines) if '"cell_type":' in line][cell]


def test_every_output_is_one_element_of_its_kind(built: tuple[Repo, Path, Any, Any]) -> None:
    _, site, _, _ = built
    shown = [o["data-output"] for o in page(site).select(".rl-nb-output")]
    assert shown == [
        *("stream", "stream", "stream"),  # stdout merged, then stderr, then stdout again
        *("image", "image"),
        *("html", "html", "script", "markdown", "latex", "text"),  # not the unknown type
        "plotly",
        *("widget", "widget", "widget", "widget", "text"),  # "gone" was not saved
    ]
    streams = page(site).select(".rl-nb-stream")
    assert [s.get_text() for s in streams] == ["0\n1\n", "careful\n", "2\n"]


def test_a_damaged_output_is_left_out_with_a_note(built: tuple[Repo, Path, Any, Any]) -> None:
    _, site, build, _ = built
    damaged, fine = page(site).select(".rl-nb-output[data-output=image]")
    assert "This image could not be read: its data is not a PNG image" in damaged.get_text()
    assert damaged.select_one("img") is None
    image = fine.select_one("img")
    assert (site / PAGE / image["src"]).read_bytes() == base64.b64decode(RED)
    assert "could not be converted" not in build.stderr


def test_cells_attaching_the_same_name_keep_their_own_pictures(
    built: tuple[Repo, Path, Any, Any],
) -> None:
    _, site, _, _ = built
    article = page(site).select_one("article")
    red = article.find("img", alt="red")
    blue = article.find("img", alt="blue")
    assert (site / PAGE / red["src"]).read_bytes() == base64.b64decode(RED)
    assert (site / PAGE / blue["src"]).read_bytes() == base64.b64decode(BLUE)
    assert blue["width"] == "10"


def test_what_is_left_out_is_said_once_with_its_cells(built: tuple[Repo, Path, Any, Any]) -> None:
    _, site, _, _ = built
    soup = page(site)
    assert not soup.select(".rl-nb-note--safety")
    notes = soup.select(".rl-nb-left-out")
    assert len(notes) == 1
    text = [p.get_text(" ", strip=True) for p in notes[0].select("p")[1:]]
    assert text == [
        "Left out for safety: 3 scripts and 1 event handler (in cells 8 and 10 ). Notebook"
        " outputs run code only on sites that set trust_notebook_html: true.",
        "Shown as links, since this page loads nothing from other hosts: 3 pictures, videos or"
        " sounds from other hosts (in cells 5 and 8 ).",
        "Left out of charts, since this page loads nothing from other hosts: 1 file from"
        " another host in a chart (in cell 9 ).",
    ]
    assert [a["href"] for a in notes[0].select("a")] == [
        "#cell-8",
        "#cell-10",
        "#Capturing-output-with-%%capture",
        "#cell-8",
        "#cell-9",
    ]
    # The page's title, then the note, then the notebook.
    article = soup.select_one("article")
    assert article.select_one("h1").get_text(strip=True).rstrip("¶") == "The title"
    # The JavaScript output is its code, folded and not run.
    script = soup.select_one(".rl-nb-output[data-output=script] details")
    assert script.select_one("summary").get_text() == "JavaScript output, not run"
    assert script.select_one("pre").get_text() == "steal()"
    assert "steal()" not in " ".join(s.get_text() for s in soup.select("script"))


def test_media_embedded_in_the_notebook_is_kept(built: tuple[Repo, Path, Any, Any]) -> None:
    _, site, _, _ = built
    video = page(site).select_one(".rl-nb-output video")
    assert video is not None and video["src"] == f"data:video/mp4;base64,{VIDEO}"


def test_nothing_is_loaded_from_other_hosts(built: tuple[Repo, Path, Any, Any]) -> None:
    repo, site, build, check = built
    soup = page(site)
    html = (site / PAGE / "index.html").read_text(encoding="utf-8")
    assert "example.org" not in "".join(str(i) for i in soup.select("img, video, audio, source"))
    links = {a["href"]: a.get_text() for a in soup.select("a.rl-nb-remote")}
    assert links == {
        "https://example.org/logo.png": "logo",
        "//example.org/other.png": "other",
        "https://example.org/tracker.png": "a tracker",
    }
    spec = json.loads(soup.select_one(".rl-figure")["data-figure"])
    assert [i["source"][:15] for i in spec["layout"]["images"]] == ["data:image/png;"]
    assert "https://example.org/logo.png" not in html.split('class="rl-nb-remote"', 1)[0]
    # check and the build warn alike, at the cells' lines.
    warnings = [p for p in json.loads(check.stdout) if p["code"] == "notebook-remote"]
    assert [(p["line"], p["message"]) for p in warnings] == [
        (
            line_of(repo, 4),
            "cell 5 loads 2 files from another host (https://example.org/logo.png and 1 more);"
            " the site shows a link instead, since it loads nothing from other hosts",
        ),
        (
            line_of(repo, 7),
            "cell 8 loads 1 file from another host (https://example.org/tracker.png); the site"
            " shows a link instead, since it loads nothing from other hosts",
        ),
        (
            line_of(repo, 8),
            "cell 9 loads 1 file from another host (https://example.org/logo.png); the site"
            " shows a link instead, since it loads nothing from other hosts",
        ),
    ]
    for problem in warnings:
        assert f"{ENTRY}:{problem['line']}: warning: {problem['message']}" in build.stderr


def test_addresses_in_raw_html_are_the_sites_and_checked(
    built: tuple[Repo, Path, Any, Any],
) -> None:
    repo, site, build, check = built
    article = page(site).select_one("article")
    assert article.find("img", alt="missing")["src"] == "../missing.png"
    assert article.find("img", alt="root")["src"] == "../../../img/root.png"
    missing = {
        (p["line"], p["message"]) for p in json.loads(check.stdout) if p["code"] == "link-missing"
    }
    lines = (repo.root / ENTRY).read_text().splitlines()
    beside = next(i + 1 for i, line in enumerate(lines) if "Beside:" in line)
    assert missing == {
        (beside, "links to missing.png, but the site has no file log/2025/missing.png"),
        (beside, "links to /img/root.png, but the site has no file img/root.png"),
    }
    assert "links to missing.png, but the site has no file log/2025/missing.png" in build.stderr


def test_markdown_cells_read_as_in_jupyter(built: tuple[Repo, Path, Any, Any]) -> None:
    _, site, _, _ = built
    soup = page(site)
    article = soup.select_one("article")
    # Every heading below the title, so all reach the table of contents, with Jupyter's ids.
    headings = [(h.name, h["id"]) for h in article.select("h1, h2, h3") if h.get("id")]
    assert headings[:5] == [
        ("h1", "The-title"),
        ("h2", "Part-two"),
        ("h3", "The-$\\lambda$-parameter"),
        ("h3", "Capturing-output-with-%%capture"),
        ("h2", "history"),
    ]
    toc = [a["href"] for a in soup.select("nav.md-nav--secondary a")]
    assert toc[:3] == [
        "#Part-two",
        "#The-$\\lambda$-parameter",
        "#Capturing-output-with-%25%25capture",  # a valid address of that id
    ]
    link = article.find("a", string="the parameter")["href"]
    assert unquote(link) == "#The-$\\lambda$-parameter"
    lam = article.select_one("h3 math")
    assert lam is not None and lam["alttext"] == "\\lambda"
    assert [li.get_text() for li in article.select(".rl-nb-markdown li")][:2] == [
        "first item",
        "second item",
    ]
    alert = article.select_one(".rl-nb-markdown .alert")
    assert [m["alttext"] for m in alert.select("math")] == ["\\alpha_1", "\\beta^2"]
    assert "$" not in alert.get_text()
    # Inline formulas are bare MathML: no class of Material's own math styles.
    inline = [m for m in article.select("math") if m.get("display") == "inline"]
    assert inline and all(m.parent.name != "span" for m in inline)
    assert not article.select(".math, .inline")


def test_rendering_a_notebook_again_gives_the_same_page(
    built: tuple[Repo, Path, Any, Any], tmp_path: Path
) -> None:
    """The conversion is cached by content: a second build converts nothing."""
    repo, _, _, _ = built
    again = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert again.returncode == 0, again.stderr
    assert "1 notebooks: 0 converted, 1 from the cache" in again.stderr
    first = (repo.root.parent / "site" / PAGE / "index.html").read_text(encoding="utf-8")
    second = (tmp_path / "site" / PAGE / "index.html").read_text(encoding="utf-8")
    assert re.sub(r"\s+", " ", first) == re.sub(r"\s+", " ", second)
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=repo.root, capture_output=True, text=True
        ).stdout
        == ""
    )


def test_widgets_are_drawn_from_their_saved_state(built: tuple[Repo, Path, Any, Any]) -> None:
    _, site, _, _ = built
    bar, slider, button, scene = page(site).select(".rl-widget")
    assert bar.get_text(" ", strip=True) == "100% 50612/50612 [00:01<00:00]"
    progress = bar.select_one("[role=progressbar]")
    assert (progress["aria-valuenow"], progress["aria-valuemax"]) == ("50612", "50612")
    assert progress.select_one(".rl-w-bar")["style"] == "width:100%"  # no colour from a url()
    assert bar.select_one("script") is None
    control = slider.select_one("input[type=range]")
    assert (control["value"], control["max"], control["aria-label"]) == ("7", "10", "Epochs")
    assert control.has_attr("disabled")
    assert slider.select_one("output").get_text() == "7"
    assert button.select_one("button").get_text() == "Train"
    assert "jupyter-threejs" in scene.get_text() and "not shown here" in scene.get_text()

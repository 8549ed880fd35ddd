"""CONSTRUCTED notebooks, for the cases no registry artifact covers (see README.md).

These are not real notebooks. Each is made here, at test time, from parts of the real ones
(their outputs, their text) where that is possible, and by hand where it is not; every one says
so in its first Markdown cell and in `metadata.realnb_constructed`. Their ids start with
`constructed-`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from nbformat import v4

from .fetch import RealNotebook

CONSTRUCTED = "constructed-"


def constructed_notebooks(real: list[RealNotebook]) -> dict[str, Any]:
    """id -> a constructed nbformat 4.5 notebook, made from the real notebooks given."""
    by_id = {nb.id: nbformat.read(nb.path, as_version=4) for nb in real}
    return {name: make(by_id) for name, make in _MAKERS.items()}


def _notebook(what: str, source: str, cells: list[Any]) -> Any:
    label = v4.new_markdown_cell(
        f"*Constructed for researchlog's tests, not a real notebook:* {what}.\n\n"
        f"Made from: {source}."
    )
    notebook = v4.new_notebook(cells=[label, *cells])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["realnb_constructed"] = {"what": what, "source": source}
    return notebook


def _output_of(notebook: Any, cell: int, number: int = 0) -> Any:
    return notebook.cells[cell].outputs[number]


def _stream_runs(real: dict[str, Any]) -> Any:
    """Hundreds of consecutive stream outputs, as nbclient and papermill save them: the 500
    lines IPython 2's "Basic Output" example printed in one stdout output, one per output."""
    cell = real["ipython2-basic-output"].cells[18]
    assert cell.source.startswith("for i in range(500):"), cell.source
    lines = cell.outputs[0].text.splitlines(keepends=True)[:300]

    def stream(name: str, text: str) -> Any:
        return v4.new_output("stream", name=name, text=text)

    uniform = v4.new_code_cell(cell.source, execution_count=1)
    uniform.outputs = [stream("stdout", line) for line in lines]
    mixed = v4.new_code_cell(
        "import sys\nfor i in range(300):\n"
        "    print(2**i - 1, file=sys.stderr if 100 <= i < 150 else sys.stdout)",
        execution_count=2,
    )
    mixed.outputs = [
        stream("stderr" if 100 <= index < 150 else "stdout", line)
        for index, line in enumerate(lines)
    ]
    return _notebook(
        "300 consecutive one-line stdout outputs; then 100 stdout, 50 stderr and 150 stdout",
        'the stdout of cell 19 of ipython-2.4.1 "examples/Notebook/Basic Output.ipynb",'
        " split line by line",
        [uniform, v4.new_markdown_cell("The same lines, with a run of stderr between."), mixed],
    )


def _math_headings(real: dict[str, Any]) -> Any:
    """`$…$` in Markdown headings, and links to their Jupyter anchors."""
    heading = next(
        line
        for cell in real["ipython2-typesetting-math"].cells
        for line in cell.source.splitlines()
        if line.startswith("## The probability of getting")
    )
    dollars = re.sub(r"\\\((.+?)\\\)", r"$\1$", heading)  # \(k\) -> $k$
    anchor = re.sub(r"\s+", "-", dollars.lstrip("#").strip())
    cells = [
        v4.new_markdown_cell(
            "## The $\\lambda$ parameter\n\nThe rate of the Poisson process."
            " [see](#The-$\\lambda$-parameter)"
        ),
        v4.new_markdown_cell(
            f"{dollars}\n\n$$P(E) = {{n \\choose k}} p^k (1-p)^{{ n-k}}$$\n\n"
            f"[Back to the binomial formula](#{anchor})"
        ),
    ]
    return _notebook(
        "Markdown headings with `$…$` math, and links to their Jupyter anchors",
        "the first by hand; the second is a heading of ipython-2.4.1"
        ' "examples/Notebook/Typesetting Math Using MathJax.ipynb" with `\\(…\\)` written as `$…$`',
        cells,
    )


VEGA_V5_BY_HAND = {
    "$schema": "https://vega.github.io/schema/vega/v5.json",
    "width": 200,
    "height": 100,
    "data": [{"name": "table", "values": [{"x": "A", "y": 28}, {"x": "B", "y": 55}]}],
    "scales": [
        {
            "name": "xscale",
            "type": "band",
            "domain": {"data": "table", "field": "x"},
            "range": "width",
        },
        {"name": "yscale", "domain": {"data": "table", "field": "y"}, "range": "height"},
    ],
    "axes": [{"orient": "bottom", "scale": "xscale"}, {"orient": "left", "scale": "yscale"}],
    "marks": [
        {
            "type": "rect",
            "from": {"data": "table"},
            "encode": {
                "enter": {
                    "x": {"scale": "xscale", "field": "x"},
                    "width": {"scale": "xscale", "band": 1},
                    "y": {"scale": "yscale", "field": "y"},
                    "y2": {"scale": "yscale", "value": 0},
                }
            },
        }
    ],
}


def _vega_mime(real: dict[str, Any]) -> Any:
    """Altair's v4/v5 MIME bundles: the real vega-lite v3 charts of ipyparallel's scheduler
    benchmarks (each with its PNG fallback), relabelled as v5 and v4, and a Vega v5 spec."""
    benchmarks = real["ipp-scheduler-benchmarks"]
    bundles = []
    for version, cell, number in (("v5", 5, 2), ("v4", 6, 1)):
        output = _output_of(benchmarks, cell, number)
        spec = json.loads(json.dumps(output.data["application/vnd.vegalite.v3+json"]))
        spec["$schema"] = f"https://vega.github.io/schema/vega-lite/{version}.json"
        data = {
            f"application/vnd.vegalite.{version}+json": spec,
            "image/png": output.data["image/png"],
            "text/plain": "<VegaLite 5 object>" if version == "v5" else "<VegaLite 4 object>",
        }
        bundles.append(v4.new_output("display_data", data=data, metadata=dict(output.metadata)))
    bundles.append(
        v4.new_output(
            "display_data",
            data={
                "application/vnd.vega.v5+json": VEGA_V5_BY_HAND,
                "text/plain": "<Vega 5 object>",
            },
        )
    )
    cells = []
    for count, output in enumerate(bundles, start=1):
        cell = v4.new_code_cell("chart", execution_count=count)
        cell.outputs = [output]
        cells.append(cell)
    return _notebook(
        "vega-lite v5 and v4 MIME bundles with PNG fallbacks, and a Vega v5 bundle",
        "the vega-lite v3 specs and PNGs of output 3 of cell 6 and output 2 of cell 7 of"
        ' ipyparallel-9.2.0 "benchmarks/scheduler_benchmarks.ipynb", with their `$schema`'
        " changed; the Vega spec by hand",
        cells,
    )


def _video_mp4(real: dict[str, Any]) -> Any:
    """An HTML output with a data:video/mp4 source: IPython 2's example video (an x-m4v file,
    which is an MP4 container), relabelled."""
    cell = real["ipython2-display-system"].cells[41]
    markup = cell.outputs[0].data["text/html"]
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", markup)
    assert payload is not None, markup[:200]
    video = f'<video controls src="data:video/mp4;base64,{payload.group(1)}">'
    shown = v4.new_code_cell(cell.source.replace("x-m4v", "mp4"), execution_count=1)
    shown.outputs = [
        v4.new_output(
            "execute_result",
            data={"text/html": video, "text/plain": "<IPython.core.display.HTML object>"},
            execution_count=1,
        )
    ]
    return _notebook(
        'an HTML output with `<video controls src="data:video/mp4;base64,…">`',
        'the video in cell 42 of ipython-2.4.1 "examples/Notebook/Display System.ipynb",'
        " its MIME type changed from `video/x-m4v`",
        [shown],
    )


def _svg_no_xmlns(real: dict[str, Any]) -> Any:
    """An image/svg+xml output without xmlns, as some kernels and hand-written SVG give it:
    the Rubyvis chart of mkdocs-jupyter's Ruby notebook with its default namespace removed."""
    cell = real["mkdocs-jupyter-ruby"].cells[34]
    output = cell.outputs[0]
    svg = output.data["image/svg+xml"].replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    assert "xmlns=" not in svg, svg[:200]
    shown = v4.new_code_cell(cell.source, execution_count=1)
    shown.outputs = [
        v4.new_output(
            "display_data", data={"image/svg+xml": svg, "text/plain": output.data["text/plain"]}
        )
    ]
    return _notebook(
        "an `image/svg+xml` output whose `<svg>` has no `xmlns` attribute",
        'cell 35 of mkdocs_jupyter-0.27.0 "src/mkdocs_jupyter/tests/mkdocs/docs/ruby.ipynb",'
        ' with `xmlns="http://www.w3.org/2000/svg"` removed',
        [shown],
    )


_MAKERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "constructed-stream-runs": _stream_runs,
    "constructed-math-headings": _math_headings,
    "constructed-vega-mime": _vega_mime,
    "constructed-video-mp4": _video_mp4,
    "constructed-svg-no-xmlns": _svg_no_xmlns,
}
IDS = tuple(_MAKERS)


def write_constructed(real: list[RealNotebook], folder: Path) -> dict[str, Path]:
    """Write the constructed notebooks as <id>.ipynb into `folder`; id -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, notebook in constructed_notebooks(real).items():
        path = folder / f"{name}.ipynb"
        nbformat.write(notebook, path)
        paths[name] = path
    return paths

"""Converting one notebook into a page body, with nbconvert. Runs in worker processes.

nbconvert does the notebook work: reading and upgrading (nbformat), running (ExecutePreprocessor,
only when asked), merging streams, honouring remove-cell/-input/-output tags, and its ANSI
filter. The page is written here rather than by a stock template, so that it is made of the
site's own parts: Markdown cells become the page's headings (in the table of contents, with
Jupyter's anchors) and blocks, code is highlighted with the same Pygments markup Material
styles in light and dark, and outputs are HTML blocks that skip the Markdown parser.

Each output is one `.rl-nb-output` element of the kind outputs.py names. What is left out
for safety, or linked instead of loaded from another host, is said once, at the top of the
page; an output that cannot be read (an image whose data is damaged) is left out with a
note in its place, and the rest of the notebook is shown.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import html
import re
import warnings
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nbformat
from nbconvert.exporters import Exporter
from nbconvert.filters import ansi2html
from nbconvert.preprocessors import (
    CoalesceStreamsPreprocessor,
    ExecutePreprocessor,
    Preprocessor,
    TagRemovePreprocessor,
)
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ..core import cache
from ..core.problems import Problem, error, plural, warning
from ..pages.figures import figure_html, json_attribute
from ..pages.urls import Urls
from ..read.files import git_blob_sha
from ..read.frontmatter import is_front_matter_cell, source_text
from ..read.links import link_target
from ..read.notebook_check import (
    MB,
    cell_lines,
    is_plotly_loader,
    line_of_cell,
    megabytes,
    output_size,
    plotly_remote_images,
    vega_remote_urls,
)
from .charts import (
    BokehItem,
    altair_specs,
    bokeh_item,
    bokeh_models,
    bokeh_title,
    compressed_buffers,
    plotly_figures,
    safe_bokeh,
    vega_mode,
)
from .job import Converted, Job
from .libraries import SITE_DIR, VEGA, bokeh_bundles
from .markdown import Heading, heading_markdown, render_cell, typeset_html
from .math import to_mathml
from .outputs import IMAGES, OMITTED, output_kind, saved_widgets
from .safety import (
    LABELS,
    REMOTE,
    REMOTE_LABEL,
    UnreadableSvg,
    and_list,
    removed_text,
    sanitize_html,
    sanitize_svg,
)
from .widgets import WidgetViews

REMOTE_FIGURE = "remote-figure"
_REMOTE_NOTES = {
    REMOTE: ("Shown as links", REMOTE_LABEL),
    REMOTE_FIGURE: (
        "Left out of charts",
        ("file from another host in a chart", "files from other hosts in charts"),
    ),
}
CELL_INDEX = "researchlog_cell"  # metadata key: the cell's place in the file, kept through tags
# How each kind of picture starts; data that does not is not shown as that picture.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
_SAFE_FILE = re.compile(r"[^A-Za-z0-9._-]+")
_LATEX_FENCES = re.compile(r"^\s*(\$\$|\$|\\\[)(.*?)(\$\$|\$|\\\])\s*$", re.DOTALL)
_FORMATTER = HtmlFormatter(nowrap=True)


def convert(job: Job) -> Converted:
    """The page body of one notebook."""
    data = Path(job.source).read_bytes()
    text = data.decode("utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing cell ids and the like: nbformat repairs them
        notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
    for index, cell in enumerate(notebook.cells):
        cell.setdefault("metadata", {})[CELL_INDEX] = index
    page = _Page(job, cell_lines(text))
    if job.execute:
        page.execute(notebook)
    notebook, resources = _pipeline(job.max_bytes).from_notebook_node(notebook, {})
    page.render(notebook, resources)
    return page.result(cacheable=git_blob_sha(data) == job.blob_sha)


class _Pipeline(Exporter):
    """nbconvert's preprocessing, without a template: the page is written by _Page."""

    output_mimetype = "text/markdown"

    def from_notebook_node(
        self, nb: Any, resources: Any | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        """The preprocessing steps, in place: the notebook was read for this page alone, so
        the two deep copies nbconvert makes of it (a fifth of a conversion) protect nothing."""
        resources = self._init_resources(resources)
        if "language" in nb["metadata"]:
            resources["language"] = nb["metadata"]["language"].lower()
        for preprocessor in self._preprocessors:
            nb, resources = preprocessor(nb, resources)
        return nb, resources

    def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
        """Skip re-validating the notebook after every step: that was a third of the time,
        and notebooks are validated once, when the log is read (notebook_check)."""


@functools.lru_cache(maxsize=8)
def _pipeline(max_bytes: int) -> _Pipeline:
    """One pipeline per worker and setting: its preprocessors keep no state between runs."""
    pipeline = _Pipeline()
    steps = [
        CoalesceStreamsPreprocessor(),
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell", "remove_cell"},
            remove_all_outputs_tags={"remove-output", "remove_output"},
            remove_input_tags={"remove-input", "remove_input"},
        ),
        OutputBudget(max_bytes=max_bytes),
    ]
    for step in steps:
        pipeline.register_preprocessor(step, enabled=True)
    return pipeline


# ----------------------------------------------------------------------------- preprocessors


class OutputBudget(Preprocessor):
    """Keep a notebook's outputs under a size limit, in order; later ones are cut, and a
    marker output says what was left out. A huge output can never stall the build."""

    def __init__(self, *, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        used = 0
        cut = Counter[str]()
        for cell in nb.cells:
            kept = []
            for output in cell.get("outputs", []):
                if is_plotly_loader(output):
                    continue
                size = output_size(output)
                if used + size > self.max_bytes:
                    cut["outputs"] += 1
                    cut["bytes"] += size
                    kept.append(
                        nbformat.v4.new_output("display_data", data={OMITTED: {"bytes": size}})
                    )
                    continue
                used += size
                kept.append(output)
            if "outputs" in cell:
                cell.outputs = kept
        resources["researchlog_cut"] = dict(cut)
        resources["researchlog_output_bytes"] = used + cut["bytes"]
        return nb, resources


class _TrackingExecutor(ExecutePreprocessor):
    """ExecutePreprocessor that remembers which cell it is on, for a timeout's message."""

    current = -1

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
        self.current = index
        return super().preprocess_cell(cell, resources, index)


# ----------------------------------------------------------------------------- the page


class _Page:
    def __init__(self, job: Job, lines: list[int]) -> None:
        self.job = job
        self.lines = lines
        self.parts: list[str | Heading] = []  # Markdown (placeholders) and cell headings
        self.notes: list[str] = []  # said once, at the top of the notebook
        self.blocks: dict[str, str] = {}
        self.files: list[tuple[str, str]] = []
        self.problems: list[Problem] = []
        self.figures = 0
        self.cacheable = True
        self.prefix = f"rlnb{job.key[:10]}"
        self.urls = Urls(directory_urls=job.directory_urls)
        self.language = "python"
        self.widgets: dict[str, Any] = {}  # saved widget models, by model id
        self.removed: Counter[str] = Counter()  # what was left out, by kind
        self.removed_cells: dict[str, set[int]] = {}  # "safety" | "remote" -> cell indexes
        self.anchors: dict[int, str] = {}  # cell index -> an id on the page within it
        self.attachments: dict[str, str] = {}  # of the Markdown cell being read: name -> file
        self.libraries: dict[str, None] = {}  # vendored scripts the charts need, in order
        self.charts = 0

    # ------------------------------------------------------------------ results

    def block(self, markup: str) -> str:
        token = f"{self.prefix}x{len(self.blocks)}"
        self.blocks[token] = markup
        return token

    def problem(self, severity: str, cell: int | None, message: str, hint: str, code: str) -> None:
        line = line_of_cell(self.lines, cell) if cell is not None else None
        make = error if severity == "error" else warning
        self.problems.append(make(self.job.path, line, message, hint, code=code))

    def result(self, *, cacheable: bool) -> Converted:
        return Converted(
            markdown="\n\n".join(p for p in self._markdown_parts() if p.strip()) + "\n",
            blocks=self.blocks,
            files=tuple(self.files),
            problems=tuple(self.problems),
            figures=self.figures,
            cacheable=self.cacheable and cacheable,
            libraries=tuple(self.libraries),
        )

    def _markdown_parts(self) -> list[str]:
        """The page's Markdown: a heading that opens the notebook is the page's title (h1);
        every other heading is below it, so that all reach the table of contents (Material
        lists only what is under the page's one h1). Then the notes, then the cells."""
        parts = list(self.parts)
        first = parts[0] if parts else None
        title = first if isinstance(first, Heading) and first.level == 1 else None
        if title is not None:
            parts.pop(0)
        shift = 1 if any(isinstance(p, Heading) and p.level == 1 for p in parts) else 0
        summary = self._left_out()
        notes = [self.block(note) for note in (*self.notes, summary) if note]
        written = [heading_markdown(title, title.html)] if title else []
        written += notes
        for part in parts:
            if isinstance(part, Heading):
                level = min(part.level + shift, 6)
                written.append(heading_markdown(replace(part, level=level), part.html))
            else:
                written.append(part)
        return written

    def _left_out(self) -> str:
        """One note for the whole page: what was left out for safety, and what is linked
        rather than loaded from another host, with the cells where it was."""
        paragraphs = []
        unsafe = {key: n for key, n in self.removed.items() if key in LABELS}
        if unsafe:
            paragraphs.append(
                f"Left out for safety: {removed_text(Counter(unsafe))}"
                f"{self._where('safety')}. Notebook outputs run code only on sites that set"
                " trust_notebook_html: true."
            )
        for key, (what, labels) in _REMOTE_NOTES.items():
            if self.removed[key]:
                paragraphs.append(
                    f"{what}, since this page loads nothing from other hosts:"
                    f" {plural(self.removed[key], *labels)}{self._where(key)}."
                )
        if not paragraphs:
            return ""
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        return (
            '<div class="admonition note rl-nb-left-out"><p class="admonition-title">'
            f"Not everything in this notebook is shown here</p>{body}</div>"
        )

    def _where(self, kind: str) -> str:
        cells = sorted(self.removed_cells.get(kind, ()))
        if not cells:
            return ""
        named = [
            f'<a href="#{html.escape(self.anchors[c], quote=True)}">{c + 1}</a>'
            if c in self.anchors
            else str(c + 1)
            for c in cells
        ]
        return f" (in {'cell' if len(cells) == 1 else 'cells'} {and_list(named)})"

    def left_out(self, cell: int, removed: Counter[str]) -> None:
        """Count what the sanitiser left out of a cell, for the page's one note."""
        for key, count in removed.items():
            if count:
                self.removed[key] += count
                kind = key if key in _REMOTE_NOTES else "safety"
                self.removed_cells.setdefault(kind, set()).add(cell)

    # ------------------------------------------------------------------ execution

    def execute(self, notebook: Any) -> None:
        """Run the notebook in its own folder; errors stay on the page and become problems."""
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        spec = notebook.metadata.get("kernelspec", {})
        executor = _TrackingExecutor(
            timeout=self.job.timeout,
            allow_errors=True,
            kernel_name=spec.get("name", "") if isinstance(spec, dict) else "",
        )
        hint = "fix the cell and build again, or remove execute: true to show saved outputs"
        try:
            executor.preprocess(notebook, {"metadata": {"path": str(Path(self.job.source).parent)}})
        except CellTimeoutError:
            self.cacheable = False
            self.problem(
                "error",
                executor.current,
                f"cell {executor.current + 1} did not finish within {self.job.timeout} s"
                " (execute_timeout); the page shows the outputs saved in the file",
                "make the cell faster, or raise execute_timeout in mkdocs.yml",
                code="notebook-execute",
            )
        except NoSuchKernel as exc:
            self.cacheable = False
            self.problem(
                "error",
                None,
                f"cannot run the notebook: the kernel {exc.name!r} is not installed",
                "install it (pip install ipykernel), or remove execute: true",
                code="notebook-execute",
            )
        except DeadKernelError as exc:
            self.cacheable = False
            self.problem(
                "error",
                executor.current,
                f"the kernel died while running cell {executor.current + 1}: {exc}",
                hint,
                code="notebook-execute",
            )
        except Exception as exc:  # starting a kernel can fail in many ways; say which
            self.cacheable = False
            self.problem(
                "error",
                None,
                f"cannot run the notebook: {type(exc).__name__}: {exc}",
                hint,
                code="notebook-execute",
            )
        for index, cell in enumerate(notebook.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    self.problem(
                        "error",
                        index,
                        f"cell {index + 1} raised {output.get('ename', 'an error')}:"
                        f" {output.get('evalue', '')}".rstrip(": "),
                        hint,
                        code="notebook-execute",
                    )
                    break

    # ------------------------------------------------------------------ cells

    def render(self, notebook: Any, resources: dict[str, Any]) -> None:
        info = notebook.metadata.get("language_info", {})
        self.language = str(info.get("pygments_lexer") or info.get("name") or "python")
        self.widgets = saved_widgets(notebook.metadata)
        self._cut_note(resources)
        for cell in notebook.cells:
            index = int(cell.metadata.get(CELL_INDEX, 0))
            if index == 0 and is_front_matter_cell(cell):
                continue
            kind = cell.get("cell_type")
            if kind == "markdown":
                self.attachments = self._attachments(cell, index)
                self._markdown(source_text(cell.source), index)
                self.attachments = {}
            elif kind == "code":
                self.parts.append(self.block(self._code_cell(cell, index)))
            elif kind == "raw":
                self._raw_cell(cell, index)

    def _cut_note(self, resources: dict[str, Any]) -> None:
        cut = resources.get("researchlog_cut") or {}
        if not cut.get("outputs"):
            return
        limit = f"{self.job.max_bytes / MB:.3g} MB"
        total = megabytes(resources.get("researchlog_output_bytes", 0))
        outputs = plural(cut["outputs"], "output")
        self.notes.append(
            '<div class="admonition warning rl-nb-cut"><p class="admonition-title">'
            "Some outputs are not shown</p><p>This notebook's outputs add up to"
            f" {total}, over the site's limit of {limit} per notebook, so {outputs}"
            " (marked below) were left out. Download the notebook to see them.</p></div>"
        )
        if self.job.execute:
            # Outputs in the file are reported when the log is read (notebook_check); these
            # were made by running the notebook now.
            self.problem(
                "warning",
                None,
                f"the outputs of running it add up to {total}, over the {limit} limit"
                f" (notebook_max_mb); {outputs} left out of the page",
                "make the notebook print less (or save figures as files),"
                " or raise notebook_max_mb in mkdocs.yml",
                code="notebook-too-large",
            )

    def _attachments(self, cell: Any, index: int) -> dict[str, str]:
        """The pictures pasted into a Markdown cell, as files beside the page: name -> address.
        Each cell has its own names (two cells may both attach "image.png")."""
        found: dict[str, str] = {}
        attachments = cell.get("attachments")
        for name, bundle in attachments.items() if isinstance(attachments, dict) else ():
            for mime in (m for m in IMAGES if isinstance(bundle, dict) and m in bundle):
                try:
                    content = self._image_bytes(bundle[mime], mime, index)
                except (ValueError, UnreadableSvg):
                    continue  # damaged: another type of the same picture, if there is one
                stem = Path(str(name)).stem or "attachment"
                stored = self._file(f"{stem}{IMAGES[mime]}", content)
                found[str(name)] = self.job.files_href + stored
                break
        return found

    def _markdown(self, source: str, index: int) -> None:
        """A Markdown cell in Jupyter's dialect, sanitised like an output. Its top-level
        headings go into the page's own Markdown, for the table of contents and search."""
        for part in render_cell(source):
            cleaned = sanitize_html(part.html, address=self._address, trusted=self.job.trusted)
            self.left_out(index, cleaned.removed)
            if isinstance(part, Heading):
                self.anchors.setdefault(index, part.anchor)
                self.parts.append(replace(part, html=cleaned.html))
                continue
            anchor = ""
            if index not in self.anchors:
                self.anchors[index] = f"cell-{index + 1}"
                anchor = f' id="cell-{index + 1}"'
            self.parts.append(
                self.block(f'<div class="rl-nb-markdown"{anchor}>{cleaned.html}</div>')
            )

    def _address(self, href: str) -> str:
        """An address in a Markdown cell or an output, made relative to the page: a cell's
        attachments and files beside the notebook to where the site has them, links between
        notebooks and entries to their pages. An address from the root (/img/x.png) is from
        the root of the site, as the link check reads it."""
        if href.lower().startswith("attachment:"):
            return self.attachments.get(unquote(href.split(":", 1)[1]), href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
            return href
        target = link_target(self.job.src_uri, href, rooted=True)
        if target is None:
            return href
        forge = dict(self.job.code_links).get(target)
        if forge is not None:  # code, shown on the forge
            return forge + (f"#{parts.fragment}" if parts.fragment else "")
        if target.startswith("../"):
            return href  # outside the site: left as written (and reported by check)
        if target.endswith((".md", ".ipynb")):
            return self.urls.rel(self.job.src_uri, target, parts.fragment)
        anchor = f"#{parts.fragment}" if parts.fragment else ""
        return self.urls.asset(self.job.src_uri, target) + anchor

    def _raw_cell(self, cell: Any, index: int) -> None:
        kind = str(cell.metadata.get("raw_mimetype") or cell.metadata.get("format") or "")
        source = source_text(cell.source)
        if kind in ("text/markdown", "markdown"):
            self._markdown(source, index)
        elif kind in ("text/html", "html"):
            self.parts.append(self.block(self._html(source, index)))

    def _code_cell(self, cell: Any, index: int) -> str:
        parts = [f'<div class="rl-nb-cell" id="cell-{index + 1}">']
        self.anchors.setdefault(index, f"cell-{index + 1}")
        source = source_text(cell.source)
        if source.strip() and not cell.get("transient", {}).get("remove_source"):
            parts.append(self._code(source))
        rendered = [self._output(o, index, n, cell) for n, o in enumerate(cell.outputs)]
        rendered = [r for r in rendered if r]
        if rendered:
            parts.append('<div class="rl-nb-outputs">' + "".join(rendered) + "</div>")
        parts.append("</div>")
        return "".join(parts) if len(parts) > 2 else ""

    def _code(self, source: str) -> str:
        """The same markup pymdownx.highlight writes, so Material's code styles apply."""
        name, lexer = _lexer(self.language)
        shown = "python" if name.startswith("ipython") else name
        code = highlight(source.rstrip("\n") + "\n", lexer, _FORMATTER)
        return (
            f'<div class="language-{html.escape(shown)} highlight"><pre><span></span>'
            f"<code>{code}</code></pre></div>"
        )

    # ------------------------------------------------------------------ outputs

    def _output(self, output: Any, cell: int, number: int, source: Any) -> str:
        """One output as one element of its kind (see outputs.py)."""
        found = output_kind(output, self.widgets)
        if found is None:
            return ""
        kind, mime = found
        try:
            body = self._output_body(kind, mime, output, cell, number, source)
        except Exception as exc:  # one damaged output must not cost the whole notebook
            body = _note("damaged", f"This output could not be shown: {_reason(exc)}.")
        return f'<div class="rl-nb-output" data-output="{kind}">{body}</div>'

    def _output_body(
        self, kind: str, mime: str, output: Any, cell: int, number: int, source: Any
    ) -> str:
        if kind == "stream":
            name = "stderr" if output.get("name") == "stderr" else "stdout"
            return _pre(f"rl-nb-stream rl-nb-stream--{name}", source_text(output.get("text", "")))
        if kind == "error":
            trace = "\n".join(output.get("traceback", [])) or (
                f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
            )
            return _pre("rl-nb-error", trace)
        value = output["data"][mime]
        if kind == "omitted":
            return _note(
                "cut",
                f"An output of {megabytes(value.get('bytes', 0))} was left out here: the"
                " notebook's outputs are over the size limit.",
            )
        if kind == "plotly":
            return self._plotly(value, cell)
        if kind == "widget":
            return self._widget(value, cell, source)
        if kind == "vega":
            if isinstance(value, dict):
                return self._vega(value, vega_mode(mime), output, cell, number, source)
            return self._fallback(output, cell, number, source)
        if kind == "bokeh":
            item = bokeh_item(source_text(output["data"].get("application/javascript", "")))
            if item is not None:
                return self._bokeh(item, cell)
            return self._fallback(output, cell, number, source)
        return self._representation(mime, output, cell, number, source)

    # ------------------------------------------------------------------ charts

    def _scripts(self, paths: tuple[str, ...]) -> str:
        """The addresses of vendored scripts, for a data-…-src attribute; the page needs them."""
        self.libraries.update(dict.fromkeys(paths))
        return " ".join(self.urls.asset(self.job.src_uri, f"{SITE_DIR}/{p}") for p in paths)

    def _chart_label(self, title: Any, cell: int) -> str:
        if isinstance(title, dict):
            title = title.get("text")
        if isinstance(title, list):
            title = " ".join(str(t) for t in title)
        return f"Chart: {title}" if title else f"Chart, output of cell {cell + 1}"

    def _vega(
        self, spec: dict[str, Any], mode: str, output: Any, cell: int, number: int, source: Any
    ) -> str:
        """A vega-lite or Vega chart drawn from its spec by the site's vega-embed; where it
        cannot be drawn, the picture the notebook saved of it (if any) is shown instead."""
        self.charts += 1
        fallback = picture_tag = ""
        data = output.get("data", {}) if output is not None else {}
        picture = next((m for m in ("image/png", "image/svg+xml") if m in data), None)
        if picture is not None:
            try:
                content = self._image_bytes(data[picture], picture, cell)
            except (ValueError, UnreadableSvg):
                content = b""
            if content:
                name = self._file(f"output_{cell}_{number}{IMAGES[picture]}", content)
                src = html.escape(self.job.files_href + name, quote=True)
                alt = html.escape(_alt_text(source, cell), quote=True)
                picture_tag = f'<img src="{src}" alt="{alt}">'
                fallback = (
                    f' data-fallback="{src}" data-fallback-alt="{alt}"'
                    f"><noscript>{picture_tag}</noscript"
                )
        label = html.escape(self._chart_label(spec.get("title"), cell), quote=True)
        remote = vega_remote_urls(spec)
        if remote:
            # Its data is on another host, which the site never asks: the picture, if any.
            self.left_out(cell, Counter({REMOTE_FIGURE: len(remote)}))
            shown = picture_tag or _note(
                "remote", "This chart is not drawn: its data is on another host."
            )
            return (
                f'<figure class="rl-chart" aria-label="{label}"><div class="rl-vega'
                f' rl-chart--picture">{shown}</div></figure>'
            )
        return (
            f'<figure class="rl-chart" aria-label="{label}"><div class="rl-vega"'
            f' data-vega-src="{html.escape(self._scripts(VEGA), quote=True)}" data-mode="{mode}"'
            f" data-spec='{json_attribute(spec)}'{fallback}></div></figure>"
        )

    def _bokeh(self, item: BokehItem, cell: int) -> str:
        """A Bokeh document drawn by the site's BokehJS, from its JSON: with its code emptied
        and its HTML sanitised unless notebooks are trusted."""
        if not self.job.trusted:
            item, removed = safe_bokeh(item, lambda markup: sanitize_html(markup))
            self.left_out(cell, removed)
        bundles = bokeh_bundles(item.major, bokeh_models(item.docs))
        if bundles is None:
            return _note(
                "damaged",
                f"This Bokeh chart was made by Bokeh {item.major or 'of an unknown version'},"
                " which this site cannot draw (it draws Bokeh 2 and 3).",
            )
        self.charts += 1
        docs = compressed_buffers(item.docs) if item.major >= 3 else item.docs
        label = html.escape(self._chart_label(bokeh_title(item.docs), cell), quote=True)
        return (
            f'<figure class="rl-chart" aria-label="{label}"><div class="rl-bokeh"'
            f' id="{self.prefix}-bokeh-{self.charts}" data-major="{item.major}"'
            f' data-bokeh-src="{html.escape(self._scripts(bundles), quote=True)}"'
            f" data-docs='{json_attribute(docs)}' data-items='{json_attribute(item.items)}'>"
            "</div></figure>"
        )

    def _charts_in_html(self, markup: str, cell: int) -> str | None:
        """Charts an HTML output draws with its script (Altair's vegaEmbed, plotly's and
        XPlot's Plotly.newPlot, Bokeh's embed), drawn here from their JSON; None if none."""
        if "<script" not in markup.lower():
            return None
        shown = [self._vega(spec, mode, None, cell, 0, None) for spec, mode in altair_specs(markup)]
        shown += [self._plotly(figure, cell) for figure in plotly_figures(markup)]
        if "docs_json" in markup:
            item = bokeh_item(markup)
            if item is not None:
                shown.append(self._bokeh(item, cell))
        return "".join(shown) if shown else None

    def _representation(self, mime: str, output: Any, cell: int, number: int, source: Any) -> str:
        """The HTML for one MIME type of an output (not a chart)."""
        value = output["data"][mime]
        if mime == "text/html":
            return self._html_output(source_text(value), output, cell, number, source)
        if mime in IMAGES:
            return self._image(output, mime, cell, number, source)
        if mime == "text/markdown":
            parts = render_cell(source_text(value))
            markup = "".join(
                f"<h{p.level}>{p.html}</h{p.level}>" if isinstance(p, Heading) else p.html
                for p in parts
            )
            return self._html(markup, cell, kind="markdown")
        if mime == "text/latex":
            tex = source_text(value)
            fenced = _LATEX_FENCES.match(tex)
            return to_mathml(fenced.group(2) if fenced else tex, display=True)
        if mime == "application/javascript":
            return self._script(source_text(value), cell)
        return _pre("rl-nb-text", source_text(value))

    def _fallback(self, output: Any, cell: int, number: int, source: Any) -> str:
        """What an output shows when its chart or widget cannot be drawn: the best of its
        other representations (a picture, its HTML, its text)."""
        data = output.get("data", {})
        for mime in ("text/html", *IMAGES, "text/markdown", "text/latex", "text/plain"):
            if mime in data:
                return self._representation(mime, output, cell, number, source)
        return ""

    def _widget(self, view: Any, cell: int, source: Any) -> str:
        """A widget drawn from the state the notebook saved (see widgets.py)."""

        def markup(text: str) -> str:
            cleaned = sanitize_html(text, address=self._address, trusted=self.job.trusted)
            self.left_out(cell, cleaned.removed)
            return cleaned.html

        def store(name: str, content: bytes) -> str:
            return self.job.files_href + self._file(name, content)

        def outputs(items: list[Any]) -> str:
            shown = []
            for number, item in enumerate(items):
                found = output_kind(item, self.widgets) if isinstance(item, dict) else None
                if found is not None:
                    body = self._output_body(*found, item, cell, 1000 + number, source)
                    shown.append(f'<div class="rl-w-output">{body}</div>')
            return "".join(shown)

        views = WidgetViews(
            self.widgets, markup=markup, math=typeset_html, store=store, outputs=outputs
        )
        return views.render(str(view.get("model_id")))

    def _script(self, code: str, cell: int) -> str:
        """A JavaScript output: run where notebooks are trusted, else shown as its code."""
        if self.job.trusted:
            escaped = code.replace("</", "<\\/")
            return f'<script type="text/javascript">{escaped}</script>'
        self.left_out(cell, Counter({"script": 1}))
        return (
            '<details class="rl-nb-script"><summary>JavaScript output, not run</summary>'
            f"<pre><code>{html.escape(code, quote=False)}</code></pre></details>"
        )

    def _html(self, markup: str, cell: int, kind: str = "html") -> str:
        cleaned = sanitize_html(markup, address=self._address, trusted=self.job.trusted)
        self.left_out(cell, cleaned.removed)
        return f'<div class="rl-nb-{kind}">{cleaned.html}</div>'

    def _html_output(self, markup: str, output: Any, cell: int, number: int, source: Any) -> str:
        if self.job.trusted:
            return f'<div class="rl-nb-html">{markup}</div>'
        charts = self._charts_in_html(markup, cell)
        if charts is not None:
            return charts
        cleaned = sanitize_html(markup, address=self._address)
        self.left_out(cell, cleaned.removed)
        image = next((m for m in IMAGES if m in output.get("data", {})), None)
        if cleaned.removed and image:
            # A scripted widget that also saved a picture of itself: show the picture.
            return self._image(output, image, cell, number, source)
        return f'<div class="rl-nb-html">{cleaned.html}</div>'

    def _image_bytes(self, raw: Any, mime: str, cell: int) -> bytes:
        """An image's file content: decoded, and for SVG made inert (unless trusted)."""
        if mime == "image/svg+xml":
            text = source_text(raw)
            # Outputs hold SVG as text; cell attachments, like other pictures, in base64.
            content = text.encode() if text.lstrip().startswith("<") else _base64(text)
            if not self.job.trusted:
                # Opened on its own, an SVG file is a page of the site: it must run nothing.
                content, removed = sanitize_svg(content)
                self.left_out(cell, removed)
            return content
        content = _base64(source_text(raw))
        if not content.startswith(_MAGIC[mime]):
            what = "empty" if not content else f"not a {mime.split('/')[1].upper()} image"
            raise ValueError(f"its data is {what}")
        return content

    def _image(self, output: Any, mime: str, cell: int, number: int, source: Any) -> str:
        try:
            content = self._image_bytes(output["data"][mime], mime, cell)
        except UnreadableSvg:
            return _note("damaged", "An SVG image that is not well-formed XML was left out.")
        except ValueError as exc:
            return _note("damaged", f"This image could not be read: {exc}.")
        name = self._file(f"output_{cell}_{number}{IMAGES[mime]}", content)
        alt = _alt_text(source, cell)
        size = output.get("metadata", {}).get(mime, {})
        dims = "".join(
            f' {key}="{int(size[key])}"'
            for key in ("width", "height")
            if isinstance(size, dict) and isinstance(size.get(key), int | float)
        )
        src = html.escape(self.job.files_href + name, quote=True)
        return (
            f'<div class="rl-nb-image"><img src="{src}" alt="{html.escape(alt, quote=True)}"'
            f'{dims} loading="lazy"></div>'
        )

    def _plotly(self, figure: Any, cell: int) -> str:
        if not isinstance(figure, dict):
            return ""
        self.figures += 1
        layout = figure.get("layout", {})
        title = layout.get("title", "") if isinstance(layout, dict) else ""
        if isinstance(title, dict):
            title = title.get("text", "")
        label = f"Chart: {title}" if title else f"Interactive chart, output of cell {cell + 1}"
        figure = _modern_titles(dict(figure))
        layout = figure.get("layout", {})
        config = figure.get("config", {})
        if isinstance(config, dict):  # plotly.py sets this; nothing may call other hosts
            figure["config"] = {k: v for k, v in config.items() if k != "plotlyServerURL"}
        remote = plotly_remote_images(figure)
        if remote and isinstance(layout, dict):
            # Pictures in the layout that plotly.js would fetch from other hosts: left out.
            kept = [
                i
                for i in layout["images"]
                if not (isinstance(i, dict) and i.get("source") in remote)
            ]
            figure["layout"] = {**layout, "images": kept}
            self.left_out(cell, Counter({REMOTE_FIGURE: len(remote)}))
        return figure_html(figure, self.job.src_uri, self.urls, label=str(label))

    def _file(self, name: str, content: bytes) -> str:
        """Keep an extracted file in the cache by content hash; return its name on the site."""
        name = _SAFE_FILE.sub("-", name).strip(".-") or "output"
        taken = {n for n, _ in self.files}
        stem, dot, ext = name.rpartition(".")
        count = 2
        while name in taken:
            name, count = f"{stem}-{count}{dot}{ext}", count + 1
        sha = hashlib.sha256(content).hexdigest()
        path = Path(self.job.files_cache) / sha
        if not path.exists():
            cache.write_atomic(path, content)
        self.files.append((name, sha))
        return name


# ----------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=16)
def _lexer(name: str) -> tuple[str, Any]:
    """The Pygments lexer for a notebook's language (looking one up is slow), else plain text."""
    try:
        return name, get_lexer_by_name(name, stripnl=False)
    except ClassNotFound:
        return "text", get_lexer_by_name("text")


def _pre(css: str, text: str) -> str:
    body = ansi2html(text) if "\x1b[" in text else html.escape(text, quote=False)
    return f'<pre class="{css}"><code>{body}</code></pre>'


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"its data is not valid base64 ({exc})") from None


def _note(kind: str, text: str) -> str:
    return f'<p class="rl-nb-note rl-nb-note--{kind}">{html.escape(text, quote=False)}</p>'


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _modern_titles(value: Any) -> Any:
    """Titles as plotly.js 2 and 3 read them: older plotly.py (and XPlot) wrote `title: "…"`
    and `titlefont`, which the site's plotly.js ignores; now `title: {text, font}`."""
    if isinstance(value, list):
        return [_modern_titles(item) for item in value]
    if not isinstance(value, dict):
        return value
    fixed = {key: _modern_titles(item) for key, item in value.items()}
    if isinstance(fixed.get("title"), str | int | float):
        fixed["title"] = {"text": fixed["title"]}
    for old, new in (("titlefont", "font"), ("titleside", "side")):
        if old in fixed and isinstance(fixed.get("title", {}), dict):
            fixed["title"] = {new: fixed.pop(old), **fixed.get("title", {})}
    return fixed


def _alt_text(cell: Any, index: int) -> str:
    """Alt text from the cell's metadata (alt, or caption), else a plain description."""
    meta = cell.get("metadata", {})
    for key in ("alt", "caption"):
        if isinstance(meta.get(key), str) and meta[key].strip():
            return str(meta[key]).strip()
    return f"Output of cell {index + 1}"

"""Converting one notebook into a page body, with nbconvert. Runs in worker processes.

nbconvert does the notebook work: reading and upgrading (nbformat), running (ExecutePreprocessor,
only when asked), merging streams, honouring remove-cell/-input/-output tags, extracting images
and attachments to files, and its ANSI and Markdown filters. The page is written here rather
than by a stock template, so that it is made of the site's own parts: Markdown cells stay
Markdown (headings reach the table of contents, links between entries are checked), code is
highlighted with the same Pygments markup Material styles in light and dark, and outputs are
HTML blocks that skip the Markdown parser.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import posixpath
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nbformat
from nbconvert.exporters import Exporter
from nbconvert.filters import ansi2html, markdown2html_mistune
from nbconvert.preprocessors import (
    CoalesceStreamsPreprocessor,
    ExecutePreprocessor,
    ExtractAttachmentsPreprocessor,
    ExtractOutputPreprocessor,
    Preprocessor,
    TagRemovePreprocessor,
)
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ..core import cache
from ..core.problems import Problem, error, plural, warning
from ..pages.figures import figure_html
from ..pages.urls import Urls
from ..read.files import git_blob_sha
from ..read.frontmatter import is_front_matter_cell, source_text
from ..read.notebook_check import (
    MB,
    cell_lines,
    is_plotly_loader,
    line_of_cell,
    megabytes,
    output_size,
)
from .job import Converted, Job
from .markdown import Heading, heading_markdown, render_cell
from .math import to_mathml
from .safety import UnreadableSvg, removed_text, sanitize_html, sanitize_svg

PLOTLY = "application/vnd.plotly.v1+json"
OMITTED = "application/x.researchlog-omitted+json"  # an output cut by the size limit
IMAGES = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}
# Which representation of an output to show, best first. Plotly's JSON beats its HTML
# fallback, which needs require.js and a CDN.
PRIORITY = (
    OMITTED,
    PLOTLY,
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "application/javascript",
    "text/plain",
)
CELL_INDEX = "researchlog_cell"  # metadata key: the cell's place in the file, kept through tags
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
    notebook, resources = _pipeline(job.max_bytes).from_notebook_node(
        notebook, {"unique_key": "output", "output_files_dir": job.files_dir}
    )
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
        ExtractOutputPreprocessor(
            output_filename_template="output_{cell_index}_{index}{extension}",
            extract_output_types=set(IMAGES),
        ),
        ExtractAttachmentsPreprocessor(),
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
        self.parts: list[str] = []
        self.blocks: dict[str, str] = {}
        self.files: list[tuple[str, str]] = []
        self.problems: list[Problem] = []
        self.figures = 0
        self.cacheable = True
        self.prefix = f"rlnb{job.key[:10]}"
        self.urls = Urls(directory_urls=job.directory_urls)
        self.language = "python"

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
            markdown="\n\n".join(p for p in self.parts if p.strip()) + "\n",
            blocks=self.blocks,
            files=tuple(self.files),
            problems=tuple(self.problems),
            figures=self.figures,
            cacheable=self.cacheable and cacheable,
        )

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
        self._cut_note(resources)
        outputs = resources.get("outputs", {})
        for cell in notebook.cells:
            index = int(cell.metadata.get(CELL_INDEX, 0))
            if index == 0 and is_front_matter_cell(cell):
                continue
            kind = cell.get("cell_type")
            if kind == "markdown":
                self._markdown(source_text(cell.source))
                self._attachments(cell, outputs)
            elif kind == "code":
                self.parts.append(self.block(self._code_cell(cell, index, outputs)))
            elif kind == "raw":
                self._raw_cell(cell)

    def _cut_note(self, resources: dict[str, Any]) -> None:
        cut = resources.get("researchlog_cut") or {}
        if not cut.get("outputs"):
            return
        limit = f"{self.job.max_bytes / MB:.3g} MB"
        total = megabytes(resources.get("researchlog_output_bytes", 0))
        outputs = plural(cut["outputs"], "output")
        self.parts.append(
            self.block(
                '<div class="admonition warning rl-nb-cut"><p class="admonition-title">'
                "Some outputs are not shown</p><p>This notebook's outputs add up to"
                f" {total}, over the site's limit of {limit} per notebook, so {outputs}"
                " (marked below) were left out. Download the notebook to see them.</p></div>"
            )
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

    def _attachments(self, cell: Any, outputs: dict[str, bytes]) -> None:
        """Files ExtractAttachmentsPreprocessor took out of this cell, kept beside the page."""
        for name in cell.get("attachments", {}):
            path = f"{self.job.files_dir}/{Path(name).name}"
            if path in outputs:
                self._file(Path(name).name, outputs[path])

    def _markdown(self, source: str) -> None:
        """A Markdown cell in Jupyter's dialect, sanitised like an output. Its top-level
        headings go into the page's own Markdown, for the table of contents and search."""
        removed: Counter[str] = Counter()
        for part in render_cell(source, self._address):
            markup = part.html
            if not self.job.trusted:
                cleaned = sanitize_html(markup)
                markup = cleaned.html
                removed.update(cleaned.removed)
            if isinstance(part, Heading):
                self.parts.append(heading_markdown(part, markup))
            else:
                self.parts.append(self.block(f'<div class="rl-nb-markdown">{markup}</div>'))
        note = _safety_note(removed)
        if note:
            self.parts.append(self.block(note))

    def _address(self, href: str) -> str:
        """A relative address in a Markdown cell, made relative to the page: links between
        notebooks and entries go to their pages, other files to where the site has them."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("#", "/")) or not parts.path:
            return href
        folder = posixpath.dirname(self.job.src_uri)
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        if target.startswith("../"):
            return href  # outside the site: left as written (and reported by check)
        if target.endswith((".md", ".ipynb")):
            return self.urls.rel(self.job.src_uri, target, parts.fragment)
        anchor = f"#{parts.fragment}" if parts.fragment else ""
        return self.urls.asset(self.job.src_uri, target) + anchor

    def _raw_cell(self, cell: Any) -> None:
        kind = str(cell.metadata.get("raw_mimetype") or cell.metadata.get("format") or "")
        source = source_text(cell.source)
        if kind in ("text/markdown", "markdown"):
            self._markdown(source)
        elif kind in ("text/html", "html"):
            self.parts.append(self.block(self._html(source)))

    def _code_cell(self, cell: Any, index: int, outputs: dict[str, bytes]) -> str:
        parts = [f'<div class="rl-nb-cell" id="cell-{index + 1}">']
        source = source_text(cell.source)
        if source.strip() and not cell.get("transient", {}).get("remove_source"):
            parts.append(self._code(source))
        rendered = [self._output(o, index, n, cell, outputs) for n, o in enumerate(cell.outputs)]
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

    def _output(
        self, output: Any, cell: int, number: int, source: Any, files: dict[str, bytes]
    ) -> str:
        kind = output.get("output_type")
        if kind == "stream":
            name = "stderr" if output.get("name") == "stderr" else "stdout"
            return _pre(f"rl-nb-stream rl-nb-stream--{name}", source_text(output.get("text", "")))
        if kind == "error":
            trace = "\n".join(output.get("traceback", [])) or (
                f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
            )
            return _pre("rl-nb-error", trace)
        data = output.get("data", {})
        mime = next((m for m in PRIORITY if m in data), None)
        if mime is None:
            return ""
        value = data[mime]
        if mime == OMITTED:
            return (
                '<p class="rl-nb-note rl-nb-note--cut">An output of'
                f" {megabytes(value.get('bytes', 0))} was left out here: the notebook's"
                " outputs are over the size limit.</p>"
            )
        if mime == PLOTLY:
            return self._plotly(value, cell)
        if mime == "text/html":
            return self._html_output(source_text(value), output, cell, number, source, files)
        if mime in IMAGES:
            return self._image(output, mime, cell, number, source, files)
        if mime == "text/markdown":
            return self._html(markdown2html_mistune(source_text(value)), kind="markdown")
        if mime == "text/latex":
            tex = source_text(value)
            fenced = _LATEX_FENCES.match(tex)
            return to_mathml(fenced.group(2) if fenced else tex, display=True)
        if mime == "application/javascript":
            if self.job.trusted:
                code = source_text(value).replace("</", "<\\/")
                return f'<script type="text/javascript">{code}</script>'
            return _safety_note(Counter({"script": 1}))
        return _pre("rl-nb-text", source_text(value))

    def _html(self, markup: str, kind: str = "html") -> str:
        note = ""
        if not self.job.trusted:
            cleaned = sanitize_html(markup)
            markup, note = cleaned.html, _safety_note(cleaned.removed)
        return f'<div class="rl-nb-{kind}">{markup}</div>{note}'

    def _html_output(
        self, markup: str, output: Any, cell: int, number: int, source: Any, files: Any
    ) -> str:
        if self.job.trusted:
            return f'<div class="rl-nb-html">{markup}</div>'
        cleaned = sanitize_html(markup)
        image = next((m for m in IMAGES if m in output.get("data", {})), None)
        if cleaned.removed and image:
            # A scripted widget that also saved a picture of itself: show the picture.
            return self._image(output, image, cell, number, source, files) + _safety_note(
                cleaned.removed
            )
        return f'<div class="rl-nb-html">{cleaned.html}</div>{_safety_note(cleaned.removed)}'

    def _image(
        self, output: Any, mime: str, cell: int, number: int, source: Any, files: Any
    ) -> str:
        extracted = output.get("metadata", {}).get("filenames", {}).get(mime)
        content = files.get(extracted) if extracted else None
        if content is None:  # not extracted (should not happen); decode it here
            raw = output["data"][mime]
            svg = mime == "image/svg+xml"
            content = source_text(raw).encode() if svg else base64.b64decode(raw)
        note = ""
        if mime == "image/svg+xml" and not self.job.trusted:
            # Opened on its own, an SVG file is a page of the site: it must run nothing.
            try:
                content, removed = sanitize_svg(content)
            except UnreadableSvg:
                return (
                    '<p class="rl-nb-note rl-nb-note--safety">An SVG image that is not'
                    " well-formed XML was left out.</p>"
                )
            note = _safety_note(removed)
        name = self._file(
            Path(extracted).name if extracted else f"output_{cell}_{number}{IMAGES[mime]}",
            content,
        )
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
            f'{dims} loading="lazy"></div>{note}'
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
        figure = dict(figure)
        config = figure.get("config", {})
        if isinstance(config, dict):  # plotly.py sets this; nothing may call other hosts
            figure["config"] = {k: v for k, v in config.items() if k != "plotlyServerURL"}
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


def _safety_note(removed: Counter[str]) -> str:
    what = removed_text(removed)
    if not what:
        return ""
    return (
        f'<p class="rl-nb-note rl-nb-note--safety">Left out for safety: {what}. Notebook'
        " outputs run code only on sites that set trust_notebook_html: true.</p>"
    )


def _alt_text(cell: Any, index: int) -> str:
    """Alt text from the cell's metadata (alt, or caption), else a plain description."""
    meta = cell.get("metadata", {})
    for key in ("alt", "caption"):
        if isinstance(meta.get(key), str) and meta[key].strip():
            return str(meta[key]).strip()
    return f"Output of cell {index + 1}"

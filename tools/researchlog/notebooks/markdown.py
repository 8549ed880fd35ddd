"""Notebook Markdown cells in Jupyter's dialect, as HTML the site can show safely.

Jupyter renders Markdown cells with a CommonMark parser and MathJax: a list may follow a line
of text without a blank line, `$…$` may have spaces inside, and `\\begin{align}` stands on its
own. markdown-it-py is the same family of parser, so cells read here as their authors saw them.
The HTML it gives is sanitised like an output, since a cell's raw HTML is as untrusted as any
other part of a notebook.

Top-level headings are kept apart: the page writes them as headings Markdown itself reads, so
they reach the table of contents and search, with the anchors Jupyter gives them
(`#Section-Title`), which links inside and between notebooks use.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .math import to_mathml

LinkRewrite = Callable[[str], str]  # a relative address in the cell -> its address on the site


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str  # Jupyter's: the heading's text with spaces as dashes
    html: str  # the heading's content, inline HTML


@dataclass(frozen=True)
class Block:
    html: str


def render_cell(source: str, rewrite: LinkRewrite) -> list[Heading | Block]:
    """A Markdown cell as top-level headings and the HTML between them."""
    md = _parser()
    tokens = md.parse(source)
    _rewrite_links(tokens, rewrite)
    parts: list[Heading | Block] = []
    pending: list[Token] = []

    def flush() -> None:
        if pending:
            markup = md.renderer.render(pending, md.options, {})
            if markup.strip():
                parts.append(Block(markup))
            pending.clear()

    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.level == 0:
            flush()
            inline = tokens[index + 1]
            children = inline.children or []
            parts.append(
                Heading(
                    level=int(token.tag[1]),
                    anchor=jupyter_anchor(_plain_text(children)),
                    html=_renderer(md).renderInline(children, md.options, {}),
                )
            )
            index += 3  # heading_open, inline, heading_close
            continue
        pending.append(token)
        index += 1
    flush()
    return parts


def _renderer(md: MarkdownIt) -> RendererHTML:
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)
    return renderer


def jupyter_anchor(text: str) -> str:
    """The id Jupyter gives a heading: its text, spaces replaced by dashes."""
    return re.sub(r"\s+", "-", text.strip())


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(amsmath_plugin, renderer=lambda tex: to_mathml(tex, display=True))
    md.use(
        dollarmath_plugin,
        allow_space=True,  # Jupyter draws `$ x + y $` as math
        allow_digits=False,  # "$5 and $10" stays text
        double_inline=True,
        renderer=lambda tex, options: to_mathml(tex, display=bool(options["display_mode"])),
    )
    # $$…$$ inside a paragraph: display math, in a span (the plugin's own rule writes a div).
    md.add_render_rule(
        "math_inline_double",
        lambda renderer, tokens, index, *_: to_mathml(
            tokens[index].content, display=True, in_text=True
        ),
    )
    return md


def _plain_text(children: list[Token]) -> str:
    """A heading's text as Jupyter reads it for its anchor: formulas keep their dollars."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "math_inline":
            parts.append(f"${child.content}$")
        elif child.type == "math_inline_double":
            parts.append(f"$${child.content}$$")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(_plain_text(child.children))
    return "".join(parts)


_ADDRESS = {"link_open": "href", "image": "src"}


def _rewrite_links(tokens: list[Token], rewrite: LinkRewrite) -> None:
    for token in tokens:
        name = _ADDRESS.get(token.type)
        if name is not None:
            value = token.attrGet(name)
            if isinstance(value, str):
                token.attrSet(name, rewrite(value))
        if token.children:
            _rewrite_links(token.children, rewrite)


# Characters Python-Markdown would read again in a heading written back into the page.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]{}<>#!|~^]")
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


def heading_markdown(heading: Heading, content: str) -> str:
    """A heading the page's Markdown reads as a heading (for the table of contents), with the
    already rendered `content` kept as it is: its text is escaped from Markdown."""
    escaped = "".join(
        piece if piece.startswith(("<", "&")) else _escape_text(piece)
        for piece in _TAG_OR_ENTITY.split(content)
    )
    tag = f"h{heading.level}"
    anchor = html.escape(heading.anchor, quote=True)
    return f'<{tag} id="{anchor}" markdown="span">{escaped}</{tag}>'


def _escape_text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text)

"""Notebook Markdown cells in Jupyter's dialect, as HTML the site can show safely.

Jupyter renders Markdown cells with a CommonMark parser and MathJax: a list may follow a line
of text without a blank line, `$…$` may have spaces inside, and `\\begin{align}` stands on its
own. markdown-it-py is the same family of parser, so cells read here as their authors saw them.
The HTML it gives is sanitised like an output, since a cell's raw HTML is as untrusted as any
other part of a notebook.

Top-level headings are kept apart: the page writes them as headings Markdown itself reads, so
they reach the table of contents and search, with the anchors Jupyter gives them
(`#Section-Title`), which links inside and between notebooks use.

Formulas are MathML in elements of the site's own (Material styles `.math` and `.inline`
for its own math extension), and, as MathJax does in Jupyter, formulas in the text of raw
HTML blocks are typeset too. Addresses are left as written: the sanitiser, which sees the
Markdown's links and the raw HTML's alike, makes them the site's.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .math import to_mathml


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str  # Jupyter's: the heading's text with spaces as dashes
    html: str  # the heading's content, inline HTML


@dataclass(frozen=True)
class Block:
    html: str


def render_cell(source: str) -> list[Heading | Block]:
    """A Markdown cell as top-level headings and the HTML between them."""
    md = _parser()
    tokens = md.parse(source)
    for token in tokens:
        if token.type == "html_block":
            token.content = typeset_html(token.content)
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
    md.use(amsmath_plugin)
    md.use(
        dollarmath_plugin,
        allow_space=True,  # Jupyter draws `$ x + y $` as math
        allow_digits=False,  # "$5 and $10" stays text
        double_inline=True,
    )
    # \(…\) and \[…\], MathJax's other delimiters, which Jupyter also typesets.
    md.inline.ruler.before("escape", "math_paren", _paren_math)
    # The plugins' own rules wrap formulas in span.math.inline and div.math, which Material's
    # styles for its own math extension take out of the line of text.
    for name, display, in_text in (
        ("math_inline", False, False),
        ("math_inline_double", True, True),  # $$…$$ inside a paragraph: a span shown as a block
        ("math_block", True, False),
        ("math_block_label", True, False),
        ("amsmath", True, False),
    ):
        md.add_render_rule(name, _math_rule(display, in_text))
    return md


def _math_rule(display: bool, in_text: bool) -> Callable[..., str]:
    def render(renderer: object, tokens: list[Token], index: int, *_: object) -> str:
        markup = to_mathml(tokens[index].content, display=display, in_text=in_text)
        return markup + "\n" if display and not in_text else markup

    return render


# Formulas in the text of raw HTML, as MathJax finds them there: $$…$$ and \[…\] (display),
# $…$ and \(…\) (inline). A $ before a digit does not close a formula ("$5 and $10").
_HTML_PIECES = re.compile(r"(<!--.*?-->|</?[A-Za-z][^>]*>)", re.DOTALL)
_HTML_MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i2>.+?)\\\)"
    r"|(?<![\\$])\$(?!\$)(?P<i1>(?:[^$\\\n]|\\.|\n(?![ \t]*\n))+?)(?<!\\)\$(?![$\d])",
    re.DOTALL,
)
_NO_MATH = {"code", "pre", "script", "style", "textarea", "math", "kbd", "samp"}


def typeset_html(markup: str) -> str:
    """Raw HTML with the formulas in its text (not in code) as MathML."""
    if "$" not in markup and "\\" not in markup:
        return markup
    out: list[str] = []
    inside: list[str] = []
    for piece in _HTML_PIECES.split(markup):
        if piece.startswith("<"):
            name = re.match(r"</?([A-Za-z][A-Za-z0-9]*)", piece)
            tag = name.group(1).lower() if name else ""
            if tag in _NO_MATH and not piece.endswith("/>"):
                if piece.startswith("</"):
                    if tag in inside:
                        del inside[len(inside) - 1 - inside[::-1].index(tag)]
                else:
                    inside.append(tag)
            out.append(piece)
        elif inside:
            out.append(piece)
        else:
            out.append(_HTML_MATH.sub(_typeset, piece))
    return "".join(out)


def _typeset(match: re.Match[str]) -> str:
    display = match.group("d1") or match.group("d2")
    tex = html.unescape(display if display is not None else match.group("i1") or match.group("i2"))
    return to_mathml(tex, display=display is not None, in_text=True)


_CLOSING = {"\\(": "\\)", "\\[": "\\]"}


def _paren_math(state: StateInline, silent: bool) -> bool:
    r"""An inline rule: \(x\) is inline math, \[x\] display math within the text."""
    start = state.pos
    opening = state.src[start : start + 2]
    closing = _CLOSING.get(opening)
    if closing is None:
        return False
    end = state.src.find(closing, start + 2)
    if end < 0 or not state.src[start + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline" if opening == "\\(" else "math_inline_double", "math", 0)
        token.content = state.src[start + 2 : end]
        token.markup = opening
    state.pos = end + 2
    return True


def _plain_text(children: list[Token]) -> str:
    r"""A heading's text as Jupyter reads it for its anchor: formulas as written, with their
    delimiters ($…$, \(…\)), since Jupyter takes the anchor before MathJax typesets them."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("math_inline", "math_inline_double") and child.markup in _CLOSING:
            parts.append(f"{child.markup}{child.content}{_CLOSING[child.markup]}")
        elif child.type == "math_inline":
            parts.append(f"${child.content}$")
        elif child.type == "math_inline_double":
            parts.append(f"$${child.content}$$")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(_plain_text(child.children))
    return "".join(parts)


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

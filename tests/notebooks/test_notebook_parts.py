"""The pure parts of notebook pages: making HTML outputs inert, and LaTeX as MathML."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from researchlog.notebooks.markdown import Heading, render_cell
from researchlog.notebooks.math import to_mathml
from researchlog.notebooks.safety import sanitize_html

# Every tag the sanitiser writes: a safe name, quoted attributes, nothing else.
TAG = re.compile(r'<(/?)([a-z][a-z0-9:._-]*)((?: [a-z][a-z0-9:._-]*(?:="[^"<>]*")?)*)( /)?>')
ATTRIBUTE = re.compile(r' ([a-z][a-z0-9:._-]*)(?:="([^"]*)")?')


def assert_inert(markup: str) -> None:
    """No script, no handler, no javascript: URL, and no '<' that is not one of our tags."""
    for match in TAG.finditer(markup):
        name = match.group(2)
        assert name not in {"script", "iframe", "object", "embed", "base", "meta", "link"}
        for attribute, value in ATTRIBUTE.findall(match.group(3)):
            assert not attribute.startswith("on"), markup
            assert "javascript:" not in value.lower().replace("&#", ""), markup
    assert "<" not in TAG.sub("", markup), markup


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//example.org/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)><circle r=1 /></svg>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        "<style>@import url(//example.org/x.css);</style>",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<base href="//example.org/">',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        '<svg><animate attributeName="href" values="javascript:alert(1)" /></svg>',
        '<form><button formaction="javascript:alert(1)">x</button></form>',
        "<script><script>alert(1)</script>after",
        "<script>never closed",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_attacks_come_out_inert(attack: str) -> None:
    cleaned = sanitize_html(attack)
    assert_inert(cleaned.html)
    assert cleaned.removed, f"nothing reported for {attack!r}"


@pytest.mark.parametrize(
    ("attack", "inert"),
    [
        # Browsers end <style> at "</style x>", Python's parser does not: '<' never reaches them.
        (
            "<style></style x><img src=x onerror=alert(1)></style>",
            "<style>\\3C /style x>\\3C img src=x onerror=alert(1)></style>",
        ),
        # Mutation XSS through MathML: the <style> text can never become a tag.
        (
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
            "<math><mtext><table><mglyph><style>\\3C img src=x onerror=alert(1)></style>",
        ),
        ("<!--><img src=x onerror=alert(1)>-->", ""),  # comments are dropped whole
    ],
)
def test_parser_differences_are_neutralised(attack: str, inert: str) -> None:
    cleaned = sanitize_html(attack)
    assert_inert(cleaned.html)
    assert cleaned.html == inert


def test_ordinary_output_html_is_kept() -> None:
    table = (
        "<div><style scoped>.dataframe td { text-align: right; }</style>"
        '<table border="1" class="dataframe"><thead><tr><th>lr</th></tr></thead>'
        "<tbody><tr><td>3e-4 &lt; 1e-3</td></tr></tbody></table>"
        '<img src="data:image/png;base64,AAAA" alt="plot"><a href="https://example.org">run</a></div>'
    )
    cleaned = sanitize_html(table)
    assert cleaned.removed == {}
    assert cleaned.note() == ""
    assert cleaned.html == table.replace('alt="plot">', 'alt="plot">')


def test_what_was_left_out_is_counted_in_words() -> None:
    cleaned = sanitize_html(
        "<script>a()</script><script>b()</script><b onclick=x() onmouseover=y()>b</b>"
        "<a href='javascript:z()'>z</a>"
    )
    assert cleaned.note() == "2 scripts, 2 event handlers and 1 javascript: link"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</script>",
                "<style>",
                "</style>",
                "<img src=x onerror=alert(1)>",
                "<a href='javascript:x'>",
                "<svg>",
                "<math>",
                "<!--",
                "-->",
                "<![CDATA[",
                "]]>",
                '"',
                "'",
                "<",
                ">",
                "&",
                "&lt;",
                "</",
                "<p title='",
                "text",
                "<textarea>",
                "<iframe>",
                "<noscript>",
                "<b/onclick=x>",
            ]
        ),
        max_size=12,
    )
)
def test_any_mix_of_fragments_comes_out_inert(parts: list[str]) -> None:
    assert_inert(sanitize_html("".join(parts)).html)


def cell_html(text: str) -> str:
    return "".join(part.html for part in render_cell(text))


def test_math_in_markdown_becomes_mathml() -> None:
    text = (
        "The rate $\\eta$ and\n\n$$\\sum_i x_i$$\n\nand $ a + b $ cost $5 and $10, or \\$3.\n\n"
        "`$not math$` and\n\n```\n$$ also not $$\n```\n"
    )
    markup = cell_html(text)
    assert 'alttext="\\eta"' in markup and "<mi>" in markup
    assert '<div class="rl-math" tabindex="0"><math alttext="\\sum_i x_i"' in markup
    assert 'display="block"' in markup
    assert 'alttext="a + b"' in markup  # inner spaces, as Jupyter allows
    assert "cost $5 and $10, or $3." in markup  # prices stay text
    assert "<code>$not math$</code>" in markup and "$$ also not $$" in markup


def test_environments_and_unreadable_formulas() -> None:
    markup = cell_html("\\begin{align} a &= b \\\\ c &= d \\end{align}\n")
    assert "<mtable" in markup
    shown = to_mathml("\\frac{a}{", display=False)
    assert shown == '<code class="rl-math-source">\\frac{a}{</code>'


def test_mathjax_delimiters_and_anchors_as_jupyter_reads_them() -> None:
    """\\(…\\) and \\[…\\] are math in Jupyter too; a heading's anchor keeps its formula as
    written, and math in the text of raw HTML is typeset where code is left alone."""
    parts = render_cell(
        "## The probability of \\(k\\) heads\n\nwith \\[x^2\\] and `\\(code\\)`\n\n"
        '<div class="alert">\n$\\alpha$ and <code>$x$</code>, 3 < 4 and $5 or $6\n</div>\n'
    )
    heading, block = parts
    assert isinstance(heading, Heading)
    assert heading.anchor == "The-probability-of-\\(k\\)-heads"
    assert 'alttext="k"' in heading.html and "\\(" not in heading.html
    assert 'alttext="x^2"' in block.html and "<code>\\(code\\)</code>" in block.html
    assert 'alttext="\\alpha"' in block.html
    assert "<code>$x$</code>" in block.html and "3 < 4 and $5 or $6" in block.html
    assert 'class="math' not in block.html

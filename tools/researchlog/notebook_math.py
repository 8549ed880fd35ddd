"""LaTeX in notebooks, drawn offline: converted to MathML at build time.

Jupyter renders $…$ and $$…$$ with MathJax from a CDN; the site must work offline. Browsers draw
MathML natively (Chromium since 109, Firefox and Safari for long), it follows the theme's text
colour in light and dark schemes, screen readers read it, and it costs no script on the page.
latex2mathml is a small pure-Python converter; a formula it cannot read is shown as its source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

# Display math first, so $$ is never read as two inline $.
_DISPLAY = re.compile(
    r"\$\$(?P<dollars>.+?)\$\$"
    r"|\\\[(?P<brackets>.+?)\\\]"
    r"|(?P<env>\\begin\{(?P<name>equation|align|gather|multline|eqnarray|displaymath)\*?\}"
    r".+?\\end\{(?P=name)\*?\})",
    re.DOTALL,
)
# Inline $…$: no space just inside the dollars and no digit right after the closing one, so
# prices such as "$5 and $10" stay text (the rule Jupyter and markdown-it use).
_INLINE = re.compile(
    r"(?<![\\$])\$(?P<dollar>[^\s$](?:[^$\n]|\n(?!\s*\n))*?(?<![\s\\]))\$(?![$\d])"
    r"|\\\((?P<paren>.+?)\\\)",
    re.DOTALL,
)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)", re.DOTALL)

Placeholder = Callable[[str], str]  # HTML -> a token to put in the Markdown


def to_mathml(tex: str, *, display: bool) -> str:
    """MathML for a formula, or its source in <code> when the converter cannot read it."""
    tex = tex.strip()
    try:
        from latex2mathml.converter import convert

        markup = convert(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on unsupported input
        shown = f'<code class="rl-math-source">{html.escape(tex)}</code>'
        return f'<div class="rl-math">{shown}</div>' if display else shown
    markup = markup.replace("<math ", f'<math alttext="{html.escape(tex, quote=True)}" ', 1)
    return f'<div class="rl-math">{markup}</div>' if display else markup


def protect_math(markdown: str, placeholder: Placeholder) -> str:
    """Replace the formulas in a Markdown cell by placeholders holding their MathML.

    Fenced code and code spans are left alone; display math becomes its own paragraph.
    """
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            out.append(_math_in_prose("".join(prose), placeholder))
            prose = []
            fence = match.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
        else:
            prose.append(line)
    out.append(_math_in_prose("".join(prose), placeholder))
    return "".join(out)


def _math_in_prose(text: str, placeholder: Placeholder) -> str:
    if "$" not in text and "\\" not in text:
        return text
    spans: dict[str, str] = {}

    def keep_code(match: re.Match[str]) -> str:
        token = f"\x00{len(spans)}\x00"
        spans[token] = match.group(0)
        return token

    text = _CODE_SPAN.sub(keep_code, text)

    def display(match: re.Match[str]) -> str:
        tex = match.group("dollars") or match.group("brackets") or match.group("env") or ""
        return "\n\n" + placeholder(to_mathml(tex, display=True)) + "\n\n"

    def inline(match: re.Match[str]) -> str:
        tex = match.group("dollar") or match.group("paren") or ""
        return placeholder(to_mathml(tex, display=False))

    text = _INLINE.sub(inline, _DISPLAY.sub(display, text))
    text = text.replace("\\$", "&#36;")
    for token, span in spans.items():
        text = text.replace(token, span)
    return text

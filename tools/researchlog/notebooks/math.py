"""LaTeX in notebooks, drawn offline: converted to MathML at build time.

Jupyter renders $…$ and $$…$$ with MathJax from a CDN; the site must work offline. Browsers draw
MathML natively (Chromium since 109, Firefox and Safari for long), it follows the theme's text
colour in light and dark schemes, screen readers read it, and it costs no script on the page.
latex2mathml is a small pure-Python converter; a formula it cannot read is shown as its source.
"""

from __future__ import annotations

import html


def to_mathml(tex: str, *, display: bool, in_text: bool = False) -> str:
    """MathML for a formula, or its source in <code> when the converter cannot read it.
    Display math is a block of its own; `in_text` display math ($$…$$ inside a paragraph, as
    Jupyter allows) is a span shown as a block, so the paragraph around it stays valid."""
    tex = tex.strip()
    try:
        from latex2mathml.converter import convert

        markup = convert(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on unsupported input
        markup = f'<code class="rl-math-source">{html.escape(tex)}</code>'
    else:
        markup = markup.replace("<math ", f'<math alttext="{html.escape(tex, quote=True)}" ', 1)
    if not display:
        return markup
    tag = "span" if in_text else "div"
    # A wide formula scrolls sideways: keyboard users reach it with Tab to scroll it too.
    return f'<{tag} class="rl-math" tabindex="0">{markup}</{tag}>'

"""Interactive plotly figures on static pages, drawn from their JSON.

Each figure is a <div class="rl-figure"> holding its spec as JSON in an attribute: not in a
<script>, which Material's instant navigation re-creates as executable script and the search
index would read as page text. researchlog.js loads one shared copy of plotly.js (taken from
the installed plotly package, never a CDN) only on pages that have figures, draws them under
Material's instant navigation, and re-themes them when the reader switches between light and
dark.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .html import esc
from .pages import StaticFile
from .urls import Urls

PLOTLY_JS = "assets/researchlog/plotly.min.js"


def plotly_js_file() -> StaticFile | None:
    """The installed plotly package's bundled plotly.min.js, copied once into the site."""
    spec = importlib.util.find_spec("plotly")  # find, not import: plotly is slow to import
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return StaticFile(PLOTLY_JS, source=path) if path.exists() else None


def _figure_json(value: Any) -> str:
    """JSON for a single-quoted attribute. JSON is full of double quotes, which would each
    cost six bytes as &quot; in a double-quoted one; here only & ' < > are escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
    )


def figure_html(
    figure: Mapping[str, Any],
    here: str,
    urls: Urls,
    *,
    label: str,
    description: str = "",
    height: int | None = None,
) -> str:
    """A figure for a page at `here`. `label` names it for screen readers; `description`
    (shown below it) says in words what it shows, for readers who cannot see the chart."""
    spec = {
        "data": list(figure.get("data", [])),
        "layout": dict(figure.get("layout", {})),
        "config": {"responsive": True, "displaylogo": False, **figure.get("config", {})},
    }
    style = f' style="min-height:{int(height)}px"' if height else ""
    caption = (
        f'<figcaption class="rl-figure__caption">{esc(description)}</figcaption>'
        if (description)
        else ""
    )
    return (
        f'<figure class="rl-figure-wrap"><div class="rl-figure" role="img"'
        f' aria-label="{esc(label)}" data-plotly-src="{esc(urls.asset(here, PLOTLY_JS))}"'
        f" data-figure='{_figure_json(spec)}'{style}></div>{caption}</figure>"
    )

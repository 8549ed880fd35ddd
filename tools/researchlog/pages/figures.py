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
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .html import esc
from .model import StaticFile
from .urls import Urls

PLOTLY_JS = "assets/researchlog/plotly.min.js"


def plotly_js_file() -> StaticFile | None:
    """The installed plotly package's bundled plotly.min.js, copied once into the site."""
    spec = importlib.util.find_spec("plotly")  # find, not import: plotly is slow to import
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return StaticFile(PLOTLY_JS, source=path) if path.exists() else None


def json_attribute(value: Any) -> str:
    """JSON for a single-quoted HTML attribute (see _figure_json)."""
    return _figure_json(value)


def _figure_json(value: Any) -> str:
    """JSON for a single-quoted attribute (JSON is full of double quotes, which would each cost
    six bytes as &quot;); only & ' < > are escaped. NaN and infinities, which JSON cannot hold,
    become null, as in plotly.py."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


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
    # The name sits on the <figure>: the chart inside has buttons (plotly's toolbar), which
    # an element with role="img" must not contain.
    return (
        f'<figure class="rl-figure-wrap" aria-label="{esc(label)}"><div class="rl-figure"'
        f' data-plotly-src="{esc(urls.asset(here, PLOTLY_JS))}"'
        f" data-figure='{_figure_json(spec)}'{style}></div>{caption}</figure>"
    )

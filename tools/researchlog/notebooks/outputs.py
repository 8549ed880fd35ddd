"""Which page element each notebook output becomes: the output contract.

Every output of a code cell (consecutive stream outputs of one stream merged, cells tagged
remove-cell or remove-output left out) is one `.rl-nb-output` element whose `data-output`
names its kind, chosen by the first MIME type the output has, in the order Jupyter front ends
prefer them:

    widget (a view whose model the notebook saved), plotly, vega (vega-lite and Vega specs),
    bokeh, html, image (SVG, PNG, JPEG, GIF), markdown, latex, script, text

Stream and error outputs are "stream" and "error". Loaders (Bokeh's and plotly's, which only
bring their library into the notebook) and outputs with none of these types make no element.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLOTLY = "application/vnd.plotly.v1+json"
VEGA = (
    *(f"application/vnd.vegalite.v{version}+json" for version in (5, 4, 3, 2)),
    *(f"application/vnd.vega.v{version}+json" for version in (5, 4, 3)),
)
BOKEH_EXEC = "application/vnd.bokehjs_exec.v0+json"
BOKEH_LOAD = "application/vnd.bokehjs_load.v0+json"
IMAGES = {
    "image/svg+xml": ".svg",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
}
OMITTED = "application/x.researchlog-omitted+json"  # an output cut by the size limit

KINDS: tuple[tuple[str, str], ...] = (
    (OMITTED, "omitted"),
    (WIDGET_VIEW, "widget"),
    (PLOTLY, "plotly"),
    *((mime, "vega") for mime in VEGA),
    (BOKEH_EXEC, "bokeh"),
    ("text/html", "html"),
    *((mime, "image") for mime in IMAGES),
    ("text/markdown", "markdown"),
    ("text/latex", "latex"),
    ("application/javascript", "script"),
    ("text/plain", "text"),
)


def saved_widgets(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """model id -> saved model ({model_name, model_module, state}) from metadata.widgets."""
    widgets = metadata.get("widgets")
    saved = widgets.get(WIDGET_STATE) if isinstance(widgets, Mapping) else None
    state = saved.get("state") if isinstance(saved, Mapping) else None
    if not isinstance(state, Mapping):
        return {}
    return {str(key): model for key, model in state.items() if isinstance(model, Mapping)}


def output_kind(output: Mapping[str, Any], widgets: Mapping[str, Any]) -> tuple[str, str] | None:
    """(kind, the MIME type that decided it) for one output, or None for no element."""
    kind = output.get("output_type")
    if kind in ("stream", "error"):
        return str(kind), str(kind)
    data = output.get("data")
    if not isinstance(data, Mapping):
        return None
    if BOKEH_LOAD in data and BOKEH_EXEC not in data:
        return None
    for mime, name in KINDS:
        if mime not in data:
            continue
        if mime == WIDGET_VIEW:
            view = data[mime]
            if not (isinstance(view, Mapping) and str(view.get("model_id")) in widgets):
                continue
        return name, mime
    return None

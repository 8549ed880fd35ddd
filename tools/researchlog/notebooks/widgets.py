"""ipywidgets drawn from the state a notebook saved, as static HTML in the site's style.

A notebook saved with its widget state (Jupyter's "Save widget state automatically") keeps
every model's last values in metadata.widgets, and each widget output names the model of its
view. That is enough to show what the author saw: a finished tqdm bar (an HBox of an HTML
label, a progress bar and another label) at 100 %, a slider at its value, a button, a
dropdown with its choice. Nothing runs: there is no kernel to talk to, so the controls are
shown disabled, and the HTML inside widgets is sanitised like any output.

JupyterLab's own widget manager (@jupyter-widgets/html-manager) would draw the same from the
same state, but it is a 1.8 MB script with 3 MB of icon fonts, it puts HTML widgets' values
into the page unsanitised, it fetches third-party widget libraries from a CDN, and its
controls look like JupyterLab, not like the rest of the site. Third-party widgets (pythreejs,
bqplot…) need their own library and a kernel: they are named, not drawn.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

REFERENCE = "IPY_MODEL_"
Markup = Callable[[str], str]  # untrusted HTML -> HTML safe to show
Store = Callable[[str, bytes], str]  # file name, content -> its address on the page
Outputs = Callable[[list[Any]], str]  # an Output widget's outputs -> their HTML

_BAR_STYLES = {"success", "info", "warning", "danger"}
_SAFE_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9., %]+\))$")
_IMAGE_FORMATS = {"png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "gif": ".gif"}
_MAX_DEPTH = 20


class WidgetViews:
    """Static views of one notebook's saved widget models."""

    def __init__(
        self,
        models: Mapping[str, Any],
        *,
        markup: Markup,
        math: Markup,
        store: Store,
        outputs: Outputs,
    ) -> None:
        self.models = models
        self.markup = markup
        self.math = math
        self.store = store
        self.outputs = outputs

    def render(self, model_id: str) -> str:
        """The view of a widget output: a .rl-widget element (a placeholder for widgets that
        need their own library)."""
        model = self.models.get(model_id)
        name = _name(model)
        inner = self._view(model_id, 0, set())
        return f'<div class="rl-widget" data-widget="{html.escape(name, quote=True)}">{inner}</div>'

    # ------------------------------------------------------------------ models

    def _view(self, model_id: str, depth: int, seen: set[str]) -> str:
        model = self.models.get(model_id)
        if not isinstance(model, Mapping) or model_id in seen or depth > _MAX_DEPTH:
            return ""
        state = model.get("state")
        state = state if isinstance(state, Mapping) else {}
        if self._hidden(state):
            return ""
        seen = seen | {model_id}
        name = _name(model)
        module = str(model.get("model_module") or "")
        if module not in (
            "@jupyter-widgets/controls",
            "@jupyter-widgets/output",
            "jupyter-js-widgets",
        ):
            return _unknown(name, module)
        draw = getattr(self, f"_w_{_snake(name)}", None)
        if draw is None:
            draw = self._family(name)
        if draw is None:
            return _unknown(name, module)
        body: str = draw(state, model, depth, seen)
        return body

    def _family(self, name: str) -> Callable[..., str] | None:
        if name.endswith("Progress") or name == "Progress":
            return self._progress
        if name.endswith("RangeSlider"):
            return self._range_slider
        if name.endswith("Slider"):
            return self._slider
        if name.endswith(("IntText", "FloatText")):
            return self._number
        if name in ("Text", "Password", "Combobox"):
            return self._text
        if name in ("HBox", "VBox", "Box", "GridBox"):
            return self._box
        if name in ("Tab", "Accordion", "Stack"):
            return self._tabs
        return None

    def _hidden(self, state: Mapping[str, Any]) -> bool:
        layout = self._linked(state.get("layout"))
        layout_state = layout.get("state") if isinstance(layout, Mapping) else None
        if not isinstance(layout_state, Mapping):
            return False
        return layout_state.get("display") == "none" or layout_state.get("visibility") == "hidden"

    def _linked(self, reference: Any) -> Any:
        if isinstance(reference, str) and reference.startswith(REFERENCE):
            return self.models.get(reference[len(REFERENCE) :])
        return None

    def _children(self, state: Mapping[str, Any], depth: int, seen: set[str]) -> list[str]:
        children = state.get("children")
        return [
            self._view(str(child)[len(REFERENCE) :], depth + 1, seen)
            for child in (children if isinstance(children, list) else [])
            if str(child).startswith(REFERENCE)
        ]

    # ------------------------------------------------------------------ layouts

    def _box(self, state: Mapping[str, Any], model: Any, depth: int, seen: set[str]) -> str:
        kind = {"HBoxModel": "hbox", "VBoxModel": "vbox"}.get(str(model.get("model_name")), "box")
        children = "".join(self._children(state, depth, seen))
        return f'<div class="rl-w-{kind}">{children}</div>'

    def _tabs(self, state: Mapping[str, Any], model: Any, depth: int, seen: set[str]) -> str:
        """Tabs and accordions as one folded section per child, the selected one open."""
        titles = state.get("titles") or state.get("_titles") or {}
        selected = state.get("selected_index", 0 if _name(model) == "Tab" else None)
        sections = []
        for index, child in enumerate(self._children(state, depth, seen)):
            title = (
                titles.get(str(index))
                if isinstance(titles, Mapping)
                else (titles[index] if isinstance(titles, list) and index < len(titles) else "")
            )
            label = html.escape(str(title or f"Page {index + 1}"), quote=False)
            opened = " open" if index == selected else ""
            sections.append(f"<details{opened}><summary>{label}</summary>{child}</details>")
        return f'<div class="rl-w-tabs">{"".join(sections)}</div>'

    # ------------------------------------------------------------------ text and HTML

    def _w_label(self, state: Mapping[str, Any], *_: Any) -> str:
        return self._described(
            state, f'<span class="rl-w-label">{_text(state.get("value"))}</span>'
        )

    def _w_html(self, state: Mapping[str, Any], *_: Any) -> str:
        value = self.markup(str(state.get("value") or ""))
        return self._described(state, f'<div class="rl-w-html">{value}</div>')

    def _w_html_math(self, state: Mapping[str, Any], *_: Any) -> str:
        value = self.markup(self.math(str(state.get("value") or "")))
        return self._described(state, f'<div class="rl-w-html">{value}</div>')

    def _text(self, state: Mapping[str, Any], model: Any, *_: Any) -> str:
        kind = "password" if _name(model) == "Password" else "text"
        value = "" if kind == "password" else str(state.get("value") or "")
        return self._described(state, _input(kind, value, state))

    def _w_textarea(self, state: Mapping[str, Any], *_: Any) -> str:
        rows = state.get("rows")
        size = f' rows="{int(rows)}"' if isinstance(rows, int) and 0 < rows < 100 else ""
        placeholder = _attr("placeholder", state.get("placeholder"))
        control = (
            f'<textarea class="rl-w-control" readonly{size}{placeholder}'
            f"{_label_of(state)}>{_text(state.get('value'))}</textarea>"
        )
        return self._described(state, control)

    def _number(self, state: Mapping[str, Any], *_: Any) -> str:
        return self._described(state, _input("number", _number(state.get("value", 0)), state))

    # ------------------------------------------------------------------ values in a range

    def _progress(self, state: Mapping[str, Any], *_: Any) -> str:
        low = _float(state.get("min"), 0.0)
        high = _float(state.get("max"), 100.0)
        value = min(max(_float(state.get("value"), 0.0), low), high)
        share = 100.0 * (value - low) / (high - low) if high > low else 0.0
        style = str(state.get("bar_style") or "")
        css = f" rl-w-bar--{style}" if style in _BAR_STYLES else ""
        colour = self._bar_colour(state)
        fill = f"width:{share:.4g}%" + (f";background-color:{colour}" if colour else "")
        name = str(state.get("description") or "") or "Progress"
        vertical = " rl-w-progress--vertical" if state.get("orientation") == "vertical" else ""
        bar = (
            f'<div class="rl-w-progress{vertical}" role="progressbar"'
            f' aria-label="{html.escape(name, quote=True)}" aria-valuemin="{_number(low)}"'
            f' aria-valuemax="{_number(high)}" aria-valuenow="{_number(value)}">'
            f'<div class="rl-w-bar{css}" style="{fill}"></div></div>'
        )
        return self._described(state, bar)

    def _bar_colour(self, state: Mapping[str, Any]) -> str:
        style = self._linked(state.get("style"))
        colour = (style.get("state") or {}).get("bar_color") if isinstance(style, Mapping) else None
        return colour if isinstance(colour, str) and _SAFE_COLOUR.match(colour) else ""

    def _slider(self, state: Mapping[str, Any], model: Any, *_: Any) -> str:
        name = _name(model)
        if name == "SelectionSlider":
            labels = _labels(state)
            index = _int(state.get("index"), 0)
            low, high, step, value = 0.0, float(max(len(labels) - 1, 0)), 1.0, float(index)
            readout = labels[index] if 0 <= index < len(labels) else ""
        else:
            integer = name.startswith("Int")
            low = _float(state.get("min"), 0.0)
            high = _float(state.get("max"), 100.0 if name != "FloatLogSlider" else 4.0)
            step = _float(state.get("step"), 1.0 if integer else 0.1)
            value = _float(state.get("value"), low)
            if name == "FloatLogSlider":
                base = _float(state.get("base"), 10.0)
                readout = _number(value)
                value = math.log(value, base) if value > 0 and base > 1 else low
            else:
                readout = _format(value, state.get("readout_format"), integer)
        control = (
            f'<input class="rl-w-slider" type="range" disabled min="{_number(low)}"'
            f' max="{_number(high)}" step="{_number(step) if step > 0 else "any"}"'
            f' value="{_number(value)}"{_label_of(state)}>'
        )
        shown = (
            f'<output class="rl-w-readout">{html.escape(readout, quote=False)}</output>'
            if state.get("readout", True)
            else ""
        )
        return self._described(state, control + shown)

    def _range_slider(self, state: Mapping[str, Any], model: Any, *_: Any) -> str:
        name = _name(model)
        if name == "SelectionRangeSlider":
            labels = _labels(state)
            first, last = _pair(state.get("index"), (0, 0))
            low, high = 0.0, float(max(len(labels) - 1, 1))
            start, end = float(first), float(last)
            readout = " – ".join(
                labels[int(i)] if 0 <= int(i) < len(labels) else "" for i in (first, last)
            )
        else:
            integer = name.startswith("Int")
            low = _float(state.get("min"), 0.0)
            high = _float(state.get("max"), 100.0)
            start, end = (_float(v, low) for v in _pair(state.get("value"), (low, high)))
            readout = " – ".join(
                _format(v, state.get("readout_format"), integer) for v in (start, end)
            )
        span = high - low if high > low else 1.0
        left = 100.0 * (start - low) / span
        width = 100.0 * (end - start) / span
        track = (
            f'<div class="rl-w-range" role="img" aria-label="{html.escape(readout, quote=True)}">'
            f'<div class="rl-w-range__fill" style="left:{left:.4g}%;width:{width:.4g}%">'
            "</div></div>"
        )
        shown = f'<output class="rl-w-readout">{html.escape(readout, quote=False)}</output>'
        return self._described(state, track + shown)

    # ------------------------------------------------------------------ choices

    def _w_button(self, state: Mapping[str, Any], *_: Any) -> str:
        return _button(state, str(state.get("description") or ""), pressed=None)

    def _w_toggle_button(self, state: Mapping[str, Any], *_: Any) -> str:
        return _button(state, str(state.get("description") or ""), pressed=bool(state.get("value")))

    def _w_toggle_buttons(self, state: Mapping[str, Any], *_: Any) -> str:
        index = state.get("index")
        buttons = "".join(
            _button(state, label, pressed=position == index)
            for position, label in enumerate(_labels(state))
        )
        return self._described(state, f'<span class="rl-w-buttons" role="group">{buttons}</span>')

    def _w_checkbox(self, state: Mapping[str, Any], *_: Any) -> str:
        checked = " checked" if state.get("value") else ""
        text = _text(state.get("description"))
        return f'<label class="rl-w-check"><input type="checkbox" disabled{checked}> {text}</label>'

    def _w_valid(self, state: Mapping[str, Any], *_: Any) -> str:
        valid = bool(state.get("value"))
        mark = "✔" if valid else "✘"
        word = "valid" if valid else str(state.get("readout") or "invalid")
        shown = (
            f'<span class="rl-w-valid rl-w-valid--{"yes" if valid else "no"}">'
            f'<span aria-hidden="true">{mark}</span> {html.escape(word, quote=False)}</span>'
        )
        return self._described(state, shown)

    def _w_dropdown(self, state: Mapping[str, Any], *_: Any) -> str:
        return self._described(state, _select(state, rows=None))

    def _w_select(self, state: Mapping[str, Any], *_: Any) -> str:
        return self._described(state, _select(state, rows=_int(state.get("rows"), 5)))

    def _w_select_multiple(self, state: Mapping[str, Any], *_: Any) -> str:
        return self._described(
            state, _select(state, rows=_int(state.get("rows"), 5), multiple=True)
        )

    def _w_radio_buttons(self, state: Mapping[str, Any], *_: Any) -> str:
        index = state.get("index")
        options = "".join(
            f'<label><input type="radio" disabled{" checked" if i == index else ""}>'
            f" {html.escape(label, quote=False)}</label>"
            for i, label in enumerate(_labels(state))
        )
        return self._described(
            state, f'<span class="rl-w-radios" role="radiogroup">{options}</span>'
        )

    def _w_color_picker(self, state: Mapping[str, Any], *_: Any) -> str:
        value = str(state.get("value") or "black")
        swatch = (
            f'<span class="rl-w-swatch" style="background-color:{value}"></span>'
            if _SAFE_COLOUR.match(value)
            else ""
        )
        return self._described(state, f"{swatch}<code>{html.escape(value, quote=False)}</code>")

    def _w_date_picker(self, state: Mapping[str, Any], *_: Any) -> str:
        value = state.get("value")
        shown = ""
        if isinstance(value, Mapping):
            year, month, day = (_int(value.get(k), 0) for k in ("year", "month", "date"))
            if year:
                shown = f"{year:04d}-{month + 1:02d}-{day:02d}"  # months count from 0 in JS
        return self._described(state, _input("date", shown, state))

    def _w_play(self, state: Mapping[str, Any], *_: Any) -> str:
        value = _number(state.get("value", 0))
        controls = "".join(
            f'<button type="button" class="rl-w-button" disabled aria-label="{label}">'
            f"{icon}</button>"
            for icon, label in (("▶", "Play"), ("❚❚", "Pause"), ("■", "Stop"))
        )
        return self._described(state, f'{controls}<output class="rl-w-readout">{value}</output>')

    def _w_file_upload(self, state: Mapping[str, Any], *_: Any) -> str:
        text = str(state.get("description") or "Upload")
        return _button(state, text, pressed=None)

    def _w_controller(self, state: Mapping[str, Any], *_: Any) -> str:
        return '<span class="rl-w-label">Game controller (shown only with a running kernel)</span>'

    def _w_image(self, state: Mapping[str, Any], model: Any, *_: Any) -> str:
        data = _buffer(model, "value")
        if data is None and isinstance(state.get("_b64value"), str):  # ipywidgets 6
            data = _decoded(state["_b64value"])
        extension = _IMAGE_FORMATS.get(str(state.get("format") or "png").lower())
        if not data or extension is None:
            return _unknown("Image", "", why="its picture was not saved with the notebook")
        src = self.store(f"widget-image{extension}", data)
        size = "".join(
            f' {key}="{int(value)}"'
            for key in ("width", "height")
            if str(value := state.get(key) or "").isdigit()
        )
        return f'<img class="rl-w-image" src="{html.escape(src, quote=True)}" alt=""{size}>'

    def _w_output(self, state: Mapping[str, Any], *_: Any) -> str:
        outputs = state.get("outputs")
        return self.outputs(outputs) if isinstance(outputs, list) else ""

    # ------------------------------------------------------------------ parts

    def _described(self, state: Mapping[str, Any], control: str) -> str:
        description = str(state.get("description") or "")
        if not description:
            return f'<div class="rl-w">{control}</div>'
        label = (
            self.markup(description) if state.get("description_allow_html") else _text(description)
        )
        return f'<div class="rl-w"><span class="rl-w-description">{label}</span>{control}</div>'


# ----------------------------------------------------------------------------- helpers


def _name(model: Any) -> str:
    name = str(model.get("model_name") or "") if isinstance(model, Mapping) else ""
    return name.removesuffix("Model") or "Widget"


def _snake(name: str) -> str:
    """HTMLMath -> html_math, ToggleButtons -> toggle_buttons."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _unknown(name: str, module: str, why: str = "") -> str:
    where = f" from {html.escape(module, quote=False)}" if module else ""
    why = why or "it is drawn by its own library with a running kernel"
    return (
        f'<span class="rl-w-unknown">{html.escape(name, quote=False)} widget{where}:'
        f" {html.escape(why, quote=False)}, so it is not shown here.</span>"
    )


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=False)


def _attr(name: str, value: Any) -> str:
    return f' {name}="{html.escape(str(value), quote=True)}"' if value else ""


def _label_of(state: Mapping[str, Any]) -> str:
    return _attr("aria-label", state.get("description"))


def _input(kind: str, value: str, state: Mapping[str, Any]) -> str:
    return (
        f'<input class="rl-w-control" type="{kind}" readonly'
        f' value="{html.escape(value, quote=True)}"'
        f"{_attr('placeholder', state.get('placeholder'))}{_label_of(state)}>"
    )


def _button(state: Mapping[str, Any], text: str, *, pressed: bool | None) -> str:
    style = str(state.get("button_style") or "")
    css = f" rl-w-button--{style}" if style in (*_BAR_STYLES, "primary") else ""
    aria = "" if pressed is None else f' aria-pressed="{"true" if pressed else "false"}"'
    tooltip = _attr("title", state.get("tooltip"))
    return (
        f'<button type="button" class="rl-w-button{css}" disabled{aria}{tooltip}>'
        f"{html.escape(text, quote=False) or '&nbsp;'}</button>"
    )


def _select(state: Mapping[str, Any], *, rows: int | None, multiple: bool = False) -> str:
    index = state.get("index")
    chosen = set(index) if isinstance(index, list) else {index}
    options = "".join(
        f"<option{' selected' if i in chosen else ''}>{html.escape(label, quote=False)}</option>"
        for i, label in enumerate(_labels(state))
    )
    size = f' size="{min(max(rows, 1), 20)}"' if rows else ""
    several = " multiple" if multiple else ""
    return (
        f'<select class="rl-w-control" disabled{size}{several}{_label_of(state)}>{options}</select>'
    )


def _labels(state: Mapping[str, Any]) -> list[str]:
    labels = state.get("_options_labels") or state.get("options") or []
    return [str(label) for label in labels] if isinstance(labels, list) else []


def _buffer(model: Any, name: str) -> bytes | None:
    buffers = model.get("buffers") if isinstance(model, Mapping) else None
    for item in buffers if isinstance(buffers, list) else []:
        if isinstance(item, Mapping) and item.get("path") == [name]:
            return _decoded(str(item.get("data") or ""))
    return None


def _decoded(data: str) -> bytes | None:
    try:
        return base64.b64decode(data)
    except ValueError:
        return None


def _float(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value) if math.isfinite(value) else default


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _pair(value: Any, default: tuple[Any, Any]) -> tuple[Any, Any]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return default


def _number(value: Any) -> str:
    """A number as HTML attributes and readouts show it: 7, 7.5, never 7.0."""
    number = _float(value, 0.0)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else f"{number:.6g}"


def _format(value: float, spec: Any, integer: bool) -> str:
    """A readout as ipywidgets formats it (readout_format is a d3-format spec: ".1f", "d")."""
    if integer:
        return str(int(value))
    text = str(spec or ".2f")
    match = re.fullmatch(r"\.(\d+)f", text)
    return f"{value:.{int(match.group(1))}f}" if match else _number(value)

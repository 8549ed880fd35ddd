"""Charts of other libraries, recovered from the data a notebook saved, never by running it.

Altair and vega-lite save a spec (a MIME bundle, or a vegaEmbed call in HTML); Bokeh saves a
script whose `docs_json` and `render_items` are JSON literals; plotly's HTML renderer (and
XPlot's) calls Plotly.newPlot with JSON literals. The JSON is read out of the script text as
data: nothing of the notebook's script is run. The page draws it with libraries the site
serves itself (libraries.py).

Bokeh documents can carry code (CustomJS callbacks, JavaScript tick formatters, table
templates) and HTML (Div text, hover tooltips) that BokehJS would run or insert as written;
unless notebooks are trusted, the code is emptied and the HTML sanitised, like any output.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .safety import REMOTE, Sanitized, is_remote

_DECODER = json.JSONDecoder()

# ----------------------------------------------------------------------------- vega


def vega_mode(mime: str) -> str:
    return "vega-lite" if "vegalite" in mime else "vega"


def altair_specs(markup: str) -> list[tuple[dict[str, Any], str]]:
    """(spec, mode) of each chart an HTML output draws with vegaEmbed (Altair's renderers):
    `var spec = {…}; var embedOpt = {…}` (Altair 3) or `})({…}, {…});` (Altair 4 and 5)."""
    if "vegaEmbed" not in markup:
        return []
    found = []
    for script in _scripts(markup):
        if "vegaEmbed" not in script:
            continue
        spec, options = _assigned(script, "spec"), _assigned(script, "embedOpt")
        if spec is None:
            spec, options = _iife_arguments(script)
        if isinstance(spec, dict):
            mode = options.get("mode") if isinstance(options, dict) else None
            found.append((spec, str(mode) if mode in ("vega", "vega-lite") else _mode_of(spec)))
    return found


def _mode_of(spec: Mapping[str, Any]) -> str:
    schema = str(spec.get("$schema", ""))
    return "vega" if "/schema/vega/" in schema else "vega-lite"


def _iife_arguments(script: str) -> tuple[Any, Any]:
    """The arguments of the last `})(…, …)` call in the script, if they are JSON."""
    start = script.rfind("})(")
    if start < 0:
        return None, None
    padded = [*_arguments(script, start + 3, 2), None, None]
    return padded[0], padded[1]


# ----------------------------------------------------------------------------- plotly


_NEW_PLOT = re.compile(r"Plotly\.(?:newPlot|plot|react)\(\s*")


def plotly_figures(markup: str) -> list[dict[str, Any]]:
    """The figures an HTML output draws with Plotly.newPlot(id, data, layout, config), their
    arguments JSON literals or names of variables set to JSON literals in the same script."""
    if "Plotly." not in markup:
        return []
    figures = []
    for script in _scripts(markup):
        for match in _NEW_PLOT.finditer(script):
            values = _arguments(script, match.end(), 4, skip_first=True, names=script)
            data = values[0] if values else None
            if not isinstance(data, list):
                continue
            layout = values[1] if len(values) > 1 and isinstance(values[1], dict) else {}
            config = values[2] if len(values) > 2 and isinstance(values[2], dict) else {}
            figures.append({"data": data, "layout": layout, "config": config})
    return figures


# ----------------------------------------------------------------------------- bokeh


@dataclass(frozen=True)
class BokehItem:
    docs: dict[str, Any]  # docs_json: document id -> document
    items: list[Any]  # render_items
    major: int  # Bokeh's major version, from the document


def bokeh_item(script: str) -> BokehItem | None:
    """The document a Bokeh output embeds (`docs_json` and `render_items` in its script)."""
    docs, items = _assigned(script, "docs_json"), _assigned(script, "render_items")
    if not isinstance(docs, dict) or not docs or not isinstance(items, list) or not items:
        return None
    versions = {str(doc.get("version", "")) for doc in docs.values() if isinstance(doc, dict)}
    major = max((int(v.split(".")[0]) for v in versions if v[:1].isdigit()), default=0)
    return BokehItem(docs, items, major)


def bokeh_models(docs: Mapping[str, Any]) -> set[str]:
    """The names of the models a document uses (for which of BokehJS's bundles it needs)."""
    return {name for name, _ in _bokeh_objects(docs)}


def bokeh_title(docs: Mapping[str, Any]) -> str:
    """The text of a document's first title, for the chart's name."""
    for name, attributes in _bokeh_objects(docs):
        if name == "Title" and isinstance(attributes.get("text"), str) and attributes["text"]:
            return str(attributes["text"])
    return ""


# Models whose attributes are code BokehJS runs, and which attributes.
_CODE = {"code", "func", "v_func", "args_code"}
_HTML_TEXT = {"Div": "text", "Markup": "text", "HTML": "html", "Tooltip": "content"}
_TEMPLATES = {"HTMLTemplateFormatter": "template"}


def safe_bokeh(
    item: BokehItem, sanitize: Callable[[str], Sanitized]
) -> tuple[BokehItem, Counter[str]]:
    """The document with its code emptied and its HTML sanitised; what was left out.
    Tile sources on other hosts are emptied too: the site loads nothing from other hosts."""
    removed: Counter[str] = Counter()
    docs = json.loads(json.dumps(item.docs))  # a copy to change
    for name, attributes in _bokeh_objects(docs):
        if "CustomJS" in name or name in ("FuncTickFormatter", "CustomAction"):
            for key in _CODE & set(attributes):
                if isinstance(attributes[key], str) and attributes[key].strip():
                    attributes[key] = ""
                    removed["script"] += 1
        if name in _TEMPLATES and isinstance(attributes.get(_TEMPLATES[name]), str):
            attributes[_TEMPLATES[name]] = "<%= value %>"  # an underscore template is code
            removed["script"] += 1
        text = _HTML_TEXT.get(name)
        if text and isinstance(attributes.get(text), str):
            cleaned = sanitize(attributes[text])
            attributes[text] = cleaned.html
            removed.update(cleaned.removed)
        if name == "HoverTool":
            _safe_tooltips(attributes, sanitize, removed)
        if name.endswith("TileSource") and is_remote(str(attributes.get("url") or "")):
            attributes["url"] = ""
            removed[REMOTE] += 1
    return BokehItem(docs, item.items, item.major), removed


def _safe_tooltips(
    attributes: dict[str, Any], sanitize: Callable[[str], Sanitized], removed: Counter[str]
) -> None:
    tooltips = attributes.get("tooltips")
    if isinstance(tooltips, str):
        cleaned = sanitize(tooltips)
        attributes["tooltips"] = cleaned.html
        removed.update(cleaned.removed)
    elif isinstance(tooltips, list):
        # ("label", "@field{safe}"): {safe} inserts the data as HTML.
        attributes["tooltips"] = json.loads(json.dumps(tooltips).replace("{safe}", ""))


def _bokeh_objects(docs: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(model name, attributes) of every model in Bokeh documents: Bokeh 2 lists them as
    references ({"type": name, "attributes": …}), Bokeh 3 nests them as {"type": "object",
    "name": name, "attributes": …}."""
    stack = [docs]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            attributes = value.get("attributes")
            if isinstance(attributes, dict):
                kind = value.get("name") if value.get("type") == "object" else value.get("type")
                if isinstance(kind, str):
                    yield kind, attributes
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def compressed_buffers(docs: Any) -> Any:
    """Bokeh 3 documents older than 3.8 hold arrays as plain base64; BokehJS 3.8 and later
    read them as gzip. The same bytes, compressed, so one BokehJS draws every 3.x document."""
    if isinstance(docs, dict):
        if docs.get("type") == "bytes" and isinstance(docs.get("data"), str):
            try:
                raw = base64.b64decode(docs["data"])
            except ValueError:
                return docs
            if raw[:2] != b"\x1f\x8b":
                packed = base64.b64encode(gzip.compress(raw, mtime=0)).decode("ascii")
                return {**docs, "data": packed}
            return docs
        return {key: compressed_buffers(value) for key, value in docs.items()}
    if isinstance(docs, list):
        return [compressed_buffers(value) for value in docs]
    return docs


# ----------------------------------------------------------------------------- script text

_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def _scripts(markup: str) -> list[str]:
    """The text of each <script> in HTML; all of it if it is a script itself."""
    found = _SCRIPT.findall(markup)
    return found if found else [markup]


def _assigned(script: str, name: str) -> Any:
    """The JSON literal a script assigns to `name` (var/let/const name = …), or None."""
    match = re.search(rf"(?:\bvar|\blet|\bconst)\s+{re.escape(name)}\s*=\s*", script)
    if match is None:
        return None
    try:
        value, _ = _DECODER.raw_decode(script, match.end())
    except ValueError:
        return None
    return value


def _arguments(
    script: str, start: int, count: int, *, skip_first: bool = False, names: str | None = None
) -> list[Any]:
    """Up to `count` JSON literal arguments of a call, from `start` (just after the opening
    parenthesis). `skip_first` passes over a string argument (an element id); `names` is
    the script where a variable argument's JSON value is looked up."""
    values: list[Any] = []
    position = start
    if skip_first:
        quoted = re.compile(r"\s*(['\"])[^'\"]*\1\s*,\s*").match(script, position)
        if quoted is None:
            return values
        position = quoted.end()
    while len(values) < count:
        position = _skip_space(script, position)
        identifier = re.compile(r"[A-Za-z_$][\w$]*").match(script, position)
        if identifier and names is not None and identifier.group(0) not in _JSON_WORDS:
            value = _assigned(names, identifier.group(0))
            if value is None:
                break
            values.append(value)
            position = identifier.end()
        else:
            try:
                value, position = _DECODER.raw_decode(script, position)
            except ValueError:
                break
            values.append(value)
        position = _skip_space(script, position)
        if position >= len(script) or script[position] != ",":
            break
        position += 1
    return values


_JSON_WORDS = {"true", "false", "null", "NaN", "Infinity"}


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position

"""The JavaScript libraries notebook pages draw charts with, served by the site itself.

They are vendored from the npm registry into assets/vendor (see its README.md: name,
version, source and licence of each), copied into the site only when a notebook needs them,
and loaded only by pages that show such a chart. Nothing is loaded from a CDN.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from ..pages.model import StaticFile

SITE_DIR = "assets/researchlog/vendor"  # where the site keeps them
VEGA = (
    "vega-6.4.0/vega.min.js",
    "vega-lite-6.4.3/vega-lite.min.js",
    "vega-embed-7.3.0/vega-embed.min.js",
)
# BokehJS by the major version of the documents it draws: 2.4 reads Bokeh 2 documents, 3.9
# reads every Bokeh 3 document (older arrays compressed first, see charts.py).
BOKEH = {2: "bokeh-2.4.3", 3: "bokeh-3.9.2"}
_BOKEH_EXTRAS = ("bokeh-widgets.min.js", "bokeh-tables.min.js")


def folder() -> Path:
    return Path(str(resources.files("researchlog") / "assets" / "vendor"))


def bokeh_bundles(major: int, models: Iterable[str]) -> tuple[str, ...] | None:
    """The bundles (in load order) that draw a Bokeh document of this major version using
    these models; None when no vendored BokehJS reads that version."""
    name = BOKEH.get(major)
    if name is None:
        return None
    used = set(models)
    extras = [bundle for bundle in _BOKEH_EXTRAS if used & _extra_models(name, bundle)]
    return (f"{name}/bokeh.min.js", *(f"{name}/{bundle}" for bundle in extras))


@functools.cache
def _extra_models(name: str, bundle: str) -> frozenset[str]:
    """The models an extra bundle (widgets, tables) registers, listed in models.json."""
    listed = json.loads((folder() / name / "models.json").read_text(encoding="utf-8"))
    return frozenset(listed.get(bundle, ()))


def static_files(paths: Iterable[str]) -> list[StaticFile]:
    """The vendored files a page needs, as files of the site."""
    return [StaticFile(f"{SITE_DIR}/{path}", source=folder() / path) for path in paths]

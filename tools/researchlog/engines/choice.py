"""Which engine builds: the one asked for (--engine, or `engine:` in the config), else MkDocs
when it is installed, else ProperDocs, else Zensical."""

from __future__ import annotations

from collections.abc import Mapping

from .base import BuildFailed, Engine
from .mkdocs import MKDOCS, PROPERDOCS
from .zensical import ZENSICAL

ENGINES: Mapping[str, Engine] = {e.name: e for e in (MKDOCS, PROPERDOCS, ZENSICAL)}
INSTALL = {
    "mkdocs": "pip install mkdocs mkdocs-material",
    "properdocs": "pip install properdocs",
    "zensical": "pip install 'researchlog[zensical]'",
}


def choose_engine(asked: str | None) -> Engine:
    """The engine to use; BuildFailed (with what to install) when none can be."""
    if asked:
        engine = ENGINES.get(asked)
        if engine is None:
            raise BuildFailed(f'there is no engine "{asked}": use one of {", ".join(ENGINES)}')
        if not engine.available():
            raise BuildFailed(f"{engine.title} is not installed: {INSTALL[engine.name]}")
        return engine
    for engine in ENGINES.values():
        if engine.available():
            return engine
    raise BuildFailed("no engine to build the site with is installed: pip install mkdocs-material")

"""The MkDocs plugin (entry point `researchlog` in the mkdocs.plugins group). The only package
that imports MkDocs; MkDocs' private API is confined to mkdocs_private/."""

from .config import ResearchLogConfig
from .events import ResearchLogPlugin

__all__ = ["ResearchLogConfig", "ResearchLogPlugin"]

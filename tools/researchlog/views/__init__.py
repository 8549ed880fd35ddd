"""Views: turn a Log into the pages and files of the site, one module per page family. No
MkDocs in here; the page kit they share is in pages/."""

from .site import (
    NOTEBOOK_STYLESHEET,
    REQUIRED_EXTENSIONS,
    SCRIPT,
    STYLESHEET,
    build_site,
    navigation,
)

__all__ = [
    "NOTEBOOK_STYLESHEET",
    "REQUIRED_EXTENSIONS",
    "SCRIPT",
    "STYLESHEET",
    "build_site",
    "navigation",
]

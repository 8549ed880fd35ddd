"""Where each page lands on the site, and relative links between pages.

Generated HTML is passed through Markdown untouched, so its links must already be final;
this mirrors MkDocs' own URL rules (directory URLs or .html) without importing MkDocs.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Urls:
    directory_urls: bool = True

    def page(self, src_uri: str) -> str:
        """Site-relative URL of the page built from `src_uri` ('' for the home page)."""
        stem, ext = posixpath.splitext(src_uri)
        if ext not in (".md", ".ipynb"):
            return quote(src_uri)
        parent, name = posixpath.split(stem)
        if name in ("index", "README"):
            url = f"{parent}/" if parent else ""
        elif self.directory_urls:
            url = f"{stem}/"
        else:
            url = f"{stem}.html"
        if not self.directory_urls and name in ("index", "README"):
            url = posixpath.join(parent, "index.html")
        return quote(url)

    def rel(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A relative link from the page of `from_src` to the page or file `to_src`."""
        target = self.page(to_src)
        here = self.page(from_src)
        base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
        relative = (
            posixpath.relpath("/" + target, "/" + base)
            if target
            else (posixpath.relpath("/", "/" + base))
        )
        if target.endswith("/") or not target:
            relative = relative.rstrip("/") + "/" if relative != "." else "./"
        if not self.directory_urls and (not target or target.endswith("/")):
            relative += "index.html"
        return relative + (f"#{anchor}" if anchor else "")

    def asset(self, from_src: str, path: str) -> str:
        """A relative link from a page to a static file such as assets/researchlog/x.js."""
        here = self.page(from_src)
        base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
        return posixpath.relpath("/" + quote(path), "/" + base)

    @staticmethod
    def source(from_src: str, to_src: str) -> str:
        """A relative link between source files, for Markdown links MkDocs resolves itself."""
        return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")

"""Where each page lands on the site, and relative links between pages.

Generated HTML is passed through Markdown untouched, so its links must already be final;
this mirrors MkDocs' own URL rules (directory URLs or .html) without importing MkDocs.
Index pages link thousands of entries, so both functions are memoised.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from urllib.parse import quote


@functools.lru_cache(maxsize=65536)
def _page(src_uri: str, directory_urls: bool) -> str:
    stem, ext = posixpath.splitext(src_uri)
    if ext not in (".md", ".ipynb"):
        return quote(src_uri)
    parent, name = posixpath.split(stem)
    if name in ("index", "README"):
        url = f"{parent}/" if directory_urls and parent else posixpath.join(parent, "index.html")
        if directory_urls and not parent:
            url = ""
    elif directory_urls:
        url = f"{stem}/"
    else:
        url = f"{stem}.html"
    return quote(url)


@functools.lru_cache(maxsize=65536)
def _folder_of(url: str) -> tuple[str, ...]:
    """The folder a page's URL is in, as path parts ('' and 'a/' are folders themselves)."""
    folder = url if url.endswith("/") or not url else posixpath.dirname(url) + "/"
    return tuple(part for part in folder.split("/") if part)


def _relative(target: str, here: str) -> str:
    base = _folder_of(here)
    parts = target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    relative = "/".join([".."] * (len(base) - common) + parts[common:])
    return relative or "./"


@dataclass(frozen=True)
class Urls:
    directory_urls: bool = True

    def page(self, src_uri: str) -> str:
        """Site-relative URL of the page built from `src_uri` ('' for the home page)."""
        return _page(src_uri, self.directory_urls)

    def rel(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A relative link from the page of `from_src` to the page or file `to_src`."""
        relative = _relative(self.page(to_src), self.page(from_src))
        return relative + (f"#{anchor}" if anchor else "")

    def asset(self, from_src: str, path: str) -> str:
        """A relative link from a page to a static file such as assets/researchlog/x.js."""
        return _relative(quote(path), self.page(from_src))

    @staticmethod
    def source(from_src: str, to_src: str) -> str:
        """A relative link between source files, for Markdown links MkDocs resolves itself."""
        return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")

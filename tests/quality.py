"""Checks a careful reviewer runs on a built site: links, offline, console, accessibility."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlparse

from support import ROOT

AXE = ROOT / "tests" / "vendor" / "axe.min.js"
LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(str(values[key]))
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute):
            self.links.append((tag, str(values[attribute])))


@dataclass(frozen=True)
class Broken:
    page: str
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link} ({self.reason})"


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _target_file(site: Path, page_url: str, href: str) -> tuple[Path, str]:
    """The file a relative link from `page_url` points at, and its fragment."""
    address, fragment = urldefrag(href)
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
    joined = (
        posixpath.normpath(posixpath.join("/" + base, unquote(address)))
        if address
        else ("/" + page_url)
    )
    target = site / joined.lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    return target, fragment


def broken_links(site: Path) -> Iterator[Broken]:
    """Every internal link, anchor and asset on every page that does not resolve."""
    pages = sorted(site.rglob("*.html"))
    parsed = {path: _parse(path) for path in pages}
    for path, parser in parsed.items():
        relative = path.relative_to(site).as_posix()
        page_url = relative[: -len("index.html")] if relative.endswith("index.html") else relative
        for _tag, href in parser.links:
            scheme = urlparse(href).scheme
            if scheme in ("http", "https", "mailto", "data", "tel"):
                continue
            if scheme:
                yield Broken(relative, href, f"unexpected {scheme}: link")
                continue
            if href.startswith("/"):
                yield Broken(relative, href, "absolute path breaks hosting under a subpath")
                continue
            target, fragment = _target_file(site, page_url, href)
            if not target.exists():
                yield Broken(relative, href, "no such file")
                continue
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(fragment) not in ids:
                    yield Broken(relative, href, f"no element with id {fragment!r}")


def page_problems(tab: Any, url: str, base: str) -> list[str]:
    """Load a page and report requests to other hosts and console errors or warnings."""
    foreign: list[str] = []

    def route(request_route: Any) -> None:
        request = request_route.request
        if request.url.startswith(base) or request.url.startswith("data:"):
            request_route.continue_()
        else:
            foreign.append(request.url)
            request_route.abort()

    tab.route("**/*", route)
    messages: list[str] = []
    tab.on(
        "console",
        lambda m: (
            messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    tab.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    tab.goto(url, wait_until="networkidle")
    tab.wait_for_timeout(300)
    return [f"request to another host: {u}" for u in foreign] + messages


def axe_violations(tab: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core violations of the given impacts on the loaded page, one line each."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
        for v in result
        if v["impact"] in impacts
    ]


def horizontal_overflow(tab: Any) -> int:
    """How many pixels the page is wider than the viewport (0 is good)."""
    return int(
        tab.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )

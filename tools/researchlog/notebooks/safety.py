"""Making notebook HTML outputs inert: no scripts, no event handlers, no javascript: links.

A notebook's outputs come from whatever code ran, not from the researcher's pen, so by default
they are shown but never run. The HTML is re-serialised from parsed tokens: every `<` in the
result is a tag this module wrote, every attribute value is quoted and escaped, so the browser
cannot read anything into it that the parser here did not see.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..core.problems import plural

# Elements removed together with everything inside them.
_DROP_WITH_CONTENT = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "xmp",
    "plaintext",
    "portal",
    "handler",
    "listener",
    "animate",
    "animatemotion",
    "animatetransform",
    "set",
}
# Void elements that change the page itself: its base URL, refreshes, other hosts' stylesheets.
_DROP_VOID = {"base", "meta", "link"}
_VOID = {
    "area",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "source",
    "track",
    "wbr",
    "param",
    *_DROP_VOID,
}
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "data",
    "poster",
    "background",
    "cite",
    "lowsrc",
    "dynsrc",
    "ping",
    "srcset",
    "xlink:href",
    "codebase",
    "longdesc",
    "usemap",
}
_FRAME_LIKE = {"iframe", "frame", "frameset", "object", "embed", "applet", "portal"}
_SAFE_NAME = re.compile(r"^[a-z][a-z0-9:._-]*$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_STYLE_ESCAPES = re.compile(r"@import|url\s*\(|expression\s*\(|javascript:", re.IGNORECASE)

LABELS = {
    "script": ("script", "scripts"),
    "handler": ("event handler", "event handlers"),
    "link": ("javascript: link", "javascript: links"),
    "frame": ("embedded frame or plugin", "embedded frames or plugins"),
    "page": ("element that changes the page (base, meta or link)", "elements that change the page"),
    "style": ("style sheet that loads other files", "style sheets that load other files"),
    "external": ("reference to another file or host", "references to other files or hosts"),
}


@dataclass
class Sanitized:
    html: str
    removed: Counter[str] = field(default_factory=Counter)

    def note(self) -> str:
        return removed_text(self.removed)


def removed_text(removed: Counter[str]) -> str:
    """'2 scripts and 1 event handler', in a stable order; '' when nothing was removed."""
    parts = [plural(removed[key], *LABELS[key]) for key in LABELS if removed.get(key, 0) > 0]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def sanitize_html(markup: str) -> Sanitized:
    """Inert HTML and a count of what was left out, by kind."""
    cleaner = _Cleaner()
    cleaner.feed(markup)
    cleaner.close()
    return Sanitized("".join(cleaner.out), cleaner.removed)


def _unsafe_url(value: str) -> bool:
    plain = _CONTROL.sub("", html.unescape(value)).lower()
    if plain.startswith(("javascript:", "vbscript:", "livescript:")):
        return True
    return plain.startswith("data:") and not plain.startswith("data:image/")


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.removed: Counter[str] = Counter()
        self._skipping: list[str] = []  # open elements whose content is being dropped
        self._style_open = False

    # ---------------------------------------------------------------- tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        if self._skipping:
            if tag == self._skipping[-1] and not closed and tag not in _VOID:
                self._skipping.append(tag)
            return
        if tag in _DROP_WITH_CONTENT:
            self.removed["frame" if tag in _FRAME_LIKE else "script"] += 1
            if not closed and tag not in _VOID:
                self._skipping.append(tag)
            return
        if tag in _DROP_VOID:
            self.removed["page"] += 1
            return
        if not _SAFE_NAME.match(tag):
            return
        kept = []
        for name, value in attrs:
            if not _SAFE_NAME.match(name):
                continue
            text = value or ""
            if name.startswith("on"):
                self.removed["handler"] += 1
                continue
            if name in ("formaction", "srcdoc") or (name in _URL_ATTRIBUTES and _unsafe_url(text)):
                self.removed["link"] += 1
                continue
            if name == "style" and _STYLE_ESCAPES.search(text):
                self.removed["style"] += 1
                continue
            kept.append(
                f' {name}="{html.escape(text, quote=True)}"' if value is not None else f" {name}"
            )
        if tag == "style":
            self._style_open = True
        self.out.append(f"<{tag}{''.join(kept)}{' /' if closed else ''}>")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in _DROP_WITH_CONTENT or tag in _VOID or not _SAFE_NAME.match(tag):
            return
        if tag == "style":
            self._style_open = False
        self.out.append(f"</{tag}>")

    # ---------------------------------------------------------------- content

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._style_open:
            self._style(data)
        else:
            self.out.append(html.escape(data, quote=False))

    def _style(self, css: str) -> None:
        """CSS stays as written, except what fetches other files; '<' can never end it early."""
        if _STYLE_ESCAPES.search(css):
            self.removed["style"] += 1
            return
        self.out.append(css.replace("<", "\\3C "))

    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


# ----------------------------------------------------------------------------- SVG

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Only a reference to a part of the same image, or an embedded picture, may stay.
_SVG_INTERNAL_URL = re.compile(r"url\(\s*['\"]?#", re.IGNORECASE)
_SVG_ANY_URL = re.compile(r"url\s*\(|@import", re.IGNORECASE)


class UnreadableSvg(ValueError):
    """An SVG output that is not XML (or declares entities): it is not published."""


def sanitize_svg(data: bytes) -> tuple[bytes, Counter[str]]:
    """An SVG file that runs nothing and fetches nothing, whoever opens it: no script, no
    event handler, no element that embeds other content, no reference to another file or
    host. An SVG written without its namespace gets it, so browsers show it as a file."""
    from xml.etree import ElementTree

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise UnreadableSvg(str(exc)) from None
    removed: Counter[str] = Counter()
    if _local(root.tag) != "svg":
        raise UnreadableSvg("the document is not an <svg> element")
    _clean_svg(root, removed)
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    return ElementTree.tostring(root, encoding="utf-8"), removed


def _clean_svg(element: Any, removed: Counter[str]) -> None:
    if "}" not in element.tag:
        element.tag = f"{{{SVG_NS}}}{element.tag}"  # no xmlns: SVG's own namespace
    for name in list(element.attrib):
        value = element.attrib[name]
        local = _local(name).lower()
        plain = _CONTROL.sub("", html.unescape(value)).lower()
        if local.startswith("on"):
            removed["handler"] += 1
        elif local == "href" and not (
            plain.startswith("#") or (plain.startswith("data:image/") and "svg" not in plain)
        ):
            removed["link" if "javascript:" in plain else "external"] += 1
        elif "javascript:" in plain:
            removed["link"] += 1
        elif _SVG_ANY_URL.search(value) and not _only_internal_urls(value):
            removed["external"] += 1
        else:
            continue
        del element.attrib[name]
    for child in list(element):
        if not isinstance(child.tag, str):  # a comment or processing instruction
            element.remove(child)
            continue
        tag = _local(child.tag).lower()
        if tag in _DROP_WITH_CONTENT or tag == "foreignobject":
            removed["frame" if tag in _FRAME_LIKE or tag == "foreignobject" else "script"] += 1
            element.remove(child)
        elif (
            tag == "style"
            and _SVG_ANY_URL.search(child.text or "")
            and not (_only_internal_urls(child.text or ""))
        ):
            removed["style"] += 1
            element.remove(child)
        else:
            _clean_svg(child, removed)


def _only_internal_urls(text: str) -> bool:
    """Whether every url(…) in `text` points into the same image (url(#clip1))."""
    if "@import" in text.lower():
        return False
    return len(_SVG_ANY_URL.findall(text)) == len(_SVG_INTERNAL_URL.findall(text))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]

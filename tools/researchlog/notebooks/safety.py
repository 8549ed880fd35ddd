"""Making notebook HTML outputs inert: no scripts, no event handlers, no javascript: links,
nothing loaded from other hosts.

A notebook's outputs come from whatever code ran, not from the researcher's pen, so by default
they are shown but never run. The HTML is re-serialised from parsed tokens: every `<` in the
result is a tag this module wrote, every attribute value is quoted and escaped, so the browser
cannot read anything into it that the parser here did not see.

The site works offline and tells no other host who reads it, so a picture, video or sound
from another host becomes a link to it. Relative addresses (a picture beside the notebook, a
cell attachment) are handed to the caller, which knows where the site keeps the file.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

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
    "data": ("embedded document that could run script", "embedded documents that could run script"),
    "frame": ("embedded frame or plugin", "embedded frames or plugins"),
    "page": ("element that changes the page (base, meta or link)", "elements that change the page"),
    "style": ("style sheet that loads other files", "style sheets that load other files"),
    "external": ("reference to another file or host", "references to other files or hosts"),
}
# Not left out for safety but kept off the page: what would load from another host.
REMOTE = "remote"
REMOTE_LABEL = (
    "picture, video or sound from another host",
    "pictures, videos or sounds from other hosts",
)

Address = Callable[[str], str]  # a relative address as written -> its address on the site


@dataclass
class Sanitized:
    html: str
    removed: Counter[str] = field(default_factory=Counter)

    def note(self) -> str:
        return removed_text(self.removed)


def removed_text(removed: Counter[str]) -> str:
    """'2 scripts and 1 event handler', in a stable order; '' when nothing was removed."""
    parts = [plural(removed[key], *LABELS[key]) for key in LABELS if removed.get(key, 0) > 0]
    return and_list(parts)


def and_list(parts: list[str]) -> str:
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def sanitize_html(
    markup: str, *, address: Address | None = None, trusted: bool = False
) -> Sanitized:
    """Inert HTML and a count of what was left out, by kind. `address` rewrites relative
    addresses; `trusted` keeps everything as written but those addresses."""
    cleaner = _Cleaner(address, trusted=trusted)
    cleaner.feed(markup)
    cleaner.close()
    return Sanitized("".join(cleaner.out), cleaner.removed)


def _plain_url(value: str) -> str:
    return _CONTROL.sub("", html.unescape(value)).lower()


def _unsafe_url(value: str) -> bool:
    return _plain_url(value).startswith(("javascript:", "vbscript:", "livescript:"))


def is_remote(value: str) -> bool:
    """An address on another host: it names a scheme of the web or starts with //."""
    plain = _plain_url(value)
    return plain.startswith(("http:", "https:", "ftp:", "//", "\\\\"))


def _relative(value: str) -> bool:
    """An address the site places: a path (relative, or from the root) or a cell attachment;
    not a page anchor, another host, or a scheme such as mailto: or data:."""
    plain = _plain_url(value)
    if not plain or plain.startswith(("#", "//", "\\\\")):
        return False
    scheme = plain.split(":", 1)[0] if ":" in plain.split("/", 1)[0] else ""
    return scheme in ("", "attachment")


# Elements whose address loads a file into the page (rather than being followed on a click),
# and the attribute that holds it.
_LOADS = {
    "img": "src",
    "video": "src",
    "audio": "src",
    "source": "src",
    "track": "src",
    "input": "src",
    "image": "href",
    "use": "href",
}
_MEDIA = {"img", "video", "audio"}  # shown as a link to the file when it is on another host
_DATA_MEDIA = ("data:image/", "data:video/", "data:audio/")  # cannot run script, where loaded


class _Cleaner(HTMLParser):
    def __init__(self, address: Address | None = None, *, trusted: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.address = address
        self.trusted = trusted
        self.out: list[str] = []
        self.removed: Counter[str] = Counter()
        self._skipping: list[str] = []  # open elements whose content is being dropped
        self._style_open = False
        self._raw_open = False  # inside <script> or <style>, kept as written (trusted)

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
        if self.trusted:
            self._trusted_start(tag, attrs, closed=closed)
            return
        loads = _LOADS.get(tag)
        source = next((value or "" for name, value in attrs if name in (loads, "xlink:href")), "")
        if loads and is_remote(source):
            self.removed[REMOTE] += 1
            if tag in _MEDIA:
                self._remote_link(tag, source, dict(attrs))
            if not closed and tag not in _VOID:
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
            plain = _plain_url(text)
            if (
                name in _URL_ATTRIBUTES
                and plain.startswith("data:")
                and not (name == loads and plain.startswith(_DATA_MEDIA))
            ):
                self.removed["data"] += 1
                continue
            if name in ("poster", "srcset", "background") and _has_remote(text):
                self.removed[REMOTE] += 1
                continue
            if name == "style" and _STYLE_ESCAPES.search(text):
                self.removed["style"] += 1
                continue
            if name in _URL_ATTRIBUTES:
                text = self._rewrite(name, text)
            kept.append(
                f' {name}="{html.escape(text, quote=True)}"' if value is not None else f" {name}"
            )
        if tag == "style":
            self._style_open = True
        self.out.append(f"<{tag}{''.join(kept)}{' /' if closed else ''}>")

    def _trusted_start(
        self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool
    ) -> None:
        """As written, but relative addresses made the site's."""
        kept = []
        for name, value in attrs:
            if not _SAFE_NAME.match(name):
                continue
            text = (
                self._rewrite(name, value)
                if value is not None and name in _URL_ATTRIBUTES
                else value
            )
            kept.append(
                f' {name}="{html.escape(text, quote=True)}"' if text is not None else f" {name}"
            )
        if tag in ("script", "style") and not closed:
            self._raw_open = True
        self.out.append(f"<{tag}{''.join(kept)}{' /' if closed else ''}>")

    def _rewrite(self, name: str, value: str) -> str:
        if self.address is None or name == "srcset" or not _relative(value):
            return value
        return self.address(value)

    def _remote_link(self, tag: str, source: str, attrs: dict[str, str | None]) -> None:
        """A picture, video or sound on another host, as a link to it."""
        host = urlsplit(source if "//" in source else f"//{source}").hostname or "another host"
        kind = {"img": "picture", "video": "video", "audio": "sound"}[tag]
        text = (attrs.get("alt") or attrs.get("title") or "").strip() or f"{kind} on {host}"
        self.out.append(
            f'<a class="rl-nb-remote" href="{html.escape(source, quote=True)}" rel="noopener">'
            f"{html.escape(text, quote=False)}</a>"
        )

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if self.trusted:
            self._raw_open = False
            if _SAFE_NAME.match(tag):
                self.out.append(f"</{tag}>")
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
        if self._raw_open:
            self.out.append(data)
        elif self._style_open:
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


def _has_remote(value: str) -> bool:
    """Whether any address in a poster, background or srcset attribute is on another host."""
    return any(is_remote(part.strip().split(" ")[0]) for part in value.split(","))


def _only_internal_urls(text: str) -> bool:
    """Whether every url(…) in `text` points into the same image (url(#clip1))."""
    if "@import" in text.lower():
        return False
    return len(_SVG_ANY_URL.findall(text)) == len(_SVG_INTERNAL_URL.findall(text))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]

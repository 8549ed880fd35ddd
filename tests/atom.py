"""Validating Atom feeds against the rules of RFC 4287 that a feed reader relies on.

No validator is installed with the test dependencies, so the MUST rules of the RFC that apply
to the feeds researchlog writes are checked here, each problem named after its section.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time (section 3.3): full date, "T", time, seconds, optional fraction, offset.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # an absolute IRI: a scheme, then a part
_TEXT_TYPES = ("text", "html", "xhtml")


def atom_problems(data: bytes) -> list[str]:
    """Every rule of RFC 4287 the document breaks (empty for a valid feed)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{ATOM}feed":
        return [f"the root element is {root.tag}, not atom:feed (4.1.1)"]
    problems: list[str] = []
    problems += _common(root, "feed", "4.1.1")
    feed_authors = root.findall(f"{ATOM}author")
    entries = root.findall(f"{ATOM}entry")
    if not feed_authors and not all(e.findall(f"{ATOM}author") for e in entries):
        problems.append("the feed has no atom:author, and not every entry has one (4.1.1)")
    if not root.findall(f"{ATOM}link[@rel='self']"):
        problems.append("the feed has no rel=self link, which it SHOULD have (4.1.1)")
    ids: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        problems += _common(entry, where, "4.1.2")
        identifier = entry.findtext(f"{ATOM}id") or ""
        if identifier in ids:
            problems.append(f"{where} repeats the id {identifier} (4.1.2)")
        ids.add(identifier)
        contents = entry.findall(f"{ATOM}content")
        if len(contents) > 1:
            problems.append(f"{where} has {len(contents)} atom:content (4.1.2)")
        if not contents and not entry.findall(f"{ATOM}link[@rel='alternate']"):
            problems.append(f"{where} has neither atom:content nor a rel=alternate link (4.1.2)")
        for content in contents:
            problems += _text_construct(content, f"{where} content", "4.1.3")
        for name in ("published",):
            for element in entry.findall(f"{ATOM}{name}"):
                problems += _date(element, f"{where} {name}")
    return problems


def _common(element: ET.Element, where: str, section: str) -> list[str]:
    """The rules atom:feed and atom:entry share: one id, title and updated, and sound links
    and authors."""
    problems = []
    for name in ("id", "title", "updated"):
        found = element.findall(f"{ATOM}{name}")
        if len(found) != 1:
            problems.append(f"{where} has {len(found)} atom:{name}, not exactly one ({section})")
    for identifier in element.findall(f"{ATOM}id"):
        if not _IRI.match((identifier.text or "").strip()):
            problems.append(f"{where} id {identifier.text!r} is not an absolute IRI (4.2.6)")
    for updated in element.findall(f"{ATOM}updated"):
        problems += _date(updated, f"{where} updated")
    for title in element.findall(f"{ATOM}title"):
        problems += _text_construct(title, f"{where} title", "3.1")
        if not (title.text or "").strip():
            problems.append(f"{where} has an empty title")
    alternates: set[tuple[str, str]] = set()
    for link in element.findall(f"{ATOM}link"):
        if not link.get("href"):
            problems.append(f"{where} has a link without href (4.2.7.1)")
        if link.get("rel", "alternate") == "alternate":
            key = (link.get("type", ""), link.get("hreflang", ""))
            if key in alternates:
                problems.append(f"{where} has two rel=alternate links of one type (4.1.1)")
            alternates.add(key)
    for author in element.findall(f"{ATOM}author"):
        if len(author.findall(f"{ATOM}name")) != 1:
            problems.append(f"{where} has an author without exactly one atom:name (3.2.1)")
    return problems


def _date(element: ET.Element, where: str) -> list[str]:
    text = (element.text or "").strip()
    if not _DATE_TIME.match(text):
        return [f"{where} {text!r} is not an RFC 3339 date-time (3.3)"]
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return [f"{where} {text!r} is not a real date and time (3.3)"]
    return []


def _text_construct(element: ET.Element, where: str, section: str) -> list[str]:
    kind = element.get("type", "text")
    if kind not in _TEXT_TYPES and "/" not in kind:
        return [f"{where} has the type {kind!r} ({section})"]
    if kind == "xhtml" and element.find("{http://www.w3.org/1999/xhtml}div") is None:
        return [f"{where} is xhtml without an xhtml:div (3.1.1.3)"]
    if kind == "html" and len(element):
        return [f"{where} is html but holds elements: they must be escaped (3.1.1.2)"]
    return []

"""Activity over time: the Timeline pages (by week, newest first) and the Atom feed."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..analysis.activity import Event, by_week, events
from ..core.problems import plural
from ..log import Log
from ..pages.html import PageWriter, date_text, esc, status_badge
from ..pages.model import Page
from ..pages.paths import timeline_page, timeline_years
from ..pages.urls import Urls
from ..read.schema import STATUS_LABELS

FEED_WEEKS = 12
ATOM = "http://www.w3.org/2005/Atom"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _event_html(event: Event, here: str, urls: Urls) -> str:
    title = f'<a href="{esc(urls.rel(here, event.item.entry.path))}">{esc(event.item.title)}</a>'
    when = date_text(event.when)
    if event.is_new:
        what = f"new entry {title} {status_badge(event.status)}"
    else:
        what = f"{title} {status_badge(event.previous or '')} → {status_badge(event.status)}"
    project = event.item.entry.project
    suffix = f' <span class="rl-item__meta">{esc(project)}</span>' if project else ""
    return f'<li class="rl-event">{when} {what}{suffix}</li>'


def week_summary(found: Sequence[Event]) -> str:
    new = sum(1 for e in found if e.is_new)
    changed = len(found) - new
    parts = []
    if new:
        parts.append(plural(new, "new entry", "new entries"))
    if changed:
        parts.append(plural(changed, "status change"))
    return ", ".join(parts)


def week_anchor(week: dt.date) -> str:
    return f"week-{week.isoformat()}"


def timeline_pages(log: Log, urls: Urls) -> list[Page]:
    """One page per year (the newest at timeline/index.md): a single page would grow forever."""
    weeks = by_week(events(log))
    years = timeline_years(log) or [dt.date.today().year]
    pages = []
    for position, year in enumerate(years):
        here = timeline_page(year, years)
        title = "Timeline" if position == 0 else f"Timeline {year}"
        others = " · ".join(
            f'<a href="{esc(urls.rel(here, timeline_page(y, years)))}">{y}</a>'
            if y != year
            else f"<strong>{y}</strong>"
            for y in years
        )
        page = PageWriter(here, title, description="New entries and status changes, by week")
        page.heading(1, title)
        page.html(
            '<p class="rl-lead">New entries and status changes, week by week, newest'
            f' first. Years: {others}. Also as a <a href="'
            f'{esc(urls.asset(here, "feed.xml"))}">weekly feed</a>.</p>'
        )
        year_weeks = [(w, found) for w, found in weeks if w.year == year]
        if not year_weeks:
            page.html('<p class="rl-empty">No committed activity yet.</p>')
        for week, found in year_weeks:
            page.heading(2, f"Week of {week.isoformat()}", anchor=week_anchor(week))
            page.html(
                f'<p class="rl-week__summary">{esc(week_summary(found))}</p>'
                '<ul class="rl-events">'
                + "".join(_event_html(e, here, urls) for e in found)
                + "</ul>"
            )
        pages.append(page.page())
    return pages


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def feed_xml(log: Log, urls: Urls) -> bytes:
    """An Atom feed with one item per week: a digest for readers who do not visit."""
    weeks = by_week(events(log))[:FEED_WEEKS]
    base = (log.settings.site_url or "").rstrip("/") + "/" if log.settings.site_url else ""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    if base:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", base)
    name = log.settings.site_name
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _clean(f"{name}: weekly activity")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _feed_id(log, "feed")
    newest = weeks[0][1][0].when if weeks else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest.isoformat()
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = _clean(name)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}feed.xml")
    ET.SubElement(
        feed, f"{{{ATOM}}}link", rel="alternate", href=f"{base}{urls.page('timeline/index.md')}"
    )
    for week, found in weeks:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}title").text = _clean(
            f"Week of {week.isoformat()}: {week_summary(found)}"
        )
        ET.SubElement(item, f"{{{ATOM}}}id").text = _feed_id(log, f"week/{week.isoformat()}")
        ET.SubElement(item, f"{{{ATOM}}}updated").text = found[0].when.isoformat()
        page = timeline_page(week.year, [weeks[0][0].year])
        ET.SubElement(
            item,
            f"{{{ATOM}}}link",
            rel="alternate",
            href=f"{base}{urls.page(page)}#{week_anchor(week)}",
        )
        lines = []
        for event in found:
            href = f"{base}{urls.page(event.item.entry.path)}"
            label = STATUS_LABELS.get(event.status, event.status)
            if event.is_new:
                text = f"New entry: {esc(event.item.title)} ({esc(label)})"
            else:
                before = STATUS_LABELS.get(event.previous or "", event.previous or "")
                text = f"{esc(event.item.title)}: {esc(before)} → {esc(label)}"
            lines.append(f'<li><a href="{esc(href)}">{text}</a></li>')
        content = ET.SubElement(item, f"{{{ATOM}}}content", type="html")
        content.text = _clean("<ul>" + "".join(lines) + "</ul>")
    body = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _feed_id(log: Log, suffix: str) -> str:
    if log.settings.site_url:
        return f"{log.settings.site_url.rstrip('/')}/{suffix}"
    name = re.sub(r"[^a-z0-9]+", "-", log.settings.site_name.lower()).strip("-") or "log"
    return f"urn:researchlog:{name}:{suffix}"

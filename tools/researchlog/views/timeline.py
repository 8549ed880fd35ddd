"""Activity over time: the Timeline pages (by week, newest first) and the Atom feed."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from ..analysis.activity import Event, by_week, events
from ..analysis.bets import Bet
from ..core.problems import plural
from ..log import Log
from ..pages.html import PageWriter, date_text, esc, status_badge
from ..pages.model import Page
from ..pages.paths import (
    FEED,
    TIMELINE,
    project_feed,
    project_page,
    slugify,
    timeline_page,
    timeline_years,
)
from ..pages.urls import Urls
from ..read.projects import Decision
from ..read.schema import PROJECT_STATUS_LABELS, STATUS_LABELS
from .bet_card import DECISIONS_ANCHOR

FEED_WEEKS = 12
PROJECT_FEED_ITEMS = 50
ATOM = "http://www.w3.org/2005/Atom"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _event_html(event: Event, here: str, urls: Urls) -> str:
    title = f'<a href="{esc(urls.rel(here, event.item.entry.path))}">{esc(event.item.title)}</a>'
    when = date_text(event.when)
    if event.is_new:
        what = f"new entry {title} {status_badge(event.status)}"
        if event.recorded is not None:
            what += (
                f' <span class="rl-recorded-later">recorded later, on'
                f" {date_text(event.recorded)}</span>"
            )
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


@dataclass(frozen=True)
class FeedItem:
    """One item of an Atom feed. `link` is a URL relative to the site root."""

    title: str
    id: str
    updated: dt.datetime
    link: str
    content: str  # HTML, with links relative to the site root made absolute by atom_feed


def atom_feed(
    log: Log,
    *,
    path: str,
    title: str,
    alternate: str,
    id_suffix: str,
    items: Sequence[FeedItem],
) -> bytes:
    """An Atom feed (RFC 4287) at `path` in the site, whose page is `alternate` (a URL relative
    to the site root). Without site_url, links are relative to the feed itself."""
    site_url = log.settings.site_url
    base = site_url.rstrip("/") + "/" if site_url else ""
    prefix = base or "../" * path.count("/")  # from the feed's folder back to the site root
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    if base:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", base)
    name = log.settings.site_name
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _clean(title)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _feed_id(log, id_suffix)
    newest = max((item.updated for item in items), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest.isoformat()
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = _clean(name)
    self_href = f"{base}{path}" if base else path.rsplit("/", 1)[-1]
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_href)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=f"{prefix}{alternate}")
    for found in items:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}title").text = _clean(found.title)
        ET.SubElement(item, f"{{{ATOM}}}id").text = found.id
        ET.SubElement(item, f"{{{ATOM}}}updated").text = found.updated.isoformat()
        ET.SubElement(item, f"{{{ATOM}}}link", rel="alternate", href=f"{prefix}{found.link}")
        content = ET.SubElement(item, f"{{{ATOM}}}content", type="html")
        content.text = _clean(found.content.replace(_ROOT, prefix))
    body = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


# Stands for the site root in feed content: atom_feed puts the feed's own way there.
_ROOT = "\x00root/"


def feed_xml(log: Log, urls: Urls) -> bytes:
    """An Atom feed with one item per week: a digest for readers who do not visit."""
    weeks = by_week(events(log))[:FEED_WEEKS]
    items = []
    for week, found in weeks:
        page = timeline_page(week.year, [weeks[0][0].year])
        lines = [f"<li>{_event_text(event, urls)}</li>" for event in found]
        items.append(
            FeedItem(
                title=f"Week of {week.isoformat()}: {week_summary(found)}",
                id=_feed_id(log, f"week/{week.isoformat()}"),
                updated=found[0].when,
                link=f"{urls.page(page)}#{week_anchor(week)}",
                content="<ul>" + "".join(lines) + "</ul>",
            )
        )
    return atom_feed(
        log,
        path=FEED,
        title=f"{log.settings.site_name}: weekly activity",
        alternate=urls.page(TIMELINE),
        id_suffix="feed",
        items=items,
    )


def _event_text(event: Event, urls: Urls) -> str:
    href = f"{_ROOT}{urls.page(event.item.entry.path)}"
    label = STATUS_LABELS.get(event.status, event.status)
    if event.is_new:
        text = f"New entry: {esc(event.item.title)} ({esc(label)})"
        if event.recorded is not None:
            text += f", recorded later, on {event.recorded.date().isoformat()}"
    else:
        before = STATUS_LABELS.get(event.previous or "", event.previous or "")
        text = f"{esc(event.item.title)}: {esc(before)} → {esc(label)}"
    return f'<a href="{esc(href)}">{text}</a>'


def project_feed_xml(log: Log, bet: Bet, urls: Urls) -> bytes:
    """The Atom feed of one bet, one item per happening: new entries and their status
    changes, changes of the bet's own status, and its decisions. Newest first. A bet may have
    thousands of happenings: each is made into an item only if it is among the newest."""
    project = bet.project
    slug = slugify(project)
    page = urls.page(project_page(project))
    # (when, id, the item made with that id): the feed's order, and the item made if kept.
    happenings: list[tuple[dt.datetime, str, Callable[[str], FeedItem]]] = []
    for event in events(log):
        if event.item.entry.project != project:
            continue
        what = "new" if event.is_new else event.status
        feed_id = _feed_id(log, f"projects/{slug}/{event.item.slug}/{what}")
        happenings.append((event.when, feed_id, partial(_event_item, event, urls)))
    card = bet.card
    if card is not None:
        changes = [c for c in card.history.status_history if c.commit and c.date]
        for before, after in itertools.pairwise(changes):
            assert after.date is not None
            old = PROJECT_STATUS_LABELS.get(before.status, before.status)
            new = PROJECT_STATUS_LABELS.get(after.status, after.status)
            text = f"{bet.title}: {old} → {new}"
            feed_id = _feed_id(log, f"projects/{slug}/status/{after.commit}")
            happenings.append((after.date, feed_id, partial(_text_item, text, after.date, page)))
        for index, decision in enumerate(card.card.decisions):
            when = dt.datetime.combine(decision.date, dt.time(), dt.UTC)
            feed_id = _feed_id(log, f"projects/{slug}/decision/{decision.date.isoformat()}/{index}")
            happenings.append((when, feed_id, partial(_decision_item, decision, when, page)))
    happenings.sort(key=lambda happening: (happening[0], happening[1]), reverse=True)
    return atom_feed(
        log,
        path=project_feed(project),
        title=f"{log.settings.site_name}: {bet.title}",
        alternate=page,
        id_suffix=f"projects/{slug}",
        items=[make(feed_id) for _, feed_id, make in happenings[:PROJECT_FEED_ITEMS]],
    )


def _event_item(event: Event, urls: Urls, feed_id: str) -> FeedItem:
    outcome = event.item.entry.outcome
    return FeedItem(
        title=_strip_tags(_event_text(event, urls)),
        id=feed_id,
        updated=event.when,
        link=urls.page(event.item.entry.path),
        content=f"<p>{_event_text(event, urls)}</p>"
        + (f"<p>{esc(outcome)}</p>" if outcome else ""),
    )


def _text_item(text: str, when: dt.datetime, link: str, feed_id: str) -> FeedItem:
    return FeedItem(title=text, id=feed_id, updated=when, link=link, content=f"<p>{esc(text)}</p>")


def _decision_item(decision: Decision, when: dt.datetime, page: str, feed_id: str) -> FeedItem:
    return FeedItem(
        title=f"Decision: {decision.label}: {decision.why}",
        id=feed_id,
        updated=when,
        link=f"{page}#{DECISIONS_ANCHOR}",
        content=f"<p><strong>{esc(decision.label)}</strong>"
        f" ({decision.date.isoformat()}): {esc(decision.why)}</p>",
    )


_TAG = re.compile(r"<[^>]+>")


def _strip_tags(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def _feed_id(log: Log, suffix: str) -> str:
    if log.settings.site_url:
        return f"{log.settings.site_url.rstrip('/')}/{suffix}"
    name = re.sub(r"[^a-z0-9]+", "-", log.settings.site_name.lower()).strip("-") or "log"
    return f"urn:researchlog:{name}:{suffix}"

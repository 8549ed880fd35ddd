"""Playbook pages as the site shows them: the page itself, its reading time, and the log
entries that taught the lesson ("From our log")."""

from __future__ import annotations

import re

from ..log import Log
from ..pages.forge import with_forge_links
from ..pages.html import PageWriter, entry_list, esc, link
from ..pages.model import Page
from ..pages.urls import Urls
from ..read.playbook import PlaybookPage

_LEADING_H1 = re.compile(r"\A\s*(#[ \t]+[^\n]*)\n?")


def playbook_page(page: PlaybookPage, log: Log, urls: Urls) -> Page:
    writer = PageWriter(page.path, page.title, description=page.summary, source=page.path)
    body = with_forge_links(page.body, page.path, log.code_links)
    match = _LEADING_H1.match(body)
    if match:
        writer.markdown(match.group(1))
        body = body[match.end() :]
    else:
        writer.heading(1, page.title)
    writer.html(f'<p class="rl-reading-time">{page.reading_minutes} min read</p>')
    writer.markdown(body.strip("\n"))
    if page.is_start:
        writer.heading(2, "Reading order", anchor="reading-order")
        writer.html(_reading_order(page, log, urls))
        highlights = [e for e in log.entries if e.entry.highlight]
        writer.heading(2, "Essential reading", anchor="essential-reading")
        writer.html(
            "<p>Entries the team marked as essential (<code>highlight: true</code>).</p>"
            + entry_list(highlights, page.path, urls)
        )
    else:
        taught = log.by_lesson.get(page.slug, ())
        writer.heading(2, "From our log", anchor="from-our-log")
        intro = (
            "Entries whose <code>lessons:</code> name this page: the evidence behind it."
            if taught
            else f"No entry names this page yet. Add <code>lessons: [{esc(page.slug)}]</code>"
            " to an entry that taught this lesson."
        )
        writer.html(f"<p>{intro}</p>" + (entry_list(taught, page.path, urls) if taught else ""))
    return writer.page()


def _reading_order(start: PlaybookPage, log: Log, urls: Urls) -> str:
    rows = []
    for page in log.playbook:
        if page.is_start:
            continue
        summary = f" — {esc(page.summary)}" if page.summary else ""
        rows.append(
            f"<li>{link(urls.rel(start.path, page.path), page.title)}"
            f' <span class="rl-item__meta">{page.reading_minutes} min read'
            f"</span>{summary}</li>"
        )
    return f'<ol class="rl-reading-order">{"".join(rows)}</ol>'

"""Index pages: Home, Dead ends, Outcomes, Projects and Tags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from ..core.problems import plural
from ..log import Log, LogEntry
from ..pages.html import (
    PageWriter,
    bet_status_badge,
    date_text,
    days_text,
    entry_list,
    esc,
    link,
    md_text,
    status_badge,
    status_counts,
    status_mix,
)
from ..pages.keys import listing_key, summary_digests
from ..pages.model import Page, PageSource
from ..pages.paths import DEAD_ENDS, HOME, OUTCOMES, PROJECTS, TAGS, project_page, slugify, tag_page
from ..pages.urls import Urls
from ..read.schema import STATUS_LABELS
from ..read.scope import assumptions

ACTIVE = ("running", "planned")
PROJECT_STATUS_ORDER = ("running", "planned", "success", "dead-end", "inconclusive", "superseded")
NO_PROJECT = "No project"


def last_activity(items: Iterable[LogEntry]) -> dt.date | None:
    dates = [(i.history.updated.date() if i.history.updated else i.date) for i in items]
    return max(dates) if dates else None


def home_page(log: Log, urls: Urls, extra_sections: Sequence[tuple[str, str]] = ()) -> Page:
    """The log at a glance. `extra_sections` adds (heading, HTML) pairs after the counts."""
    here = HOME
    entries = log.entries
    counts = status_counts(entries)
    cards = []
    targets = {"dead-end": DEAD_ENDS, "success": OUTCOMES}
    for status, label in STATUS_LABELS.items():
        count = counts.get(status, 0)
        inner = f'<span class="rl-card__count">{count:,}</span> {status_badge(status)}'
        if status in targets:
            inner = (
                f'<a href="{esc(urls.rel(here, targets[status]))}" '
                f'aria-label="{count:,} {esc(label.lower())} entries">{inner}</a>'
            )
        cards.append(f'<li class="rl-card rl-card--{status}">{inner}</li>')
    active = sorted(
        (
            (p, log.items_of(p))
            for p in log.projects
            if any(i.status in ACTIVE for i in log.items_of(p))
            or (p in log.cards and log.cards[p].status == "active")
        ),
        key=lambda pair: last_activity(pair[1]) or dt.date.min,
        reverse=True,
    )
    start = next((p for p in log.playbook if p.is_start), None)
    lead = [
        f"{esc(plural(len(entries), 'entry', 'entries'))} across"
        f" {esc(plural(len(log.projects), 'project'))}.",
        f'Before you start something new, read the <a href="'
        f'{esc(urls.rel(here, DEAD_ENDS))}">dead ends</a>.',
    ]
    if start is not None:
        lead.append(f'New to the team? <a href="{esc(urls.rel(here, start.path))}">Start here</a>.')
    page = PageWriter(here, "Home", description=f"The research log of {log.settings.site_name}")
    page.heading(1, log.settings.site_name)
    page.html(
        f'<p class="rl-lead">{" ".join(lead)}</p>'
        f'<ul class="rl-cards" aria-label="Entries by status">{"".join(cards)}</ul>'
    )
    for heading, markup in extra_sections:
        page.heading(2, heading)
        page.html(markup)
    scopes = _open_assumptions(log, here, urls)
    if scopes:
        page.heading(2, "Open assumptions")
        page.html(scopes)
    page.heading(2, "Recent entries")
    page.html(entry_list(entries[:10], here, urls))
    page.heading(2, "Recent dead ends")
    page.html(entry_list(log.with_status("dead-end")[:5], here, urls))
    page.heading(2, "Active projects")
    page.html(
        _project_table(log, active, here, urls)
        if active
        else '<p class="rl-empty">No project has running or planned work.</p>'
    )
    return page.page()


def _open_assumptions(log: Log, here: str, urls: Urls) -> str:
    """Scoping documents with assumptions nobody has confirmed or refuted yet."""
    counted = [
        (item, assumptions(item.entry)) for item in log.entries if item.entry.kind == "scope"
    ]
    waiting = [(item, found) for item, found in counted if found.open]
    if not waiting:
        return ""
    total = sum(found.open for _, found in waiting)
    rows = "".join(
        f'<li><a href="{esc(urls.rel(here, item.entry.path))}">{esc(item.title)}</a>'
        f' <span class="rl-item__meta">{esc(plural(found.open, "open assumption"))} of'
        f" {found.total}</span></li>"
        for item, found in waiting
    )
    return (
        f'<p class="rl-assumptions"><span class="rl-card__count">{total}</span>'
        f" {esc(plural(total, 'assumption', 'assumptions'))} still to check in"
        f" {esc(plural(len(waiting), 'scoping document'))}: tick each one once it is confirmed,"
        f" or strike it through if it proved wrong.</p><ul>{rows}</ul>"
    )


def _grouped_by_project(items: Sequence[LogEntry]) -> list[tuple[str, list[LogEntry]]]:
    """Groups in order of their newest entry (items are newest first)."""
    groups: dict[str, list[LogEntry]] = {}
    for item in items:
        groups.setdefault(item.entry.project or NO_PROJECT, []).append(item)
    return list(groups.items())


def _status_page(log: Log, urls: Urls, *, here: str, title: str, status: str, intro: str) -> Page:
    items = log.with_status(status)
    page = PageWriter(here, title, description=intro)
    page.heading(1, title)
    page.html(
        f'<p class="rl-lead">{esc(intro)}</p>'
        f"<p>{esc(plural(len(items), 'entry', 'entries'))}, grouped by project,"
        " newest first.</p>" + ("" if items else '<p class="rl-empty">Nothing here yet.</p>')
    )
    for project, group in _grouped_by_project(items):
        if project == NO_PROJECT:
            page.heading(2, project)
        else:
            page.heading(
                2,
                f"[{md_text(project)}]({urls.source(here, project_page(project))})",
                markdown=True,
                anchor=f"project-{slugify(project)}",
            )
        page.html(entry_list(group, here, urls, show_project=False))
    return page.page()


def dead_ends_page(log: Log, urls: Urls) -> Page:
    return _status_page(
        log,
        urls,
        here=DEAD_ENDS,
        title="Dead ends",
        status="dead-end",
        intro="What we tried that did not work, and why. Read the dead ends of your line of work"
        " before starting something new: most ideas come back.",
    )


def outcomes_page(log: Log, urls: Urls) -> Page:
    return _status_page(
        log,
        urls,
        here=OUTCOMES,
        title="Outcomes",
        status="success",
        intro="What worked: experiments whose results we acted on.",
    )


def _project_table(
    log: Log, rows: Iterable[tuple[str, Sequence[LogEntry]]], here: str, urls: Urls
) -> str:
    body = []
    for project, items in rows:
        effort = sum(i.entry.effort_days or 0 for i in items)
        card = log.cards.get(project)
        body.append(
            "<tr>"
            f"<td>{link(urls.rel(here, project_page(project)), project)}</td>"
            f"<td>{bet_status_badge(card.status if card else None)}</td>"
            f'<td class="rl-num">{len(items):,}</td>'
            f"<td>{status_mix(status_counts(items))}</td>"
            f'<td class="rl-num">{esc(days_text(effort))}</td>'
            f"<td>{date_text(last_activity(items))}</td>"
            "</tr>"
        )
    return (
        '<div class="rl-table-scroll"><table class="rl-table"><thead><tr>'
        '<th scope="col">Project</th><th scope="col">Bet</th><th scope="col">Entries</th>'
        '<th scope="col">Status</th><th scope="col">Effort</th>'
        '<th scope="col">Last activity</th></tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )


def projects_index(log: Log, urls: Urls) -> Page:
    here = PROJECTS
    rows = sorted(
        ((p, log.items_of(p)) for p in log.projects),
        key=lambda pair: last_activity(pair[1]) or dt.date.min,
        reverse=True,
    )
    intro = (
        "Each project is a bet the team placed: its entries, the effort spent and how the"
        " work turned out."
    )
    page = PageWriter(here, "Projects", description=intro)
    page.heading(1, "Projects")
    page.html(
        f'<p class="rl-lead">{esc(intro)}</p>'
        + (
            _project_table(log, rows, here, urls)
            if rows
            else '<p class="rl-empty">No entry names a project yet.</p>'
        )
    )
    return page.page()


@dataclass(frozen=True)
class Opening:
    """What a project page opens with, made by the bets' views: the card, and its text."""

    title: str
    card: str  # HTML
    markdown: str = ""  # the card's own text
    feed: tuple[str, str] | None = None  # (site path, title) of the project's Atom feed


def project_pages(
    log: Log,
    urls: Urls,
    extra: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    openings: Mapping[str, Opening] | None = None,
    only: Collection[str] | None = None,
) -> list[Page]:
    """One page per project (bets with only a card too), or for the projects named `only`;
    `openings` gives what each opens with, and `extra` adds (heading, HTML) sections, by
    project name."""
    pages = []
    for project in log.projects:
        if only is not None and project not in only:
            continue
        items = log.items_of(project)
        here = project_page(project)
        effort = sum(i.entry.effort_days or 0 for i in items)
        opening = (openings or {}).get(project)
        title = opening.title if opening else project
        page = PageWriter(
            here,
            title,
            description=f"Entries of the {project} project",
            feed=opening.feed if opening else None,
        )
        page.heading(1, title)
        page.html(
            f'<p class="rl-lead">{esc(plural(len(items), "entry", "entries"))} · effort'
            f" {esc(days_text(effort))} · last activity {date_text(last_activity(items))}"
            f"</p><p>{status_mix(status_counts(items))}</p>"
        )
        if opening is not None:
            page.html(opening.card)
            page.markdown(opening.markdown)
        scopes = [i for i in items if i.entry.kind == "scope"]
        if scopes:
            page.heading(2, "Scoping")
            page.html(entry_list(scopes, here, urls, show_project=False))
        for heading, markup in (extra or {}).get(project, ()):
            page.heading(2, heading)
            page.html(markup)
        for status in PROJECT_STATUS_ORDER:
            group = [i for i in items if i.status == status and i.entry.kind != "scope"]
            if group:
                page.heading(2, f"{STATUS_LABELS[status]} ({len(group)})")
                page.html(entry_list(group, here, urls, show_project=False))
        pages.append(page.page())
    return pages


def tags_index(log: Log, urls: Urls) -> Page:
    here = TAGS
    ordered = sorted(log.by_tag.items(), key=lambda pair: (-len(pair[1]), pair[0].lower()))
    rows = "".join(
        f'<li><a class="md-tag" href="{esc(urls.rel(here, tag_page(tag)))}">{esc(tag)}</a>'
        f' <span class="rl-tag-count">{len(items):,}</span>'
        f" {status_mix(status_counts(items))}</li>"
        for tag, items in ordered
    )
    page = PageWriter(here, "Tags", description="Entries by topic")
    page.heading(1, "Tags")
    page.html(
        f'<p class="rl-lead">{esc(plural(len(ordered), "tag"))}, most used first.</p>'
        + (
            f'<ul class="rl-tag-index md-tags">{rows}</ul>'
            if rows
            else '<p class="rl-empty">No entry has tags yet.</p>'
        )
    )
    return page.page()


def tag_pages(log: Log, urls: Urls) -> list[PageSource]:
    """A page for each tag, made when it is read. Its key is made from what it shows of each
    entry (pages.html.summary), so on a log of thousands of entries the pages of the tags an
    edit did not touch are never made."""
    shown = summary_digests()
    return [
        PageSource(
            tag_page(tag),
            f"Tag: {tag}",
            None,
            partial(tag_page_of, tag, items, urls),
            listing_key(("tag", tag, urls.directory_urls), items, shown),
        )
        for tag, items in log.by_tag.items()
    ]


def tag_page_of(tag: str, items: Sequence[LogEntry], urls: Urls) -> Page:
    here = tag_page(tag)
    page = PageWriter(here, f"Tag: {tag}", description=f"Entries tagged {tag}")
    page.heading(1, f"Tag: {tag}")
    page.html(
        f'<p class="rl-lead">{esc(plural(len(items), "entry", "entries"))}'
        f" · {status_mix(status_counts(items))} · "
        f'<a href="{esc(urls.rel(here, TAGS))}">all tags</a></p>' + entry_list(items, here, urls)
    )
    return page.page()

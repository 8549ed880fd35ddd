"""The page of one entry: header, the researcher's own body, history and related entries."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Sequence
from functools import partial

from ..core.problems import plural
from ..log import Log, LogEntry
from ..pages.forge import with_forge_links
from ..pages.html import (
    PageWriter,
    date_text,
    days_text,
    entry_list,
    esc,
    format_number,
    link,
    status_badge,
    summary,
    tag_links,
)
from ..pages.model import Body, Page
from ..pages.paths import project_page
from ..pages.urls import Urls
from ..read.entry_cache import entry_digest
from ..read.schema import STATUS_LABELS


def entry_page_key(
    item: LogEntry, log: Log, urls: Urls, related: Sequence[LogEntry], body_key: str | None
) -> str:
    """A digest of everything entry_page and the sections beside it read, so that an
    unchanged key means an unchanged page: the entry with its history, what it shows of the
    entries it links (its successor, what it replaces, related entries), the playbook pages it
    names, the settings it reads, its samples, and its body (`body_key`: the notebook's
    conversion). Only what is shown of other entries is in it, so editing one entry's text
    changes no other entry's page."""
    entry = item.entry
    linked = (entry.superseded_by, *item.supersedes)
    settings = log.settings
    parts = (
        entry_digest(entry),  # every field but the file's modification time
        item.history,
        item.date,
        item.authors,
        item.supersedes,
        [summary(log.by_slug[s]) for s in linked if s and s in log.by_slug],
        [summary(other) for other in related],
        [(p.slug, p.title, p.path) for p in log.playbook if p.slug in entry.lessons],
        {metric: settings.higher_is_better(metric) for metric in entry.metrics},
        (settings.commit_url, settings.repo_url, urls.directory_urls),
        log.samples.get(item.slug),
        # Its links to code, as the forge's addresses (they name the branch or commit).
        with_forge_links(entry.body, entry.path, log.code_links) if log.code_links else None,
        body_key,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# The text's own title: a Markdown heading, or the HTML heading a notebook's first cell gives.
_LEADING_H1 = re.compile(r"\A\s*(#[ \t]+[^\n]*|<h1[\s>][^\n]*</h1>)\n?")


def entry_page(
    item: LogEntry,
    log: Log,
    urls: Urls,
    related: Sequence[LogEntry],
    body: str | Body | None = None,
    extra_sections: Sequence[tuple[str, str]] = (),
) -> Page:
    """An entry's page; `body` replaces the file's own text (a converted notebook)."""
    entry = item.entry
    blocks = body.blocks if isinstance(body, Body) else {}
    text = body.markdown if isinstance(body, Body) else entry.body if body is None else body
    if body is None:  # a converted notebook's links were made when it was converted
        text = with_forge_links(text, entry.path, log.code_links)
    page = PageWriter(
        entry.path, entry.title, description=entry.outcome or entry.question, source=entry.path
    )
    match = _LEADING_H1.match(text)
    if match:
        page.markdown(match.group(1))
        text = text[match.end() :]
    else:
        page.heading(1, entry.title)
    # The blocks are made only when the page is written, not when its Markdown is read.
    page.html(partial(header, item, log, urls))
    page.body(text.strip("\n"), blocks)
    for heading, markup in extra_sections:
        page.heading(2, heading)
        page.html(markup)
    page.heading(2, "History", anchor="history")
    page.html(partial(history_html, item, log))
    if related:
        page.heading(2, "Related entries", anchor="related")
        page.html(partial(entry_list, related, entry.path, urls))
    return page.page()


def header(item: LogEntry, log: Log, urls: Urls) -> str:
    entry = item.entry
    here = entry.path
    rows: list[tuple[str, str]] = []
    if entry.question:
        rows.append(("Question", esc(entry.question)))
    if entry.outcome:
        rows.append(("Outcome", esc(entry.outcome)))
    if entry.project:
        rows.append(
            (
                "Project",
                link(urls.rel(here, project_page(entry.project)), entry.project),
            )
        )
    if entry.dataset:
        rows.append(("Dataset", esc(entry.dataset)))
    if item.authors:
        rows.append(("Authors", esc(", ".join(item.authors))))
    when = date_text(item.date)
    if item.recorded_later:
        when += (
            f' <span class="rl-recorded-later">recorded later: first committed'
            f" {date_text(item.history.created)}</span>"
        )
    rows.append(("Date", when))
    if entry.effort_days is not None:
        rows.append(("Effort", esc(days_text(entry.effort_days))))
    if entry.tags:
        rows.append(("Tags", tag_links(entry.tags, here, urls)))
    if entry.links:
        rows.append(("Links", " ".join(_external(url) for url in entry.links)))
    if entry.lessons:
        pages = {p.slug: p for p in log.playbook}
        rows.append(
            (
                "Lessons",
                ", ".join(
                    link(urls.rel(here, pages[s].path), pages[s].title) if s in pages else esc(s)
                    for s in entry.lessons
                ),
            )
        )
    for key, value in entry.extra.items():
        rows.append((key, esc(_plain_value(value))))
    facts = "".join(f"<dt>{esc(name)}</dt><dd>{value}</dd>" for name, value in rows)
    parts = [f'<div class="rl-entry" data-status="{esc(entry.status)}">']
    parts.append(_status_line(item))
    if entry.demo:
        parts.append(_demo(entry.demo))
    parts.extend(_banners(item, log, urls))
    parts.append(f'<dl class="rl-facts">{facts}</dl>')
    if entry.metrics:
        parts.append(_metrics_table(item, log))
    actions = _actions(item, urls)
    if actions:
        parts.append(actions)
    parts.append("</div>")
    return "\n".join(parts)


def _status_line(item: LogEntry) -> str:
    entry = item.entry
    words = [status_badge(entry.status)]
    days = item.days_to_status
    if days is not None and len(item.history.status_history) > 1:
        label = STATUS_LABELS.get(entry.status, entry.status).lower()
        words.append(
            f'<span class="rl-entry__since">reached {esc(label)} after'
            f" {esc(plural(days, 'day'))}</span>"
        )
    if entry.kind == "scope":
        words.append('<span class="rl-entry__kind">Scoping document</span>')
    elif entry.is_notebook:
        words.append('<span class="rl-entry__kind">Notebook</span>')
    return f'<p class="rl-entry__status">{" ".join(words)}</p>'


def _banners(item: LogEntry, log: Log, urls: Urls) -> list[str]:
    entry = item.entry
    banners = []
    successor = log.by_slug.get(entry.superseded_by or "")
    if entry.status == "superseded":
        if successor is not None:
            target = link(urls.rel(entry.path, successor.entry.path), successor.title)
            text = f"This entry was superseded by {target} {status_badge(successor.status)}."
        else:
            text = "This entry was superseded; its successor is not in the log."
        banners.append(_admonition("warning", "Superseded", text))
    if item.supersedes:
        earlier = ", ".join(
            link(urls.rel(entry.path, log.by_slug[s].entry.path), log.by_slug[s].title)
            for s in item.supersedes
            if s in log.by_slug
        )
        banners.append(_admonition("info", "Supersedes", f"This entry replaces {earlier}."))
    return banners


def _admonition(kind: str, title: str, body: str) -> str:
    return (
        f'<div class="admonition {kind} rl-banner"><p class="admonition-title">{esc(title)}'
        f"</p><p>{body}</p></div>"
    )


def _metrics_table(item: LogEntry, log: Log) -> str:
    settings = log.settings
    rows = "".join(
        f'<tr><th scope="row">{esc(name)}</th><td>{esc(format_number(value))}</td>'
        f'<td class="rl-metrics__dir">{"higher" if settings.higher_is_better(name) else "lower"}'
        " is better</td></tr>"
        for name, value in item.entry.metrics.items()
    )
    caption = "Metrics" + (f" on {esc(item.entry.dataset)}" if item.entry.dataset else "")
    return (
        f'<table class="rl-metrics"><caption>{caption}</caption><thead><tr>'
        '<th scope="col">Metric</th><th scope="col">Value</th><th scope="col">Direction</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _demo(url: str) -> str:
    """The demo link, first thing under the status: trying a model beats reading about it."""
    host = re.match(r"^https?://([^/?#]+)", url, flags=re.IGNORECASE)
    where = f' <span class="rl-demo-line__host">on {esc(host.group(1))}</span>' if host else ""
    return (
        f'<p class="rl-demo-line"><a class="md-button md-button--primary rl-demo"'
        f' href="{esc(url)}" rel="noopener"><span aria-hidden="true">▶</span> Try the demo</a>'
        f"{where}</p>"
    )


def _actions(item: LogEntry, urls: Urls) -> str:
    entry = item.entry
    buttons = []
    if entry.is_notebook:
        name = posixpath.basename(entry.path)
        stem = posixpath.splitext(name)[0]
        href = name if urls.directory_urls else f"{stem}/{name}"
        buttons.append(
            f'<a class="md-button rl-download" href="{esc(href)}" download>'
            f"Download the notebook (.ipynb)</a>"
        )
    return f'<p class="rl-actions">{"".join(buttons)}</p>' if buttons else ""


def _external(url: str) -> str:
    shown = re.sub(r"^https?://", "", url)
    if url.lower().startswith(("http://", "https://", "mailto:")):
        return link(url, shown if len(shown) < 60 else shown[:57] + "…", rel="noopener")
    return esc(url)


def _plain_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def history_html(item: LogEntry, log: Log) -> str:
    history = item.history
    settings = log.settings
    summary: list[str] = []
    if not history.committed:
        when = date_text(history.status_history[0].date) if history.status_history else ""
        summary.append(f"Not committed yet: dated from the file ({when}).")
    else:
        if history.history_cut:
            summary.append(
                f"Created before {date_text(history.first_seen)} (the clone is"
                " shallow, so earlier history is not available)."
            )
        elif item.recorded_later:
            summary.append(
                f"First committed {date_text(history.created)}, after the work it records"
                f" ({date_text(item.date)})."
            )
        else:
            summary.append(f"Created {date_text(history.created)}.")
        summary.append(f"Last updated {date_text(history.updated)}.")
        summary.append(f"{esc(plural(len(history.revisions), 'revision'))}.")
        if history.changed_since_commit:
            summary.append("The file has changes that are not committed yet.")
    parts = [f'<p class="rl-history__summary">{" ".join(summary)}</p>']
    if len(history.status_history) > 1 or (history.status_history and history.committed):
        steps = " → ".join(
            f"{status_badge(change.status)} {date_text(change.date)}"
            + ("" if change.commit else " (not committed)")
            for change in history.status_history
        )
        parts.append(f'<p class="rl-history__statuses">Status: {steps}</p>')
    if history.contributors:
        people = ", ".join(
            f"{esc(c.name)} ({esc(plural(c.commits, 'commit'))})" for c in history.contributors
        )
        parts.append(f'<p class="rl-history__authors">Git authors: {people}</p>')
    if history.revisions:
        rows = []
        for revision in reversed(history.revisions):
            commit_url = settings.commit_link(revision.sha)
            sha = revision.sha[:8]
            commit = link(commit_url, sha, rel="noopener") if commit_url else f"<code>{sha}</code>"
            status = status_badge(revision.status) if revision.status else ""
            rows.append(
                f"<tr><td>{date_text(revision.date)}</td><td>{commit}</td>"
                f"<td>{esc(revision.author.name)}</td><td>{esc(revision.subject)}</td>"
                f"<td>{status}</td></tr>"
            )
        parts.append(
            '<div class="rl-table-scroll"><table class="rl-history__table">'
            "<caption>Revisions, newest first</caption><thead><tr>"
            '<th scope="col">Date</th><th scope="col">Commit</th>'
            '<th scope="col">Author</th><th scope="col">Message</th>'
            '<th scope="col">Status</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table></div>"
        )
    return "\n".join(parts)

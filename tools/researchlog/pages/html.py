"""Small HTML building blocks shared by every generated page.

Everything a user wrote in front matter is escaped here: titles, outcomes, tags and names are
always shown as text, never interpreted as HTML or Markdown.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping

from ..core.problems import plural
from ..log import LogEntry
from ..read.schema import DECISION_LABELS, PROJECT_STATUS_LABELS, STATUS_LABELS
from .model import Blocks, Markup, Page
from .paths import project_page, tag_page
from .urls import Urls

# Markdown syntax and HTML: each becomes a numeric character reference in headings.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~^=:$])")

STATUS_ICONS = {
    "planned": "○",
    "running": "◔",
    "success": "✔",
    "dead-end": "✖",
    "inconclusive": "?",
    "superseded": "↷",
}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def md_text(text: str) -> str:
    """Text for a Markdown heading: HTML-escaped and with Markdown syntax neutralised.

    Special characters become numeric character references rather than backslash escapes:
    Markdown only unescapes its own set (a "\\:" would show its backslash), while a
    reference shows as the character under any extension."""
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(1))};", text.replace("\n", " "))


class PageWriter:
    """Builds one page: Markdown for headings and the researcher's own text, and HTML blocks
    that skip the Markdown parser entirely.

    Python-Markdown parses raw HTML with a slow HTML parser; generated lists and tables would
    spend most of the build there. Each block is left as a placeholder paragraph instead and
    put in place after rendering (see Page.fill).
    """

    def __init__(
        self,
        src_uri: str,
        title: str,
        *,
        description: str | None = None,
        source: str | None = None,
        hide: tuple[str, ...] = (),
        feed: tuple[str, str] | None = None,
    ) -> None:
        self.src_uri = src_uri
        self.title = title
        self.source = source
        # `hide` names Material's page parts to leave out, e.g. ("toc",) for a wide table.
        # `feed` is (site path, title) of an Atom feed the page announces in its <head>.
        # A part is Markdown text, or the index of an HTML block whose placeholder goes there.
        self.parts: list[str | int] = [
            front_matter(
                title=title,
                description=description,
                hide=list(hide) or None,
                researchlog_feed=feed[0] if feed else None,
                researchlog_feed_title=feed[1] if feed else None,
            )
        ]
        self.markups: list[Markup] = []
        self.made: dict[str, str] = {}  # blocks made elsewhere, under their own placeholders

    def markdown(self, text: str) -> None:
        if text:
            self.parts.append(text)

    def heading(
        self, level: int, text: str, *, anchor: str | None = None, markdown: bool = False
    ) -> None:
        """A heading in Markdown so it reaches the table of contents; text is escaped."""
        shown = text if markdown else md_text(text)
        suffix = f" {{ #{anchor} }}" if anchor else ""
        self.parts.append(f"{'#' * level} {shown}{suffix}")

    def body(self, markdown: str, blocks: Mapping[str, str]) -> None:
        """Markdown whose placeholders were made elsewhere, with their HTML blocks."""
        self.markdown(markdown)
        self.made.update(blocks)

    def html(self, markup: Markup) -> None:
        """An HTML block, or a function making it (called only if the block is read)."""
        self.parts.append(len(self.markups))
        self.markups.append(markup)

    def page(self) -> Page:
        """The page, its placeholders named after a hash of its Markdown: the same page text
        gives the same Markdown in every build (so its rendering can be cached), and no text
        can contain a placeholder, as the placeholders depend on that very text."""
        digest = hashlib.blake2b(digest_size=6)
        digest.update(self.src_uri.encode())
        for part in self.parts:
            digest.update(b"\0%d" % part if isinstance(part, int) else b"\0\1" + part.encode())
        nonce = digest.hexdigest()
        blocks = {f"rl{nonce}b{index}": markup for index, markup in enumerate(self.markups)}
        tokens = list(blocks)
        text = "\n\n".join(tokens[part] if isinstance(part, int) else part for part in self.parts)
        return Page(
            self.src_uri,
            text + "\n",
            self.title,
            source=self.source,
            blocks=Blocks({**self.made, **blocks}),
        )


def empty_page(src_uri: str, title: str, intro: str, message: str) -> Page:
    """An index page with nothing to show yet: its title, what it is for, and why it is empty."""
    page = PageWriter(src_uri, title, description=intro)
    page.heading(1, title)
    page.html(f'<p class="rl-lead">{esc(intro)}</p><p class="rl-empty">{esc(message)}</p>')
    return page.page()


def front_matter(**values: str | list[str] | None) -> str:
    """YAML front matter for a generated page; JSON values are valid YAML.

    MkDocs renders page titles and descriptions into templates without escaping them, so text
    is HTML-escaped here: a title such as "<script>" must show as text.
    """
    lines = ["---"]
    for key, value in values.items():
        if value is not None:
            shown = html.escape(value) if isinstance(value, str) else value
            lines.append(f"{key}: {json.dumps(shown, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines)


def status_badge(status: str) -> str:
    """The status as a word with an icon and a colour: never colour alone."""
    return _badge(
        "rl-status", status, STATUS_ICONS.get(status, "•"), STATUS_LABELS.get(status, status)
    )


BET_ICONS = {"active": "●", "paused": "‖", "stopped": "■", "shipped": "↗"}
DECISION_ICONS = {"continue": "→", "pivot": "↪", "stop": "■", "ship": "↗"}


def bet_status_badge(status: str | None) -> str:
    """A bet's status from its card, as a word with an icon: never colour alone."""
    if status is None:
        return '<span class="rl-bet-status rl-bet-status--none">No card</span>'
    label = PROJECT_STATUS_LABELS.get(status, status)
    return _badge("rl-bet-status", status, BET_ICONS.get(status, "•"), label)


def decision_badge(decision: str) -> str:
    """A decision taken on a bet (continue, pivot, stop, ship), as a word with an icon."""
    label = DECISION_LABELS.get(decision, decision)
    return _badge("rl-decision", decision, DECISION_ICONS.get(decision, "•"), label)


def _badge(block: str, value: str, icon: str, label: str) -> str:
    """A value as a word with an icon (hidden from screen readers, which read the word)."""
    return (
        f'<span class="{block} {block}--{esc(value)}">'
        f'<span class="rl-status__icon" aria-hidden="true">{icon}</span>{esc(label)}</span>'
    )


def due_badge() -> str:
    """A bet due for a decision, said in words and with an icon."""
    return (
        '<span class="rl-due"><span class="rl-status__icon" aria-hidden="true">!</span>'
        "Due for a decision</span>"
    )


def date_text(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    return f'<time datetime="{day.isoformat()}">{day.isoformat()}</time>'


def link(href: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return f'<a href="{esc(href)}"{extra}>{esc(text)}</a>'


def tag_links(tags: Iterable[str], here: str, urls: Urls) -> str:
    """Tags drawn as Material tags, each linking to its tag page."""
    chips = "".join(
        f'<a class="md-tag" href="{esc(urls.rel(here, tag_page(t)))}">{esc(t)}</a>' for t in tags
    )
    return f'<span class="md-tags rl-tags">{chips}</span>' if chips else ""


def format_number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) >= 1 else f"{value:.4g}"


def entry_item(
    item: LogEntry, here: str, urls: Urls, *, show_project: bool = True, show_outcome: bool = True
) -> str:
    """One entry in a list: status, title, date and project, then its one-line outcome."""
    return _entry_item(summary(item), here, urls, show_project, show_outcome)


# An entry is listed on many index pages, and a preview's rebuilds list the same entries
# again: the markup is made once for what it shows (summary) and where it is shown.
@functools.lru_cache(maxsize=65536)
def _entry_item(
    shown: tuple[object, ...], here: str, urls: Urls, show_project: bool, show_outcome: bool
) -> str:
    _, path, title, status, outcome, question, date, project = shown
    assert isinstance(path, str) and isinstance(title, str) and isinstance(status, str)
    assert date is None or isinstance(date, dt.date)
    meta = [date_text(date)]
    if show_project and project:
        meta.append(link(urls.rel(here, project_page(str(project))), str(project)))
    line = outcome if outcome else question
    parts = [
        f'<li class="rl-item rl-item--{esc(status)}">',
        status_badge(status),
        f' <a class="rl-item__title" href="{esc(urls.rel(here, path))}">',
        f"{esc(title)}</a>",
        f' <span class="rl-item__meta">{" · ".join(meta)}</span>',
    ]
    if show_outcome and line:
        parts.append(f'<span class="rl-item__outcome">{esc(str(line))}</span>')
    parts.append("</li>")
    return "".join(parts)


def summary(item: LogEntry) -> tuple[object, ...]:
    """What a list of entries shows of one (entry_item): a page that lists entries is the
    same page as long as these are the same."""
    entry = item.entry
    return (
        item.slug,
        entry.path,
        entry.title,
        entry.status,
        entry.outcome,
        entry.question,
        item.date,
        entry.project,
    )


def entry_list(items: Iterable[LogEntry], here: str, urls: Urls, **options: bool) -> str:
    rows = [entry_item(item, here, urls, **options) for item in items]
    if not rows:
        return '<p class="rl-empty">Nothing here yet.</p>'
    return '<ul class="rl-list">\n' + "\n".join(rows) + "\n</ul>"


def status_counts(items: Iterable[LogEntry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    return counts


def status_mix(counts: dict[str, int]) -> str:
    """A compact status breakdown: badges with counts, in the canonical status order."""
    parts = [
        f'<span class="rl-mix__item">{status_badge(status)} <span class="rl-mix__count">'
        f"{counts[status]}</span></span>"
        for status in STATUS_LABELS
        if counts.get(status)
    ]
    return f'<span class="rl-mix">{"".join(parts)}</span>'


def days_text(days: float | None) -> str:
    if days is None:
        return ""
    return plural(int(days), "day") if float(days).is_integer() else f"{days:g} days"

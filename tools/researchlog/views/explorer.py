"""The Explorer page: every entry in one table, filtered and sorted in the browser.

The page carries the filter form (its choices come from the log), an empty table and, in
data attributes, where entries.json and the script are and the status labels;
assets/explorer.js reads entries.json once and renders the rows. The form works without
script only as a message: the other pages list every entry for readers without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..core.problems import plural
from ..log import Log
from ..pages.html import STATUS_ICONS, PageWriter, esc
from ..pages.model import Page
from ..pages.paths import ENTRIES_JSON, EXPLORER
from ..pages.urls import Urls
from ..read.schema import STATUS_LABELS

HERE = EXPLORER
EXPLORER_JS = "assets/researchlog/explorer.js"
# Sortable columns: (key, heading). The rest (tags) are shown but not sorted on.
COLUMNS = (
    ("status", "Status"),
    ("title", "Entry"),
    ("project", "Project"),
    ("dataset", "Dataset"),
    ("tags", "Tags"),
    ("date", "Date"),
)
SORTABLE = ("status", "title", "project", "dataset", "date")


def _options(values: Iterable[str], any_label: str) -> str:
    shown = sorted(set(values), key=str.lower)
    return f'<option value="">{esc(any_label)}</option>' + "".join(
        f'<option value="{esc(v)}">{esc(v)}</option>' for v in shown
    )


def _select(name: str, label: str, options: str) -> str:
    return (
        f'<div class="rl-field"><label for="rl-x-{name}">{esc(label)}</label>'
        f'<select id="rl-x-{name}" name="{name}">{options}</select></div>'
    )


def explorer_page(log: Log, urls: Urls) -> Page:
    entries = log.entries
    intro = (
        "Every entry in one table. Filter by status, project, tags, dataset, author, date and"
        " text; the address of the page keeps the filters, so you can share the view."
    )
    statuses = '<option value="">Any status</option>' + "".join(
        f'<option value="{esc(s)}">{esc(label)}</option>' for s, label in STATUS_LABELS.items()
    )
    tags = sorted({t for item in entries for t in item.entry.tags}, key=str.lower)
    config = {
        "statuses": dict(STATUS_LABELS),
        "icons": STATUS_ICONS,
        "sortable": list(SORTABLE),
    }
    headings = "".join(
        f'<th scope="col" data-column="{key}" aria-sort="none"><button type="button"'
        f' data-sort="{key}">{esc(label)}<span class="rl-sort" aria-hidden="true"></span>'
        "</button></th>"
        if key in SORTABLE
        else f'<th scope="col" data-column="{key}">{esc(label)}</th>'
        for key, label in COLUMNS
    )
    form = (
        '<form class="rl-explorer__filters" role="search" aria-label="Filter entries">'
        '<div class="rl-field rl-field--wide"><label for="rl-x-q">Text</label>'
        '<input type="search" id="rl-x-q" name="q" autocomplete="off"'
        ' placeholder="Words in the title, question, outcome…"></div>'
        + _select("status", "Status", statuses)
        + _select(
            "project",
            "Project",
            _options((i.entry.project for i in entries if i.entry.project), "Any project"),
        )
        + '<div class="rl-field"><label for="rl-x-tag">Tags (all must match)</label>'
        '<span class="rl-field__row"><input id="rl-x-tag" list="rl-x-tags" autocomplete="off"'
        ' placeholder="Add a tag"><button type="button" class="md-button"'
        ' data-action="add-tag">Add</button></span>'
        '<datalist id="rl-x-tags">'
        + "".join(f'<option value="{esc(t)}"></option>' for t in tags)
        + '</datalist><ul class="rl-chips" aria-label="Tags that must match"></ul></div>'
        + _select(
            "dataset",
            "Dataset",
            _options((i.entry.dataset for i in entries if i.entry.dataset), "Any dataset"),
        )
        + _select("author", "Author", _options((a for i in entries for a in i.authors), "Anyone"))
        + '<div class="rl-field"><label for="rl-x-from">From</label>'
        '<input type="date" id="rl-x-from" name="from"></div>'
        '<div class="rl-field"><label for="rl-x-to">To</label>'
        '<input type="date" id="rl-x-to" name="to"></div>'
        '<div class="rl-field rl-field--actions"><button type="reset" class="md-button">'
        "Clear filters</button></div>"
        "</form>"
    )
    markup = (
        f'<div class="rl-explorer" data-entries="{esc(urls.asset(HERE, ENTRIES_JSON))}"'
        f' data-researchlog-script="{esc(urls.asset(HERE, EXPLORER_JS))}"'
        f' data-config="{esc(json.dumps(config, ensure_ascii=False))}">'
        + form
        + '<p class="rl-explorer__count" role="status" aria-live="polite" aria-atomic="true">'
        f"Loading {esc(plural(len(entries), 'entry', 'entries'))}…</p>"
        '<div class="rl-table-scroll" tabindex="0" role="region"'
        ' aria-label="Entries matching the filters">'
        '<table class="rl-table rl-explorer__table"><thead><tr>'
        + headings
        + "</tr></thead><tbody></tbody></table></div>"
        '<p><button type="button" class="md-button rl-explorer__more" hidden>Show more</button>'
        "</p><noscript><p>The explorer needs JavaScript. Every entry is also listed on the"
        " Projects, Tags and Timeline pages.</p></noscript></div>"
    )
    page = PageWriter(HERE, "Explorer", description=intro, hide=("toc",))
    page.heading(1, "Explorer")
    page.html(f'<p class="rl-lead">{esc(intro)}</p>' + markup)
    return page.page()

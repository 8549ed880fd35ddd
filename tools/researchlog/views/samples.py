"""Sample predictions on the site: a section on entry pages, Compare predictions on project
pages, and the static JSON the comparison reads (one file per entry, written once per build).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from typing import Any

from ..core.problems import plural
from ..log import Log, LogEntry
from ..pages.html import esc
from ..pages.model import StaticFile
from ..pages.paths import project_page, samples_file
from ..pages.urls import Urls
from ..read.samples import Sample, SampleSet, sample_record

COMPARE_SCRIPT = "assets/researchlog/compare.js"
FOLD_AT = 120  # longer texts are folded, showing this many characters (compare.js is told)
FORMAT_VERSION = 1

# A mark is an icon and a word; colour only repeats what they say.
MARKS: dict[bool | None, tuple[str, str, str]] = {
    True: ("correct", "✔", "Correct"),
    False: ("incorrect", "✖", "Incorrect"),
    None: ("unknown", "?", "Unknown"),
}


# ----------------------------------------------------------------------------- entry pages


def samples_sections(item: LogEntry, log: Log, urls: Urls) -> list[tuple[str, str]]:
    """The "Sample predictions" section of an entry page, if the entry has samples."""
    samples = log.samples.get(item.slug)
    if samples is None:
        return []
    return [("Sample predictions", samples_html(samples, item.entry.path, urls))]


def samples_html(samples: SampleSet, here: str, urls: Urls) -> str:
    parts = [f'<div class="rl-samples">{_summary(samples, here, urls)}']
    if samples.has_images:
        parts.append(_gallery(samples.rows, here, urls))
    else:
        parts.append(_table(samples.rows))
    parts.append("</div>")
    return "".join(parts)


def _summary(samples: SampleSet, here: str, urls: Urls) -> str:
    counted = f"{samples.correct:,} of {plural(samples.total, 'sample')} correct"
    if samples.unknown:
        counted += f", {samples.unknown:,} unknown (no expected value)"
    lines = [f'<p class="rl-samples__count">{esc(counted)}.</p>']
    from_file = samples.source != here
    source = (
        f'<a href="{esc(urls.asset(here, samples.source))}">'
        f"{esc(posixpath.basename(samples.source))}</a>"
        if from_file
        else ""
    )
    if samples.cut:
        where = f"; all of them are in {source}" if from_file else ""
        lines.append(
            f'<p class="rl-samples__cut admonition note"><strong>Showing the first'
            f" {len(samples.rows):,} of {samples.total:,} samples</strong>{where}.</p>"
        )
    elif from_file:
        lines.append(f'<p class="rl-samples__source">From {source}.</p>')
    return "".join(lines)


def mark(correct: bool | None) -> str:
    name, icon, word = MARKS[correct]
    return (
        f'<span class="rl-mark rl-mark--{name}">'
        f'<span class="rl-mark__icon" aria-hidden="true">{icon}</span>{word}</span>'
    )


def folded(text: str | None) -> str:
    """Text as it was written; long or multi-line text folded behind its first words."""
    if text is None:
        return ""
    if not text.strip():
        return '<span class="rl-samples__blank">(empty)</span>'
    flat = " ".join(text.split())
    if len(flat) <= FOLD_AT and "\n" not in text.strip():
        return f'<span class="rl-samples__text">{esc(text.strip())}</span>'
    start = flat[:FOLD_AT].rstrip() + "…"
    return (
        f'<details class="rl-fold"><summary>{esc(start)}</summary>'
        f'<div class="rl-samples__text">{esc(text.strip())}</div></details>'
    )


def _table(rows: Sequence[Sample]) -> str:
    with_notes = any(row.note for row in rows)
    with_expected = any(row.expected is not None for row in rows)
    head = ['<th scope="col">ID</th>', '<th scope="col">Result</th>', '<th scope="col">Input</th>']
    if with_expected:
        head.append('<th scope="col">Expected</th>')
    head.append('<th scope="col">Prediction</th>')
    if with_notes:
        head.append('<th scope="col">Note</th>')
    body = []
    for row in rows:
        name = MARKS[row.correct][0]
        cells = [
            f'<th scope="row">{esc(row.id)}</th>',
            f"<td>{mark(row.correct)}</td>",
            f'<td class="rl-samples__input">{folded(row.input)}</td>',
        ]
        if with_expected:
            cells.append(f"<td>{folded(row.expected)}</td>")
        cells.append(f"<td>{folded(row.prediction)}</td>")
        if with_notes:
            cells.append(f"<td>{folded(row.note)}</td>")
        body.append(f'<tr class="rl-sample rl-sample--{name}">{"".join(cells)}</tr>')
    return (
        '<div class="rl-table-scroll" role="region" aria-label="Sample predictions" tabindex="0">'
        f'<table class="rl-samples__table"><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _gallery(rows: Sequence[Sample], here: str, urls: Urls) -> str:
    items = []
    for row in rows:
        name = MARKS[row.correct][0]
        if row.image:
            href = esc(urls.asset(here, row.image))
            alt = esc(f"Input of sample {row.id}: {posixpath.basename(row.image)}")
            shown = (
                f'<a class="rl-gallery__image" href="{href}">'
                f'<img src="{href}" alt="{alt}" loading="lazy" decoding="async"></a>'
            )
        else:
            shown = f'<div class="rl-gallery__text">{folded(row.input)}</div>'
        facts = [("ID", esc(row.id))]
        if row.expected is not None:
            facts.append(("Expected", folded(row.expected)))
        facts.append(("Prediction", folded(row.prediction)))
        if row.note:
            facts.append(("Note", folded(row.note)))
        listed = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
        items.append(
            f'<li class="rl-gallery__item rl-sample rl-sample--{name}">{shown}'
            f'<p class="rl-gallery__result">{mark(row.correct)}</p>'
            f'<dl class="rl-gallery__facts">{listed}</dl></li>'
        )
    return f'<ul class="rl-gallery" aria-label="Sample predictions">{"".join(items)}</ul>'


# ----------------------------------------------------------------------------- project pages


def compare_sections(log: Log, urls: Urls) -> dict[str, list[tuple[str, str]]]:
    """A "Compare predictions" section for each project with two or more entries with samples."""
    sections: dict[str, list[tuple[str, str]]] = {}
    for project, items in log.by_project.items():
        with_samples = [item for item in items if item.slug in log.samples]
        if len(with_samples) >= 2:
            here = project_page(project)
            sections[project] = [("Compare predictions", compare_html(with_samples, here, urls))]
    return sections


def compare_html(items: Sequence[LogEntry], here: str, urls: Urls) -> str:
    """The comparison's controls; compare.js fills in the table from each entry's JSON.

    `items` are newest first; by default the two most recent are compared, older on the left.
    """
    defaults = [items[1].slug, items[0].slug]
    choices = "".join(
        _choice(index, items, here, urls, chosen) for index, chosen in enumerate(defaults, start=1)
    )
    root = urls.asset(here, "_")[:-1]  # the site root, relative to this page
    entry_links = ", ".join(
        f'<a href="{esc(urls.rel(here, item.entry.path))}">{esc(item.title)}</a>' for item in items
    )
    return (
        f'<div class="rl-compare" data-researchlog-script="{esc(urls.asset(here, COMPARE_SCRIPT))}"'
        f' data-root="{esc(root)}" data-fold-at="{FOLD_AT}"'
        f' data-marks="{esc(json.dumps({json.dumps(k): v for k, v in MARKS.items()}))}">'
        '<p class="rl-compare__intro">What each entry predicted for the same samples, side by'
        " side. Samples where the predictions differ come first.</p>"
        '<fieldset class="rl-compare__pick"><legend>Entries to compare</legend>'
        f'<div class="rl-compare__choices">{choices}</div>'
        '<button type="button" class="md-button rl-compare__add" hidden>Add an entry</button>'
        "</fieldset>"
        '<p class="rl-compare__summary" role="status"></p>'
        '<div class="rl-compare__output"></div>'
        f"<noscript><p>The comparison needs JavaScript. The samples of each entry are on its"
        f" page: {entry_links}.</p></noscript>"
        "</div>"
    )


def _choice(index: int, items: Sequence[LogEntry], here: str, urls: Urls, chosen: str) -> str:
    options = "".join(
        f'<option value="{esc(item.slug)}"'
        f' data-title="{esc(item.title)}"'
        f' data-date="{esc(item.date.isoformat())}"'
        f' data-url="{esc(urls.rel(here, item.entry.path))}"'
        f' data-file="{esc(urls.asset(here, samples_file(item.slug)))}"'
        f"{' selected' if item.slug == chosen else ''}>"
        f"{esc(item.title)} ({esc(item.date.isoformat())})</option>"
        for item in items
    )
    return (
        f'<div class="rl-compare__choice"><label for="rl-compare-{index}">Entry {index}</label>'
        f' <select id="rl-compare-{index}" name="compare">{options}</select></div>'
    )


# ----------------------------------------------------------------------------- data files


def samples_record(item: LogEntry, samples: SampleSet, urls: Urls) -> dict[str, Any]:
    """An entry's samples as JSON: what the comparison view reads."""
    return {
        "version": FORMAT_VERSION,
        "slug": item.slug,
        "title": item.title,
        "url": urls.page(item.entry.path),
        "date": item.date.isoformat(),
        "status": item.status,
        "source": samples.source,
        "total": samples.total,
        "correct": samples.correct,
        "incorrect": samples.incorrect,
        "unknown": samples.unknown,
        "rows": [sample_record(row) for row in samples.rows],
    }


def sample_files(log: Log, urls: Urls) -> list[StaticFile]:
    """samples/<slug>.json for every entry with samples."""
    files = []
    for item in log.entries:
        samples = log.samples.get(item.slug)
        if samples is not None:
            content = json.dumps(
                samples_record(item, samples, urls), ensure_ascii=False, separators=(",", ":")
            )
            files.append(StaticFile(samples_file(item.slug), content.encode()))
    return files


def samples_summary(item: LogEntry, log: Log, urls: Urls) -> dict[str, Any] | None:
    """What entries.json says about an entry's samples (the rows are in their own file)."""
    samples = log.samples.get(item.slug)
    if samples is None:
        return None
    return {
        "source": samples.source,
        "url": urls.page(samples_file(item.slug)),
        "total": samples.total,
        "correct": samples.correct,
        "incorrect": samples.incorrect,
        "unknown": samples.unknown,
    }

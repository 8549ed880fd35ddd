"""The Metrics pages: an overview with the best entry per metric and dataset, and one page
per metric with a chart of its values over time and a leaderboard for each dataset.

A page per metric keeps pages light on big logs (a chart's data is inline in its page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..analysis.metrics import Series, metric_names, metric_series
from ..core.problems import plural
from ..log import Log
from ..pages.figures import figure_html
from ..pages.html import PageWriter, date_text, empty_page, esc, format_number, link, status_badge
from ..pages.model import Page
from ..pages.paths import METRICS, metric_pages, unique_slugs
from ..pages.urls import Urls
from .charts import ChartPoint, best_line, figure, layout, status_traces

INDEX = METRICS
LEADERBOARD_SIZE = 5
NO_DATASET = "No dataset"
NOT_FINISHED = "No finished entry yet"


def direction_text(series: Series) -> str:
    return "higher is better" if series.higher_is_better else "lower is better"


def metrics_pages(log: Log, urls: Urls) -> list[Page]:
    series = metric_series(log.entries, log.settings)
    names = metric_names(series)
    paths = metric_pages(names)
    anchors = {
        metric: unique_slugs((s.dataset for s in series if s.metric == metric), "dataset-")
        for metric in names
    }
    pages = [_index(series, paths, anchors, urls, log.settings.config_file)]
    for metric in names:
        group = [s for s in series if s.metric == metric]
        pages.append(_metric(metric, group, paths[metric], anchors[metric], urls))
    return pages


def _index(
    series: Sequence[Series],
    paths: Mapping[str, str],
    anchors: Mapping[str, Mapping[str | None, str]],
    urls: Urls,
    config_file: str,
) -> Page:
    intro = (
        "How each metric moved, per dataset, and the best finished entry so far (planned"
        " and running entries are shown but set no best). Which way is better comes from"
        f" {config_file} (metrics: {{latency_ms: lower}}), else from the metric's name: losses,"
        " errors, times and costs are better lower, everything else higher."
    )
    if not series:
        return empty_page(INDEX, "Metrics", intro, "No entry reports metrics yet.")
    page = PageWriter(INDEX, "Metrics", description=intro)
    page.heading(1, "Metrics")
    names = metric_names(series)
    page.html(
        f'<p class="rl-lead">{esc(intro)}</p><p>{esc(plural(len(names), "metric"))} on'
        f" {esc(plural(len({s.dataset for s in series}), 'dataset'))}. Open a metric for its"
        " charts.</p>"
    )
    rows = []
    for s in series:
        best = s.best
        target = urls.rel(INDEX, paths[s.metric], anchor=anchors[s.metric][s.dataset])
        value = esc(format_number(best.value)) if best else ""
        holder = (
            f"{status_badge(best.item.status)} "
            f"{link(urls.rel(INDEX, best.item.entry.path), best.item.title)}"
            if best
            else f'<span class="rl-empty">{esc(NOT_FINISHED)}</span>'
        )
        rows.append(
            "<tr>"
            f"<td>{link(target, s.metric)}</td>"
            f"<td>{esc(s.dataset or NO_DATASET)}</td>"
            f"<td>{esc(direction_text(s))}</td>"
            f'<td class="rl-num">{len(s.points):,}</td>'
            f'<td class="rl-num">{value}</td>'
            f"<td>{holder}</td>"
            "</tr>"
        )
    page.heading(2, "Best entry per metric and dataset", anchor="best")
    page.html(
        '<div class="rl-table-scroll"><table class="rl-table rl-leaderboard">'
        "<caption>The best value of each metric on each dataset, and the entry that"
        " reached it</caption><thead><tr>"
        '<th scope="col">Metric</th><th scope="col">Dataset</th>'
        '<th scope="col">Direction</th><th scope="col">Entries</th>'
        '<th scope="col">Best</th><th scope="col">Entry</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )
    return page.page()


def _metric(
    metric: str,
    series: Sequence[Series],
    here: str,
    anchors: Mapping[str | None, str],
    urls: Urls,
) -> Page:
    count = sum(len(s.points) for s in series)
    lead = (
        f"{plural(count, 'value')} of {metric} on {plural(len(series), 'dataset')};"
        f" {direction_text(series[0])}."
    )
    page = PageWriter(here, f"Metric: {metric}", description=lead)
    page.heading(1, f"Metric: {metric}")
    page.html(
        f'<p class="rl-lead">{esc(lead)} <a href="{esc(urls.rel(here, INDEX))}">All metrics</a></p>'
    )
    for s in series:
        page.heading(2, s.dataset or NO_DATASET, anchor=anchors[s.dataset])
        page.html(_chart(s, here, urls) + leaderboard(s, here, urls))
    return page.page()


def _chart(series: Series, here: str, urls: Urls) -> str:
    if len(series.points) < 2:
        return ""  # one value is not a trend; the leaderboard shows it
    dates = [p.item.date.isoformat() for p in series.points]
    points = [ChartPoint(p.item, d, p.value) for p, d in zip(series.points, dates, strict=True)]
    data = [
        best_line(dates, series.best_so_far()),
        *status_traces(points, here, urls, value_name=series.metric),
    ]
    y_title = f"{series.metric} ({direction_text(series)})"
    spec = figure(data, layout(x_title="Entry date", y_title=y_title, x_is_date=True))
    where = f"on {series.dataset}" if series.dataset else "without a dataset"
    best = series.best
    first, last = series.points[0], series.points[-1]
    best_text = (
        f"the best, {format_number(best.value)}, is {best.item.title}"
        f" ({best.item.date.isoformat()})"
        if best
        else NOT_FINISHED.lower()
    )
    description = (
        f"{len(series.points)} entries report {series.metric} {where}, from"
        f" {first.item.date.isoformat()} to {last.item.date.isoformat()}; {best_text}."
        " Click a point to open its entry."
    )
    return figure_html(
        spec,
        here,
        urls,
        label=f"{series.metric} {where} over time, one point per entry, by status",
        description=description,
        height=380,
    )


def leaderboard(series: Series, here: str, urls: Urls, size: int = LEADERBOARD_SIZE) -> str:
    """The best entries for one metric and dataset, as a table anyone can read."""
    rows = []
    for rank, point in enumerate(series.ranked()[:size], 1):
        item = point.item
        rows.append(
            "<tr>"
            f'<td class="rl-num">{rank}</td>'
            f'<td class="rl-num">{esc(format_number(point.value))}</td>'
            f"<td>{status_badge(item.status)} "
            f"{link(urls.rel(here, item.entry.path), item.title)}"
            f'<span class="rl-item__outcome">{esc(item.entry.outcome or "")}</span></td>'
            f"<td>{date_text(item.date)}</td>"
            "</tr>"
        )
    where = f"on {series.dataset}" if series.dataset else "without a dataset"
    if not rows:
        return (
            f'<p class="rl-empty">{esc(NOT_FINISHED)} reports {esc(series.metric)}'
            f" {esc(where)}: planned and running entries set no best.</p>"
        )
    return (
        '<div class="rl-table-scroll"><table class="rl-table rl-leaderboard">'
        f"<caption>Best {esc(series.metric)} {esc(where)} ({esc(direction_text(series))})"
        "</caption><thead><tr>"
        '<th scope="col">Rank</th><th scope="col">Value</th>'
        '<th scope="col">Entry</th><th scope="col">Date</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )

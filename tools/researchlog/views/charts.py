"""Plotly figure specs for charts of entries: metric values over time and returns curves.

Every entry is a point with its status shown three ways (the legend's word, a marker shape
and a colour), hover text with its title, status and outcome, and a link: researchlog.js
opens the entry when its point is clicked. Colours name CSS custom properties (`meta.rlColor`)
so the charts follow the light and dark schemes like the status badges do.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..log import LogEntry
from ..pages.urls import Urls
from ..read.schema import STATUS_LABELS

# Marker shapes echo the badge icons: ✔ circle, ✖ x, ? diamond, ↷ triangle, ◔ square, ○ open.
STATUS_SYMBOLS = {
    "planned": "circle-open",
    "running": "square",
    "success": "circle",
    "dead-end": "x",
    "inconclusive": "diamond",
    "superseded": "triangle-down",
}
# Light-scheme badge colours from researchlog.css, used until the page's own are read.
STATUS_COLOURS = {
    "planned": "#37474f",
    "running": "#0d47a1",
    "success": "#1b5e20",
    "dead-end": "#b71c1c",
    "inconclusive": "#7a4100",
    "superseded": "#4a148c",
}
_HOVER_LIMIT = 160  # characters of an outcome shown on hover; the page has the rest


@dataclass(frozen=True)
class ChartPoint:
    item: LogEntry
    x: str | float  # an ISO date or a number
    y: float


def _plain(text: str | None, limit: int = _HOVER_LIMIT) -> str:
    """User text for plotly's hover labels, which understand a few HTML tags: escaped."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def status_traces(
    points: Sequence[ChartPoint], here: str, urls: Urls, *, value_name: str
) -> list[dict[str, Any]]:
    """One marker trace per status, in the canonical status order, for a legend by status."""
    traces = []
    for status, label in STATUS_LABELS.items():
        group = [p for p in points if p.item.status == status]
        if not group:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [p.x for p in group],
                "y": [p.y for p in group],
                "text": [_plain(p.item.title, 120) for p in group],
                "customdata": [
                    [
                        urls.rel(here, p.item.entry.path),
                        label,
                        _plain(p.item.entry.outcome or p.item.entry.question or ""),
                        p.item.date.isoformat()
                        + (" (recorded later)" if p.item.recorded_later else ""),
                    ]
                    for p in group
                ],
                "hovertemplate": (
                    "<b>%{text}</b><br>%{customdata[1]} · %{customdata[3]}<br>"
                    + html.escape(value_name, quote=False)
                    + ": %{y}<br>%{customdata[2]}<extra></extra>"
                ),
                "marker": {
                    "symbol": STATUS_SYMBOLS.get(status, "circle"),
                    "color": STATUS_COLOURS.get(status, "#555"),
                    "size": 10,
                    "line": {"width": 1.5, "color": STATUS_COLOURS.get(status, "#555")},
                },
                "meta": {"rlColor": f"--rl-{status}-fg", "rlOpens": True},
            }
        )
    return traces


def best_line(xs: Sequence[str | float], bests: Sequence[float | None]) -> dict[str, Any]:
    """The best value so far as a step line: flat stretches are work that did not pay off."""
    pairs = [(x, b) for x, b in zip(xs, bests, strict=True) if b is not None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": "Best so far",
        "x": [x for x, _ in pairs],
        "y": [b for _, b in pairs],
        "line": {"shape": "hv", "width": 2, "dash": "dot", "color": "#555"},
        "hoverinfo": "skip",
        "meta": {"rlColor": "--md-default-fg-color--light"},
    }


def layout(*, x_title: str, y_title: str, x_is_date: bool) -> dict[str, Any]:
    return {
        "xaxis": {"title": {"text": x_title}, "type": "date" if x_is_date else "linear"},
        "yaxis": {"title": {"text": y_title}},
        "legend": {"title": {"text": "Status"}, "orientation": "h", "y": -0.25},
        "hovermode": "closest",
        "margin": {"l": 64, "r": 16, "t": 16, "b": 96},
        "height": 380,
    }


def figure(data: list[dict[str, Any]], spec_layout: dict[str, Any]) -> dict[str, Any]:
    return {"data": data, "layout": spec_layout, "config": {"displayModeBar": False}}

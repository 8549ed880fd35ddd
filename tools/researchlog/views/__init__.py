"""Views: turn a Log into the pages and files of the site. No MkDocs in here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from importlib import resources
from pathlib import Path

from .. import insights
from ..log import Log
from ..similarity import related
from . import indexes
from .data import entries_json
from .entry_page import entry_page
from .explorer import explorer_page
from .figures import plotly_js_file
from .metrics import metrics_pages
from .pages import Body, NavItem, Page, Site, StaticFile
from .playbook_pages import playbook_page
from .portfolio import portfolio_page, returns_sections
from .samples import compare_sections, sample_files, samples_sections
from .timeline import feed_xml, timeline_pages
from .urls import Urls

ASSET_DIR = "assets/researchlog"
STYLESHEET = f"{ASSET_DIR}/researchlog.css"
SCRIPT = f"{ASSET_DIR}/researchlog.js"
NOTEBOOK_STYLESHEET = f"{ASSET_DIR}/notebooks.css"


def build_site(
    log: Log,
    urls: Urls,
    bodies: Mapping[str, str | Body] | None = None,
    extra_files: Sequence[StaticFile] = (),
) -> Site:
    """Every page and file of the site. `bodies` replaces entry bodies (converted notebooks)."""
    bodies = bodies or {}
    nearby = related([item.entry for item in log.entries])
    pages: list[Page] = []
    for item in log.entries:
        neighbours = [log.by_slug[s] for s in nearby.get(item.slug, ()) if s in log.by_slug]
        sections = samples_sections(item, log, urls)
        pages.append(entry_page(item, log, urls, neighbours, bodies.get(item.slug), sections))
    pages.extend(playbook_page(page, log, urls) for page in log.playbook)
    pages.append(indexes.home_page(log, urls))
    pages.append(indexes.dead_ends_page(log, urls))
    pages.append(indexes.outcomes_page(log, urls))
    pages.append(indexes.projects_index(log, urls))
    bets = insights.bets(log)
    project_extras = returns_sections(bets, urls)
    for project, sections in compare_sections(log, urls).items():
        project_extras[project] = [*project_extras.get(project, []), *sections]
    pages.extend(indexes.project_pages(log, urls, extra=project_extras))
    pages.append(portfolio_page(log, bets, urls))
    pages.extend(metrics_pages(log, urls))
    pages.append(explorer_page(log, urls))
    pages.append(indexes.tags_index(log, urls))
    pages.extend(indexes.tag_pages(log, urls))
    pages.extend(timeline_pages(log, urls))
    files = [
        StaticFile("entries.json", entries_json(log, urls)),
        StaticFile("feed.xml", feed_xml(log, urls)),
        *(StaticFile(path, source=log.settings.root / path) for path in log.assets),
        *sample_files(log, urls),
        *_packaged_assets(),
        *extra_files,
    ]
    plotly = plotly_js_file()
    if plotly is not None:
        files.append(plotly)
    return Site(tuple(pages), tuple(files), navigation(log))


def navigation(log: Log) -> tuple[NavItem, ...]:
    # Navigation titles reach the templates unescaped; playbook titles are user text.
    playbook = tuple(
        NavItem("Start here" if p.is_start else escape(p.title), p.path) for p in log.playbook
    )
    items = [NavItem("Home", "index.md")]
    if playbook:
        items.append(NavItem("Playbook", children=playbook))
    items += [
        NavItem("Explorer", "explorer.md"),
        NavItem("Dead ends", "dead-ends.md"),
        NavItem("Outcomes", "outcomes.md"),
        NavItem("Projects", "projects/index.md"),
        NavItem("Portfolio", "portfolio.md"),
        NavItem("Metrics", "metrics/index.md"),
        NavItem("Tags", "tags/index.md"),
        NavItem("Timeline", "timeline/index.md"),
    ]
    return tuple(items)


def _packaged_assets() -> list[StaticFile]:
    folder = resources.files("researchlog") / "assets"
    return [
        StaticFile(f"{ASSET_DIR}/{item.name}", source=Path(str(item)))
        for item in folder.iterdir()
        if item.is_file()
    ]

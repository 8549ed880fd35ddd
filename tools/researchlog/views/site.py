"""The whole site made from a Log: every page and file, and the navigation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import partial
from html import escape
from importlib import resources
from pathlib import Path

from ..analysis.bets import Bet
from ..analysis.bets import bets as project_bets
from ..analysis.people import Team, team
from ..analysis.similarity import related
from ..log import Log, LogEntry
from ..pages import paths as paths
from ..pages.figures import plotly_js_file
from ..pages.model import Body, NavItem, Page, PageSource, Site, StaticFile
from ..pages.urls import Urls
from . import indexes
from .bet_card import DECISIONS_HEADING, card_body, card_html, timeline_html
from .data import entries_json
from .entry_page import entry_page, entry_page_key
from .explorer import explorer_page
from .metrics import metrics_pages
from .playbook_pages import playbook_page
from .portfolio import portfolio_page, returns_sections
from .samples import compare_sections, sample_files, samples_sections
from .timeline import feed_xml, project_feed_xml, timeline_pages

ASSET_DIR = "assets/researchlog"
STYLESHEET = f"{ASSET_DIR}/researchlog.css"
SCRIPT = f"{ASSET_DIR}/researchlog.js"
NOTEBOOK_STYLESHEET = f"{ASSET_DIR}/notebooks.css"
# The Markdown extensions the pages rely on (raw HTML blocks, heading ids, tables,
# admonitions; scope documents' task lists, ticked or struck through), whatever the engine.
REQUIRED_EXTENSIONS = (
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "admonition",
    "pymdownx.tasklist",
    "pymdownx.tilde",
    "researchlog.mdext",
)


def build_site(
    log: Log,
    urls: Urls,
    body_of: Callable[[str], str | Body | None] | None = None,
    extra_files: Sequence[StaticFile] = (),
    body_key_of: Callable[[str], str | None] | None = None,
    nearby: Mapping[str, Sequence[str]] | None = None,
) -> Site:
    """Every page and file of the site. `body_of(slug)` replaces an entry's own body (a converted
    notebook); it is called only when that page is made, so conversions can still be running.
    `body_key_of(slug)` names that body's content, for the page's key. `nearby`: each entry's
    related entries, when the caller has them (analysis.similarity.related)."""
    if nearby is None:
        nearby = related([item.entry for item in log.entries])
    pages = [
        entry_page_source(item, log, urls, nearby, body_of, body_key_of) for item in log.entries
    ]
    indexes_and_playbook = [playbook_page(page, log, urls) for page in log.playbook]
    indexes_and_playbook.append(indexes.home_page(log, urls))
    indexes_and_playbook.append(indexes.dead_ends_page(log, urls))
    indexes_and_playbook.append(indexes.outcomes_page(log, urls))
    indexes_and_playbook.append(indexes.projects_index(log, urls))
    bets = project_bets(log)
    crew = team(log, bets)
    indexes_and_playbook.extend(_project_pages(log, urls, bets, crew))
    indexes_and_playbook.append(portfolio_page(log, bets, urls, crew))
    indexes_and_playbook.extend(metrics_pages(log, urls))
    indexes_and_playbook.append(explorer_page(log, urls))
    indexes_and_playbook.append(indexes.tags_index(log, urls))
    pages.extend(PageSource.of(page) for page in indexes_and_playbook)
    pages.extend(indexes.tag_pages(log, urls))
    pages.extend(PageSource.of(page) for page in timeline_pages(log, urls))
    files = [
        StaticFile(paths.ENTRIES_JSON, entries_json(log, urls, bets, crew)),
        StaticFile(paths.FEED, feed_xml(log, urls)),
        *(
            StaticFile(paths.project_feed(bet.project), project_feed_xml(log, bet, urls))
            for bet in bets
        ),
        *(StaticFile(path, source=log.settings.root / path) for path in log.assets),
        *sample_files(log, urls),
        *_packaged_assets(),
        *extra_files,
    ]
    plotly = plotly_js_file()
    if plotly is not None:
        files.append(plotly)
    return Site(tuple(pages), tuple(files), navigation(log))


def entry_page_source(
    item: LogEntry,
    log: Log,
    urls: Urls,
    nearby: Mapping[str, Sequence[str]],
    body_of: Callable[[str], str | Body | None] | None = None,
    body_key_of: Callable[[str], str | None] | None = None,
) -> PageSource:
    """One entry's page, to be made when it is read; `nearby` names each entry's related
    entries (analysis.similarity.related)."""
    neighbours = tuple(log.by_slug[s] for s in nearby.get(item.slug, ()) if s in log.by_slug)
    return PageSource(
        item.entry.path,
        item.title,
        item.entry.path,
        partial(_entry_page, item, log, urls, neighbours, body_of),
        entry_page_key(
            item, log, urls, neighbours, body_key_of(item.slug) if body_key_of else None
        ),
    )


def listing_pages(
    log: Log, urls: Urls, projects: Collection[str]
) -> tuple[list[PageSource], StaticFile]:
    """What lists a new entry at once: the home page, the explorer, the pages of `projects`,
    and entries.json (the explorer's data)."""
    bets = project_bets(log)
    crew = team(log, bets)
    pages = [indexes.home_page(log, urls), explorer_page(log, urls)]
    pages += _project_pages(log, urls, bets, crew, only=projects)
    data = StaticFile(paths.ENTRIES_JSON, entries_json(log, urls, bets, crew))
    return [PageSource.of(page) for page in pages], data


def _project_pages(
    log: Log, urls: Urls, bets: Sequence[Bet], crew: Team, only: Collection[str] | None = None
) -> list[Page]:
    extras = returns_sections(bets, urls)
    for bet in bets:
        if bet.decisions:
            section = (DECISIONS_HEADING, timeline_html(bet, urls))
            extras.setdefault(bet.project, []).append(section)
    for project, sections in compare_sections(log, urls).items():
        extras[project] = [*extras.get(project, []), *sections]
    openings = _openings(log, bets, crew, urls)
    return indexes.project_pages(log, urls, extra=extras, openings=openings, only=only)


def _openings(log: Log, bets: Sequence[Bet], crew: Team, urls: Urls) -> dict[str, indexes.Opening]:
    """What each project page opens with: its card, or what is known without one."""
    openings = {}
    for bet in bets:
        openings[bet.project] = indexes.Opening(
            title=bet.title,
            card=card_html(
                bet,
                crew.crew_of(bet.project),
                urls,
                log.settings.isolation_days,
                log.settings.config_file,
            ),
            markdown=card_body(bet, urls, log.code_links),
            feed=(paths.project_feed(bet.project), f"{bet.title}: entries and decisions"),
        )
    return openings


def _entry_page(
    item: LogEntry,
    log: Log,
    urls: Urls,
    neighbours: Sequence[LogEntry],
    body_of: Callable[[str], str | Body | None] | None,
) -> Page:
    body = body_of(item.slug) if body_of is not None else None
    return entry_page(item, log, urls, neighbours, body, samples_sections(item, log, urls))


def navigation(log: Log) -> tuple[NavItem, ...]:
    # Navigation titles reach the templates unescaped; playbook titles are user text.
    playbook = tuple(
        NavItem("Start here" if p.is_start else escape(p.title), p.path) for p in log.playbook
    )
    items = [NavItem("Home", paths.HOME)]
    if playbook:
        items.append(NavItem("Playbook", children=playbook))
    items += [
        NavItem("Explorer", paths.EXPLORER),
        NavItem("Dead ends", paths.DEAD_ENDS),
        NavItem("Outcomes", paths.OUTCOMES),
        NavItem("Projects", paths.PROJECTS),
        NavItem("Portfolio", paths.PORTFOLIO),
        NavItem("Metrics", paths.METRICS),
        NavItem("Tags", paths.TAGS),
        NavItem("Timeline", paths.TIMELINE),
    ]
    return tuple(items)


def _packaged_assets() -> list[StaticFile]:
    folder = resources.files("researchlog") / "assets"
    return [
        StaticFile(f"{ASSET_DIR}/{item.name}", source=Path(str(item)))
        for item in folder.iterdir()
        if item.is_file()
    ]

"""Where every page and file of the site is, in one place.

The views name their pages with these functions, and the link check resolves links against
`site_paths(log)`: a link from an entry to `../../dead-ends.md` or to a project page works
exactly when the build makes that page, and `researchlog check` knows it without building.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..analysis.activity import events, week_of
from ..analysis.metrics import metric_names, metric_series
from ..log import Log

HOME = "index.md"
EXPLORER = "explorer.md"
DEAD_ENDS = "dead-ends.md"
OUTCOMES = "outcomes.md"
PORTFOLIO = "portfolio.md"
PROJECTS = "projects/index.md"
METRICS = "metrics/index.md"
TAGS = "tags/index.md"
TIMELINE = "timeline/index.md"
ENTRIES_JSON = "entries.json"
FEED = "feed.xml"
SAMPLES_DIR = "samples"

_SLUG = re.compile(r"[\W_]+")


def slugify(text: str) -> str:
    """A URL-safe name for projects and tags (non-ASCII kept readable where possible)."""
    slug = _SLUG.sub("-", text.lower()).strip("-")
    if slug:
        return slug
    return "x-" + text.encode("utf-8").hex()[:24]


def unique_slugs(names: Iterable[str | None], prefix: str) -> dict[str | None, str]:
    """A distinct slug per name: "val-f1" and "val_f1" must not share a page or an anchor."""
    slugs: dict[str | None, str] = {}
    taken: set[str] = set()
    for name in names:
        base = prefix + (slugify(name) if name else "none")
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs[name] = slug
    return slugs


def project_page(project: str) -> str:
    return f"projects/{slugify(project)}.md"


def project_feed(project: str) -> str:
    """The Atom feed of one project: its new entries, status changes and decisions. At the
    site root, beside feed.xml: Material's instant navigation fetches sitemap.xml from the
    folder of every <link rel="alternate"> a page has, and only the root has one."""
    return f"feed-{slugify(project)}.xml"


def tag_page(tag: str) -> str:
    return f"tags/{slugify(tag)}.md"


def metric_pages(names: Sequence[str]) -> dict[str, str]:
    """The page of each metric, by name."""
    return {m: f"metrics/{slug}.md" for m, slug in unique_slugs(names, "").items() if m}


def timeline_page(year: int, years: Sequence[int]) -> str:
    """The newest year is the timeline's index; `years` is newest first."""
    return TIMELINE if not years or year == years[0] else f"timeline/{year}.md"


def timeline_years(log: Log) -> list[int]:
    return sorted({week_of(event.when).year for event in events(log)}, reverse=True)


def samples_file(slug: str) -> str:
    """Where the build writes an entry's samples as JSON, relative to the site root."""
    return f"{SAMPLES_DIR}/{slug}.json"


def site_paths(log: Log) -> set[str]:
    """Every page (by its source path) and file the site has for this log."""
    paths = {item.entry.path for item in log.entries}
    paths.update(page.path for page in log.playbook)
    paths.update(log.assets)
    paths.update(
        (HOME, EXPLORER, DEAD_ENDS, OUTCOMES, PORTFOLIO, PROJECTS, METRICS, TAGS, TIMELINE)
    )
    paths.update((ENTRIES_JSON, FEED))
    paths.update(project_page(project) for project in log.projects)
    paths.update(project_feed(project) for project in log.projects)
    paths.update(tag_page(tag) for tag in log.by_tag)
    names = metric_names(metric_series(log.entries, log.settings))
    paths.update(metric_pages(names).values())
    years = timeline_years(log)
    paths.update(timeline_page(year, years) for year in years)
    paths.update(samples_file(slug) for slug in log.samples)
    return paths

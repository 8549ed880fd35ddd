"""One build of the site, whatever engine renders it: everything the build owns, from the
start to the finish (or the abort), in the order it happens.

    session = BuildSession.start(settings, out)   # git and the workers start at once
    log = session.read()                          # entries, history, problems reported
    site = session.make_site(...)                 # pages and files; search and notebooks start
    ... the engine renders each page: session.page(src_uri), session.fill(src_uri, html)
    files = session.finish_notebooks()            # every conversion done, its problems reported
    session.finish(site_dir)                      # search index complete; the folder is a site
    # or, on any failure or interrupt: session.abort()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..analysis.similarity import related
from ..core.problems import Problem, sort_problems
from ..core.settings import Settings
from ..core.workers import Workers
from ..history.gitlog import HistoryRead
from ..log import Log, build_log, start_log_history
from ..notebooks import NotebookConversions
from ..pages.linkcheck import link_problems
from ..pages.model import PageSource, Site, StaticFile
from ..pages.urls import Urls
from ..views import build_site
from ..views.search import BUNDLE_DIR, search_sources
from .search import IndexResult, SearchIndexJob
from .sitefolder import mark

SEARCH_PARTS = "search"  # the cache's folder of search index parts
RELATED = "related.json"  # the cache's related entries, by what they were computed from


@dataclass(frozen=True)
class Output:
    """Where a build says what it does: progress, problems (at their own severity) and
    failures that are not a file's (the search index could not be built)."""

    info: Callable[[str], None]
    problem: Callable[[Problem], None]
    error: Callable[[str], None]


class BuildSession:
    def __init__(self, settings: Settings, out: Output, workers: Workers) -> None:
        self.settings = settings
        self.out = out
        self.workers = workers
        # git reads the history while the engine reads its configuration and files.
        self.history_read: HistoryRead | None = start_log_history(settings)
        self.log: Log | None = None
        self.site: Site | None = None
        self.notebooks: NotebookConversions | None = None
        self.search: SearchIndexJob | None = None
        self.sources: dict[str, PageSource] = {}  # pages whose HTML is not in place yet

    @classmethod
    def start(cls, settings: Settings, out: Output, *, warm_workers: bool) -> BuildSession:
        """Begin a build. With `warm_workers`, worker processes start now, ahead of the
        notebook work and page rendering that will need them."""
        workers = Workers()
        if warm_workers:
            workers.start()
        return cls(settings, out, workers)

    def read(self) -> Log:
        """The log, with every problem in it reported (link problems included)."""
        history_read, self.history_read = self.history_read, None
        log = build_log(
            self.settings, progress=self.out.info, workers=self.workers, history_read=history_read
        )
        for problem in sort_problems([*log.problems, *link_problems(log)]):
            self.out.problem(problem)
        self.log = log
        return log

    def make_site(
        self, *, directory_urls: bool, language: str, site_dir: Path, preview: bool = False
    ) -> Site:
        """Every page and file of the site. The search index (the last thing a build waits
        for) starts first, then the notebook conversions, both beside the engine's work. A
        `preview` indexes the pages changed since its last index at once (build/search.py)."""
        assert self.log is not None, "read() comes first"
        urls = Urls(directory_urls=directory_urls)
        if self.search is not None:
            self.search.cancel()
        self.search = SearchIndexJob.start(
            search_sources(self.log, urls, language),
            site_dir / BUNDLE_DIR,
            self.settings.cache_path / SEARCH_PARTS,
            keep_index_url=not directory_urls,
            preview=preview,
        )
        self.notebooks = NotebookConversions.start(
            self.log, urls, progress=self.out.info, workers=self.workers
        )
        self.site = build_site(
            self.log,
            urls,
            body_of=self.notebooks.body,
            extra_files=self.notebooks.download_files(),
            body_key_of=self.notebooks.key,
            nearby=related(
                [item.entry for item in self.log.entries],
                kept=self.settings.cache_path / RELATED,
            ),
        )
        self.sources = {page.src_uri: page for page in self.site.pages}
        return self.site

    def page_markdown(self, src_uri: str) -> str | None:
        """A page's Markdown, made now (None: not one of the log's pages)."""
        source = self.sources.get(src_uri)
        return None if source is None else source.make().markdown

    def fill(self, src_uri: str, html: str) -> str:
        """The page's rendered HTML with its generated blocks in place. Blocks skip the
        Markdown parser; they are made now, from the page made again, so no page holds them
        for long."""
        source = self.sources.pop(src_uri, None)
        return html if source is None else source.make().fill(html)

    def notebook_files(self, src_uri: str) -> list[StaticFile]:
        """The files a notebook page's conversion extracted; none for other pages."""
        return [] if self.notebooks is None else self.notebooks.page_files(src_uri)

    def finish_notebooks(self) -> list[StaticFile]:
        """Wait for every conversion, report what they found, and let the workers go."""
        files: list[StaticFile] = []
        if self.notebooks is not None:
            converted = self.notebooks.finish()
            self.notebooks = None
            files = list(converted.files)
            for problem in converted.problems:
                self.out.problem(problem)
        self.workers.close(wait=False)  # all done: they exit while pages are written
        return files

    def finish(self, site_dir: Path, *, search_later: bool = False) -> None:
        """The search index complete, and the folder marked as a site a build made. With
        `search_later` (a preview), the pages are served at once and the index is put in
        place when pagefind is done, unless a newer build has started one meanwhile."""
        if self.search is not None:
            job, self.search = self.search, None
            if search_later:
                job.finish_in_background(self._search_done)
            else:
                self._search_done(job.finish())
        mark(site_dir)

    def _search_done(self, result: IndexResult) -> None:
        (self.out.info if result.ok else self.out.error)(result.message)

    def abort(self) -> None:
        """Stop everything the build started: a failed or interrupted build."""
        if self.search is not None:
            self.search.cancel()
            self.search = None
        if self.notebooks is not None:
            self.notebooks.close()
            self.notebooks = None
        self.workers.close()

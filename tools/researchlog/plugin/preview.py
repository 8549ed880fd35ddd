"""`serve` shows an edited entry's page the moment it is saved, then rebuilds the rest.

MkDocs rebuilds the whole site on every change. Before it does, the preview makes the pages of
the entries whose text changed (build/quick.py) with the objects of the build it last
finished, writes them, and reloads the browsers; the rebuild that follows brings every other
page, the feeds and the search index up to date, and reloads nothing more unless a file
changed meanwhile. Any other change waits for the rebuild, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation

from ..build.quick import Snapshot, edited_entry_pages
from ..build.session import BuildSession
from ..core.settings import Settings
from ..pages.urls import Urls
from .mkdocs_private.quickpage import render_page, show_now


@dataclass(frozen=True)
class LastBuild:
    """What MkDocs and the session made in the last build that finished."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Environment
    settings: Settings
    session: BuildSession


class Preview:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.last: LastBuild | None = None
        self.read: Snapshot | None = None  # the files as the last finished build read them
        self.reading_now: Snapshot | None = None

    def reading(self, settings: Settings) -> None:
        """A build starts: the files as they are before it reads any."""
        self.reading_now = Snapshot.take(settings)

    def built(self, last: LastBuild) -> None:
        self.last, self.read = last, self.reading_now

    def failed(self) -> None:
        self.last = None

    def serve(self, server: LiveReloadServer, rebuild: Callable[[], None]) -> None:
        """Each rebuild of `server` first shows what it can at once."""
        server.builder = partial(self._rebuild, server, rebuild)

    def _rebuild(self, server: LiveReloadServer, rebuild: Callable[[], None]) -> None:
        try:
            shown = self.show_edits()
        except Exception as exc:
            self.say(f"the edit shows when the rebuild is done ({exc})")
            shown = False
        if shown:
            show_now(server)
        rebuild()

    def show_edits(self) -> bool:
        """Write the pages of the entries edited since the last build; False when what changed
        is anything else (or nothing), and only the rebuild can show it."""
        # The rebuild replaces what the last build left: no second site is held meanwhile.
        last, self.last = self.last, None
        if last is None or self.read is None or last.session.log is None:
            return False
        start = time.perf_counter()
        paths = self.read.edited(Snapshot.take(last.settings))
        if not paths:
            return False
        urls = Urls(directory_urls=last.config.use_directory_urls)
        sources = edited_entry_pages(last.session.log, urls, paths)
        if sources is None:
            return False
        pages = [last.files.get_file_from_path(source.src_uri) for source in sources]
        if any(file is None or file.page is None for file in pages):
            return False
        for source, file in zip(sources, pages, strict=True):
            assert file is not None and file.page is not None
            last.session.sources[source.src_uri] = source
            render_page(file.page, last.config, last.files, last.nav, last.env)
        seconds = time.perf_counter() - start
        self.say(f"{', '.join(paths)}: shown in {seconds:.2f} s; the rest of the site follows")
        return True

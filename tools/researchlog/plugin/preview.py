"""`serve` shows an edited entry's page the moment it is saved, then rebuilds the rest.

MkDocs rebuilds the whole site on every change. Before it does, the preview makes the pages of
the entries whose text changed (build/quick.py) with the objects of the build it last
finished, writes them, and reloads the browsers; the rebuild that follows brings every other
page, the feeds and the search index up to date, and reloads nothing more unless a file
changed meanwhile. Any other change waits for the rebuild, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..build.quick import Snapshot, quick_pages
from ..build.session import BuildSession
from ..core.collector import collection_paused
from ..core.settings import Settings
from ..pages.urls import Urls
from .files import page_file
from .mkdocs_private.quickpage import render_page, served_pages, show_now, write_whole


@dataclass(frozen=True)
class LastBuild:
    """What MkDocs and the session made in the last build that finished."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Environment
    settings: Settings
    session: BuildSession
    doc_files: Sequence[File] = ()  # the pages served, for each page's context (served_pages)


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
        self.last = replace(last, doc_files=served_pages(last.files))
        self.read = self.reading_now

    def failed(self) -> None:
        self.last = None

    def serve(self, server: LiveReloadServer, rebuild: Callable[[], None]) -> None:
        """Each rebuild of `server` first shows what it can at once."""
        server.builder = partial(self._rebuild, server, rebuild)

    def _rebuild(self, server: LiveReloadServer, rebuild: Callable[[], None]) -> None:
        # The last build's objects are many: a full collection of them now would cost more
        # than the pages; the rebuild right after frees what this makes.
        with collection_paused():
            try:
                shown = self.show_edits()
            except Exception as exc:  # only the shortcut is lost: the rebuild shows the edit
                self.say(f"the edit shows when the rebuild is done ({exc})")
                shown = False
        if shown:
            show_now(server)
        rebuild()

    def show_edits(self) -> bool:
        """Write the pages of the entries edited or added since the last build; False when
        what changed is anything else (or nothing), and only the rebuild can show it."""
        # The rebuild replaces what the last build left: no second site is held meanwhile.
        last, self.last = self.last, None
        if last is None or self.read is None or last.session.log is None:
            return False
        start = time.perf_counter()
        changes = self.read.changes(Snapshot.take(last.settings))
        if changes is None:
            return False
        urls = Urls(directory_urls=last.config.use_directory_urls)
        made = quick_pages(last.session.log, urls, changes)
        if made is None:
            return False
        config, files, doc_files = last.config, last.files, last.doc_files
        for source in made.pages:
            if source.src_uri not in files.src_uris:  # a new entry's, or its new project's
                added = page_file(source, config, last.settings, in_nav=set())
                files.append(added)
                Page(None, added, config)
                doc_files = served_pages(files)
        pages = [files.get_file_from_path(source.src_uri) for source in made.pages]
        statics = [files.get_file_from_path(static.src_uri) for static in made.files]
        if any(file is None or file.page is None for file in pages) or None in statics:
            return False
        for source, file in zip(made.pages, pages, strict=True):
            assert file is not None and file.page is not None
            last.session.sources[source.src_uri] = source
            render_page(file.page, config, files, last.nav, last.env, doc_files)
        for static, file in zip(made.files, statics, strict=True):
            assert file is not None
            write_whole(static.content or b"", file.abs_dest_path)
        seconds = time.perf_counter() - start
        shown = ", ".join([*changes.edited, *changes.added])
        self.say(f"{shown}: shown in {seconds:.2f} s; the rest of the site follows")
        return True

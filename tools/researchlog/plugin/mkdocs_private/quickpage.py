"""A preview shows an edited page before the rebuild that follows it (build/quick.py), with
four things MkDocs has no public API for: hearing a saved file at once, rendering one page
with the objects of the build it last finished, telling the browsers to reload while the
build loop goes on, and writing each file whole, so a page served during a rebuild is never
one half written."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from jinja2 import Environment
from mkdocs import utils as mkdocs_utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from ...core.cache import replacing


def served_pages(files: Files) -> Sequence[File]:
    """The pages `mkdocs serve` renders, as its build lists them for each page's context."""
    return files.documentation_pages(inclusion=InclusionLevel.is_in_serve)


def render_page(
    page: Page,
    config: MkDocsConfig,
    files: Files,
    nav: Navigation,
    env: Environment,
    doc_files: Sequence[File],
) -> None:
    """Read, render and write one page as `mkdocs serve` does, every plugin's events
    included. What rendering it logs, the rebuild that follows logs again: not twice."""
    quiet = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        mkdocs_build._populate_page(page, config, files)
        mkdocs_build._build_page(page, config, doc_files, nav, env)
    finally:
        config._current_page = None
        logging.disable(quiet)


# What changes a file's content; opening or reading one (as every build does) does not.
_CHANGES = {
    EVENT_TYPE_CREATED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_CLOSED,
}


class _Rebuild(FileSystemEventHandler):
    def __init__(self, server: LiveReloadServer) -> None:
        self.server = server

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in _CHANGES:
            return
        with self.server._rebuild_cond:
            self.server._want_rebuild = True
            self.server._rebuild_cond.notify_all()


def watch_with_events(
    server: LiveReloadServer, folders: list[str], say: Callable[[str], None]
) -> Callable[[], None]:
    """Rebuild when a file in `folders` changes, told by the file system (inotify and the
    like) rather than by MkDocs' poll, which comes every half second and takes longer the
    more files there are. Where the file system cannot tell, MkDocs polls as before; a
    folder MkDocs polls already (docs_dir) is left to it, so one save is one rebuild.
    Returns what stops the watching."""
    polled = [Path(path) for path in server._watched_paths]
    folders = [
        folder
        for folder in folders
        if not any(Path(folder).resolve().is_relative_to(path.resolve()) for path in polled)
    ]
    observer = Observer()
    try:
        for folder in folders:
            observer.schedule(_Rebuild(server), folder, recursive=True)
        observer.start()
    except OSError:  # no events here (a watch limit, a file system without them)
        for folder in folders:
            server.watch(folder)
        return lambda: None
    if folders:
        say(f"watching {', '.join(folders)} for saved files")

    def stop() -> None:
        observer.stop()
        observer.join(timeout=5)

    return stop


def show_now(server: LiveReloadServer) -> None:
    """Serve the site as it is and reload the browsers, as at the end of a build; the build
    running next then ends without a second reload, unless a file changed meanwhile."""
    with server._epoch_cond:
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()


def write_whole(content: bytes, output_path: str) -> None:
    """mkdocs.utils.write_file, written beside the target and renamed over it: a reader sees
    the old file or the new one, and a page linked from the cache is replaced, not written
    through."""
    target = Path(output_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as temporary:
        temporary.write_bytes(content)


@contextlib.contextmanager
def whole_writes() -> Iterator[None]:
    """MkDocs writes pages (and its sitemap, 404 page) whole while this lasts."""
    original = mkdocs_utils.write_file
    mkdocs_utils.write_file = write_whole
    try:
        yield
    finally:
        mkdocs_utils.write_file = original

"""Rendering pages' Markdown ahead of MkDocs, in a worker process, into the render cache.

MkDocs renders pages one after another in the build's own process while the second core has
time to spare. So a worker renders pages too: it starts from the last page MkDocs will read
and works backwards, storing each page in the render cache, where MkDocs finds it when it gets
there (plugin.on_page_markdown). The worker stops at the first page already stored: MkDocs has
got that far. A page is stored only if rendering it logged nothing and warned of nothing, so
every message of the build still comes from the build itself.

The worker renders as pagerender does, with MkDocs' own link processors given a copy of the
build's file list, so the same Markdown at the same place renders to the same page. The pages
travel in a file, not through the pool's pipe: they are written as they are made and never
held in the build's memory all at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import meta

from ...core.workers import Workers
from ..rendercache import RenderCache
from .pagerender import MessageCount, PageRenderer, records_anchor_links

_LINK_CHECKS = ("absolute_links", "unrecognized_links", "not_found", "anchors")


@dataclass(frozen=True)
class RenderSetup:
    """What rendering a page of this build needs besides the page itself, for a worker."""

    cache_file: Path
    fingerprint: str
    extensions: list[Any]
    configs: dict[str, Any]
    use_directory_urls: bool
    link_checks: dict[str, Any]  # MkDocs' validation.links settings (log levels and enums)
    anchor_links: bool  # whether links to anchors are recorded, for MkDocs to check
    targets: dict[str, tuple[str, str, InclusionLevel]]  # src_uri -> (dest_uri, url, inclusion)

    @classmethod
    def of(
        cls, config: MkDocsConfig, files: Files, renderer: PageRenderer, cache: RenderCache
    ) -> RenderSetup:
        return cls(
            cache_file=cache.file,
            fingerprint=cache.fingerprint,
            extensions=renderer.extensions,
            configs=renderer.configs,
            use_directory_urls=config.use_directory_urls,
            link_checks={name: getattr(config.validation.links, name) for name in _LINK_CHECKS},
            anchor_links=records_anchor_links(),
            targets={f.src_uri: (f.dest_uri, f.url, f.inclusion) for f in files},
        )


class Prerender:
    """The build's side: hands the pages to a worker and tidies up after it."""

    def __init__(self, payload: Path, future: Future[int]) -> None:
        self.payload = payload
        self.future = future

    @classmethod
    def start(
        cls, workers: Workers, setup: RenderSetup, pages: Iterable[tuple[str, str]]
    ) -> Prerender:
        """`pages` (src_uri, source as MkDocs reads it) in the order the worker takes them:
        the last page MkDocs reads first."""
        handle, name = tempfile.mkstemp(prefix="researchlog-prerender-", suffix=".jsonl")
        payload = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                for page in pages:
                    stream.write(json.dumps(page, ensure_ascii=False) + "\n")
            return cls(payload, workers.submit(render_ahead, setup, str(payload)))
        except BaseException:
            payload.unlink(missing_ok=True)
            raise

    def stored(self) -> int:
        """Pages the worker stored, if it is done (a worker that failed stored none)."""
        if not self.future.done() or self.future.cancelled() or self.future.exception():
            return 0
        return self.future.result()

    def stop(self) -> None:
        """Every page is rendered: the worker stops before its next page (its file is gone)."""
        self.future.cancel()
        self.payload.unlink(missing_ok=True)


def render_ahead(setup: RenderSetup, payload: str) -> int:
    """In a worker: render the pages in `payload` into the cache, in order, until one is found
    stored already. Returns how many it stored."""
    # This core's time goes first to the search index (niced at 10, below the build): the
    # build waits for it at the end. The pages rendered here only take what is left, and
    # every page not rendered here the build renders itself.
    if multiprocessing.parent_process() is not None:  # never the build's own process
        with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
            os.nice(19)
    cache = RenderCache(setup.cache_file, setup.fingerprint)
    renderer = PageRenderer(setup.extensions, setup.configs)
    files = Files(
        [_file(uri, *target, setup.use_directory_urls) for uri, target in setup.targets.items()]
    )
    config: Any = SimpleNamespace(
        use_directory_urls=setup.use_directory_urls,
        validation=SimpleNamespace(links=SimpleNamespace(**setup.link_checks)),
    )
    pages = Path(payload)
    stored = 0
    with _messages_counted() as messages:
        try:
            for src_uri, source in _pages(pages):
                if not pages.exists():
                    break  # the build has rendered every page: stop()
                markdown, _ = meta.get_data(source)
                file = files.get_file_from_path(src_uri)
                if file is None:
                    continue
                if cache.has(src_uri, markdown) or cache.problem:
                    break  # the build has got here (or the cache cannot be used)
                before = messages.count
                try:
                    with warnings.catch_warnings(record=True) as warned:
                        warnings.simplefilter("always")
                        rendered = renderer.convert(
                            markdown, file, files, config, setup.anchor_links
                        )
                except Exception:  # the build renders it again, and says what is wrong
                    continue
                if messages.count == before and not warned:
                    cache.put(src_uri, markdown, rendered)
                    stored += 1
        finally:
            cache.close(prune=False)
            pages.unlink(missing_ok=True)
    return stored


def _pages(payload: Path) -> Iterator[tuple[str, str]]:
    try:
        stream = payload.open(encoding="utf-8")
    except FileNotFoundError:  # stopped before it started
        return
    with stream:
        for line in stream:
            src_uri, source = json.loads(line)
            yield src_uri, source


def _file(
    src_uri: str, dest_uri: str, url: str, inclusion: InclusionLevel, directory_urls: bool
) -> File:
    file = File(
        src_uri,
        src_dir=None,
        dest_dir="",
        use_directory_urls=directory_urls,
        dest_uri=dest_uri,
        inclusion=inclusion,
    )
    file.url = url
    return file


@contextlib.contextmanager
def _messages_counted() -> Iterator[MessageCount]:
    """Count the messages logged while pages are rendered: those the build would show at
    its default level, whatever this process's logging says."""
    loggers = [logging.getLogger(name) for name in MessageCount.LOGGERS]
    levels = [logger.level for logger in loggers]
    counter = MessageCount()
    counter.attach()
    for logger in loggers:
        logger.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        counter.detach()
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

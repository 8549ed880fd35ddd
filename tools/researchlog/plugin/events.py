"""The MkDocs plugin: MkDocs' events, each a line or two over a BuildSession.

The session (build/session.py) is the build, whatever the engine; here it meets MkDocs: the
site model becomes MkDocs files and navigation, pages are rendered from the render cache where
their Markdown is unchanged (mkdocs_private/), and each page gets its generated HTML blocks.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..build.outputs import FOLDER as OUTPUTS
from ..build.outputs import PageOutputs
from ..build.session import BuildSession, Output
from ..core.cache import make_folder
from ..core.collector import collection_paused
from ..core.problems import Problem
from ..core.settings import Settings, with_usable_cache
from ..views.search import status_filters
from .config import ResearchLogConfig, add_to_config, refuse_source_as_site, settings_for
from .files import add_static_files, keep_pages, mkdocs_nav, reuse_pages, shell_key, site_files
from .mkdocs_private.quickpage import watch_with_events, whole_writes
from .mkdocs_private.rendering import Rendering, cold, renders_ahead
from .preview import LastBuild, Preview
from .themeparts import share_parts

logger = get_plugin_logger("researchlog")


def _report(problem: Problem) -> None:
    """A problem in MkDocs' log, at its own severity (strict builds fail on either)."""
    (logger.error if problem.is_error else logger.warning)(problem.format())


OUTPUT = Output(info=logger.info, problem=_report, error=logger.error)


class ResearchLogPlugin(BasePlugin[ResearchLogConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.session: BuildSession | None = None
        self.rendering: Rendering | None = None
        self.outputs: PageOutputs | None = None  # pages kept from earlier builds, by key
        self.keys: dict[str, str] = {}  # src_uri -> key, of the pages rendered this build
        self.user_nav = False
        self.dirty = False  # a dirty build skips the pages it does not mark modified
        self.serving = False  # a preview: pages first, the search index when it is ready
        self.ours: set[str] = set()  # the pages the log makes
        self.files: Files | None = None
        self.nav: Navigation | None = None
        self.env: Environment | None = None
        self.preview = Preview(logger.info)  # what a preview shows before it rebuilds
        self.writes = contextlib.ExitStack()

    # MkDocs keeps a plugin with this event from one rebuild of `mkdocs serve` to the next.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.dirty = dirty
        self.serving = command == "serve"
        if self.serving:
            # The preview serves pages while it rebuilds: each file is replaced whole.
            self.writes.enter_context(whole_writes())

    def on_shutdown(self) -> None:
        self.writes.close()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        settings = settings_for(config, self.config)
        refuse_source_as_site(config, settings)
        self.settings, problems = with_usable_cache(settings)
        for problem in problems:
            _report(problem)
        for warning in add_to_config(config):
            logger.warning(warning)
        self.user_nav = config.nav is not None
        # The search's status buttons, where every engine's templates can read them.
        config.extra["researchlog_status_filters"] = status_filters()
        # git reads the history while MkDocs reads its files; with no page cached, every page
        # renders, and the worker that renders some of them starts now too.
        if self.serving:
            self.preview.reading(self.settings)
        session = BuildSession.start(self.settings, OUTPUT, warm_workers=False)
        if cold(self.settings) and renders_ahead(session.workers):
            session.workers.start()
        self.session = session
        return config

    # Before other plugins' on_files, so they see the log's pages.
    @event_priority(50)
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.session is not None and self.settings is not None
        with collection_paused():
            log = self.session.read()
            site = self.session.make_site(
                directory_urls=config.use_directory_urls,
                language=config.theme.get("language") or "en",
                site_dir=Path(config.site_dir),
                preview=self.serving,
            )
            files = site_files(files, site, config, self.settings, user_nav=self.user_nav)
            self.ours = set(self.session.sources)
            self.rendering = Rendering(config, files, self.settings, self.ours)
            if not self.user_nav:
                config.nav = mkdocs_nav(site.nav)
            self.outputs = PageOutputs(self.settings.cache_path / OUTPUTS, shell_key(config, site))
            self.keys = {page.src_uri: page.key for page in site.pages if page.key}
            if self.dirty:
                reused = reuse_pages(files, self.keys, self.outputs)
                for uri in reused:
                    del self.keys[uri]
                logger.info(
                    f"{len(reused)} of {len(site.pages)} pages unchanged since they were built"
                )
            # What is made so far lives until the build ends: keep the garbage collector from
            # going through it again and again while pages are rendered.
            gc.freeze()
        logger.info(
            f"{len(log.entries)} entries, {len(log.playbook)} playbook pages,"
            f" {len(site.pages)} pages"
        )
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Every plugin has added its files by now: a worker starts rendering pages."""
        assert self.session is not None and self.rendering is not None
        self.rendering.start_ahead(config, files, self.session.workers, self.session.page_markdown)
        self.files, self.nav = files, nav
        return nav

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        assert self.session is not None
        return self.session.page_markdown(page.file.src_uri)

    # Last of all plugins: the Markdown is final, so it is the cache key.
    @event_priority(-100)
    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        assert self.session is not None
        # A notebook's extracted images join the site before its Markdown is rendered, so
        # MkDocs resolves links to them like links to any other file.
        add_static_files(files, self.session.notebook_files(page.file.src_uri), config)
        if self.rendering is not None:  # None: a page the preview shows between builds
            self.rendering.before(page, markdown)
        return markdown

    # First of all plugins: what MkDocs rendered, before anyone changes it.
    @event_priority(100)
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.rendering is not None:
            self.rendering.after(page, html)
        return html

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        """Every page has been read, so every notebook conversion is done."""
        assert self.session is not None and self.rendering is not None
        add_static_files(files, self.session.finish_notebooks(), config)
        self.rendering.stop_ahead()
        if self.settings is not None and env.bytecode_cache is None:
            # The theme's templates, compiled once rather than on every build (Jinja checks
            # each against its source).
            folder = self.settings.cache_path / "templates"
            make_folder(folder)
            env.bytecode_cache = FileSystemBytecodeCache(str(folder))
        share_parts(env, config, self.ours)
        self.env = env
        return env

    # First of all plugins, so theirs see the page whole.
    @event_priority(100)
    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        assert self.session is not None
        if page.content is not None:
            page.content = self.session.fill(page.file.src_uri, page.content)
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Once a page is written MkDocs never needs its Markdown or HTML again, but keeps both
        until the build ends: on a large log that is most of the build's memory."""
        if page.file.src_uri in self.ours:
            page.markdown = None
            page.content = None
        if not self.serving:  # a preview replaces each file whole (on_startup)
            # A page kept from an earlier build is a link to the kept file: never write into it.
            with contextlib.suppress(FileNotFoundError):
                Path(page.file.abs_dest_path).unlink()
        return output

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.session is not None and self.rendering is not None
        self.rendering.finish(logger.info)
        if self.outputs is not None:
            # A preview's rebuilds leave the clean-up to the next `researchlog build`.
            keep_pages(config, self.keys, self.outputs, prune=not self.serving)
        self.session.finish(Path(config.site_dir), search_later=self.serving)
        self.rendering = None
        files, nav, env, settings = self.files, self.nav, self.env, self.settings
        if self.serving and files is not None and nav is not None and env and settings:
            self.preview.built(LastBuild(config, files, nav, env, settings, self.session))
        _release_memory()

    def on_build_error(self, error: Exception) -> None:
        self.preview.failed()
        if self.rendering is not None:
            self.rendering.abort()
        if self.session is not None:
            self.session.abort()
        gc.unfreeze()

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        assert self.settings is not None
        root, names = self.settings.root, (self.settings.log_dir, self.settings.playbook_dir)
        folders = [str(root / name) for name in names if (root / name).is_dir()]
        self.writes.callback(watch_with_events(server, folders, logger.info))
        self.preview.serve(server, builder)
        return server


def _release_memory() -> None:
    gc.unfreeze()  # `mkdocs serve` builds again: this build's objects must be freed
    # A process that ends frees everything at once: the collector's last pass over the
    # build's objects would only add a third of a second to every build.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)

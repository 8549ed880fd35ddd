"""The MkDocs plugin: a thin adapter from MkDocs events to the researchlog pipeline.

MkDocs requires docs_dir to be below the config file, so mkdocs.yml names the playbook folder;
this plugin then builds the file set from the repository root itself, with pages keeping their
repository paths (log/2025/x.md, playbook/y.md), so relative links between entries and the
playbook work both on the forge's file view and on the site.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import time
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from mkdocs.config.base import BaseConfigOption, Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page as MkPage
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.meta import get_data
from mkdocs.utils.templates import TemplateContext

from .core.cache import library_version
from .core.codekey import code_key
from .core.options import OPTIONS
from .core.problems import Problem, sort_problems
from .core.settings import Settings, option_lines, settings_from, with_usable_cache
from .core.workers import Workers, available_cores
from .history.gitlog import HistoryRead
from .log import Log
from .log.join import build_log, start_log_history
from .notebooks.conversions import NotebookConversions
from .pagerender import MessageCount, PageRenderer, apply
from .pages.linkcheck import link_problems
from .pages.model import NavItem, PageSource, Site, StaticFile
from .pages.urls import Urls
from .prerender import Prerender, RenderSetup
from .rendercache import RenderCache, Rendered, fingerprint
from .searchindex import SearchIndexJob
from .sitefolder import SiteFolderRefused, check_site_folder, mark, sources
from .views import NOTEBOOK_STYLESHEET, SCRIPT, STYLESHEET, build_site
from .views.search import (
    BUNDLE_DIR,
    SEARCH_SCRIPT,
    SEARCH_STYLESHEET,
    search_documents,
    status_filters,
)

log = get_plugin_logger("researchlog")

RENDER_CACHE = "rendered.sqlite"  # rendered pages (rendercache)
_PRERENDER_FROM = 2 / 5  # where in MkDocs' reading order the worker's pages begin
# Their versions can change what the same Markdown renders to.
RENDER_LIBRARIES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material", "pygments")

# Generated pages rely on these (raw HTML blocks, heading ids, tables, admonitions), and scope
# documents on task lists whose assumptions are ticked or struck through.
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


class _AsGiven(BaseConfigOption[Any]):
    """An option MkDocs passes on as written: the option table validates it (settings_from),
    for the build and the CLI alike, and reports a bad value with its line."""

    def __init__(self, default: Any) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> Any:
        return value


if TYPE_CHECKING:

    class ResearchLogConfig(Config):  # type: ignore[no-untyped-call]
        pass

else:
    # Made from the option table (core/options.py): one declaration for MkDocs and the CLI.
    ResearchLogConfig = type(
        "ResearchLogConfig", (Config,), {option.name: _AsGiven(None) for option in OPTIONS}
    )


class NotebookPageFile(File):
    """A notebook entry is a page: links to x.ipynb resolve to the entry's page."""

    def is_documentation_page(self) -> bool:
        return True


class ResearchLogPlugin(BasePlugin[ResearchLogConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.log: Log | None = None
        self.user_nav = False
        self.ours: set[str] = set()  # the pages this plugin makes
        self.sources: dict[str, PageSource] = {}  # pages whose HTML blocks are not in place yet
        self.rendered: RenderCache | None = None
        self.renderer: PageRenderer | None = None  # None: MkDocs renders pages itself
        self.messages = MessageCount()  # log messages so far, to see which renders logged any
        self.rendering: dict[str, int] = {}  # page -> messages before its render
        self.search: SearchIndexJob | None = None
        self.notebooks: NotebookConversions | None = None
        self.workers: Workers | None = None  # for notebook checks and conversions
        self.prerender: Prerender | None = None  # pages rendered ahead in a worker
        self.history_read: HistoryRead | None = None  # started in on_config

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        site = {
            "site_name": config.site_name,
            "site_url": config.site_url,
            "repo_url": config.repo_url,
            "validation": {"not_found": _level_name(config.validation.links.not_found)},
        }
        config_file = Path(config.config_file_path or "mkdocs.yml")
        self.settings = settings_from(
            root,
            site,
            {name: value for name, value in self.config.items() if value is not None},
            config_file=config_file.name,
            lines=option_lines(config_file),
            unknown_reported_elsewhere=True,
        )
        _refuse_source_as_site(config, self.settings)
        self.settings, problems = with_usable_cache(self.settings)
        for problem in problems:
            _report(problem)
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        config.mdx_configs.setdefault("pymdownx.tasklist", {"custom_checkbox": True})
        for stylesheet in (STYLESHEET, NOTEBOOK_STYLESHEET):
            if stylesheet not in config.extra_css:
                config.extra_css.append(stylesheet)
        if SCRIPT not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(SCRIPT)
        self.user_nav = config.nav is not None
        self._add_search(config)
        # git reads the history while MkDocs reads its files. With no pages cached, every page
        # renders: the worker that renders some of them starts now, too.
        self.history_read = start_log_history(self.settings)
        self.workers = Workers()
        if self._renders_ahead() and not (self.settings.cache_path / RENDER_CACHE).exists():
            self.workers.start()
        return config

    def _add_search(self, config: MkDocsConfig) -> None:
        """Our search box replaces Material's: a template override placed after the user's
        custom_dir (so theirs still wins), and its script and styles."""
        overrides = str(resources.files("researchlog") / "overrides")
        if overrides not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, overrides)
        if SEARCH_STYLESHEET not in config.extra_css:
            config.extra_css.append(SEARCH_STYLESHEET)
        if SEARCH_SCRIPT not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(SEARCH_SCRIPT)
        if "material/search" in config.plugins:
            log.warning(
                "Material's search plugin is enabled, but researchlog provides the site's"
                " search: remove `- search` from plugins in mkdocs.yml (it only adds build time)"
            )

    # Run before other plugins' on_files, so they see the log's pages.
    @event_priority(50)
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.settings is not None
        started = time.perf_counter()
        self.workers = self.workers or Workers()
        history_read, self.history_read = self.history_read, None
        self.log = build_log(
            self.settings,
            progress=lambda m: log.info(m),
            workers=self.workers,
            history_read=history_read,
        )
        for problem in sort_problems([*self.log.problems, *link_problems(self.log)]):
            _report(problem)
        urls = Urls(directory_urls=config.use_directory_urls)
        # The search index is the last thing a rebuild waits for: it starts first.
        self._start_search(urls, config)
        # Notebooks convert in worker processes while pages render; on_env collects them.
        self.notebooks = NotebookConversions.start(
            self.log, urls, progress=lambda m: log.info(m), workers=self.workers
        )
        site = build_site(
            self.log,
            urls,
            body_of=self.notebooks.body,
            extra_files=self.notebooks.download_files(),
        )
        files = self._replace_files(files, site, config)
        self.sources = {page.src_uri: page for page in site.pages}
        self.ours = set(self.sources)
        self.rendered = RenderCache(
            self.settings.cache_path / RENDER_CACHE, _render_fingerprint(config, files)
        )
        self.renderer = PageRenderer.for_config(config)
        self.messages.attach()
        # What is made so far lives until the build ends: keep the garbage collector from
        # going through it again and again while pages are rendered.
        gc.freeze()
        if not self.user_nav:
            config.nav = _mkdocs_nav(site.nav)
        log.info(
            f"{len(self.log.entries)} entries, {len(self.log.playbook)} playbook pages, "
            f"{len(site.pages)} pages in {time.perf_counter() - started:.2f}s"
        )
        return files

    def _start_search(self, urls: Urls, config: MkDocsConfig) -> None:
        """Index for search in the background: pagefind runs on the second core while MkDocs
        renders, and on_post_build waits for it."""
        assert self.log is not None
        if self.search is not None:
            self.search.cancel()
        documents = search_documents(self.log, urls, config.theme.get("language") or "en")
        self.search = SearchIndexJob.start(
            documents,
            Path(config.site_dir) / BUNDLE_DIR,
            keep_index_url=not config.use_directory_urls,
        )

    def _replace_files(self, files: Files, site: Site, config: MkDocsConfig) -> Files:
        """Drop MkDocs' own view of docs_dir and add the site's pages and files."""
        assert self.settings is not None
        docs_dir = os.path.realpath(config.docs_dir)
        playbook = os.path.realpath(self.settings.root / self.settings.playbook_dir)
        ours = {page.src_uri for page in site.pages} | {f.src_uri for f in site.files}
        kept = [
            f
            for f in files
            if not (
                f.src_dir
                and os.path.realpath(f.src_dir) == docs_dir
                and (docs_dir == playbook or f.src_uri in ours)
            )
        ]
        in_nav = _nav_uris(site.nav) if not self.user_nav else None
        result = Files(kept)
        # MkDocs reads pages in this order. Notebook pages go last, so their conversions,
        # started a moment ago in another process, are done by the time they are read.
        for page in sorted(site.pages, key=lambda page: page.src_uri.endswith(".ipynb")):
            result.append(self._page_file(page, config, in_nav))
        for static in site.files:
            result.append(_static_file(static, config))
        return result

    def _page_file(self, page: PageSource, config: MkDocsConfig, in_nav: set[str] | None) -> File:
        assert self.settings is not None
        inclusion = InclusionLevel.UNDEFINED
        if in_nav is not None and page.src_uri not in in_nav:
            inclusion = InclusionLevel.NOT_IN_NAV  # entries are reached through index pages
        if page.source is None:
            # The Markdown comes from on_page_read_source; the file itself stays empty.
            return File.generated(config, page.src_uri, content="", inclusion=inclusion)
        kind = NotebookPageFile if page.src_uri.endswith(".ipynb") else File
        # Backed by its source file, so the edit link points at it; read via on_page_read_source.
        return kind(
            page.src_uri,
            src_dir=str(self.settings.root),
            dest_dir=config.site_dir,
            use_directory_urls=config.use_directory_urls,
            inclusion=inclusion,
        )

    def on_page_read_source(self, page: MkPage, config: MkDocsConfig) -> str | None:
        """The page's Markdown, made now. Its HTML blocks are made only when its template is
        rendered (on_page_context), from the same page made again: no page holds them long."""
        source = self.sources.get(page.file.src_uri)
        return None if source is None else source.make().markdown

    # Last of all plugins: the Markdown is final, so it is the cache key.
    @event_priority(-100)
    def on_page_markdown(
        self, markdown: str, page: MkPage, config: MkDocsConfig, files: Files
    ) -> str:
        uri = page.file.src_uri
        if self.notebooks is not None and uri.endswith(".ipynb"):
            # A notebook's extracted images join the site before its Markdown is rendered,
            # so MkDocs resolves the links to them like links to any other file.
            for static in self.notebooks.page_files(uri):
                if static.src_uri not in files.src_uris:
                    files.append(_static_file(static, config))
        if self.rendered is None or uri not in self.ours:
            return markdown
        # MkDocs has no event to replace a page's rendering: this one page's render does.
        hit = self.rendered.get(uri, markdown)
        if hit is not None:
            setattr(page, "render", partial(_restore, page, hit))  # noqa: B010
            return markdown
        self.rendering[uri] = self.messages.count
        if self.renderer is not None:
            setattr(page, "render", partial(self.renderer.render, page))  # noqa: B010
        return markdown

    # First of all plugins: what MkDocs rendered, before anyone changes it.
    @event_priority(100)
    def on_page_content(self, html: str, page: MkPage, config: MkDocsConfig, files: Files) -> str:
        uri = page.file.src_uri
        before = self.rendering.pop(uri, None)
        if before is not None and self.rendered is not None and before == self.messages.count:
            self.rendered.put(uri, page.markdown or "", _rendered(page, html))
        return html

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Every plugin has added its files by now: a worker starts rendering pages."""
        self._start_prerender(config, files)
        return nav

    def _start_prerender(self, config: MkDocsConfig, files: Files) -> None:
        """Hand the worker the pages MkDocs reads last (prerender), unless they are cached:
        a rebuild has most pages cached already and starts no worker for them."""
        if self.renderer is None or self.rendered is None or self.workers is None:
            return
        if not self._renders_ahead():
            return
        order = [
            f.src_uri
            for f in files.documentation_pages()
            if f.src_uri in self.sources and not f.src_uri.endswith(".ipynb")
        ]
        if not order or self._cached(order[-1]):
            return
        # MkDocs renders faster than the worker, which starts late: most pages are its own.
        ahead = reversed(order[int(len(order) * _PRERENDER_FROM) :])
        setup = RenderSetup.of(config, files, self.renderer, self.rendered)
        self.prerender = Prerender.start(
            self.workers, setup, ((uri, self.sources[uri].make().markdown) for uri in ahead)
        )

    def _renders_ahead(self) -> bool:
        """On one core, or with no worker processes, rendering ahead would only take time
        from MkDocs."""
        in_process = self.workers is not None and self.workers.in_process
        return available_cores() > 1 and not in_process

    def _cached(self, src_uri: str) -> bool:
        assert self.rendered is not None
        markdown, _ = get_data(self.sources[src_uri].make().markdown)
        return self.rendered.has(src_uri, markdown)

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        env.globals["researchlog_status_filters"] = status_filters()
        if self.notebooks is not None:
            # Every page has been read, so every conversion is done: add the extracted images
            # (copied after this event) and report what the conversions found.
            converted = self.notebooks.finish()
            self.notebooks = None
            for static in converted.files:
                if static.src_uri not in files.src_uris:
                    files.append(_static_file(static, config))
            for problem in converted.problems:
                _report(problem)
        if self.prerender is not None:
            self.prerender.stop()  # every page is rendered by now
        self._close_workers(wait=False)  # all done: they exit while pages are written
        return env

    # First of all plugins, so theirs see the page whole.
    @event_priority(100)
    def on_page_context(
        self, context: TemplateContext, page: MkPage, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Generated HTML blocks skip Markdown; put them in place now."""
        source = self.sources.pop(page.file.src_uri, None)
        if source is not None and page.content is not None:
            page.content = source.make().fill(page.content)
        return context

    def on_post_page(self, output: str, page: MkPage, config: MkDocsConfig) -> str:
        """Once a page is written MkDocs never needs its Markdown or HTML again, but keeps both
        until the build ends: on a large log that is most of the build's memory."""
        if page.file.src_uri in self.ours:
            page.markdown = None
            page.content = None
        return output

    def on_post_build(self, config: MkDocsConfig) -> None:
        mark(Path(config.site_dir))  # a later `researchlog build` may replace this folder
        gc.unfreeze()  # `mkdocs serve` builds again: this build's objects must be freed
        # A process that ends frees everything at once: the collector's last pass over the
        # build's objects would only add a third of a second to every build.
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
        self.messages.detach()
        ahead = 0
        if self.prerender is not None:
            ahead = self.prerender.stored()
            self.prerender = None
        if self.rendered is not None:
            self.rendered.close()
            pages = self.rendered.hits + self.rendered.misses
            if ahead:
                log.info(f"{ahead} of {pages} pages were rendered ahead in a worker process")
            if self.rendered.hits > ahead:
                log.info(
                    f"{self.rendered.hits - ahead} of {pages} pages unchanged: their Markdown"
                    " was not rendered again"
                )
            if self.rendered.problem:
                log.info(f"rendered pages were not cached: {self.rendered.problem}")
            self.rendered = None
        if self.search is not None:
            result = self.search.finish()
            self.search = None
            (log.info if result.ok else log.error)(result.message)

    def on_build_error(self, error: Exception) -> None:
        gc.unfreeze()
        if self.prerender is not None:
            self.prerender.stop()
            self.prerender = None
        if self.search is not None:
            self.search.cancel()
            self.search = None
        if self.notebooks is not None:
            self.notebooks.close()
            self.notebooks = None
        self._close_workers()
        self.messages.detach()
        if self.rendered is not None:
            self.rendered.close(prune=False)  # keep what rendered; the rest is still valid
            self.rendered = None

    def _close_workers(self, *, wait: bool = True) -> None:
        if self.workers is not None:
            self.workers.close(wait=wait)
            self.workers = None

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        assert self.settings is not None
        for folder in (self.settings.log_dir, self.settings.playbook_dir):
            path = self.settings.root / folder
            if path.is_dir():
                server.watch(str(path))
        return server


def _level_name(level: int) -> str:
    """MkDocs' validation levels by the names mkdocs.yml gives them."""
    return "warn" if level >= logging.WARNING else "info" if level >= logging.INFO else "ignore"


def _refuse_source_as_site(config: MkDocsConfig, settings: Settings) -> None:
    """MkDocs cleans its site folder before building: never one the build reads from."""
    theme_dir = config.theme.custom_dir
    folders = sources(
        settings.root,
        log_dir=settings.log_dir,
        playbook_dir=settings.playbook_dir,
        docs_dir=config.docs_dir,
        custom_dir=theme_dir,
        cache_dir=settings.cache_dir,
    )
    site = Path(config.site_dir)
    shown = os.path.relpath(site, settings.root) if site.is_relative_to(settings.root) else site
    try:
        check_site_folder(site, f"the site folder {shown}", folders)
    except SiteFolderRefused as exc:
        raise PluginError(f"{exc}\n    fix: {exc.hint}") from None


def _render_fingerprint(config: MkDocsConfig, files: Files) -> str:
    """What besides a page's own Markdown shapes its rendering: the Markdown configuration
    and library versions, the URL style, link checks, and which files links can point at."""
    return fingerprint(
        [library_version(name) for name in RENDER_LIBRARIES],
        code_key("researchlog.pagerender", "researchlog.mdext"),
        config.markdown_extensions,
        config.mdx_configs,
        config.use_directory_urls,
        config.validation,
        sorted(files.src_uris),
    )


def _rendered(page: MkPage, html: str) -> Rendered:
    return Rendered(
        html=html,
        toc=[_toc_token(item) for item in page.toc],
        anchors=sorted(page.present_anchor_ids or ()),
        links={
            target.src_uri: dict(anchors)
            for target, anchors in (page.links_to_anchors or {}).items()
        },
        title=getattr(page, "_title_from_render", None),
    )


def _toc_token(item: AnchorLink) -> dict[str, Any]:
    return {
        "level": item.level,
        "id": item.id,
        "name": item.title,
        "children": [_toc_token(child) for child in item.children],
    }


def _restore(page: MkPage, hit: Rendered, config: MkDocsConfig, files: Files) -> None:
    """A page's rendering from the cache. MkDocs keeps its pages until the build ends: the
    page lets go of this function, so it does not keep a second copy of its HTML."""
    vars(page).pop("render", None)
    apply(page, hit, files)


def _static_file(static: StaticFile, config: MkDocsConfig) -> File:
    if static.source is not None:
        return File.generated(config, static.src_uri, abs_src_path=str(static.source))
    return File.generated(config, static.src_uri, content=static.content or b"")


def _nav_uris(items: tuple[NavItem, ...]) -> set[str]:
    found: set[str] = set()
    for item in items:
        if item.src_uri:
            found.add(item.src_uri)
        found |= _nav_uris(item.children)
    return found


def _mkdocs_nav(items: tuple[NavItem, ...]) -> list[Any]:
    nav: list[Any] = []
    for item in items:
        if item.children:
            nav.append({item.title: _mkdocs_nav(item.children)})
        else:
            nav.append({item.title: item.src_uri})
    return nav


def _report(problem: Problem) -> None:
    """A problem in MkDocs' log, at its own severity (strict builds fail on either)."""
    (log.error if problem.is_error else log.warning)(problem.format())

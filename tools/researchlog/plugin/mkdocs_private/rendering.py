"""Pages whose Markdown is unchanged are not rendered again, and on a cold build a worker
renders pages ahead of MkDocs. MkDocs has no event to replace a page's rendering, so this
sets, for one page at a time, the page's own `render`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.meta import get_data

from ...core.cache import library_version
from ...core.codekey import code_key
from ...core.settings import Settings
from ...core.workers import Workers, available_cores
from ..rendercache import RenderCache, Rendered, fingerprint
from .pagerender import MessageCount, PageRenderer, apply
from .prerender import Prerender, RenderSetup

RENDER_CACHE = "rendered.sqlite"  # rendered pages (rendercache)
_PRERENDER_FROM = 2 / 5  # where in MkDocs' reading order the worker's pages begin
_FEWEST_AHEAD = 100  # fewer pages to render than this: starting a worker costs more
# Their versions can change what the same Markdown renders to.
RENDER_LIBRARIES = (
    "mkdocs",
    "properdocs",
    "markdown",
    "pymdown-extensions",
    "mkdocs-material",
    "pygments",
)


def renders_ahead(workers: Workers) -> bool:
    """On one core, or with no worker processes, rendering ahead would only take time from
    MkDocs."""
    return available_cores() > 1 and not workers.in_process


def cold(settings: Settings) -> bool:
    """No page is cached yet: every page will render."""
    return not (settings.cache_path / RENDER_CACHE).exists()


class Rendering:
    """The render cache, the shared renderer and the worker rendering ahead, for one build."""

    def __init__(self, config: MkDocsConfig, files: Files, settings: Settings, ours: set[str]):
        self.ours = ours  # the pages the log makes
        self.cache = RenderCache(
            settings.cache_path / RENDER_CACHE, _render_fingerprint(config, files)
        )
        self.renderer = PageRenderer.for_config(config)  # None: MkDocs renders pages itself
        self.messages = MessageCount()  # log messages so far, to see which renders logged any
        self.messages.attach()
        self.rendering: dict[str, int] = {}  # page -> messages before its render
        self.prerender: Prerender | None = None

    def before(self, page: Page, markdown: str) -> None:
        """Render this page from the cache, or with the shared renderer."""
        uri = page.file.src_uri
        if uri not in self.ours:
            return
        hit = self.cache.get(uri, markdown)
        if hit is not None:
            setattr(page, "render", partial(_restore, page, hit))  # noqa: B010
            return
        self.rendering[uri] = self.messages.count
        if self.renderer is not None:
            setattr(page, "render", partial(self.renderer.render, page))  # noqa: B010

    def after(self, page: Page, html: str) -> None:
        """Store what rendered, unless rendering it logged anything (its warnings must show
        again on the next build)."""
        uri = page.file.src_uri
        before = self.rendering.pop(uri, None)
        if before is not None and before == self.messages.count:
            self.cache.put(uri, page.markdown or "", _rendered(page, html))

    def start_ahead(
        self,
        config: MkDocsConfig,
        files: Files,
        workers: Workers,
        markdown_of: Callable[[str], str | None],
    ) -> None:
        """Hand a worker the pages MkDocs reads last, unless they are cached: a rebuild has
        most pages cached already and starts no worker for them."""
        if self.renderer is None or not renders_ahead(workers):
            return
        ours = [
            f
            for f in files.documentation_pages()
            if f.src_uri in self.ours and not f.src_uri.endswith(".ipynb")
        ]
        # A page kept from an earlier build is not rendered at all; for the few pages a
        # rebuild renders, starting a worker costs more than it saves.
        order = [f.src_uri for f in ours if f.is_modified()]
        if len(order) < len(ours) and len(order) < _FEWEST_AHEAD:
            return
        if not order or self._cached(order[-1], markdown_of):
            return
        # MkDocs renders faster than the worker, which starts late: most pages are its own.
        ahead: Iterable[str] = reversed(order[int(len(order) * _PRERENDER_FROM) :])
        setup = RenderSetup.of(config, files, self.renderer, self.cache)
        self.prerender = Prerender.start(
            workers, setup, ((uri, markdown_of(uri) or "") for uri in ahead)
        )

    def stop_ahead(self) -> None:
        if self.prerender is not None:
            self.prerender.stop()  # every page is rendered by now

    def finish(self, say: Callable[[str], None]) -> None:
        self.messages.detach()
        ahead = 0
        if self.prerender is not None:
            ahead = self.prerender.stored()
            self.prerender = None
        self.cache.close()
        pages = self.cache.hits + self.cache.misses
        if ahead:
            say(f"{ahead} of {pages} pages were rendered ahead in a worker process")
        if self.cache.hits > ahead:
            say(
                f"{self.cache.hits - ahead} of {pages} pages unchanged: their Markdown was not"
                " rendered again"
            )
        if self.cache.problem:
            say(f"rendered pages were not cached: {self.cache.problem}")

    def abort(self) -> None:
        if self.prerender is not None:
            self.prerender.stop()
            self.prerender = None
        self.messages.detach()
        self.cache.close(prune=False)  # keep what rendered; the rest is still valid

    def _cached(self, src_uri: str, markdown_of: Callable[[str], str | None]) -> bool:
        markdown, _ = get_data(markdown_of(src_uri) or "")
        return self.cache.has(src_uri, markdown)


def _render_fingerprint(config: MkDocsConfig, files: Files) -> str:
    """What besides a page's own Markdown shapes its rendering: the Markdown configuration
    and library versions, the URL style, link checks, and which files links can point at."""
    return fingerprint(
        [library_version(name) for name in RENDER_LIBRARIES],
        code_key(__name__, "researchlog.mdext"),
        config.markdown_extensions,
        config.mdx_configs,
        config.use_directory_urls,
        config.validation,
        sorted(files.src_uris),
    )


def _rendered(page: Page, html: str) -> Rendered:
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


def _restore(page: Page, hit: Rendered, config: MkDocsConfig, files: Files) -> None:
    """A page's rendering from the cache. MkDocs keeps its pages until the build ends: the
    page lets go of this function, so it does not keep a second copy of its HTML."""
    vars(page).pop("render", None)
    apply(page, hit, files)

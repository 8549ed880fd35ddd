"""Rendering pages' Markdown with one Markdown instance for the whole build.

MkDocs makes a new `markdown.Markdown`, with every extension set up again, for each page it
renders: about a third of a millisecond per page before any Markdown is read. Python-Markdown
lets one instance convert many documents if it is reset in between, and the extensions a
research log uses (Python-Markdown's own and pymdown-extensions') reset their state on it.
This renders a page as MkDocs' `Page.render` does, with the same extensions and MkDocs' own
processors for links, anchors and the title, made afresh for each page; with any other
extension configured, or a MkDocs whose internals differ, MkDocs renders the page itself.
"""

from __future__ import annotations

import logging
from typing import Any

import markdown
import mkdocs
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..rendercache import Rendered

try:  # MkDocs' own processors, as its Page.render registers them (MkDocs 1.6)
    from mkdocs.structure.pages import (
        _ExtractAnchorsTreeprocessor,
        _ExtractTitleTreeprocessor,
        _RawHTMLPreprocessor,
        _RelativePathTreeprocessor,
    )
except ImportError:  # pragma: no cover - another MkDocs: it renders every page itself
    _MKDOCS_PROCESSORS = False
else:
    _MKDOCS_PROCESSORS = True

# Extensions known to keep no state between documents, or to clear it on reset().
_BUILTIN = (
    "abbr admonition attr_list codehilite def_list extra fenced_code footnotes legacy_attrs"
    " legacy_em md_in_html meta nl2br sane_lists smarty tables toc wikilinks"
).split()
_PYMDOWNX = (
    "arithmatex betterem caret details emoji highlight inlinehilite keys mark smartsymbols"
    " superfences tabbed tasklist tilde"
).split()
REUSABLE = frozenset(
    [*_BUILTIN, *(f"markdown.extensions.{name}" for name in _BUILTIN)]
    + [f"pymdownx.{name}" for name in _PYMDOWNX]
    + ["researchlog.mdext"]
)

# The engine's package: "mkdocs", or "properdocs" answering for it. Its logger names follow.
ENGINE = mkdocs.__name__
log = logging.getLogger(f"{ENGINE}.structure.pages")  # whose level decides on anchor links


class PageRenderer:
    """Renders pages of one build, as MkDocs would, on a shared Markdown instance."""

    def __init__(self, extensions: list[Any], configs: dict[str, Any]) -> None:
        self.extensions = extensions
        self.configs = configs
        self._markdown: markdown.Markdown | None = None

    @classmethod
    def for_config(cls, config: MkDocsConfig) -> PageRenderer | None:
        """A renderer, or None when MkDocs should render (an extension not known to reset)."""
        extensions = list(config.markdown_extensions)
        if not _MKDOCS_PROCESSORS or not all(
            isinstance(name, str) and name in REUSABLE for name in extensions
        ):
            return None
        return cls(extensions, dict(config.mdx_configs or {}))

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> Rendered:
        """What MkDocs' Page.render does, on the shared instance; returns what it set."""
        if page.markdown is None:
            raise RuntimeError(f"{page.file.src_uri}: the page's Markdown has not been read")
        rendered = self.convert(page.markdown, page.file, files, config, records_anchor_links())
        apply(page, rendered, files)
        return rendered

    def convert(
        self, text: str, file: File, files: Files, config: Any, anchor_links: bool
    ) -> Rendered:
        """A page's Markdown rendered as MkDocs renders it at `file`'s place among `files`.
        `config` needs only use_directory_urls and validation.links."""
        md = self._instance()
        md.reset()
        raw_html = _RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = _ExtractAnchorsTreeprocessor(file, files, config)
        anchors._register(md)
        links = _RelativePathTreeprocessor(file, files, config)
        links._register(md)
        title = _ExtractTitleTreeprocessor()
        title._register(md)
        html = md.convert(text)
        return Rendered(
            html=html,
            toc=list(getattr(md, "toc_tokens", [])),
            anchors=sorted(anchors.present_anchor_ids | raw_html.present_anchor_ids),
            links={target.src_uri: dict(found) for target, found in links.links_to_anchors.items()}
            if anchor_links
            else {},
            title=title.title,
        )

    def _instance(self) -> markdown.Markdown:
        if self._markdown is None:
            self._markdown = markdown.Markdown(
                extensions=self.extensions, extension_configs=self.configs
            )
        return self._markdown


def records_anchor_links() -> bool:
    """MkDocs records links to anchors (to check them) unless its log shows debug messages."""
    return log.getEffectiveLevel() > logging.DEBUG


def apply(page: Page, rendered: Rendered, files: Files) -> None:
    """Set on `page` what MkDocs' Page.render sets."""
    page.content = rendered.html
    page.toc = get_toc(rendered.toc)  # type: ignore[arg-type]
    page._title_from_render = rendered.title
    page.present_anchor_ids = set(rendered.anchors)
    if records_anchor_links():
        page.links_to_anchors = {
            target: dict(anchors)
            for uri, anchors in rendered.links.items()
            if (target := files.get_file_from_path(uri)) is not None
        }


class MessageCount(logging.Handler):
    """Counts the messages MkDocs and the Markdown extensions log while it is attached: a page
    whose rendering logged any is never taken from the render cache."""

    LOGGERS = ("", ENGINE)

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def attach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)

    def detach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)

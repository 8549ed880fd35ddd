"""Parts of Material's pages made once for many pages, not again on every page.

The navigation. Material draws the site's whole navigation into every page, through its
partials/nav.html: a third of the time its templates take on a large log. An entry's page is
not in the navigation, so no item in it is marked as the current one, and its navigation
differs from another such page's only in how the links are written: each relative to the
page's URL. Pages whose links all resolve alike get one drawing, made for the first of them by
the theme's own partials/nav.html, unchanged.

MkDocs writes a link from the page's URL, less a file name (mkdocs.utils.get_relative_url):
up to the folder it shares with the target, then down to the target. So pages written from
the same folder write every link alike. So do two pages in one folder, `log/2024/a/` and
`log/2024/b/`, unless a target lies below one of them: such a page is drawn on its own.

The header. It shows the page's title, and otherwise differs between such pages only in its
links, as the navigation does: it is drawn once for each group, with a mark where the title
goes, and each page gets it with its own title.

The words. Each of the 30 or so words a page is drawn with (`lang.t("search")`) makes
Material's whole table of its language's words again; the theme's partials/language.html
here looks each word up once.

Both are installed only where the theme's own templates draw them: a custom_dir that replaces
one of the templates involved keeps every page drawn as before.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    Environment,
    PrefixLoader,
    TemplateNotFound,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig

NAV = "partials/nav.html"
HEADER = "partials/header.html"
LANGUAGE = "partials/language.html"
THEME = "researchlog-theme"  # the theme's own templates, under this prefix
_UNTITLED = "researchlog/header-untitled.html"  # the header with a mark for the page's title
# What each part is drawn with. A custom_dir that replaces one of them may draw something of
# the page itself.
NAV_PARTS = (NAV, "partials/nav-item.html", "partials/logo.html", "partials/source.html")
HEADER_PARTS = (
    HEADER,
    "partials/logo.html",
    "partials/palette.html",
    "partials/javascripts/palette.html",
    "partials/alternate.html",
    "partials/search.html",
    "partials/source.html",
    "partials/tabs.html",
    "partials/tabs-item.html",
)
# In researchlog's partials/header.html (Material's, but for the search): the page's title,
# the header's one part of the page itself but for its links.
_TITLE = """{% if page.meta and page.meta.title %}
              {{ page.meta.title }}
            {% else %}
              {{ page.title }}
            {% endif %}"""
_MARK = "\x00researchlog-title\x00"
# In Material's partials/language.html: how a word is found, made again on every call.
_LOOKUP = "{{ lang.t(key) or fallback.t(key) or key }}"
_LOOKUP_ONCE = "{{ researchlog_word(lang, fallback, key) }}"

Key = tuple[str, tuple[str, ...]]


def share_parts(env: Environment, config: MkDocsConfig, ours: Collection[str]) -> None:
    """Draw the navigation and the header once for each group of `ours` (source paths) that
    are outside the navigation and whose links resolve alike, and look each word of the
    theme up once."""
    theme = env.loader
    if theme is None:
        return
    custom = Path(config.theme.custom_dir) if config.theme.custom_dir else None

    def replaced_in_custom_dir(names: Iterable[str]) -> bool:
        return custom is not None and any((custom / name).exists() for name in names)

    replaced: dict[str, str] = {}
    if not replaced_in_custom_dir(NAV_PARTS):
        replaced[NAV] = "{{ researchlog_nav() }}"
        env.globals["researchlog_nav"] = _shared(NAV, config, ours)
    untitled = None if replaced_in_custom_dir(HEADER_PARTS) else _untitled(env, theme)
    if untitled is not None:
        replaced[HEADER], replaced[_UNTITLED] = "{{ researchlog_header() }}", untitled
        env.globals["researchlog_header"] = _shared(HEADER, config, ours, (_UNTITLED, _titled))
    words = None if replaced_in_custom_dir([LANGUAGE, "partials/languages"]) else _words(env, theme)
    if words is not None:
        replaced[LANGUAGE] = words
        env.globals["researchlog_word"] = _word_lookup()
    if replaced:
        env.loader = ChoiceLoader([DictLoader(replaced), PrefixLoader({THEME: theme}), theme])


def _shared(
    name: str,
    config: MkDocsConfig,
    ours: Collection[str],
    shared: tuple[str, Callable[[str, Any], str]] | None = None,
) -> Callable[..., Markup]:
    """A global that draws the theme's template `name` once for each group of pages
    (shared_key). With `shared` (a template and a finish), a group's drawing is made from
    that template and each page gets finish(drawing, page)."""
    template, finish = shared or (f"{THEME}/{name}", lambda html, page: html)
    drawn: dict[tuple[int, Key], str] = {}  # by the navigation's id and the pages' key
    below: dict[int, list[tuple[str, ...]]] = {}  # the parts of the URLs each nav links to

    @pass_context
    def draw(context: Context) -> Markup:
        page, nav = context.get("page"), context.get("nav")
        key = None
        if page is not None and nav is not None and page.file.src_uri in ours:
            if id(nav) not in below:
                below[id(nav)] = [parts(url) for url in _targets(nav, config)]
            key = shared_key(page.url, below[id(nav)], _any_active(nav))
        environment = context.environment
        if key is None:
            return Markup(environment.get_template(f"{THEME}/{name}").render(context.get_all()))
        if (id(nav), key) not in drawn:
            drawn[id(nav), key] = environment.get_template(template).render(context.get_all())
        return Markup(finish(drawn[id(nav), key], page))

    return draw


def _untitled(env: Environment, theme: BaseLoader) -> str | None:
    """The header with a mark where the page's title goes; None if it is not researchlog's
    own header (the mark's whitespace is the title's in it)."""
    try:
        source = theme.get_source(env, HEADER)[0]
    except TemplateNotFound:
        return None
    mark = "\n              " + _MARK + "\n            "
    return source.replace(_TITLE, mark) if source.count(_TITLE) == 1 else None


def _titled(html: str, page: Any) -> str:
    """The header drawn with the mark, with this page's title: as _TITLE writes it."""
    meta = page.meta
    return html.replace(_MARK, str(meta["title"] if meta and meta.get("title") else page.title))


def _words(env: Environment, theme: BaseLoader) -> str | None:
    """The theme's partials/language.html, looking each word up once; None if it does not
    look words up as Material's does."""
    try:
        source = theme.get_source(env, LANGUAGE)[0]
    except TemplateNotFound:
        return None
    return source.replace(_LOOKUP, _LOOKUP_ONCE) if source.count(_LOOKUP) == 1 else None


def _word_lookup() -> Callable[[Any, Any, str], Any]:
    found: dict[tuple[str, str, str], Any] = {}

    def word(lang: Any, fallback: Any, key: str) -> Any:
        """What `lang.t(key) or fallback.t(key) or key` gives, made once for each key."""
        name = (str(lang.__name__), str(fallback.__name__), key)
        if name not in found:
            found[name] = lang.t(key) or fallback.t(key) or key
        return found[name]

    return word


def link_base(url: str) -> tuple[str, ...]:
    """The folders MkDocs writes a page's links from: its URL, less a file name."""
    head, tail = posixpath.split(url)
    return parts(head if "." in tail else url)


def parts(url: str) -> tuple[str, ...]:
    return tuple(part for part in posixpath.normpath("/" + url).split("/") if part)


def shared_key(url: str, targets: Iterable[tuple[str, ...]], active: bool) -> Key | None:
    """What decides the navigation drawn for the page at `url`, given the parts of every URL
    it links to; None when an item in it is the current page. Pages whose links resolve from
    the same folder share it; so do pages in the same folder with no target below any of
    them (`log/2024/a/` and `log/2024/b/`)."""
    if active:
        return None
    base = link_base(url)
    if any(target[: len(base)] == base for target in targets):
        return ("at", base)
    return ("in", base[:-1])


def _any_active(nav: Any) -> bool:
    # MkDocs marks the current page and every section above it: the top level tells.
    return any(item.active for item in nav.items)


def _targets(nav: Any, config: MkDocsConfig) -> list[str]:
    """Every URL the navigation and the header link to: the navigation's pages and links,
    the home page, the logo, the pages in other languages."""
    urls = [str(config.extra.get("homepage") or ""), str(config.theme.get("logo") or "")]
    urls += [str(alternate.get("link") or "") for alternate in config.extra.get("alternate") or ()]
    if nav.homepage is not None:
        urls.append(nav.homepage.url)
    items = list(nav.items)
    while items:
        item = items.pop()
        items.extend(getattr(item, "children", None) or ())
        url = getattr(item, "url", None)
        if isinstance(url, str):
            urls.append(url)
    return urls

"""The site model as MkDocs files and navigation.

MkDocs requires docs_dir to be below the config file, so mkdocs.yml names the playbook folder;
the files are then made from the repository root itself, with pages keeping their repository
paths (log/2025/x.md, playbook/y.md), so relative links between entries and the playbook work
both on the forge's file view and on the site.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from ..build.outputs import PageOutputs
from ..core.cache import digest, installed_distributions
from ..core.codekey import code_key
from ..core.settings import Settings
from ..pages.model import NavItem, PageSource, Site, StaticFile


class LogPageFile(File):
    """A page the log makes. One whose rendering was reused from an earlier build is not
    modified, so a dirty build (`researchlog build`) neither reads nor renders it again."""

    reused = False

    def is_modified(self) -> bool:
        return not self.reused


class NotebookPageFile(LogPageFile):
    """A notebook entry is a page: links to x.ipynb resolve to the entry's page."""

    def is_documentation_page(self) -> bool:
        return True


def site_files(
    files: Files, site: Site, config: MkDocsConfig, settings: Settings, *, user_nav: bool
) -> Files:
    """MkDocs' own view of docs_dir replaced by the site's pages and files."""
    docs_dir = os.path.realpath(config.docs_dir)
    playbook = os.path.realpath(settings.root / settings.playbook_dir)
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
    in_nav = None if user_nav else nav_uris(site.nav)
    result = Files(kept)
    # MkDocs reads pages in this order. Notebook pages go last, so their conversions,
    # started a moment ago in another process, are done by the time they are read.
    for page in sorted(site.pages, key=lambda page: page.src_uri.endswith(".ipynb")):
        result.append(page_file(page, config, settings, in_nav))
    for static in site.files:
        result.append(static_file(static, config))
    return result


def page_file(
    page: PageSource, config: MkDocsConfig, settings: Settings, in_nav: set[str] | None
) -> File:
    inclusion = InclusionLevel.UNDEFINED
    if in_nav is not None and page.src_uri not in in_nav:
        inclusion = InclusionLevel.NOT_IN_NAV  # entries are reached through index pages
    if page.source is None:
        # The Markdown comes from on_page_read_source; the file itself stays empty.
        return LogPageFile.generated(config, page.src_uri, content="", inclusion=inclusion)
    kind = NotebookPageFile if page.src_uri.endswith(".ipynb") else LogPageFile
    # Backed by its source file, so the edit link points at it; read via on_page_read_source.
    return kind(
        page.src_uri,
        src_dir=str(settings.root),
        dest_dir=config.site_dir,
        use_directory_urls=config.use_directory_urls,
        inclusion=inclusion,
    )


def static_file(static: StaticFile, config: MkDocsConfig) -> File:
    if static.source is not None:
        return File.generated(config, static.src_uri, abs_src_path=str(static.source))
    return File.generated(config, static.src_uri, content=static.content or b"")


def add_static_files(files: Files, statics: list[StaticFile], config: MkDocsConfig) -> None:
    """Files made during the build (a notebook's extracted images) join the site."""
    for static in statics:
        if static.src_uri not in files.src_uris:
            files.append(static_file(static, config))


def nav_uris(items: tuple[NavItem, ...]) -> set[str]:
    found: set[str] = set()
    for item in items:
        if item.src_uri:
            found.add(item.src_uri)
        found |= nav_uris(item.children)
    return found


def mkdocs_nav(items: tuple[NavItem, ...]) -> list[Any]:
    nav: list[Any] = []
    for item in items:
        if item.children:
            nav.append({item.title: mkdocs_nav(item.children)})
        else:
            nav.append({item.title: item.src_uri})
    return nav


def reuse_pages(files: Files, keys: Mapping[str, str], outputs: PageOutputs) -> list[str]:
    """Pages whose key was rendered before, linked into the new site and marked unmodified;
    returns their source paths."""
    reused = []
    for uri, key in keys.items():
        file = files.get_file_from_path(uri)
        if isinstance(file, LogPageFile) and outputs.reuse(key, file.abs_dest_path):
            file.reused = True
            reused.append(uri)
    return reused


def keep_pages(
    config: MkDocsConfig, keys: Mapping[str, str], outputs: PageOutputs, *, prune: bool = True
) -> None:
    """Keep the pages rendered this build, by key, for the next builds; with `prune`, remove
    kept pages that no build has used for a while."""
    site = Path(config.site_dir)
    for uri, key in keys.items():
        kind = NotebookPageFile if uri.endswith(".ipynb") else LogPageFile
        file = kind(
            uri, src_dir=None, dest_dir=str(site), use_directory_urls=config.use_directory_urls
        )
        outputs.keep(key, file.abs_dest_path)
    if prune:
        outputs.prune()
    outputs.save()


_SHELL_SETTINGS = (
    "site_name",
    "site_url",
    "site_description",
    "site_author",
    "repo_url",
    "repo_name",
    "edit_uri",
    "copyright",
    "extra",
    "use_directory_urls",
    "markdown_extensions",
    "mdx_configs",
    "extra_css",
    "extra_javascript",
)


def shell_key(config: MkDocsConfig, site: Site) -> str:
    """Everything besides a page's own making that shapes its HTML: the engine, the version of
    every installed library (the theme, Markdown and its extensions), researchlog's code and
    templates, the configuration (as written and as in effect), the templates in the theme's
    folders, and the navigation every page carries."""
    import mkdocs

    parts: list[str | bytes] = [
        mkdocs.__name__,  # mkdocs or properdocs
        *installed_distributions(),  # Markdown's extensions render the pages too
        code_key("researchlog.plugin.events"),
        repr(site.nav),
    ]
    # The configuration as it is in effect: the file as written (above) may take values from
    # the environment (!ENV), and `serve` sets its own site_url.
    effective = {name: config.get(name) for name in _SHELL_SETTINGS}
    effective["theme"] = dict(config.theme.items())
    parts.append(json.dumps(effective, sort_keys=True, default=str))
    config_file = config.config_file_path
    if config_file:
        with contextlib.suppress(OSError):
            parts.append(Path(config_file).read_bytes())
    for folder in config.theme.dirs:
        root = Path(folder)
        installed = "site-packages" in root.parts or "dist-packages" in root.parts
        if installed and "researchlog" not in root.parts:
            continue  # an installed theme: its version is above
        for path in sorted(root.rglob("*.html")):
            with contextlib.suppress(OSError):
                parts.append(path.read_bytes())
    return digest(*parts)

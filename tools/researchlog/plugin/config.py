"""The plugin's configuration: its options (made from the one option table), the settings
they give, and what the plugin adds to MkDocs' own configuration."""

from __future__ import annotations

import logging
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.base import BaseConfigOption, Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from ..build.sitefolder import SiteFolderRefused, check_site_folder, sources
from ..core.options import OPTIONS
from ..core.settings import Settings, option_lines, settings_from
from ..views import NOTEBOOK_STYLESHEET, REQUIRED_EXTENSIONS, SCRIPT, STYLESHEET
from ..views.search import SEARCH_SCRIPT, SEARCH_STYLESHEET


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


def settings_for(config: MkDocsConfig, options: ResearchLogConfig) -> Settings:
    """The log's settings from MkDocs' configuration and the plugin's options."""
    config_file = Path(config.config_file_path or "mkdocs.yml")
    site = {
        "site_name": config.site_name,
        "site_url": config.site_url,
        "repo_url": config.repo_url,
        "validation": {"not_found": _level_name(config.validation.links.not_found)},
    }
    return settings_from(
        config_file.resolve().parent,
        site,
        {name: value for name, value in options.items() if value is not None},
        config_file=config_file.name,
        lines=option_lines(config_file),
        unknown_reported_elsewhere=True,  # MkDocs reports unknown options itself
    )


def refuse_source_as_site(config: MkDocsConfig, settings: Settings) -> None:
    """MkDocs cleans its site folder before building: never one the build reads from."""
    folders = sources(
        settings.root,
        log_dir=settings.log_dir,
        playbook_dir=settings.playbook_dir,
        docs_dir=config.docs_dir,
        custom_dir=config.theme.custom_dir,
        cache_dir=settings.cache_dir,
    )
    site = Path(config.site_dir)
    shown = os.path.relpath(site, settings.root) if site.is_relative_to(settings.root) else site
    try:
        check_site_folder(site, f"the site folder {shown}", folders)
    except SiteFolderRefused as exc:
        raise PluginError(f"{exc}\n    fix: {exc.hint}") from None


def add_to_config(config: MkDocsConfig) -> list[str]:
    """The Markdown extensions, styles, scripts and templates the site needs; returns
    warnings about the user's configuration."""
    for name in REQUIRED_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    config.mdx_configs.setdefault("pymdownx.tasklist", {"custom_checkbox": True})
    for stylesheet in (STYLESHEET, NOTEBOOK_STYLESHEET, SEARCH_STYLESHEET):
        if stylesheet not in config.extra_css:
            config.extra_css.append(stylesheet)
    scripts = [str(s) for s in config.extra_javascript]
    for script in (SCRIPT, SEARCH_SCRIPT):
        if script not in scripts:
            config.extra_javascript.append(script)
    # Our search box replaces Material's: a template override placed after the user's
    # custom_dir, so theirs still wins.
    overrides = str(resources.files("researchlog") / "overrides")
    if overrides not in config.theme.dirs:
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, overrides)
    if "material/search" in config.plugins:
        return [
            "Material's search plugin is enabled, but researchlog provides the site's"
            " search: remove `- search` from plugins in mkdocs.yml (it only adds build time)"
        ]
    return []


def _level_name(level: int) -> str:
    """MkDocs' validation levels by the names mkdocs.yml gives them."""
    return "warn" if level >= logging.WARNING else "info" if level >= logging.INFO else "ignore"

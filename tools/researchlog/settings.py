"""Settings for one research log, read from mkdocs.yml without importing MkDocs.

The plugin passes its validated config in; the CLI reads the same keys from the file, so
`researchlog check` and `find` start fast and agree with the build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem, error, warning

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


@dataclass(frozen=True)
class Settings:
    root: Path
    log_dir: str = "log"
    playbook_dir: str = "playbook"
    site_name: str = "Research log"
    site_url: str | None = None
    repo_url: str | None = None
    commit_url: str | None = None  # e.g. "{repo_url}/commit/{sha}"
    metric_directions: Mapping[str, str] = field(default_factory=dict)  # name -> higher | lower
    project_metrics: Mapping[str, str] = field(default_factory=dict)  # project -> main metric
    cache_dir: str = ".researchlog-cache"
    notebook_max_mb: float = 5.0
    trust_notebook_html: bool = False
    execute_notebooks: bool = False
    execute_timeout: int = 600
    stale_after: int = 5  # a bet with no improvement in its last N entries is flagged
    git_history: bool = True
    link_not_found: str = "warn"  # MkDocs' validation.links.not_found: warn, info or ignore

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    def higher_is_better(self, metric: str) -> bool:
        return self.metric_directions.get(metric, "higher") != "lower"

    def commit_link(self, sha: str) -> str | None:
        template = self.commit_url
        if template is None and self.repo_url:
            template = "{repo_url}/commit/{sha}"
        if template is None:
            return None
        return template.format(repo_url=(self.repo_url or "").rstrip("/"), sha=sha)


DIRECTIONS = ("higher", "lower")


def with_usable_cache(settings: Settings) -> tuple[Settings, list[Problem]]:
    """The settings with a cache folder this run can write to. A read-only cache (a restored
    CI cache, a shared checkout) is bypassed, never a reason to fail: this run keeps its
    cache in a temporary folder, and says so."""
    from .cache import probe_writable, throwaway_folder

    reason = probe_writable(settings.cache_path)
    if reason is None:
        return settings, []
    shown = settings.cache_dir
    problem = warning(
        shown,
        None,
        f"the cache folder cannot be written ({reason.strerror or reason}); this run keeps"
        " its cache in a temporary folder, so it reads and renders everything again",
        f"make {shown} writable, delete it (it is made again), or set cache_dir in"
        f" {_config_name(settings.root)} to a folder this user can write",
    )
    return replace(settings, cache_dir=str(throwaway_folder())), [problem]


def config_problems(settings: Settings) -> list[Problem]:
    """Plugin options the build would otherwise misread silently."""
    problems = []
    for metric, direction in settings.metric_directions.items():
        if direction not in DIRECTIONS:
            problems.append(
                error(
                    _config_name(settings.root),
                    _line_of(settings.root, metric),
                    f'metric "{metric}" has direction "{direction}"',
                    f"write {metric}: higher or {metric}: lower (higher is the default)",
                )
            )
    if settings.stale_after < 1:
        problems.append(
            error(
                _config_name(settings.root),
                _line_of(settings.root, "stale_after"),
                f"stale_after is {settings.stale_after}",
                "use a number of entries, 1 or more (the default is 5)",
            )
        )
    return problems


def _config_name(root: Path) -> str:
    found = find_config(root)
    return found.name if found is not None and found.parent == root else CONFIG_NAMES[0]


def _line_of(root: Path, key: str) -> int | None:
    """The line of `key:` in mkdocs.yml, for a message that points at it."""
    found = find_config(root)
    if found is None:
        return None
    try:
        lines = found.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        if line.strip().startswith((f"{key}:", f'"{key}":', f"'{key}':")):
            return number
    return None


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, which may carry !!python/name: or !ENV tags, as plain data."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return None


_TolerantLoader.add_multi_constructor("", _unknown_tag)


def find_config(start: Path) -> Path | None:
    """mkdocs.yml in `start` or the nearest folder above it."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def read_config(config: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data ({} where it cannot be read: MkDocs reports why)."""
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        data = {}
    return data if isinstance(data, dict) else {}


def load_settings(start: Path) -> Settings:
    config = find_config(start.resolve())
    if config is None:
        return Settings(root=start.resolve())
    data = read_config(config)
    return settings_from(config.parent, data, plugin_options(data))


def plugin_options(data: Mapping[str, Any]) -> dict[str, Any]:
    for item in data.get("plugins") or []:
        if isinstance(item, dict) and "researchlog" in item:
            return dict(item["researchlog"] or {})
    return {}


def settings_from(root: Path, site: Mapping[str, Any], options: Mapping[str, Any]) -> Settings:
    """Settings from mkdocs.yml's top-level keys and the plugin's options."""
    defaults = Settings(root=root)

    def option(name: str) -> Any:
        value = options.get(name)
        return getattr(defaults, name) if value is None else value

    return Settings(
        root=root,
        log_dir=str(option("log_dir")).strip("/"),
        playbook_dir=str(option("playbook_dir")).strip("/"),
        site_name=str(site.get("site_name") or defaults.site_name),
        site_url=site.get("site_url") or None,
        repo_url=site.get("repo_url") or None,
        commit_url=options.get("commit_url") or None,
        metric_directions={str(k): str(v) for k, v in (options.get("metrics") or {}).items()},
        project_metrics={str(k): str(v) for k, v in (options.get("project_metrics") or {}).items()},
        cache_dir=str(option("cache_dir")),
        notebook_max_mb=float(option("notebook_max_mb")),
        trust_notebook_html=bool(option("trust_notebook_html")),
        execute_notebooks=bool(option("execute_notebooks")),
        execute_timeout=int(option("execute_timeout")),
        stale_after=int(option("stale_after")),
        git_history=bool(option("git_history")),
        link_not_found=_not_found_level(site.get("validation")),
    )


def _not_found_level(validation: Any) -> str:
    """How MkDocs treats a link to a missing file: `validation: {links: {not_found: …}}`, or
    the shorthand `validation: {not_found: …}`; a warning unless set otherwise."""
    if not isinstance(validation, Mapping):
        return "warn"
    links = validation.get("links")
    value = links.get("not_found") if isinstance(links, Mapping) else None
    value = value or validation.get("not_found") or "warn"
    return str(value) if str(value) in ("warn", "info", "ignore") else "warn"

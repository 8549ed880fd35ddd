"""Settings for one research log, read from its config file without importing MkDocs.

The config file is researchlog.yml where a repository has one (a research log beside the
repository's own MkDocs site, whose mkdocs.yml stays theirs), else mkdocs.yml. Either is a
whole MkDocs configuration with the researchlog plugin. The plugin passes its config in; the
CLI reads the same keys from the file. Both go through `settings_from`, which validates every
option with the one option table (options.py), so `researchlog check` and the build agree on
values and on problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from .options import BY_NAME, OPTIONS
from .problems import Problem, error, warning

# In the order they are looked for, in each folder from the current one up: the log's own
# file first, so a repository's mkdocs.yml can stay the configuration of its own docs.
OWN_CONFIG = "researchlog.yml"
CONFIG_NAMES = (OWN_CONFIG, "researchlog.yaml", "mkdocs.yml", "mkdocs.yaml")
PLUGIN = "researchlog"


@dataclass(frozen=True)
class Settings:
    root: Path
    config_file: str = "mkdocs.yml"  # relative to root, for messages
    site_name: str = "Research log"
    site_url: str | None = None
    repo_url: str | None = None
    link_not_found: str = "warn"  # MkDocs' validation.links.not_found: warn, info or ignore
    # The plugin's options (core/options.py has their defaults and help).
    log_dir: str = "log"
    playbook_dir: str = "playbook"
    metrics: Mapping[str, str] = field(default_factory=dict)  # metric -> higher | lower
    project_metrics: Mapping[str, str] = field(default_factory=dict)  # project -> main metric
    stale_after: int = 5  # a bet with no improvement in its last N entries is flagged
    isolation_days: int = 30  # a bet one person carries alone for longer is flagged
    max_bets_per_person: int = 2  # a person on more bets than this lately is flagged
    commit_url: str | None = None  # e.g. "{repo_url}/commit/{sha}"
    code_url: str | None = None  # e.g. "{repo_url}/blob/{branch}/{path}"
    code_branch: str | None = None  # default: the branch checked out
    cache_dir: str = ".researchlog-cache"
    notebook_max_mb: float = 5.0
    trust_notebook_html: bool = False
    execute_notebooks: bool = False
    execute_timeout: int = 600
    git_history: bool = True
    engine: str | None = None  # None: the first installed (engines/choice.py)
    problems: tuple[Problem, ...] = ()  # what was wrong with the options given

    @property
    def has_config(self) -> bool:
        """Whether the log has a config file (without one, every setting is its default)."""
        return (self.root / self.config_file).is_file()

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    def higher_is_better(self, metric: str) -> bool:
        """As configured (`metrics:`), else as the metric's name suggests."""
        return self.direction(metric) != "lower"

    def direction(self, metric: str) -> str:
        return self.metrics.get(metric) or inferred_direction(metric)

    def is_inferred(self, metric: str) -> bool:
        """Whether the metric's direction was guessed from its name, not configured."""
        return metric not in self.metrics

    def commit_link(self, sha: str) -> str | None:
        template = self.commit_url
        if template is None and self.repo_url:
            template = "{repo_url}/commit/{sha}"
        if template is None:
            return None
        return template.format(repo_url=(self.repo_url or "").rstrip("/"), sha=sha)

    @property
    def links_code(self) -> bool:
        """Whether links to the repository's code go to the forge (else they are published)."""
        return bool(self.code_url or self.repo_url)

    def code_link(self, path: str, branch: str) -> str | None:
        """Where the forge shows the repository file `path` (relative to the repository's
        top) on `branch`: GitHub's `{repo_url}/blob/{branch}/{path}`, or GitLab's
        `{repo_url}/-/blob/{branch}/{path}` for a repo_url on a GitLab host; `code_url`
        sets another form."""
        template = self.code_url
        if template is None and self.repo_url:
            host = urlsplit(self.repo_url).netloc.lower()
            blob = "/-/blob/" if "gitlab" in host else "/blob/"
            template = "{repo_url}" + blob + "{branch}/{path}"
        if template is None:
            return None
        return template.format(
            repo_url=(self.repo_url or "").rstrip("/"),
            branch=quote(branch, safe="/"),
            path=quote(path, safe="/"),
        )


# Words in a metric's name that mean smaller is better: losses, errors, times and costs.
LOWER_WORDS = (
    "loss",
    "error",
    "latency",
    "time",
    "cost",
    "wape",
    "mape",
    "rmse",
    "mse",
    "mae",
    "perplexity",
)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def inferred_direction(metric: str) -> str:
    """Which way a metric is better, from its name alone: lower for losses, errors, times,
    costs and the usual error measures (train_loss, iter_time_ms, val_rmse, perplexity),
    higher for everything else (accuracy, F1, AUC)."""
    words = [word.lower() for word in _WORDS.findall(metric)]
    if words and words[-1] == "ms":
        return "lower"
    if any(word.endswith(LOWER_WORDS) for word in words):
        return "lower"
    return "higher"


def settings_from(
    root: Path,
    site: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    config_file: str = "mkdocs.yml",
    lines: Mapping[str, int] | None = None,
    unknown_reported_elsewhere: bool = False,
) -> Settings:
    """Settings from the config's top-level keys (`site`) and the plugin's `options`, each
    option validated by the option table; `lines` gives the line of each option's key (and
    of `option.key` for items of a mapping), for messages."""
    lines = lines or {}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for option in OPTIONS:
        value, issues = option.read(options.get(option.name))
        values[option.name] = value
        for issue in issues:
            line = lines.get(f"{option.name}.{issue.key}") or lines.get(option.name)
            problems.append(
                error(config_file, line, issue.message, issue.hint, code="option-invalid")
            )
    if not unknown_reported_elsewhere:  # MkDocs reports unknown options itself
        for name in options:
            if name not in BY_NAME:
                problems.append(_unknown_option(str(name), config_file, lines.get(str(name))))
    return Settings(
        root=root,
        config_file=config_file,
        site_name=str(site.get("site_name") or Settings.site_name),
        site_url=site.get("site_url") or None,
        repo_url=site.get("repo_url") or None,
        link_not_found=_not_found_level(site.get("validation")),
        problems=tuple(problems),
        **values,
    )


def _unknown_option(name: str, config_file: str, line: int | None) -> Problem:
    from difflib import get_close_matches

    guess = get_close_matches(name, list(BY_NAME), n=1)
    return warning(
        config_file,
        line,
        f'the {PLUGIN} plugin has no option "{name}"; it is ignored',
        f'did you mean "{guess[0]}"?' if guess else "options: " + ", ".join(BY_NAME),
        code="option-unknown",
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
        f" {settings.config_file} to a folder this user can write",
        code="cache-unwritable",
    )
    return replace(settings, cache_dir=str(throwaway_folder())), [problem]


# ----------------------------------------------------------------------------- the file


class _TolerantLoader(yaml.SafeLoader):
    """Reads the config file, which may carry !!python/name: or !ENV tags, as plain data."""


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
    """The config file in `start` or the nearest folder above it that has one: researchlog.yml
    before mkdocs.yml (CONFIG_NAMES), so every command and the build find the same file."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def read_config(config: Path) -> dict[str, Any]:
    """The config file as plain data ({} where it cannot be read: MkDocs reports why). The
    one reader of the config file for every command: tags such as !!python/name: are kept
    as text."""
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        data = {}
    return data if isinstance(data, dict) else {}


def load_settings(start: Path) -> Settings:
    config = find_config(start.resolve())
    if config is None:
        return Settings(root=start.resolve())
    return settings_of(config)


def settings_of(config: Path) -> Settings:
    """The settings a config file gives, with a Problem (file and line) for each bad option."""
    data = read_config(config)
    return settings_from(
        config.parent,
        data,
        plugin_options(data),
        config_file=config.name,
        lines=option_lines(config),
    )


def plugin_options(data: Mapping[str, Any]) -> dict[str, Any]:
    for item in data.get("plugins") or []:
        if isinstance(item, dict) and PLUGIN in item:
            return dict(item[PLUGIN] or {})
    return {}


def option_lines(config: Path) -> dict[str, int]:
    """The line of each of the plugin's options in the config file ("name", and "name.key"
    for the items of a mapping), read from YAML's own node positions."""
    try:
        root = yaml.compose(config.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return {}
    plugins = _value(root, "plugins")
    if not isinstance(plugins, yaml.SequenceNode):
        return {}
    for item in plugins.value:
        options = _value(item, PLUGIN)
        if isinstance(options, yaml.MappingNode):
            return dict(_lines(options, ""))
    return {}


def _value(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value
    return None


def _lines(node: yaml.MappingNode, prefix: str) -> list[tuple[str, int]]:
    found = []
    for name, value in node.value:
        if not isinstance(name, yaml.ScalarNode):
            continue
        found.append((prefix + str(name.value), name.start_mark.line + 1))
        if isinstance(value, yaml.MappingNode) and not prefix:
            found.extend(_lines(value, f"{name.value}."))
    return found

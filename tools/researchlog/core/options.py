"""The plugin's options, declared once.

This table makes both the MkDocs config class (plugin/config.py) and the CLI's Settings, and
both validate with it: a bad value is the same Problem, naming the config file and its line,
whether `researchlog check` or the build reads it. A bad value never stops anything; its
default is used, and strict runs fail on the error.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DIRECTIONS = ("higher", "lower")
ENGINES = ("mkdocs", "properdocs", "zensical")


@dataclass(frozen=True)
class Issue:
    """What is wrong with an option's value (`key`: the item of a mapping it concerns)."""

    message: str
    hint: str
    key: str | None = None


Parsed = tuple[Any, list[Issue]]  # the value to use, and what was wrong with the one given


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    help: str
    parse: Callable[[str, Any, Any], Parsed]  # (name, value, default) -> Parsed

    def read(self, value: Any) -> Parsed:
        """The value to use for what the config gives (None: not given)."""
        if value is None:
            return self.default, []
        return self.parse(self.name, value, self.default)


def _shown(value: Any) -> str:
    return f'the text "{value}"' if isinstance(value, str) else f"{value!r}"


def folder(name: str, value: Any, default: Any) -> Parsed:
    if not isinstance(value, str) or not value.strip("/ "):
        return default, [
            Issue(f"{name} must be a folder name, not {_shown(value)}", f"for example {default}")
        ]
    path = value.strip().strip("/")
    if value.strip().startswith("/") or ".." in path.split("/"):
        return default, [
            Issue(
                f'{name} is "{value}", outside the repository',
                f"name a folder inside the repository, relative to it, e.g. {default}",
            )
        ]
    return path, []


def text(name: str, value: Any, default: Any) -> Parsed:
    if not isinstance(value, str) or not value.strip():
        return default, [Issue(f"{name} must be text, not {_shown(value)}", "write it as text")]
    return value, []


def code_template(name: str, value: Any, default: Any) -> Parsed:
    """An address with {repo_url}, {branch} and {path} in it, and nothing else in braces."""
    value, issues = text(name, value, default)
    if issues:
        return value, issues
    allowed = ("repo_url", "branch", "path")
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    except ValueError:
        fields = ["?"]
    wrong = [field for field in fields if field not in allowed]
    if wrong or "path" not in fields:
        return default, [
            Issue(
                f'{name} is "{value}", which is not an address with {{path}} in it'
                + (f" (it has {{{wrong[0]}}})" if wrong else ""),
                'use {repo_url}, {branch} and {path}, e.g. "{repo_url}/src/branch/{branch}/{path}"',
            )
        ]
    return value, []


def boolean(name: str, value: Any, default: Any) -> Parsed:
    if isinstance(value, bool):
        return value, []
    return default, [
        Issue(
            f"{name} must be true or false, not {_shown(value)}",
            f"write {name}: true or {name}: false, without quotes",
        )
    ]


def positive_whole(name: str, value: Any, default: Any) -> Parsed:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value, []
    what = f"{name} is {value}" if isinstance(value, int) else f"{name} is {_shown(value)}"
    return default, [Issue(what, f"use a whole number, 1 or more (the default is {default})")]


def positive_number(name: str, value: Any, default: Any) -> Parsed:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value), []
    return default, [
        Issue(
            f"{name} must be a number above 0, not {_shown(value)}",
            f"use a number, e.g. {default}",
        )
    ]


def directions(name: str, value: Any, default: Any) -> Parsed:
    """metric -> higher | lower; a bad direction leaves out that metric only."""
    if not isinstance(value, Mapping):
        return default, [
            Issue(
                f"{name} must map metric names to higher or lower, not {_shown(value)}",
                f"write one metric per line under {name}:, e.g. val_loss: lower",
            )
        ]
    kept: dict[str, str] = {}
    issues = []
    for metric, direction in value.items():
        if direction in DIRECTIONS:
            kept[str(metric)] = str(direction)
        else:
            issues.append(
                Issue(
                    f'metric "{metric}" has direction "{direction}"',
                    f"write {metric}: higher or {metric}: lower (higher is the default)",
                    key=str(metric),
                )
            )
    return kept, issues


def engine(name: str, value: Any, default: Any) -> Parsed:
    if value in ENGINES:
        return value, []
    return default, [Issue(f"{name} is {_shown(value)}", "use one of: " + ", ".join(ENGINES))]


def names(name: str, value: Any, default: Any) -> Parsed:
    """A mapping of names to names (project -> main metric)."""
    if not isinstance(value, Mapping) or not all(isinstance(v, str) and v for v in value.values()):
        return default, [
            Issue(
                f"{name} must map names to names, not {_shown(value)}",
                f"write one per line under {name}:, e.g. my-project: val_f1",
            )
        ]
    return {str(k): str(v) for k, v in value.items()}, []


OPTIONS: tuple[Option, ...] = (
    Option("log_dir", "log", "where entries live", folder),
    Option("playbook_dir", "playbook", "the playbook's folder", folder),
    Option(
        "metrics",
        {},
        "which way is better for each metric: higher or lower (default higher)",
        directions,
    ),
    Option(
        "project_metrics",
        {},
        "a project's main metric, for its returns curve (default: the one most entries report)",
        names,
    ),
    Option(
        "stale_after",
        5,
        "a bet is stale after this many attempts without a new best",
        positive_whole,
    ),
    Option(
        "isolation_days",
        30,
        "a bet carried by one person alone for longer than this many days is flagged",
        positive_whole,
    ),
    Option(
        "max_bets_per_person",
        2,
        "a person on more bets than this in the last 90 days is flagged",
        positive_whole,
    ),
    Option(
        "commit_url",
        None,
        'how commits link to the forge, e.g. "{repo_url}/commit/{sha}"',
        text,
    ),
    Option(
        "code_url",
        None,
        "how links to the repository's code go to the forge, e.g."
        " \"{repo_url}/blob/{branch}/{path}\" (default: GitHub's form, GitLab's for a GitLab"
        " repo_url)",
        code_template,
    ),
    Option(
        "code_branch",
        None,
        "the branch (or tag, or commit) links to code show (default: the one checked out)",
        text,
    ),
    Option("cache_dir", ".researchlog-cache", "where builds keep what they may reuse", text),
    Option("notebook_max_mb", 5.0, "outputs beyond this, per notebook, are cut", positive_number),
    Option(
        "trust_notebook_html",
        False,
        "true lets notebook HTML and JavaScript outputs run",
        boolean,
    ),
    Option("execute_notebooks", False, "true runs every notebook at build time", boolean),
    Option("execute_timeout", 600, "seconds per cell when notebooks run", positive_whole),
    Option(
        "git_history",
        True,
        "false builds without reading git (no dates or history from commits)",
        boolean,
    ),
    Option(
        "engine",
        None,
        "what renders the site: mkdocs, properdocs or zensical (default: the first installed)",
        engine,
    ),
)
BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}

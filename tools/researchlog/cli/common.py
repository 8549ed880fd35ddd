"""What the verbs share: the settings, how failures are said, how an entry is shown."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily at run time, so `--help` and `check` start fast
    from ..core.settings import Settings
    from ..read.entries import Entry


def current_settings() -> Settings:
    from ..core.settings import load_settings

    return load_settings(Path.cwd())


def fail(message: str, code: int = 1) -> int:
    print(f"researchlog: {message}", file=sys.stderr)
    return code


MARKS = {
    "dead-end": "✖ DEAD END",
    "success": "✔ success",
    "running": "◔ running",
    "planned": "○ planned",
    "inconclusive": "? inconclusive",
    "superseded": "↷ superseded",
}


def result_lines(entry: Entry) -> str:
    mark = MARKS.get(entry.status, entry.status)
    where = f" [{entry.project}]" if entry.project else ""
    lines = [f"{mark:<15} {entry.title}{where}"]
    if entry.outcome or entry.question:
        lines.append(f"{'':15} {entry.outcome or entry.question}")
    lines.append(f"{'':15} {entry.path}")
    return "\n".join(lines)


def refuse(message: str, hint: str) -> int:
    """Refused before anything was done: the message says what, the hint what to do."""
    print(f"researchlog: error: {message}\n    fix: {hint}", file=sys.stderr)
    return 2


def add_engine_options(verb: Any) -> None:
    """--config-file and --engine, as build and serve take them."""
    verb.add_argument(
        "--config-file",
        "-f",
        help="the config file (default: researchlog.yml, else mkdocs.yml, here or above)",
    )
    verb.add_argument(
        "--engine",
        "-e",
        choices=("mkdocs", "properdocs", "zensical"),
        help="what renders the site: mkdocs, properdocs or zensical (default: engine in the"
        " config, else the first of these installed)",
    )

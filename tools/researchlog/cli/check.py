"""`researchlog check`: every problem in the log, as path:line: message and the fix,
optionally only for some files."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import current_settings, fail

if TYPE_CHECKING:  # imported when the verb runs, so `--help` starts fast
    from ..core.problems import Problem
    from ..core.settings import Settings
    from ..log import Log


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""
    missing: list[str] = field(default_factory=list)  # paths given that do not exist


def run_check(settings: Settings, paths: Sequence[Path] = ()) -> CheckResult:
    """Validate the whole log (links between entries need all of it), report for `paths`."""
    from ..core.problems import count_summary, plural, sort_problems
    from ..log.join import build_log
    from ..pages.linkcheck import link_problems

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return CheckResult(missing=missing)
    wanted = [_relative(settings.root, p) for p in paths]
    log = build_log(settings, history=False)
    everything = sort_problems([*log.problems, *link_problems(log)])
    problems = [p for p in everything if not wanted or _covers(wanted, p.path)]
    cards = f", {plural(len(log.card_files), 'project card')}" if log.card_files else ""
    scope = (
        f"{plural(len(log.entry_files), 'entry', 'entries')}{cards} and"
        f" {plural(len(log.playbook), 'playbook page')}"
    )
    summary = f"checked {scope}: {count_summary(problems)}"
    inferred = inferred_directions(log)
    if inferred:
        summary += (
            "\nmetric directions inferred from their names (confirm them under metrics: in"
            f" {settings.config_file}): "
            + ", ".join(f"{metric} {direction}" for metric, direction in inferred)
        )
    return CheckResult(problems, summary)


def inferred_directions(log: Log) -> list[tuple[str, str]]:
    """(metric, direction) for every metric of the log whose direction nobody configured."""
    names = {metric for item in log.entries for metric in item.entry.metrics}
    names.update(c.card.metric for c in log.cards.values() if c.card.metric)
    settings = log.settings
    return [
        (metric, settings.direction(metric))
        for metric in sorted(names, key=lambda m: (m.lower(), m))
        if settings.is_inferred(metric)
    ]


def _relative(root: Path, path: Path) -> str:
    resolved = path.resolve()
    try:
        relative = resolved.relative_to(root)
    except ValueError:
        return resolved.as_posix()
    text = relative.as_posix()
    return "" if text == "." else text


def _covers(wanted: Sequence[str], path: str) -> bool:
    return any(not w or path == w or path.startswith(w + "/") for w in wanted)


def add(verbs: Any) -> None:
    check = verbs.add_parser(
        "check",
        help="report every problem in the log as path:line: message, with the fix",
        description="Validate entries and playbook pages. Exits 1 when there are errors (or,"
        " with --strict, warnings). Fast enough for a pre-commit hook.",
    )
    check.add_argument("paths", nargs="*", help="only report these files or folders")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--json", action="store_true", help="print problems as JSON")
    check.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = current_settings()
    result = run_check(settings, [Path(p) for p in args.paths])
    if result.missing:
        return fail("no such file or folder: " + ", ".join(result.missing), code=2)
    problems = result.problems
    if args.json:
        print(json.dumps([p.encode() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem.format())
        print(result.summary)
    failed = any(p.is_error for p in problems) or (args.strict and bool(problems))
    return 1 if failed else 0

"""`researchlog check`: every problem in the log, optionally only for some files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .core.problems import Problem, count_summary, plural, sort_problems
from .core.settings import Settings
from .log.join import build_log
from .pages.linkcheck import link_problems


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""
    missing: list[str] = field(default_factory=list)  # paths given that do not exist


def run_check(settings: Settings, paths: Sequence[Path] = ()) -> CheckResult:
    """Validate the whole log (links between entries need all of it), report for `paths`."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return CheckResult(missing=missing)
    wanted = [_relative(settings.root, p) for p in paths]
    log = build_log(settings, history=False)
    everything = sort_problems([*log.problems, *link_problems(log)])
    problems = [p for p in everything if not wanted or _covers(wanted, p.path)]
    scope = (
        f"{plural(len(log.entry_files), 'entry', 'entries')} and"
        f" {plural(len(log.playbook), 'playbook page')}"
    )
    return CheckResult(problems, f"checked {scope}: {count_summary(problems)}")


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

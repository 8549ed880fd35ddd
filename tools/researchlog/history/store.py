"""The git history kept between runs, with what a later run needs to carry it forward: the
histories of deleted files (a file added again takes its earlier life back). Read again in
full only when the code changes or HEAD does not simply extend the kept one (gitlog.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.problems import Problem
from .model import FileHistory, GitState, Person, RepoHistory, Revision


@dataclass(frozen=True)
class KeptHistory:
    history: RepoHistory
    gone: Mapping[str, tuple[Revision, ...]] = field(default_factory=dict)  # deleted files


# The history last loaded, by the file it came from as it was then: a preview's rebuilds
# (one process) load the same file again and again.
_loaded: tuple[tuple[Path, int, int, int], str, KeptHistory] | None = None


def load_history(cache_file: Path | None, key: str) -> KeptHistory | None:
    global _loaded
    if cache_file is None:
        return None
    try:
        stat = cache_file.stat()
        state = (cache_file.resolve(), stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if _loaded is not None and _loaded[0] == state and _loaded[1] == key:
            return _loaded[2]
        stored = json.loads(cache_file.read_text(encoding="utf-8"))
        if stored.get("key") != key:
            return None
        history = KeptHistory(
            _history_from_json(stored["history"]),
            {path: _revisions_from_json(rows) for path, rows in stored["gone"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: a damaged cache is only a slower build
    _loaded = (state, key, history)
    return history


def save_history(cache_file: Path | None, key: str, kept: KeptHistory) -> None:
    if cache_file is None:
        return
    from ..core.cache import write_atomic

    payload = {
        "key": key,
        "history": _history_to_json(kept.history),
        "gone": {path: _revisions_to_json(revisions) for path, revisions in kept.gone.items()},
    }
    write_atomic(cache_file, json.dumps(payload, separators=(",", ":")).encode())


def _history_to_json(history: RepoHistory) -> dict[str, Any]:
    return {
        "state": history.state.value,
        "head": history.head,
        "shallow_roots": sorted(history.shallow_roots),
        "commits_read": history.commits_read,
        "problems": [problem.encode() for problem in history.problems],
        "files": {path: _revisions_to_json(fh.revisions) for path, fh in history.files.items()},
    }


def _revisions_to_json(revisions: tuple[Revision, ...]) -> list[list[Any]]:
    return [
        [
            r.sha,
            r.date.isoformat(),
            r.author.name,
            r.author.email,
            [[c.name, c.email] for c in r.coauthors],
            r.subject,
            r.path,
            r.change,
            r.blob,
            r.status,
        ]
        for r in revisions
    ]


def _revisions_from_json(rows: list[list[Any]]) -> tuple[Revision, ...]:
    return tuple(
        Revision(
            sha,
            dt.datetime.fromisoformat(date),
            Person(name, email),
            tuple(Person(n, e) for n, e in coauthors),
            subject,
            rpath,
            change,
            blob,
            status,
        )
        for sha, date, name, email, coauthors, subject, rpath, change, blob, status in rows
    )


def _history_from_json(data: dict[str, Any]) -> RepoHistory:
    files = {
        path: FileHistory(path, _revisions_from_json(rows)) for path, rows in data["files"].items()
    }
    problems = tuple(Problem.decode(p) for p in data["problems"])
    return RepoHistory(
        GitState(data["state"]),
        data["head"],
        files,
        frozenset(data["shallow_roots"]),
        problems,
        data["commits_read"],
    )

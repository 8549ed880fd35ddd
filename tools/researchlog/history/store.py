"""The git history kept between runs: read again only when HEAD or the code changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..core.problems import Problem
from .model import FileHistory, GitState, Person, RepoHistory, Revision

# The history last loaded, by the file it came from as it was then: a preview's rebuilds
# (one process) load the same file again and again.
_loaded: tuple[tuple[Path, int, int, int], str, RepoHistory] | None = None


def load_history(cache_file: Path | None, key: str) -> RepoHistory | None:
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
        history = _history_from_json(stored["history"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: a damaged cache is only a slower build
    _loaded = (state, key, history)
    return history


def save_history(cache_file: Path | None, key: str, history: RepoHistory) -> None:
    if cache_file is None:
        return
    from ..core.cache import write_atomic

    payload = {"key": key, "history": _history_to_json(history)}
    write_atomic(cache_file, json.dumps(payload, separators=(",", ":")).encode())


def _history_to_json(history: RepoHistory) -> dict[str, Any]:
    return {
        "state": history.state.value,
        "head": history.head,
        "shallow_roots": sorted(history.shallow_roots),
        "commits_read": history.commits_read,
        "problems": [problem.encode() for problem in history.problems],
        "files": {
            path: [
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
                for r in fh.revisions
            ]
            for path, fh in history.files.items()
        },
    }


def _history_from_json(data: dict[str, Any]) -> RepoHistory:

    files = {}
    for path, rows in data["files"].items():
        revisions = tuple(
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
        files[path] = FileHistory(path, revisions)
    problems = tuple(Problem.decode(p) for p in data["problems"])
    return RepoHistory(
        GitState(data["state"]),
        data["head"],
        files,
        frozenset(data["shallow_roots"]),
        problems,
        data["commits_read"],
    )

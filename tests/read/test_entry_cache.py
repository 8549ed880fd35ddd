"""The parse cache: every command reads unchanged entries from it, never stale ones."""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from researchlog.core.settings import load_settings
from researchlog.log.join import build_log
from researchlog.read.entry_cache import CACHE_NAME, SHARDS, EntryCache, entry_digest
from support import Repo, entry_text, run_cli

AN_HOUR_AGO = time.time() - 3600


def settle(path: Path, when: float = AN_HOUR_AGO) -> None:
    """Date a file in the past, as an entry committed earlier would be."""
    os.utime(path, (when, when))


def stored_entries(cache: Path) -> dict[str, Any]:
    """Every record in the cache's shards, by path."""
    found: dict[str, Any] = {}
    for shard in sorted(cache.glob("*.json")):
        found.update(json.loads(shard.read_text())["entries"])
    return found


def find_titles(repo: Repo, *query: str) -> list[str]:
    result = run_cli("find", *query, "--json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return [r["title"] for r in json.loads(result.stdout)]


def test_an_edited_entry_is_read_again(repo: Repo) -> None:
    path = repo.entry("log/a.md", title="Mixup for the tagger", question="Does mixup help?")
    settle(path)
    assert find_titles(repo, "mixup") == ["Mixup for the tagger"]
    assert list(stored_entries(repo.root / ".researchlog-cache" / CACHE_NAME)) == ["log/a.md"]

    # The same size, only a different time: the file must still be read again.
    same_size = entry_text(title="Cutup for the tagger", question="Does cutup help?")
    assert len(same_size) == len(path.read_text())
    path.write_text(same_size)
    settle(path, AN_HOUR_AGO + 60)
    assert find_titles(repo, "mixup") == []
    assert find_titles(repo, "cutup") == ["Cutup for the tagger"]


def test_a_deleted_entry_leaves_the_cache(repo: Repo) -> None:
    settle(repo.entry("log/a.md", title="Alpha"))
    settle(repo.entry("log/b.md", title="Beta"))
    assert find_titles(repo, "alpha") == ["Alpha"]
    (repo.root / "log/b.md").unlink()
    assert find_titles(repo, "beta") == []
    assert list(stored_entries(repo.root / ".researchlog-cache" / CACHE_NAME)) == ["log/a.md"]


def test_problems_are_reported_from_the_cache_too(repo: Repo) -> None:
    settle(repo.write("log/bad.md", "---\ntitle: Bad\nstatus: dead_end\n---\n"))
    for _ in range(2):
        result = run_cli("check", cwd=repo.root)
        assert result.returncode == 1
        assert 'log/bad.md:3: error: unknown status "dead_end"' in result.stdout


def test_a_damaged_cache_is_ignored_and_rewritten(repo: Repo) -> None:
    settle(repo.entry("log/a.md", title="Alpha"))
    cache = repo.root / ".researchlog-cache" / CACHE_NAME
    cache.mkdir(parents=True)
    for number in range(SHARDS):
        (cache / f"{number:02d}.json").write_text('{"key": "')
    assert find_titles(repo, "alpha") == ["Alpha"]
    readable: dict[str, Any] = {}  # the shard that holds the entry, rewritten
    for shard in cache.glob("*.json"):
        with contextlib.suppress(ValueError):
            readable.update(json.loads(shard.read_text())["entries"])
    assert readable["log/a.md"]["entry"]["title"] == "Alpha"
    assert repo.git("status", "--porcelain", "--ignored=no") == "?? log/\n?? mkdocs.yml\n"


def test_a_file_still_being_written_is_not_cached(repo: Repo) -> None:
    repo.entry("log/a.md", title="Alpha")  # modified just now: may change again this second
    settings = load_settings(repo.root)
    log = build_log(settings, history=False)
    assert [e.title for e in log.entries] == ["Alpha"]
    cache = EntryCache.open(settings.cache_path / CACHE_NAME)
    assert cache.stored == {}


def test_the_cache_returns_what_parsing_returns(repo: Repo) -> None:
    settle(
        repo.entry(
            "log/a.md",
            "Body text.\n",
            title="Alpha",
            status="success",
            date="2025-03-02",
            tags=["x", "y"],
            metrics={"val_f1": 0.8, "latency_ms": 41},
            links=["https://example.org/run/1"],
            surprise={"nested": [1, 2]},
        )
    )
    settings = load_settings(repo.root)
    fresh = build_log(settings, history=False)
    cached = build_log(settings, history=False)
    assert cached.entries[0].entry == fresh.entries[0].entry
    assert cached.problems == fresh.problems and fresh.problems  # the unknown field warning


def test_an_entry_from_the_cache_brings_the_digest_of_what_it_holds(repo: Repo) -> None:
    """The digest stored beside a cached entry is the one its fields give, so page keys made
    from it are those of a run that parsed the file; an edit gives another."""
    path = repo.entry("log/a.md", "Body text.\n", title="Alpha", metrics={"val_f1": 0.8})
    settle(path)
    settings = load_settings(repo.root)
    build_log(settings, history=False)  # parses, and stores the entry with its digest
    cached = build_log(settings, history=False).entries[0].entry
    stored = stored_entries(settings.cache_path / CACHE_NAME)["log/a.md"]
    assert entry_digest(cached) == stored["digest"] == entry_digest(replace(cached, mtime=1.0))
    assert entry_digest(replace(cached, title="Beta")) != stored["digest"]

    path.write_text(path.read_text().replace("val_f1: 0.8", "val_f1: 0.9"))
    settle(path, AN_HOUR_AGO + 60)
    edited = build_log(settings, history=False).entries[0].entry
    assert edited.metrics == {"val_f1": 0.9}
    assert entry_digest(edited) != stored["digest"]


def test_an_edit_writes_only_the_part_of_the_cache_that_holds_the_entry(repo: Repo) -> None:
    paths = [repo.entry(f"log/e{n}.md", title=f"Entry {n}") for n in range(40)]
    for path in paths:
        settle(path)
    settings = load_settings(repo.root)
    cache = settings.cache_path / CACHE_NAME
    build_log(settings, history=False)
    shards = sorted(cache.glob("*.json"))
    assert 1 < len(shards) <= SHARDS
    for shard in shards:
        settle(shard)
    before = {shard.name: shard.stat().st_mtime for shard in shards}
    paths[7].write_text(paths[7].read_text().replace("Entry 7", "Entry seven"))
    settle(paths[7], AN_HOUR_AGO + 60)
    log = build_log(settings, history=False)
    assert "Entry seven" in [item.title for item in log.entries]
    after = {shard.name: shard.stat().st_mtime for shard in cache.glob("*.json")}
    assert sum(after[name] != before[name] for name in before) == 1
    assert stored_entries(cache)["log/e7.md"]["entry"]["title"] == "Entry seven"
    assert len(stored_entries(cache)) == 40


def _many_entries(repo: Repo, count: int) -> None:
    for index in range(count):
        path = repo.entry(
            f"log/2025/e{index:03d}.md",
            f"Run {index}.\n\nSee [the missing one](missing-{index}.md).\n",
            title=f"Run {index}",
            status="success" if index % 3 else "running",
            metrics={"val_f1": index / 1000},
            surprise=index,  # an unknown field: each file brings a problem of its own
        )
        settle(path)
    repo.entry("log/2025/fresh.md", "Just written.\n", title="Fresh")  # too new to cache


def test_a_worker_reads_part_of_a_first_build_and_gives_what_reading_here_gives(
    repo: Repo,
) -> None:
    """A first build's files are split between a worker and the build; the entries, their
    problems (in file order), the records kept and their digests are those of reading every
    file here, and a later run is served from the cache alone."""
    from researchlog.core.workers import Workers
    from researchlog.read import entry_cache

    _many_entries(repo, 240)
    settings = load_settings(repo.root)
    paths = sorted(p.relative_to(repo.root).as_posix() for p in (repo.root / "log").rglob("*.md"))
    here = EntryCache(None)
    alone = [here.read(repo.root, path) for path in paths]
    digests_here = [entry_digest(entry) for entry, _ in alone]
    workers = Workers(count=1)
    try:
        split = EntryCache.open(settings.cache_path / CACHE_NAME)
        assert not workers.in_process
        together = split.read_all(repo.root, paths, workers)
    finally:
        workers.close()
    assert together == alone
    assert [entry_digest(entry) for entry, _ in together] == digests_here
    assert split.kept.keys() == here.kept.keys() == set(paths) - {"log/2025/fresh.md"}
    assert split.kept == here.kept
    split.save()
    again = EntryCache.open(settings.cache_path / CACHE_NAME)
    assert again.read_all(repo.root, paths, None) == alone
    assert again.reread == 1  # the fresh file only
    assert entry_cache._AHEAD_LEAST <= 240


def test_a_lost_worker_costs_only_the_speed_up(repo: Repo) -> None:
    from concurrent.futures import Future

    _many_entries(repo, 210)
    paths = sorted(p.relative_to(repo.root).as_posix() for p in (repo.root / "log").rglob("*.md"))

    class LostWorkers:
        def submit(self, function: Any, *args: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_exception(RuntimeError("the worker died"))
            return future

    cache = EntryCache(None)
    read = cache.read_all(repo.root, paths, LostWorkers())  # type: ignore[arg-type]
    assert read == [EntryCache(None).read(repo.root, path) for path in paths]
    assert cache.reread == len(paths)


def test_on_one_core_the_build_reads_every_file_itself(repo: Repo, monkeypatch: Any) -> None:
    from researchlog.read import entry_cache

    _many_entries(repo, 210)
    paths = sorted(p.relative_to(repo.root).as_posix() for p in (repo.root / "log").rglob("*.md"))
    handed: list[Any] = []

    class Watching:
        def submit(self, function: Any, *args: Any) -> Any:
            handed.append(args)
            raise AssertionError("nothing is handed to a worker that shares the one core")

    monkeypatch.setattr(entry_cache, "available_cores", lambda: 1)
    cache = EntryCache(None)
    assert len(cache.read_all(repo.root, paths, Watching())) == len(paths)  # type: ignore[arg-type]
    assert not handed and cache.reread == len(paths)

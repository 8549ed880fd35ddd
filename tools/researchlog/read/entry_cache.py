"""A parse cache for entries, so every command starts fast on a large log.

Parsing and validating 5,000 front matters takes seconds; loading the results back from JSON
takes a fraction of that. The cache is a folder of SHARDS files, each entry in the one its
path hashes to, so a build after an edit writes one of them again, not all. A file is re-read
whenever its size or modification time changes, and the whole cache is dropped when the code
that parses entries changes. The cache is only ever a speed-up: a missing, damaged or
unwritable cache means a slower run, never a different result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.cache import file_stamp, write_atomic
from ..core.codekey import code_key
from ..core.problems import Problem
from ..core.workers import Workers, available_cores
from .entries import Entry, LogFile, read_entry
from .links import LinkRef
from .projects import Decision, KillIf, ProjectCard

CACHE_NAME = "entries"  # a folder of SHARDS files
SHARDS = 16
_OLD_FILE = "entries.json"  # the cache as one file, before shards: removed when seen
FORMAT = 3  # bump when the stored shape of Entry, ProjectCard or Problem changes
# A file modified this recently may be modified again within the same clock tick, keeping
# its size and mtime (git's "racy" files); such files are re-read until they settle.
_SETTLE_SECONDS = 2.0
_TUPLE_FIELDS = {f.name for f in fields(Entry) if str(f.type).startswith("tuple")}
_CARD_TUPLE_FIELDS = {f.name for f in fields(ProjectCard) if str(f.type).startswith("tuple")}


def _code_key() -> str:
    """The parser's own code is part of the key: edit it, and every entry is read again."""
    return f"{FORMAT}/{__version__}/{code_key(__name__)}"


# The digests of the entries the last opened cache gave, by identity (entry_digest).
_digests: dict[int, tuple[Entry, str]] = {}


def entry_digest(entry: Entry) -> str:
    """A digest of everything an entry holds but its file's modification time: the same
    digest, the same entry. An entry from the cache has it stored beside it, so a build of
    thousands of unchanged entries does not make them again."""
    known = _digests.get(id(entry))
    if known is not None and known[0] is entry:
        return known[1]
    return _digest_of(entry)


def _digest_of(entry: Entry) -> str:
    return hashlib.sha256(repr(replace(entry, mtime=0.0)).encode()).hexdigest()


@dataclass
class EntryCache:
    """Parsed entries (and project cards) by path, each stored with the size and mtime of the
    file it came from."""

    folder: Path | None
    key: str = field(default_factory=_code_key)
    stored: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)  # what the next run can reuse
    reread: int = 0

    @classmethod
    def open(cls, folder: Path | None) -> EntryCache:
        cache = cls(folder)
        _digests.clear()  # a new build's entries: the last one's are let go
        if folder is None:
            return cache
        for number in range(SHARDS):
            try:
                data = json.loads((folder / _shard_name(number)).read_bytes())
                if isinstance(data, dict) and data.get("key") == cache.key:
                    cache.stored.update(
                        (path, record)
                        for path, record in dict(data["entries"]).items()
                        if _shard(path) == number
                    )
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a missing or damaged shard is only a slower run
        return cache

    def read_all(
        self, root: Path, paths: Sequence[str], workers: Workers | None = None
    ) -> list[tuple[LogFile | None, list[Problem]]]:
        """The entries or cards at `paths`, in order. With `workers`, when many files are not
        in the cache (a first build), a worker reads the last part of them while this
        process reads the rest: the build's second core has little else to do so early."""
        missing = [path for path in paths if path not in self.stored]
        ahead: list[str] = []
        if workers is not None and len(missing) >= _AHEAD_LEAST and available_cores() > 1:
            ahead = missing[int(len(missing) * (1 - _AHEAD_SHARE)) :]
        future = workers.submit(read_files, str(root), ahead) if workers and ahead else None
        given = set(ahead)
        results = {path: self.read(root, path) for path in paths if path not in given}
        done: list[_Read] = []
        if future is not None:
            try:
                done = future.result()
            except Exception:  # the worker was lost: read them here instead
                done = []
        for path, read in itertools.zip_longest(ahead, done):  # none: read here instead
            results[path] = self._take(path, *read) if read else self.read(root, path)
        return [results[path] for path in paths]

    def read(self, root: Path, path: str) -> tuple[LogFile | None, list[Problem]]:
        """The entry or card at `path`, from the cache when the file has not changed since."""
        try:
            stat = (root / path).stat()
        except OSError:
            return read_entry(root, path)  # reports the problem
        stamp = list(file_stamp(stat))
        record = self.stored.get(path)
        if record is not None and record.get("stamp") == stamp:
            try:
                result = _decode(record)
            except (KeyError, TypeError, ValueError):
                result = None
            if result is not None:
                self.kept[path] = record
                entry, digest = result[0], record.get("digest")
                if isinstance(entry, Entry) and isinstance(digest, str):
                    _digests[id(entry)] = (entry, digest)
                return result
        return self._take(path, *_read_file(root, path, stat))

    def _take(
        self, path: str, entry: LogFile | None, problems: list[Problem], record: Any
    ) -> tuple[LogFile | None, list[Problem]]:
        """A file read again: its record (None if it is not to be cached) is kept."""
        self.reread += 1
        if record is not None:
            self.kept[path] = record
            if isinstance(entry, Entry):  # the digest a later run reads from the cache
                _digests[id(entry)] = (entry, record["digest"])
        return entry, problems

    def save(self) -> None:
        """Write the shards in which anything changed; files that are gone are dropped."""
        if self.folder is None:
            return
        kept: list[dict[str, Any]] = [{} for _ in range(SHARDS)]
        for path, record in self.kept.items():
            kept[_shard(path)][path] = record
        changed = {_shard(path) for path in self.stored.keys() ^ self.kept.keys()}
        # A record read again is a new one; one from the cache is the very record stored.
        changed.update(
            _shard(path)
            for path, record in self.kept.items()
            if self.stored.get(path) is not record
        )
        with contextlib.suppress(OSError):  # e.g. a read-only checkout: just no cache
            for number in sorted(changed):
                payload = {"key": self.key, "entries": kept[number]}
                data = json.dumps(payload, separators=(",", ":")).encode()
                write_atomic(self.folder / _shard_name(number), data)
            (self.folder.parent / _OLD_FILE).unlink(missing_ok=True)


_Read = tuple[LogFile | None, list[Problem], Any]  # an entry or card, its problems, its record
# A worker reads ahead only for this many files not in the cache (a first build), and then
# this share of them: it starts later than the build, which has the rest to read meanwhile.
_AHEAD_LEAST = 200
_AHEAD_SHARE = 0.45


def read_files(root: str, paths: Sequence[str]) -> list[_Read]:
    """In a worker: read and parse each file, with the record the cache keeps of it (None
    for a file modified too recently to trust its stamp, or that cannot be cached)."""
    return [_read_file(Path(root), path) for path in paths]


def _read_file(root: Path, path: str, stat: os.stat_result | None = None) -> _Read:
    """A file parsed, with its record (`stat`: the file's, when the caller has it)."""
    if stat is None:
        try:
            stat = (root / path).stat()
        except OSError:
            return (*read_entry(root, path), None)  # read_entry reports the problem
    entry, problems = read_entry(root, path)
    record = None
    if time.time() - stat.st_mtime > _SETTLE_SECONDS:
        record = _encode(entry, problems, list(file_stamp(stat)))
    return entry, problems, record


def _shard(path: str) -> int:
    return zlib.crc32(path.encode()) % SHARDS


def _shard_name(number: int) -> str:
    return f"{number:02d}.json"


def _encode(entry: LogFile | None, problems: list[Problem], stamp: list[int]) -> Any:
    """A JSON-ready record, or None for values JSON cannot hold exactly (never cached)."""
    record = {
        "stamp": stamp,
        "entry": _entry_fields(entry) if isinstance(entry, Entry) else None,
        "card": _card_fields(entry) if isinstance(entry, ProjectCard) else None,
        "problems": [problem.encode() for problem in problems],
    }
    try:
        text = json.dumps(record, allow_nan=False)
    except (TypeError, ValueError):
        return None
    stored = json.loads(text)
    try:
        back = _decode(stored)
    except (KeyError, TypeError, ValueError):
        return None
    if back != (entry, problems):
        return None
    if isinstance(back[0], Entry):
        stored["digest"] = _digest_of(back[0])  # of the entry as a later run decodes it
    return stored


def _plain_fields(value: Entry | ProjectCard, mappings: tuple[str, ...]) -> dict[str, Any]:
    """The dataclass's fields as JSON can hold them: dates as ISO text, tuples as lists and
    the fields named in `mappings` as plain dicts. The caller encodes nested records."""
    values: dict[str, Any] = {}
    for name in (f.name for f in fields(value)):
        field_value = getattr(value, name)
        if isinstance(field_value, dt.date):
            field_value = field_value.isoformat()
        elif isinstance(field_value, tuple):
            field_value = list(field_value)
        elif name in mappings:
            field_value = dict(field_value)
        values[name] = field_value
    return values


def _entry_fields(entry: Entry) -> dict[str, Any]:
    values = _plain_fields(entry, ("metrics", "extra", "lines"))
    values["body_links"] = [[link.href, link.line] for link in entry.body_links]
    return values


def _card_fields(card: ProjectCard) -> dict[str, Any]:
    values = _plain_fields(card, ("extra", "lines"))
    values["decisions"] = [[d.date.isoformat(), d.decision, d.why, d.line] for d in card.decisions]
    values["body_links"] = [[link.href, link.line] for link in card.body_links]
    kill = card.kill_if
    values["kill_if"] = None if kill is None else [kill.after_effort_days, kill.not_reached]
    return values


def _decode_card(stored: Any) -> ProjectCard:
    values = dict(stored)
    for name in _CARD_TUPLE_FIELDS:
        values[name] = tuple(values[name])
    values["decisions"] = tuple(
        Decision(dt.date.fromisoformat(day), decision, why, line)
        for day, decision, why, line in values["decisions"]
    )
    values["body_links"] = tuple(LinkRef(href, line) for href, line in values["body_links"])
    if values["started"] is not None:
        values["started"] = dt.date.fromisoformat(values["started"])
    if values["kill_if"] is not None:
        values["kill_if"] = KillIf(*values["kill_if"])
    return ProjectCard(**values)


def _decode(record: Any) -> tuple[LogFile | None, list[Problem]]:
    problems = [Problem.decode(p) for p in record["problems"]]
    if record.get("card") is not None:
        return _decode_card(record["card"]), problems
    values = record["entry"]
    if values is None:
        return None, problems
    values = dict(values)
    for name in _TUPLE_FIELDS:
        values[name] = tuple(values[name])
    values["body_links"] = tuple(LinkRef(href, line) for href, line in values["body_links"])
    if values["date"] is not None:
        values["date"] = dt.date.fromisoformat(values["date"])
    return Entry(**values), problems

"""A build with nothing changed since the last one keeps the site it made.

What a build reads is the repository's files, its history, the config, the engine and this
package. Their state is summed up in a digest of names, sizes and modification times (and
HEAD), taken in well under a second even for thousands of entries. When it equals the digest
the last successful build recorded, and the site folder is still exactly as that build left
it, the site is what a new build would write: the build stops there and shows the warnings
that build gave again, so the output and --strict mean the same as after a full build.

Anything unexpected (no record, a damaged one, a site touched by hand) means a full build:
the record can only save time, never change the site.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..core.cache import installed_distributions
from ..history.checkout import head_commit

RECORD = "last-build.json"
_FORMAT = 1
_SKIPPED = {".git", "__pycache__", "node_modules"}
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LastBuild:
    inputs: str  # the digest of everything the build read
    site: str  # the digest of the site folder it left
    warnings: tuple[str, ...]  # the lines it printed for warnings and errors


def inputs_digest(
    root: Path,
    config: Path,
    engine: str,
    *,
    strict: bool,
    skip: Iterable[Path],
    folders: Iterable[Path] = (),
) -> str:
    """Everything a build reads, summed up: every file below the repository root but `skip`
    (the site and the cache) and hidden folders, and below `folders` outside it (a theme's
    custom_dir), by name, size and time; the config, a config it inherits and the
    environment variables it reads; HEAD; the package's own files; the Python and every
    installed library's version; the options of this build; the day."""
    hasher = hashlib.sha256()
    for part in (
        engine,
        f"strict={strict}",
        str(config),
        dt.date.today().isoformat(),  # nothing depends on the day today; one rebuild a day
        head_commit(root),
        sys.version,
        *installed_distributions(),
        *_environment(config),
    ):
        hasher.update(part.encode())
        hasher.update(b"\0")
    skipped = {path.resolve() for path in skip}
    _add_tree(hasher, root, skipped)
    for folder in folders:
        if not folder.resolve().is_relative_to(root.resolve()):
            _add_tree(hasher, folder, skipped)
    _add_tree(hasher, _PACKAGE, set())
    for name in (".mailmap", ".git/HEAD", ".git/index"):
        _add_stat(hasher, root / name)
    return hasher.hexdigest()


def site_digest(site: Path) -> str:
    hasher = hashlib.sha256()
    _add_tree(hasher, site, set(), hidden=True)
    return hasher.hexdigest()


def unchanged(cache: Path, inputs: str, site: Path) -> LastBuild | None:
    """The last build, if it read exactly these inputs and its site is as it left it."""
    try:
        data = json.loads((cache / RECORD).read_text(encoding="utf-8"))
        last = LastBuild(str(data["inputs"]), str(data["site"]), tuple(map(str, data["warnings"])))
        if data["format"] != _FORMAT:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if last.inputs != inputs or not site.is_dir() or site_digest(site) != last.site:
        return None
    return last


def record(cache: Path, inputs: str, site: Path, warnings: Iterable[str]) -> None:
    """Remember a successful build (best effort: without the record the next build is full)."""
    data = {
        "format": _FORMAT,
        "inputs": inputs,
        "site": site_digest(site),
        "warnings": list(warnings),
    }
    with contextlib.suppress(OSError):
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cache / f"{RECORD}.{os.getpid()}"
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(cache / RECORD)


def forget(cache: Path) -> None:
    with contextlib.suppress(OSError):
        (cache / RECORD).unlink()


@contextlib.contextmanager
def warnings_printed() -> Iterator[list[str]]:
    """The lines the build prints for warnings and errors, collected as they pass through
    stderr (whichever engine printed them)."""
    lines: list[str] = []
    tee = _Tee(sys.stderr, lines)
    saved, sys.stderr = sys.stderr, tee
    try:
        yield lines
    finally:
        sys.stderr = saved
        tee.flush_rest()


class _Tee(io.TextIOBase):
    def __init__(self, stream: TextIO, lines: list[str]) -> None:
        self.stream = stream
        self.lines = lines
        self.partial = ""

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.partial += text
        *complete, self.partial = self.partial.split("\n")
        self.lines.extend(line for line in complete if _is_warning(line))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def flush_rest(self) -> None:
        if _is_warning(self.partial):
            self.lines.append(self.partial)
        self.partial = ""

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


def _is_warning(line: str) -> bool:
    plain = line.lstrip("\x1b[0123456789;m")
    return plain.startswith(("WARNING", "ERROR"))


# `!ENV NAME`, `!ENV [NAME, OTHER, default]` and `INHERIT: path` in a MkDocs config.
_ENV_TAG = re.compile(r"!ENV\s+(\[[^\]]*\]|\S+)")
_INHERIT = re.compile(r"^INHERIT:\s*(\S+)", re.M)


def _environment(config: Path) -> list[str]:
    """What the config takes from outside its own text: the variables it names with !ENV
    (and researchlog's and pagefind's own), and the file it inherits from."""
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    names = {
        name.strip()
        for match in _ENV_TAG.findall(text)
        for name in match.strip("[]").split(",")
        if name.strip()
    }
    names.update(n for n in os.environ if n.startswith(("RESEARCHLOG_", "PAGEFIND_")))
    found = [f"{name}={os.environ.get(name, '')}" for name in sorted(names)]
    for inherited in _INHERIT.findall(text):
        path = config.parent / inherited.strip("'\"")
        try:
            found.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            found.append(f"missing {path}")
    return found


def _add_tree(
    hasher: hashlib._Hash, top: Path, skipped: set[Path], *, hidden: bool = False
) -> None:
    # Tens of thousands of files: their paths stay strings (a Path for each cost a third).
    folders = [str(top)]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as found:
                items = sorted(found, key=lambda item: item.name)
        except OSError:
            hasher.update(f"unreadable {folder}\0".encode())
            continue
        for item in items:
            try:
                if item.is_dir(follow_symlinks=False):
                    if item.name in _SKIPPED or (item.name.startswith(".") and not hidden):
                        continue
                    if not (skipped and Path(item.path).resolve() in skipped):
                        folders.append(item.path)
                    continue
                stat = item.stat(follow_symlinks=True)
            except OSError:
                hasher.update(f"unreadable {item.path}\0".encode())
                continue
            hasher.update(
                f"{item.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\0".encode()
            )


def _add_stat(hasher: hashlib._Hash, path: Path) -> None:
    try:
        stat = path.stat()
    except OSError:
        hasher.update(f"missing {path}\0".encode())
        return
    hasher.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())

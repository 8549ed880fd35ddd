"""A small on-disk cache: content-addressed, written atomically so an interrupted build
never leaves a half-written entry behind."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

CACHE_README = b"Build cache of researchlog. Safe to delete at any time.\n"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    make_folder(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def make_folder(folder: Path) -> None:
    """Create a cache folder, kept out of git even where .gitignore does not mention it."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / ".gitignore"
    if not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_bytes(b"# Created by researchlog: the build cache is not versioned.\n*\n")


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def library_version(name: str) -> str:
    """ "name=version" of an installed distribution, for cache keys ("name=missing" if absent)."""
    try:
        return f"{name}={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name}=missing"


def installed_distributions() -> list[str]:
    """Every installed distribution with its version, as the folders on sys.path name them
    (`name-1.2.dist-info`), for keys that an upgrade of any library must change. Listing the
    folders takes about a millisecond; asking importlib.metadata for each, a hundred times more."""
    found: list[str] = []
    for entry in sys.path:
        with contextlib.suppress(OSError), os.scandir(entry or ".") as items:
            found.extend(
                item.name for item in items if item.name.endswith((".dist-info", ".egg-info"))
            )
    return sorted(found)


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def probe_writable(folder: Path) -> OSError | None:
    """None if the cache folder can be created and written to, else why not."""
    try:
        make_folder(folder)
        handle, name = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(handle)
        Path(name).unlink()
    except OSError as exc:
        return exc
    return None


def throwaway_folder() -> Path:
    """A cache folder for this run only, removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="researchlog-cache-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def file_stamp(status: os.stat_result) -> tuple[int, int]:
    """What a file read or linked from a cache is checked by: its size and modification time
    (ns), as they were when it was recorded."""
    return status.st_size, status.st_mtime_ns


def link_file(source: Path, target: Path) -> None:
    """`target` made the same as `source`: a hard link where the file system allows one (no
    copy, no space), else a copy. A file already at `target` is replaced, never written
    through (it may be a link to another), and a site being served never lacks the file
    meanwhile. A site's file linked from the cache is trusted only while as it was kept
    (build/outputs.py)."""
    with contextlib.suppress(OSError):
        if source.samefile(target):
            return  # linked already
    if _made_anew(source, target):
        return
    with replacing(target) as temporary:
        if not _hard_link(source, temporary):
            shutil.copyfile(source, temporary)


def link_into(source: str, target: str) -> None:
    """link_file(source, target) while a folder is filled with thousands of files (a new
    site): the target's folder made if missing, and the link made in one call where nothing
    is at `target` yet, as is usual. Plain strings and os calls: Path costs a third more."""
    folder = os.path.dirname(target)  # noqa: PTH120
    try:
        os.mkdir(folder)  # noqa: PTH102
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)  # noqa: PTH103
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # a file there already, or no hard links here
        link_file(Path(source), Path(target))


def _made_anew(source: Path, target: Path) -> bool:
    """`target` made where no file is yet (a build's new folder): nothing to replace and no
    link to write through, so no temporary. False when there is a file."""
    try:
        if _hard_link(source, target):
            return True
        with source.open("rb") as original, target.open("xb") as copy:
            try:
                shutil.copyfileobj(original, copy)
            except BaseException:
                target.unlink()  # ours, half written
                raise
    except FileExistsError:
        return False
    return True


def _hard_link(source: Path, target: Path) -> bool:
    """False where the file system has no hard links (or not across these folders)."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        return False
    return True


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A path beside `target` to make the new file at, renamed over `target` when the block
    ends (and removed if it fails): a reader sees the old file or the new one, whole, and an
    older hard link at `target` is replaced, never written through."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.new")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    try:
        yield temporary
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise

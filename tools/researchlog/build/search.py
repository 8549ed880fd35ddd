"""Building the site's search index with pagefind, beside the build, on the second core.

pagefind turns the search documents into a chunked static index: the browser loads only the
fragments a query needs. The build hands the documents to a worker process in one file
with no name (its standard input, as its output comes back), so nothing is left in the
temporary folder however either ends; the worker writes them where pagefind reads them and
runs pagefind, while MkDocs renders the pages. Doing that in a separate process matters: a
thread of the build would wait for the interpreter lock behind MkDocs for every file it
writes. The build waits for the worker only at the end. A missing or failing pagefind is
reported and leaves the rest of the site alone.

The index is made in parts: each document belongs to one part, by a stable hash of its path,
and each part is a pagefind index of its own, kept in the cache by a digest of its documents
(index_key). A build indexes only the parts whose documents changed, one pagefind run each,
so a change to one entry re-indexes about PART_PAGES documents, not the whole log; a build
whose parts are all kept runs no pagefind at all. The number of parts grows with the log
(see PART_PAGES); RESEARCHLOG_SEARCH_PART_PAGES sets how many documents make a part (tests
split a small log into several parts with it). In the site, `pagefind/` holds the first part
whole (pagefind.js and its WebAssembly too), each other part's index is in a folder below it
named after its digest, and parts.json names those folders and a file of each result's date
(DATES): search.js merges the parts into the first one (pagefind's mergeIndex) and sorts a
listing by date across them with it, since pagefind sorts each part on its own.

A preview (`serve`) cannot wait for pagefind, which may re-index every page: on a log of
thousands of entries that takes half a minute. While it runs, the pages that changed since
the index in place was made are indexed alone, in a second small index beside it (OVERLAY,
with pages.json naming them); search.js searches both and drops the older index's results
for those pages. The whole index replaces both when it is done.

The worker is this module run as a script (it needs nothing but the standard library):

    python -m researchlog.build.search PAGEFIND CACHE [--keep-index-url] < DOCUMENTS
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, TypeVar

from ..core.cache import file_stamp, link_into, make_folder

if TYPE_CHECKING:
    from ..views.search import SearchDocument


class Indexable(Protocol):
    """A document to index (views.search): where it goes, a digest of what it is made from,
    and the document, made only for a part that is not kept."""

    @property
    def path(self) -> str: ...

    @property
    def key(self) -> str: ...

    def make(self) -> SearchDocument: ...


D = TypeVar("D", bound=Indexable)

OVERLAY = "pagefind-overlay"  # beside the index in a preview: the pages changed since it
_OVERLAY_MOST = 200  # more changed pages than this: the preview waits for the whole index
INSTALL_HINT = "pip install 'pagefind[extended]' (or set PAGEFIND_BINARY_PATH to a pagefind binary)"
_SEPARATOR = "\0"  # between parts, paths and documents in the file handed to the worker

# How the index is split. pagefind takes about 4 ms a document, so a part of PART_PAGES
# documents is made again in about a second. The browser merges every part into the first,
# and each part adds to a reader's first search (its metadata, and a chunk of its words per
# query, about 30 kB): at 5,000 entries, 21 parts made it 130 requests and 800 kB of index
# before the first result, 9 parts 70 and 450 kB, one index 28 and 210 kB. So a larger log
# has at most PARTS_MOST larger parts: one of 625 documents is still made while MkDocs
# renders. The number of parts changes every PART_PAGES documents up to PARTS_MOST of them;
# the build then makes every part anew.
PART_PAGES = 250
PARTS_MOST = 8
PART_PAGES_VARIABLE = "RESEARCHLOG_SEARCH_PART_PAGES"  # documents per part, instead

LISTING = "parts.json"  # in the site's index: the other parts' folders and the dates file
DATES = "researchlog-dates.json"  # in each part kept: its results' dates, by pagefind's id
# In each part kept: every file of it with its size and modification time when it was made.
# The site's index links the kept files (copying thousands of fragments would cost more than
# indexing a part), so a part is used only while its files are as they were made: one edited
# in a site (in place, through the link) has the part indexed again.
FILES = "researchlog-files.json"
_FORMAT = "parts 1"  # in every part's key: a part kept holds its dates too


@dataclass(frozen=True)
class IndexResult:
    ok: bool
    message: str  # for the build log


def find_pagefind() -> Path | None:
    """The pagefind binary: PAGEFIND_BINARY_PATH, the pagefind package's binary, or PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    executable = get_executable()
    return Path(executable) if executable is not None and Path(executable).is_file() else None


_UNUSED_DAYS = 14  # kept parts no build has used for this long are removed


def index_key(documents: Sequence[Indexable], binary: Path, flags: Sequence[str]) -> str:
    """A digest of the documents and of how they are indexed: the same key, the same index."""
    try:
        stat = binary.stat()
        indexer = f"{binary}\0{stat.st_size}\0{stat.st_mtime_ns}"
    except OSError:
        indexer = str(binary)
    hasher = hashlib.sha256(f"{_FORMAT}\0{indexer}\0{' '.join(flags)}".encode())
    for document in documents:
        hasher.update(f"\0{document.path}\0{document.key}".encode())
    return hasher.hexdigest()


def part_pages() -> int:
    """How many documents make a part: PART_PAGES, or RESEARCHLOG_SEARCH_PART_PAGES."""
    try:
        pages = int(os.environ.get(PART_PAGES_VARIABLE, ""))
    except ValueError:
        return PART_PAGES
    return pages if pages > 0 else PART_PAGES


def partition(documents: Sequence[D], pages: int = PART_PAGES) -> list[list[D]]:
    """The documents in parts of about `pages` each (PARTS_MOST at most), each document in the
    part its path hashes to: it stays there from build to build while the number of parts
    stays the same. A part no document hashed to is left out."""
    count = min(PARTS_MOST, max(1, math.ceil(len(documents) / pages)))
    parts: list[list[D]] = [[] for _ in range(count)]
    for document in documents:
        digest = hashlib.sha256(document.path.encode()).digest()
        parts[int.from_bytes(digest[:8], "big") % count].append(document)
    return [part for part in parts if part]


class SearchIndexJob:
    """The search index of the documents, in `output`, in parts. Each part is kept in the
    cache by a digest of its documents (index_key): the parts an earlier build made are linked
    into the site (while their files are as pagefind made them), and pagefind makes the
    others in a worker while the engine renders."""

    def __init__(
        self,
        pages: int,
        log: IO[bytes] | None,
        process: subprocess.Popen[bytes] | None,
        problem: str | None = None,
        *,
        parts: Sequence[Path] = (),
        indexing: int = 0,
        output: Path | None = None,
        digests: dict[str, str] | None = None,
    ) -> None:
        self.pages = pages
        self.log = log  # what the worker printed
        self.process = process
        self.problem = problem
        self.parts = list(parts)  # each part of the index in the cache, the first part first
        self.indexing = indexing  # how many of them the worker makes
        self.output = output
        self.digests = digests  # a preview's documents, by path: what the index will hold
        self.cancelled = False
        self.started = time.perf_counter()

    @classmethod
    def start(
        cls,
        documents: Sequence[Indexable],
        output: Path,
        cache: Path,
        *,
        keep_index_url: bool = False,
        preview: bool = False,
    ) -> SearchIndexJob:
        """Start indexing `documents` into `output`. In a `preview`, the pages changed since
        the index in place are indexed at once into the overlay beside it."""
        _stop_background()  # a newer build: the index of an older one would be stale
        if not documents:
            return cls(0, None, None)
        binary = find_pagefind()
        if binary is None:
            return cls(
                0,
                None,
                None,
                "the site has no search: the pagefind binary was not found; install it with"
                f" {INSTALL_HINT}",
            )
        flags = ["--keep-index-url"] if keep_index_url else []
        keyed = [
            (index_key(part, binary, flags), part) for part in partition(documents, part_pages())
        ]
        parts = [cache / key for key, _ in keyed]
        missing = [(key, part) for key, part in keyed if _kept_files(cache / key) is None]
        digests = _digests(documents) if preview else None
        if not missing:
            return cls(len(documents), None, None, parts=parts, output=output, digests=digests)
        if digests is not None:
            _index_overlay(documents, digests, binary, flags, output.parent / OVERLAY)
        # The documents go to the worker, and its output comes back, through files with no
        # name: however either process ends, nothing is left behind in the temporary folder.
        log = tempfile.TemporaryFile()  # noqa: SIM115 - the job holds it until finish()
        try:
            make_folder(cache)
            with tempfile.TemporaryFile() as payload:
                payload.write(
                    _SEPARATOR.join(
                        field.replace(_SEPARATOR, "")
                        for key, part in missing
                        for document in part
                        for field in (key, document.path, document.make().html)
                    ).encode("utf-8")
                )
                payload.seek(0)
                command = [sys.executable, "-m", __name__, str(binary), str(cache), *flags]
                process = subprocess.Popen(
                    command,
                    stdin=payload,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=_with_package_on_path(os.environ),
                )
        except OSError as exc:
            log.close()
            return cls(0, None, None, f"the site has no search: {exc}")
        return cls(
            len(documents),
            log,
            process,
            parts=parts,
            indexing=len(missing),
            output=output,
            digests=digests,
        )

    def finish(self) -> IndexResult:
        """Wait for the index, put it in the site and say how it went."""
        if self.problem:
            return IndexResult(False, self.problem)
        if self.output is None or not self.parts:
            return IndexResult(True, "search index: nothing to index yet")
        waiting = time.perf_counter()
        returncode = self.process.wait() if self.process is not None else 0
        done = time.perf_counter()
        if self.cancelled:
            return IndexResult(True, "search index: left to a newer build")
        output = ""
        if self.log is not None:
            with contextlib.suppress(OSError, ValueError):  # closed by cancel() meanwhile
                self.log.seek(0)
                output = self.log.read().decode("utf-8", errors="replace")
            self.log.close()
        if returncode != 0:
            return IndexResult(
                False,
                f"the site has no search: pagefind failed (exit {returncode}): "
                + _last_lines(output),
            )
        try:
            _place(self.parts, self.output)
        except OSError as exc:
            return IndexResult(False, f"the site has no search: {exc}")
        if self.digests is not None:
            stamp = _stamp([part.name for part in self.parts])
            _placed_in_preview(self.digests, self.output.parent / OVERLAY, stamp)
        _prune(self.parts)
        count = len(self.parts)
        if self.process is None:
            parts = f" in {count} parts" if count > 1 else ""
            return IndexResult(
                True, f"search index: {self.pages} pages{parts}, unchanged since the last build"
            )
        return IndexResult(
            True,
            f"search index: {self.pages} pages in {done - self.started:.2f}s,"
            f" {self.indexing} of {count} {'part' if count == 1 else 'parts'} indexed,"
            f" alongside the pages (the build waited {done - waiting:.2f}s for it)",
        )

    def finish_in_background(self, done: Callable[[IndexResult], None]) -> None:
        """finish() in a thread: the build ends now and the index follows. A build that
        starts meanwhile stops it (start() calls _stop_background)."""
        global _background

        def wait() -> None:
            result = self.finish()
            with _lock:
                if self.cancelled:
                    return
                done(result)

        thread = threading.Thread(target=wait, name="researchlog-search", daemon=True)
        with _lock:
            _background = (self, thread)
        thread.start()

    def cancel(self) -> None:
        """Stop indexing (the build failed); the worker stops pagefind on its way out."""
        self.cancelled = True
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.terminate()
            self.process.wait()
        if self.log is not None:
            self.log.close()


def _place(parts: Sequence[Path], output: Path) -> None:
    """The parts laid out as the site's index, in `output`: the first part whole, each other
    one's index in a folder of its own below it, and the listing naming them. Made beside the
    index in place, then swapped in: a preview serving searches meanwhile finds one index or
    the other, whole."""
    staged = output.with_name(f".{output.name}.{os.getpid()}.new")
    older = output.with_name(f".{output.name}.{os.getpid()}.old")
    laid: dict[str, str] = {}
    dates: dict[str, set[str]] = {}
    try:
        shutil.rmtree(staged, ignore_errors=True)
        for number, part in enumerate(parts):
            place = "" if number == 0 else f"part-{part.name[:16]}"
            files = _kept_files(part)
            if files is None:
                raise OSError(f"the index part {part} was changed while the site was built")
            # Thousands of files: strings and os calls, not Path (a third of the time).
            folder = os.path.join(staged, place)  # noqa: PTH118
            source = str(part)
            for relative in _part_files(files, whole=number == 0):
                link_into(
                    os.path.join(source, relative),  # noqa: PTH118
                    os.path.join(folder, relative),  # noqa: PTH118
                )
            laid[place] = part.name
            for date, ids in _read_dates(part).items():
                dates.setdefault(date, set()).update(ids)
        listing: dict[str, object] = {"parts": [f"{place}/" for place in laid if place]}
        if len(parts) > 1:
            # Sorted, so the same parts make the same file.
            text = json.dumps({d: sorted(dates[d]) for d in sorted(dates)}, separators=(",", ":"))
            name = f"dates-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
            (staged / name).write_text(text, encoding="utf-8")
            listing["dates"] = name
        (staged / LISTING).write_text(json.dumps(listing), encoding="utf-8")
        with contextlib.suppress(FileNotFoundError):
            output.rename(older)  # `serve` builds into one folder
        staged.rename(output)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(older, ignore_errors=True)


def _part_files(files: Iterable[str], *, whole: bool) -> list[str]:
    """The files of a kept part that the site needs, relative to it. The first part is
    whole; another part is merged into it, which needs only its index (the entry file, the
    metadata and the folders of chunks, filters and fragments), not pagefind's scripts and
    WebAssembly again."""
    return sorted(
        relative
        for relative in files
        if relative != DATES
        and (
            whole
            or "/" in relative
            or relative.endswith(".pf_meta")
            or relative == "pagefind-entry.json"
        )
    )


def _kept_files(part: Path) -> list[str] | None:
    """The files of a kept part, relative to it (FILES); None when it is not there whole, as
    pagefind made it: a file missing, damaged or changed since."""
    try:
        recorded = json.loads((part / FILES).read_text(encoding="utf-8"))
        for relative, (size, mtime) in recorded.items():
            status = os.stat(os.path.join(part, relative))  # noqa: PTH116, PTH118
            if file_stamp(status) != (size, mtime):
                return None
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return list(recorded) if recorded else None


def _record_files(part: Path) -> None:
    """Note every file of a part just made, as _kept_files checks them."""
    recorded = {}
    for path in part.rglob("*"):
        if path.is_file():
            recorded[path.relative_to(part).as_posix()] = list(file_stamp(path.stat()))
    (part / FILES).write_text(json.dumps(recorded, sort_keys=True), encoding="utf-8")


def _read_dates(part: Path) -> dict[str, list[str]]:
    """A kept part's results by date; {} if the file is gone or damaged: search.js reads the
    date of a result the site's listing lacks from the result itself."""
    try:
        dates = json.loads((part / DATES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(dates, dict):
        return {}
    return {
        date: [i for i in ids if isinstance(i, str)]
        for date, ids in dates.items()
        if isinstance(ids, list)
    }


# The index a preview is still making after its build ended (finish_in_background).
_background: tuple[SearchIndexJob, threading.Thread] | None = None
_lock = threading.Lock()


def _stop_background() -> None:
    global _background
    with _lock:
        running, _background = _background, None
        if running is not None:
            running[0].cancel()
    if running is not None:
        running[1].join()


# What the index in a preview's site holds (path -> digest of the document), once one is there.
_placed: dict[str, str] | None = None


def _digests(documents: Sequence[Indexable]) -> dict[str, str]:
    return {d.path: d.key for d in documents}


def _placed_in_preview(digests: dict[str, str], overlay: Path, stamp: str) -> None:
    """The whole index (named `stamp`) is in place: the overlay has nothing left to add."""
    global _placed
    with _lock:
        _placed = digests
        _no_overlay(overlay, stamp)


def _no_overlay(overlay: Path, stamp: str) -> None:
    """The overlay emptied: its listing names no page, so the index in place is all there is."""
    shutil.rmtree(overlay, ignore_errors=True)
    with contextlib.suppress(OSError):
        overlay.mkdir(parents=True)
        _write_listing(overlay, stamp, indexed=False, pages=[])


def _write_listing(folder: Path, stamp: str, *, indexed: bool, pages: list[str]) -> None:
    """pages.json: which indexes are in place (a page that loaded others loads them anew),
    whether the overlay holds an index, and the pages whose results in the older are stale."""
    listing = {"stamp": stamp, "indexed": indexed, "pages": pages}
    (folder / "pages.json").write_text(json.dumps(listing), encoding="utf-8")


def _index_overlay(
    documents: Sequence[Indexable],
    digests: Mapping[str, str],
    binary: Path,
    flags: Sequence[str],
    overlay: Path,
) -> None:
    """Index the documents that differ from the index in place into `overlay`, with
    pages.json naming every page whose results there are stale (changed or gone). Nothing
    when no index is in place yet, or too much changed: the preview waits for the index."""
    with _lock:
        placed = _placed
    if placed is None:
        return
    changed = [d for d in documents if placed.get(d.path) != digests[d.path]]
    gone = sorted(placed.keys() - digests.keys())
    if not (changed or gone) or len(changed) > _OVERLAY_MOST:
        # Nothing to add to the index in place, or too much: no overlay until the whole index.
        _no_overlay(overlay, _stamp([*digests.values(), "none"]))
        return
    keep_url = "--keep-index-url" in flags
    stale = [_page_url(path, keep_url) for path in [*(d.path for d in changed), *gone]]
    with tempfile.TemporaryDirectory(prefix="researchlog-search-overlay-") as scratch:
        site, bundle = Path(scratch, "site"), Path(scratch, "bundle")
        _stage(site, ((d.path, d.make().html) for d in changed))
        if changed:
            command = [str(binary), "--site", str(site), "--output-path", str(bundle), *flags]
            if subprocess.run(command, capture_output=True, check=False).returncode != 0:
                return  # the whole index follows
        else:
            bundle.mkdir()
        stamp = _stamp([*stale, *(digests[d.path] for d in changed)])
        _write_listing(bundle, stamp, indexed=bool(changed), pages=stale)
        shutil.rmtree(overlay, ignore_errors=True)
        overlay.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(bundle), str(overlay))


def _stamp(parts: Sequence[str]) -> str:
    """Names this overlay: a page that loaded an older one loads this one anew."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def _page_url(path: str, keep_index_url: bool) -> str:
    """The URL pagefind gives the document at `path` (the inverse of its file's place)."""
    if not keep_index_url and (path == "index.html" or path.endswith("/index.html")):
        path = path[: -len("index.html")]
    return "/" + path


def _prune(used: Sequence[Path]) -> None:
    """Touch the parts this build used; remove those no build has used for a while."""
    now = time.time()
    for part in used:
        with contextlib.suppress(OSError):
            os.utime(part, (now, now))
    cutoff = now - _UNUSED_DAYS * 86400
    for folder in used[0].parent.iterdir():
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


def _with_package_on_path(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for the worker, with this package importable whatever sys.path did."""
    here = str(Path(__file__).resolve().parent.parent)
    paths = [here, *filter(None, environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**environ, "PYTHONPATH": os.pathsep.join(paths)}


def _last_lines(text: str, count: int = 4) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-count:]) or "no output"


def _stage(site: Path, documents: Iterable[tuple[str, str]]) -> None:
    """The documents (path, HTML) as the files pagefind reads below `site`."""
    for path, html in documents:
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


def _work(argv: Sequence[str]) -> int:
    """The worker: for each part handed to it, write its documents out, run pagefind on them
    into a new folder, note its results' dates, and put that folder in place (the kept part)
    only when pagefind succeeded."""
    binary, cache, *flags = argv
    # Stopped by the build (SIGTERM) or by Ctrl+C (SIGINT, which pagefind gets too): exiting
    # through Python lets subprocess.run stop pagefind and the staging folder be removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    fields = sys.stdin.buffer.read().decode("utf-8").split(_SEPARATOR)
    parts: dict[str, list[tuple[str, str]]] = {}
    for key, path, html in zip(fields[0::3], fields[1::3], fields[2::3], strict=True):
        parts.setdefault(key, []).append((path, html))
    # Only pagefind yields to MkDocs' rendering, the build's critical path: staging and
    # cleaning up at the build's own priority start it early and end soon after.
    nice = shutil.which("nice")
    for key, documents in parts.items():
        kept = Path(cache) / key
        building = kept.with_name(f"{key}.{os.getpid()}")
        try:
            with tempfile.TemporaryDirectory(prefix="researchlog-search-site-") as site:
                _stage(Path(site), documents)
                command = [binary, "--site", site, "--output-path", str(building), *flags]
                if nice:
                    command = [nice, "-n", "10", *command]
                code = subprocess.run(command, check=False).returncode
            if code != 0:
                return code
            dates = json.dumps(_fragment_dates(building), sort_keys=True)
            (building / DATES).write_text(dates, encoding="utf-8")
            _record_files(building)
            shutil.rmtree(kept, ignore_errors=True)
            building.rename(kept)
        finally:
            shutil.rmtree(building, ignore_errors=True)
    return 0


def _fragment_dates(bundle: Path) -> dict[str, list[str]]:
    """The results of a pagefind index that have a date, by date: each result's id is the
    name of its fragment, which holds the page's metadata (read as pagefind.js reads it)."""
    dates: dict[str, list[str]] = {}
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        try:
            data = fragment.read_bytes()
            if not data.startswith(_FRAGMENT_SIGNATURE):
                data = gzip.decompress(data)
            page = json.loads(data[len(_FRAGMENT_SIGNATURE) :])
            date = page.get("meta", {}).get("date")
        except (OSError, EOFError, ValueError, AttributeError):
            continue  # search.js reads the date of a result the listing lacks from its fragment
        if isinstance(date, str) and date:
            dates.setdefault(date, []).append(fragment.name.removesuffix(".pf_fragment"))
    return dates


_FRAGMENT_SIGNATURE = b"pagefind_dcd"  # what a fragment starts with, once unpacked


if __name__ == "__main__":
    raise SystemExit(_work(sys.argv[1:]))

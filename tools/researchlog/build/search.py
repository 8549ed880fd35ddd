"""Building the site's search index with pagefind, beside the build, on the second core.

pagefind turns the search documents into a chunked static index: the browser loads only the
fragments a query needs. The build hands the documents to a worker process in one file; the
worker writes them where pagefind reads them and runs pagefind, while MkDocs renders the
pages. Doing that in a separate process matters: a thread of the build would wait for the
interpreter lock behind MkDocs for every file it writes. The build waits for the worker only
at the end. A missing or failing pagefind is reported and leaves the rest of the site alone.

The index is kept in the cache by a digest of the documents, so a build whose pages hold the
same words as an earlier build's (after a change to the config, the theme or only the
history) links that index in and does not run pagefind at all.

A preview (`serve`) cannot wait for pagefind, which re-indexes every page: on a log of
thousands of entries that takes half a minute. While it runs, the pages that changed since
the index in place was made are indexed alone, in a second small index beside it (OVERLAY,
with pages.json naming them); search.js searches both and drops the older index's results
for those pages. The whole index replaces both when it is done.

The worker is this module run as a script (it needs nothing but the standard library):

    python -m researchlog.build.search DOCUMENTS PAGEFIND OUTPUT [--keep-index-url]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
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
from typing import TYPE_CHECKING

from ..core.cache import link_file, make_folder

if TYPE_CHECKING:
    from ..views.search import SearchDocument

OVERLAY = "pagefind-overlay"  # beside the index in a preview: the pages changed since it
_OVERLAY_MOST = 200  # more changed pages than this: the preview waits for the whole index
INSTALL_HINT = "pip install 'pagefind[extended]' (or set PAGEFIND_BINARY_PATH to a pagefind binary)"
_SEPARATOR = "\0"  # between paths and documents in the file handed to the worker


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


_UNUSED_DAYS = 14  # kept indexes no build has used for this long are removed


def index_key(documents: Sequence[SearchDocument], binary: Path, flags: Sequence[str]) -> str:
    """A digest of the documents and of how they are indexed: the same key, the same index."""
    try:
        stat = binary.stat()
        indexer = f"{binary}\0{stat.st_size}\0{stat.st_mtime_ns}"
    except OSError:
        indexer = str(binary)
    hasher = hashlib.sha256(f"{indexer}\0{' '.join(flags)}".encode())
    for document in documents:
        hasher.update(f"\0{document.path}\0{document.html}".encode())
    return hasher.hexdigest()


class SearchIndexJob:
    """The search index of the documents, in `output`. It is kept in the cache by a digest of
    the documents (index_key): a build whose documents are those of an earlier one links that
    index into the site; otherwise pagefind runs in a worker while the engine renders."""

    def __init__(
        self,
        pages: int,
        scratch: Path | None,
        process: subprocess.Popen[bytes] | None,
        problem: str | None = None,
        *,
        kept: Path | None = None,
        output: Path | None = None,
        digests: dict[str, str] | None = None,
    ) -> None:
        self.pages = pages
        self.scratch = scratch  # the worker's input and its log
        self.process = process
        self.problem = problem
        self.kept = kept  # the index in the cache
        self.output = output
        self.digests = digests  # a preview's documents, by path: what the index will hold
        self.cancelled = False
        self.started = time.perf_counter()

    @classmethod
    def start(
        cls,
        documents: Sequence[SearchDocument],
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
        kept = cache / index_key(documents, binary, flags)
        digests = _digests(documents) if preview else None
        if (kept / "pagefind.js").is_file():
            return cls(len(documents), None, None, kept=kept, output=output, digests=digests)
        if digests is not None:
            _index_overlay(documents, digests, binary, flags, output.parent / OVERLAY)
        scratch = Path(tempfile.mkdtemp(prefix="researchlog-search-"))
        try:
            make_folder(cache)
            payload = scratch / "documents"
            payload.write_text(
                _SEPARATOR.join(
                    part.replace(_SEPARATOR, "")
                    for document in documents
                    for part in (document.path, document.html)
                ),
                encoding="utf-8",
            )
            command = [sys.executable, "-m", __name__, str(payload), str(binary), str(kept)]
            command += flags
            with (scratch / "log").open("wb") as log:
                process = subprocess.Popen(
                    command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=_with_package_on_path(os.environ),
                )
        except OSError as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            return cls(0, None, None, f"the site has no search: {exc}")
        return cls(len(documents), scratch, process, kept=kept, output=output, digests=digests)

    def finish(self) -> IndexResult:
        """Wait for the index, put it in the site and say how it went."""
        if self.problem:
            return IndexResult(False, self.problem)
        if self.output is None or self.kept is None:
            return IndexResult(True, "search index: nothing to index yet")
        waiting = time.perf_counter()
        returncode = self.process.wait() if self.process is not None else 0
        done = time.perf_counter()
        if self.cancelled:
            return IndexResult(True, "search index: left to a newer build")
        output = ""
        if self.scratch is not None:
            with contextlib.suppress(OSError):  # removed by cancel() meanwhile
                output = (self.scratch / "log").read_text(encoding="utf-8", errors="replace")
            shutil.rmtree(self.scratch, ignore_errors=True)
        if returncode != 0:
            return IndexResult(
                False,
                f"the site has no search: pagefind failed (exit {returncode}): "
                + _last_lines(output),
            )
        # Copied beside the index in place, then swapped in: a preview serving searches
        # meanwhile finds one index or the other, whole.
        staged = self.output.with_name(f".{self.output.name}.{os.getpid()}.new")
        older = self.output.with_name(f".{self.output.name}.{os.getpid()}.old")
        try:
            shutil.rmtree(staged, ignore_errors=True)
            for path in self.kept.rglob("*"):
                if path.is_file():
                    target = staged / path.relative_to(self.kept)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    link_file(path, target, link=False)  # the site's files are its own
            with contextlib.suppress(FileNotFoundError):
                self.output.rename(older)  # `serve` builds into one folder
            staged.rename(self.output)
        except OSError as exc:
            return IndexResult(False, f"the site has no search: {exc}")
        finally:
            shutil.rmtree(staged, ignore_errors=True)
            shutil.rmtree(older, ignore_errors=True)
        if self.digests is not None:
            _placed_in_preview(self.digests, self.output.parent / OVERLAY, self.kept.name)
        _prune(self.kept)
        if self.process is None:
            return IndexResult(
                True, f"search index: {self.pages} pages, unchanged since the last build"
            )
        return IndexResult(
            True,
            f"search index: {self.pages} pages in {done - self.started:.2f}s, alongside the"
            f" pages (the build waited {done - waiting:.2f}s for it)",
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
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


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


def _digests(documents: Sequence[SearchDocument]) -> dict[str, str]:
    return {d.path: hashlib.sha256(d.html.encode()).hexdigest() for d in documents}


def _placed_in_preview(digests: dict[str, str], overlay: Path, index: str) -> None:
    """The whole index (named `index`) is in place: the overlay has nothing left to add."""
    global _placed
    with _lock:
        _placed = digests
        _no_overlay(overlay, index)


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
    documents: Sequence[SearchDocument],
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
        _stage(site, ((d.path, d.html) for d in changed))
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


def _prune(used: Path) -> None:
    """Touch the index this build used; remove those no build has used for a while."""
    now = time.time()
    with contextlib.suppress(OSError):
        os.utime(used, (now, now))
    cutoff = now - _UNUSED_DAYS * 86400
    for folder in used.parent.iterdir():
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
    """The worker: write the documents out, run pagefind on them into a new folder, and put
    that in place (the kept index) only when pagefind succeeded."""
    payload, binary, output, *flags = argv
    # Stopped by the build (SIGTERM) or by Ctrl+C (SIGINT, which pagefind gets too): exiting
    # through Python lets subprocess.run stop pagefind and the staging folder be removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    parts = Path(payload).read_text(encoding="utf-8").split(_SEPARATOR)
    kept = Path(output)
    building = kept.with_name(f"{kept.name}.{os.getpid()}")
    try:
        with tempfile.TemporaryDirectory(prefix="researchlog-search-site-") as site:
            _stage(Path(site), zip(parts[0::2], parts[1::2], strict=True))
            command = [binary, "--site", site, "--output-path", str(building), *flags]
            # Only pagefind yields to MkDocs' rendering, the build's critical path: staging
            # and cleaning up at the build's own priority start it early and end soon after.
            nice = shutil.which("nice")
            if nice:
                command = [nice, "-n", "10", *command]
            code = subprocess.run(command, check=False).returncode
        if code == 0:
            shutil.rmtree(kept, ignore_errors=True)
            building.rename(kept)
        return code
    finally:
        shutil.rmtree(building, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(_work(sys.argv[1:]))

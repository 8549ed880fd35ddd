"""Building the site's search index with pagefind, in the background while MkDocs renders.

pagefind turns the search documents into a chunked static index: the browser loads only the
fragments a query needs. Its binary runs as a separate process, so starting it as soon as
the log is read lets it index on the second core while MkDocs renders pages on the first;
the build waits for it only at the end. A missing or failing binary is reported as a
problem and leaves the rest of the site alone.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .views.search import SearchDocument

INSTALL_HINT = "pip install 'pagefind[extended]' (or set PAGEFIND_BINARY_PATH to a pagefind binary)"


@dataclass(frozen=True)
class IndexResult:
    ok: bool
    message: str  # for the build log


def find_pagefind() -> Path | None:
    """The pagefind binary: from the pagefind package's binary wheels, or on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    executable = get_executable()  # PAGEFIND_BINARY_PATH first, then the binary wheels
    return Path(executable) if executable is not None and Path(executable).is_file() else None


class SearchIndexJob:
    """One run of pagefind over the documents, writing the index to `output`."""

    def __init__(
        self, documents: Sequence[SearchDocument], output: Path, *, keep_index_url: bool = False
    ) -> None:
        self.documents = tuple(documents)
        self.output = output
        self.keep_index_url = keep_index_url
        self._problem: str | None = "the search index was not built"
        self._seconds = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="researchlog-search", daemon=True)

    @classmethod
    def start(
        cls, documents: Sequence[SearchDocument], output: Path, *, keep_index_url: bool = False
    ) -> SearchIndexJob:
        job = cls(documents, output, keep_index_url=keep_index_url)
        job._thread.start()
        return job

    def finish(self) -> IndexResult:
        """Wait for the index and say how it went."""
        started = time.perf_counter()
        self._thread.join()
        if self._problem:
            return IndexResult(False, self._problem)
        if not self.documents:
            return IndexResult(True, "search index: nothing to index yet")
        return IndexResult(
            True,
            f"search index: {len(self.documents)} pages in {self._seconds:.2f}s, alongside the"
            f" pages (the build waited {time.perf_counter() - started:.2f}s for it)",
        )

    def cancel(self) -> None:
        """Stop indexing (the build failed); nothing is left behind but a partial index."""
        self._cancelled.set()
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
        self._thread.join()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            self._problem = self._index()
        except OSError as exc:
            self._problem = f"the site has no search: {exc}"
        self._seconds = time.perf_counter() - started

    def _index(self) -> str | None:
        """Run pagefind; what went wrong, if anything."""
        if not self.documents:
            return None
        binary = find_pagefind()
        if binary is None:
            return (
                "the site has no search: the pagefind binary was not found; install it with"
                f" {INSTALL_HINT}"
            )
        with tempfile.TemporaryDirectory(prefix="researchlog-search-") as staging:
            folder = Path(staging)
            for document in self.documents:
                path = folder / document.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(document.html, encoding="utf-8")
            command = [str(binary), "--site", str(folder), "--output-path", str(self.output)]
            if self.keep_index_url:
                command.append("--keep-index-url")
            nice = shutil.which("nice")
            if nice:  # MkDocs' rendering is the critical path; the index has time to spare
                command = [nice, "-n", "10", *command]
            with self._lock:
                if self._cancelled.is_set():
                    return "search indexing was cancelled"
                self._process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
            output, _ = self._process.communicate()
            returncode = self._process.returncode
        if self._cancelled.is_set():
            return "search indexing was cancelled"
        if returncode != 0:
            return f"the site has no search: pagefind failed (exit {returncode}): " + _last_lines(
                output.decode("utf-8", "replace")
            )
        return None


def _last_lines(text: str, count: int = 4) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-count:]) or "no output"

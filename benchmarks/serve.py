"""Benchmark: how long a researcher waits, with `researchlog serve` running, from saving a file
to seeing it on the served site.

    python -m benchmarks.serve CORPUS_DIR [--edits 5]

Measured from the moment the file is written until an HTTP request for the page returns the
new text (the browser's live reload fetches the same page): an edited entry (median of
--edits edits; also until it is searchable, in the preview's overlay index of changed pages
or a new whole index, and until the whole index, made in the background, has it), and a new
entry file, until its page, entries.json (the explorer's data), the
home page and its project page all show it. The corpus is left as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any

from researchlog.pages.paths import project_page

_POLL_SECONDS = 0.05


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            text: str = response.read().decode("utf-8", errors="replace")
            return text
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until check() holds (polled); raises TimeoutError after `timeout`."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(_POLL_SECONDS)
    raise TimeoutError(f"not visible after {timeout:.0f}s")


def _shows(url: str, text: str) -> Callable[[], bool]:
    return lambda: text in (_get(url) or "")


def _index(base: str) -> str | None:
    """What names the site's index: its first part's entry file (which names that part's
    metadata) and the listing of the other parts (whose folders are named by their content)."""
    entry, parts = _get(base + "/pagefind/pagefind-entry.json"), _get(base + "/pagefind/parts.json")
    return None if entry is None else f"{entry}\n{parts}"


def _changed(base: str, before: str | None) -> Callable[[], bool]:
    """The site's index is another one than `before`."""
    return lambda: _index(base) not in (None, before)


def _builds(output: IO[bytes]) -> int:
    """How many builds the server has finished, from what it printed (read without moving
    the offset the server writes at)."""
    handle = output.fileno()
    return os.pread(handle, os.fstat(handle).st_size, 0).count(b"Documentation built in")


def _either(first: Callable[[], bool], second: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: first() or second()


def _overlay(base: str) -> dict[str, Any]:
    """The preview's listing of its overlay index (build/search.py), {} if none."""
    listing = _get(base + "/pagefind-overlay/pages.json")
    try:
        found = json.loads(listing) if listing else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _in_overlay(base: str, page_path: str, before: dict[str, Any]) -> bool:
    """A new overlay index holds the page."""
    found = _overlay(base)
    return found != before and bool(found.get("indexed")) and page_path in found["pages"]


def page_url(base: str, path: str) -> str:
    """log/2024/x.md -> BASE/log/2024/x/ (directory URLs)"""
    return f"{base}/{path.rsplit('.', 1)[0]}/"


def _entry_to_edit(corpus: Path) -> Path:
    entries = sorted((corpus / "log").rglob("*.md"))
    return entries[len(entries) // 2]


def _new_entry_text(model: str, slug_title: str, token: str) -> str:
    """A new entry like `model` (same project and fields), with its own title and text."""
    front, _, _ = model.partition("\n---\n")
    front = re.sub(r"^title:.*$", f"title: {slug_title}", front, count=1, flags=re.M)
    front = re.sub(r"^date:.*$", "date: 2031-01-05", front, count=1, flags=re.M)
    front = re.sub(r"^superseded_by:.*\n", "", front, flags=re.M)
    return f"{front}\n---\n\n## Result\n\nA new finding: {token}.\n"


def run(corpus: Path, edits: int, log: Callable[[str], None]) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    entry = _entry_to_edit(corpus)
    original = entry.read_bytes()
    new_path = corpus / "log" / "2031" / "benchmark-new-entry.md"
    results: dict[str, Any] = {}
    with tempfile.TemporaryFile() as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "researchlog", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=corpus,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        try:
            log("serve: first build")
            results["first build"] = _wait_for(lambda: _get(base + "/") is not None, 3600)
            url = page_url(base, str(entry.relative_to(corpus)))
            seconds, searchable, whole = [], [], []
            _wait_for(lambda: _index(base) is not None, 3600)
            page_path = url[len(base) :]
            for number in range(1, edits + 1):
                token = f"edit{number}x{os.getpid()}"
                time.sleep(1.0)  # a separate save, as a person makes it
                before = _index(base)
                listed = _overlay(base)
                saved = time.perf_counter()
                entry.write_bytes(original + f"\nA new sentence: {token}.\n".encode())
                seconds.append(_wait_for(_shows(url, token), 600))
                # Searchable once the preview's overlay indexes the page (or the whole index
                # is new: a new index names new fragments); the whole index follows.
                changed = _changed(base, before)
                _wait_for(_either(partial(_in_overlay, base, page_path, listed), changed), 600)
                searchable.append(time.perf_counter() - saved)
                _wait_for(changed, 600)
                whole.append(time.perf_counter() - saved)
                _wait_for(lambda: not _overlay(base).get("pages"), 600)  # the overlay is gone
                log(
                    f"serve: edit {number}/{edits} visible after {seconds[-1]:.2f}s,"
                    f" searchable after {searchable[-1]:.2f}s, in the whole index after"
                    f" {whole[-1]:.2f}s"
                )
            results["edit"] = seconds
            results["edit median"] = statistics.median(seconds)
            results["edit searchable"] = searchable
            results["edit searchable median"] = statistics.median(searchable)
            results["edit in the whole index"] = whole
            results["edit in the whole index median"] = statistics.median(whole)
            # The new entry is added to an idle preview: saves made while a rebuild runs wait
            # for it to end.
            built = _builds(output)
            entry.write_bytes(original)
            _wait_for(lambda: _builds(output) > built, 600)
            time.sleep(1.0)
            token = f"new{os.getpid()}"
            title = f"Benchmark entry {token}"
            new_path.parent.mkdir(exist_ok=True)
            new_path.write_text(_new_entry_text(original.decode(), title, token))
            new_url = page_url(base, str(new_path.relative_to(corpus)))
            start = time.perf_counter()
            results["new entry page"] = _wait_for(lambda: token in (_get(new_url) or ""), 600)
            slug = new_path.stem
            project = re.search(r"^project: *(.+)$", original.decode(), re.M)
            project_url = (
                page_url(base, project_page(project.group(1).strip().strip("\"'")))
                if project
                else base + "/"
            )
            shown = {
                "entries.json": lambda: slug in (_get(base + "/entries.json") or ""),
                "home page": lambda: title in (_get(base + "/") or ""),
                "project page": lambda: title in (_get(project_url) or ""),
            }
            for name, check in shown.items():
                _wait_for(check, 60)
                results[f"new entry {name}"] = time.perf_counter() - start
            log(f"serve: new entry visible after {results['new entry page']:.2f}s")
        finally:
            entry.write_bytes(original)
            if new_path.exists():
                new_path.unlink()
                if not any(new_path.parent.iterdir()):
                    new_path.parent.rmdir()
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        output.seek(0)
        printed = output.read().decode(errors="replace")
        # How long serve itself took to make and write the pages, as it says.
        results["pages made in"] = [float(s) for s in re.findall(r"shown in ([0-9.]+) s", printed)]
        results["log tail"] = printed.splitlines()[-6:]
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="the corpus folder (a git repository with mkdocs.yml)")
    parser.add_argument("--edits", type=int, default=5, help="edits to time (default 5)")
    args = parser.parse_args(argv)
    results = run(Path(args.corpus).resolve(), args.edits, lambda line: print(line, flush=True))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

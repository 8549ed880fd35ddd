"""Notebook entries as pages: converted once, cached by content, in worker processes.

`NotebookConversions.start(log, urls)` gives every notebook entry's page body as its page is
read, the files beside it (extracted images and the .ipynb itself, for download) and, once
all are done, the problems found on the way.

A conversion is cached on disk under a key made of the notebook's bytes, the converter's own
code and its libraries' versions, and every setting that changes the page, so a rebuild with
unchanged notebooks converts nothing and never imports nbconvert. Conversions that are needed
run in a pool of 'spawn' worker processes: the second core is used, and nbconvert, Pygments and
kernels never enter the build's own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..core import cache
from ..core.codekey import code_key
from ..core.problems import Problem, error
from ..core.workers import Workers
from ..log import Log, LogEntry
from ..pages.html import esc
from ..pages.model import Body, StaticFile
from ..pages.urls import Urls
from ..read.links import link_target
from ..read.notebook_check import MB
from .job import Converted, Job
from .libraries import static_files

Progress = Callable[[str], None]
CACHE_FOLDER = "notebooks"
_LIBRARIES = (
    "nbconvert",
    "nbformat",
    "pygments",
    "latex2mathml",
    "mistune",
    "markdown-it-py",
    "mdit-py-plugins",
    "defusedxml",
)
_UNUSED_DAYS = 30  # cache entries not used for this long are removed after a conversion


@dataclass(frozen=True)
class NotebookPages:
    files: tuple[StaticFile, ...]
    problems: tuple[Problem, ...]
    converted: int = 0
    cached: int = 0


class NotebookConversions:
    """Notebook pages being made: cached ones at once, the others in worker processes.

    Conversions start before any page is rendered and run on the second core while the site
    generator renders other pages; a notebook's page waits only for its own conversion.
    """

    def __init__(
        self,
        jobs: dict[str, Job],
        folder: Path,
        results: dict[str, Converted],
        say: Progress,
        workers: Workers,
        owns_workers: bool,
    ) -> None:
        self.jobs = jobs  # slug -> job, in the order pages will be read
        self.slugs = {job.src_uri: slug for slug, job in jobs.items()}
        self.folder = folder
        self.results = results  # slug -> finished conversion
        self.say = say
        self.started = time.perf_counter()
        self.converted = 0
        self.workers = workers
        self.owns_workers = owns_workers  # else they are shared, and closed by their owner
        self.futures: dict[str, Future[dict[str, Any]]] = {}  # Converted, encoded

    @classmethod
    def start(
        cls,
        log: Log,
        urls: Urls,
        progress: Progress | None = None,
        workers: Workers | None = None,
    ) -> NotebookConversions:
        """Start converting; `workers` may be shared with other work of the build (the caller
        closes them), else the conversions start their own."""
        say = progress or (lambda message: None)
        folder = log.settings.cache_path / CACHE_FOLDER
        notebooks = [item for item in log.entries if item.entry.is_notebook]
        version = converter_version() if notebooks else ""
        jobs = {item.slug: _job(item, log, urls, folder, version) for item in notebooks}
        results: dict[str, Converted] = {}
        for slug, job in jobs.items():
            found = _cached(folder, job.key)
            if found is not None:
                results[slug] = found
        _remember(folder, {jobs[slug].key: result for slug, result in results.items()})
        conversions = cls(jobs, folder, results, say, workers or Workers(), workers is None)
        missing = {slug: job for slug, job in jobs.items() if slug not in results}
        if missing:
            say(f"converting {len(missing)} of {len(jobs)} notebooks")
            for slug, job in missing.items():
                conversions.futures[slug] = conversions.workers.submit(convert_in_worker, job)
        return conversions

    def key(self, slug: str) -> str | None:
        """What a notebook's page body is made from, known before it is converted."""
        job = self.jobs.get(slug)
        return None if job is None else job.key

    def body(self, slug: str) -> Body | None:
        """A notebook's page body, waiting for its conversion if it is still running."""
        result = self._result(slug)
        if result is None:
            return None
        return Body(result.markdown, dict(result.blocks))

    def files(self, slug: str) -> list[StaticFile]:
        """The files a notebook's conversion extracted (images, attachments), waiting for it."""
        result = self._result(slug)
        if result is None:
            return []
        job = self.jobs[slug]
        return [
            StaticFile(f"{_files_folder(job.src_uri)}/{name}", source=self.folder / "files" / sha)
            for name, sha in result.files
        ] + static_files(result.libraries)

    def page_files(self, src_uri: str) -> list[StaticFile]:
        """The extracted files of the notebook page at src_uri; none for other pages."""
        slug = self.slugs.get(src_uri)
        return [] if slug is None else self.files(slug)

    def download_files(self) -> list[StaticFile]:
        """Each original notebook beside its page, for the header's download link."""
        return [
            StaticFile(
                f"{_files_folder(job.src_uri)}/{posixpath.basename(job.src_uri)}",
                source=Path(job.source),
            )
            for job in self.jobs.values()
        ]

    def finish(self) -> NotebookPages:
        """Wait for every conversion; the extracted files and the problems of all notebooks."""
        files: dict[str, StaticFile] = {}  # a library many notebooks need, once
        problems: list[Problem] = []
        for slug in self.jobs:
            result = self._result(slug)
            assert result is not None
            files.update((static.src_uri, static) for static in self.files(slug))
            problems.extend(result.problems)
        self.close()
        if self.converted:
            _prune(self.folder, {job.key for job in self.jobs.values()})
        if self.jobs:
            self.say(
                f"{len(self.jobs)} notebooks: {self.converted} converted,"
                f" {len(self.jobs) - self.converted} from the cache, in"
                f" {time.perf_counter() - self.started:.2f}s"
            )
        return NotebookPages(
            tuple(files.values()), tuple(problems), self.converted, len(self.jobs) - self.converted
        )

    def close(self) -> None:
        """Stop the workers if they are the conversions' own (after a failed or interrupted
        build, unfinished work is dropped)."""
        for future in self.futures.values():
            future.cancel()
        if self.owns_workers:
            self.workers.close()

    def _result(self, slug: str) -> Converted | None:
        if slug in self.results:
            return self.results[slug]
        future = self.futures.pop(slug, None)
        if future is None:
            return None
        job = self.jobs[slug]
        try:
            result = Converted.decode(future.result())
        except Exception as exc:  # a notebook the converter cannot handle, or a lost worker
            result = _failed(job, exc)
        self.converted += 1
        self.results[slug] = result
        return result


def converter_version() -> str:
    """A fingerprint of the converter: its source files and its libraries' versions."""
    libraries = [cache.library_version(library) for library in _LIBRARIES]
    return cache.digest(code_key("researchlog.notebooks.convert"), *libraries)


def _files_folder(src_uri: str) -> str:
    """log/2025/x.ipynb -> log/2025/x: the page's own folder with directory URLs."""
    return posixpath.splitext(src_uri)[0]


def _job(item: LogEntry, log: Log, urls: Urls, folder: Path, version: str) -> Job:
    settings = log.settings
    entry = item.entry
    files = _files_folder(entry.path)
    probe = urls.asset(entry.path, f"{files}/_")  # "_" or "x/_", as the page sees the folder
    execute = entry.execute if entry.execute is not None else settings.execute_notebooks
    job = Job(
        path=entry.path,
        source=str(settings.root / entry.path),
        blob_sha=entry.blob_sha,
        key="",
        src_uri=entry.path,
        directory_urls=urls.directory_urls,
        files_dir=posixpath.basename(files),
        files_href=probe[:-1],
        files_cache=str(folder / "files"),
        max_bytes=int(settings.notebook_max_mb * MB),
        trusted=settings.trust_notebook_html,
        execute=bool(execute),
        timeout=settings.execute_timeout if execute else 0,
        code_links=tuple(
            sorted(
                (target, log.code_links[target])
                for target in {link_target(entry.path, ref.href) or "" for ref in entry.body_links}
                if target in log.code_links
            )
        ),
    )
    # Everything that changes the page is in the key; where the cache lives is not.
    fields = {k: v for k, v in asdict(job).items() if k not in ("source", "files_cache")}
    return replace(job, key=cache.digest(version, json.dumps(fields, sort_keys=True)))


# ----------------------------------------------------------------------------- the cache


def _cached(folder: Path, key: str) -> Converted | None:
    result = _in_memory.get((folder, key))
    if result is None:
        data = cache.read(folder / f"{key}.json")
        if data is None:
            return None
        try:
            result = Converted.decode(json.loads(data))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # damaged, or of an older shape: convert again
    files = folder / "files"
    if not all((files / sha).is_file() for _, sha in result.files):
        return None  # someone cleaned part of the cache: convert again
    return result


# The conversions the last build used, by key: a preview's rebuilds (one process) need not
# decode them from the cache again. Only the current notebooks' are kept.
_in_memory: dict[tuple[Path, str], Converted] = {}


def _remember(folder: Path, found: Mapping[str, Converted]) -> None:
    _in_memory.clear()
    _in_memory.update(((folder, key), result) for key, result in found.items())


def _store(folder: Path, key: str, result: Converted) -> None:
    """Extracted files are written by the worker first; this entry goes last, so a cache
    entry that exists always has its files."""
    cache.write_atomic(folder / f"{key}.json", json.dumps(result.encode()).encode("utf-8"))


def _prune(folder: Path, keep: set[str]) -> None:
    """Drop cache entries and files that nothing has used for a month."""
    cutoff = time.time() - _UNUSED_DAYS * 86400
    now = time.time()
    for key in keep:
        path = folder / f"{key}.json"
        if path.exists():
            os.utime(path, (now, now))
    used: set[str] = set()
    for path in folder.glob("*.json"):
        try:
            if path.stem not in keep and path.stat().st_mtime < cutoff:
                path.unlink()
                continue
            used.update(sha for _, sha in json.loads(path.read_bytes()).get("files", []))
        except (OSError, ValueError):
            continue
    for path in (folder / "files").glob("*"):
        try:
            if path.name not in used and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


# ----------------------------------------------------------------------------- workers


def convert_in_worker(job: Job) -> dict[str, Any]:
    """Runs in a worker: only there is nbconvert imported. Returns the result encoded."""
    from .convert import convert

    result = convert(job)
    if result.cacheable:
        # Here rather than in the build, which has other work: after the extracted files,
        # which convert() has written, as _store requires.
        with contextlib.suppress(OSError):  # a read-only cache: converted again next time
            _store(Path(job.files_cache).parent, job.key, result)
    return result.encode()


def _failed(job: Job, exc: BaseException) -> Converted:
    reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    note = (
        '<div class="admonition failure"><p class="admonition-title">This notebook could not'
        f" be shown</p><p>{esc(reason)}</p><p>Download it to open it in Jupyter.</p></div>"
    )
    token = f"rlnb{job.key[:10]}fail"
    problem = error(
        job.path,
        None,
        f"the notebook could not be converted: {reason}",
        "open and save it in Jupyter; if that does not help, report this message",
        code="notebook-convert",
    )
    return Converted(token + "\n", {token: note}, problems=(problem,), cacheable=False)

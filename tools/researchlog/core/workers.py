"""Worker processes for a build's notebook work, shared by the checks and the conversions.

Starting a Python process and importing nbformat and nbconvert into it takes about a second.
One pool serves the whole build: notebooks are validated in it while the git history is read,
then converted in it while pages render, so that second is paid once, early, on a core the
build's own process does not use. The pool starts on first use: a rebuild whose notebooks
are all cached starts no process at all. Where no worker process can start (a program read
from standard input, a sandbox without process pools), the work runs in the caller's process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def spare_cores() -> int:
    """Workers to start: one core is left to the build's own process, which renders pages."""
    return max(1, available_cores() - 1)


class Workers:
    def __init__(self, count: int | None = None) -> None:
        self.count = count or spare_cores()
        self._pool: ProcessPoolExecutor | None = None
        # Where no worker process can start, work runs in the caller's process, in turn.
        self.in_process = not can_spawn()

    def start(self) -> None:
        """Start the processes now, ahead of their first work, while the caller goes on."""
        if not self.in_process:
            self.submit(_ready)

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        if not self.in_process:
            try:
                return self._submit(function, *args)
            except (OSError, ImportError):  # no process pools here (no /dev/shm, a sandbox)
                self.in_process = True
        return _run_here(function, *args)

    def _submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        if self._pool is None:
            self._pool = self._start()
        try:
            return self._pool.submit(function, *args)
        except BrokenExecutor:  # a worker died on earlier work: later work gets fresh ones
            self._pool.shutdown(wait=False)
            self._pool = self._start()
            return self._pool.submit(function, *args)

    def _start(self) -> ProcessPoolExecutor:
        # 'spawn': a fresh interpreter, never a copy of the build's memory and threads.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            max_workers=self.count, mp_context=context, initializer=_leave_interrupts_to_the_build
        )

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers; work not started yet is dropped (a failed or interrupted build).
        Without `wait`, they exit on their own time while the caller goes on."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)


def can_spawn() -> bool:
    """Whether worker processes can start here. A spawned process imports the main module
    again from its file, so a program read from standard input (`python - < build.py`) has
    none to give it."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return True
    path = getattr(main, "__file__", None)
    return path is None or Path(path).is_file()


def _run_here(function: Callable[..., T], *args: Any) -> Future[T]:
    future: Future[T] = Future()
    try:
        future.set_result(function(*args))
    except Exception as exc:  # reported through the future, as a worker's would be
        future.set_exception(exc)
    return future


def _leave_interrupts_to_the_build() -> None:
    """Ctrl-C reaches every process of the terminal's group: the build stops its workers
    itself, so a worker's own KeyboardInterrupt would only print a traceback. A worker of a
    ProperDocs build answers `mkdocs` imports with ProperDocs, as the build itself does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.environ.get("RESEARCHLOG_ENGINE") == "properdocs":
        import importlib

        importlib.import_module("properdocs.replacement")


def _ready() -> None:
    """Nothing: a first task makes the pool start its process."""

"""The build's worker pool survives a worker that dies."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from researchlog.core import workers as workers_module
from researchlog.core.workers import Workers


def test_work_after_a_lost_worker_gets_a_fresh_one() -> None:
    workers = Workers(count=1)
    try:
        with pytest.raises(BrokenProcessPool):
            workers.submit(os._exit, 1).result(timeout=60)
        assert workers.submit(abs, -3).result(timeout=60) == 3
    finally:
        workers.close()


def test_without_process_pools_work_runs_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pools(*args: object, **kwargs: object) -> None:
        raise OSError("This platform lacks a functioning sem_open implementation")

    monkeypatch.setattr(workers_module, "ProcessPoolExecutor", no_pools)
    workers = Workers(count=1)
    workers.start()
    assert workers.submit(abs, -3).result(timeout=1) == 3
    assert workers.in_process
    with pytest.raises(TypeError):  # failures reach the caller as a worker's would
        workers.submit(abs, "three").result(timeout=1)
    workers.close()

"""The build's worker pool survives a worker that dies."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from researchlog.workers import Workers


def test_work_after_a_lost_worker_gets_a_fresh_one() -> None:
    workers = Workers(count=1)
    try:
        with pytest.raises(BrokenProcessPool):
            workers.submit(os._exit, 1).result(timeout=60)
        assert workers.submit(abs, -3).result(timeout=60) == 3
    finally:
        workers.close()

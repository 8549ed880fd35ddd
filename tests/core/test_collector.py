"""The garbage collector held off while a build makes its site, and only then."""

from __future__ import annotations

import gc

import pytest

from researchlog.core.collector import collection_paused


def test_collection_is_paused_in_the_block_and_resumes_after_it_even_on_errors() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collection_paused():
        raise ValueError("a failed build")
    assert gc.isenabled()


def test_a_collector_paused_already_stays_paused() -> None:
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()

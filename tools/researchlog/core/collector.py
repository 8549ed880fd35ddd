"""Python's garbage collector, held off while a build makes what it keeps to the end."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No collection in the block. Reading a log and making its site create hundreds of
    thousands of objects that live until the build ends (entries, histories, pages) and no
    cycles to free among them: at 5,000 entries the collector's passes over them cost a
    third as much as making them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

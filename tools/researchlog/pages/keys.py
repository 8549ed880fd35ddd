"""Keys of pages that list entries, made from what the lists show rather than from the
pages themselves: the page is made only when its key is new (build/outputs.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from ..log import LogEntry
from .html import summary

SummaryDigest = Callable[[LogEntry], bytes]


def summary_digests() -> SummaryDigest:
    """A digest of what a list shows of an entry (summary), made once per entry however many
    pages list it. Kept only by the caller, for one build: entries are known by identity."""
    made: dict[int, tuple[LogEntry, bytes]] = {}

    def digest(item: LogEntry) -> bytes:
        known = made.get(id(item))
        if known is None or known[0] is not item:
            known = (item, hashlib.sha256(repr(summary(item)).encode()).digest())
            made[id(item)] = known
        return known[1]

    return digest


def listing_key(page: tuple[object, ...], items: Iterable[LogEntry], shown: SummaryDigest) -> str:
    """The key of a page named by `page` (what it is, and every setting it reads) that lists
    `items`, in order, as entry_list shows them."""
    hasher = hashlib.sha256(repr(page).encode())
    for item in items:
        hasher.update(shown(item))
    return hasher.hexdigest()

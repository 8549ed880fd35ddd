"""A file put in place in a site being served: never written through a hard link into the
cache, never missing while it is replaced."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from researchlog.core.cache import link_file
from researchlog.plugin.mkdocs_private.quickpage import write_whole


def test_a_file_linked_from_the_cache_is_replaced_not_written_through(tmp_path: Path) -> None:
    kept, page = tmp_path / "kept.html", tmp_path / "site" / "page.html"
    kept.write_text("kept")
    page.parent.mkdir()
    os.link(kept, page)
    newer = tmp_path / "newer.html"
    newer.write_text("newer")
    link_file(newer, page)
    assert (kept.read_text(), page.read_text()) == ("kept", "newer")
    write_whole(b"written", str(page))
    assert (kept.read_text(), newer.read_text(), page.read_text()) == ("kept", "newer", "written")
    assert sorted(p.name for p in page.parent.iterdir()) == ["page.html"]


def test_a_file_being_replaced_is_always_there_whole(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    versions = [tmp_path / f"v{n}.html" for n in range(2)]
    for number, version in enumerate(versions):
        version.write_bytes(str(number).encode() * 200_000)
    link_file(versions[0], page)
    seen: set[bytes] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                data = page.read_bytes()
            except OSError:
                seen.add(b"missing")
                continue
            seen.add(data[:1] + bytes([len(data) // 100_000]))

    reader = threading.Thread(target=read)
    reader.start()
    for turn in range(300):
        link_file(versions[turn % 2], page)
        write_whole(versions[turn % 2].read_bytes(), str(page))
    done.set()
    reader.join()
    assert seen <= {b"0\x02", b"1\x02"}


def test_a_new_file_is_a_link_where_the_file_system_has_them(tmp_path: Path) -> None:
    kept, page = tmp_path / "kept.html", tmp_path / "site" / "page.html"
    kept.write_text("kept")
    page.parent.mkdir()
    link_file(kept, page)
    assert page.read_text() == "kept"
    assert page.samefile(kept)
    assert sorted(p.name for p in page.parent.iterdir()) == ["page.html"]

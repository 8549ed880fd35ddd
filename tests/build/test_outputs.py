"""The rendered pages kept between builds: what a later build reuses, and what is removed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from researchlog.build.outputs import PageOutputs


def _aged(path: Path, days: float) -> None:
    when = time.time() - days * 86400
    os.utime(path, (when, when))


def test_pages_unused_for_two_weeks_are_removed_in_the_days_first_build(tmp_path: Path) -> None:
    folder, site = tmp_path / "pages", tmp_path / "site"
    site.mkdir()
    (site / "used.html").write_text("used")
    (site / "old.html").write_text("old")
    first = PageOutputs(folder, "shell")
    first.keep("used", site / "used.html")
    first.keep("old", site / "old.html")
    first.prune()
    kept = {path.read_text(): path for path in folder.glob("*/*.html")}
    assert set(kept) == {"used", "old"}
    _aged(kept["old"], 15)

    later = PageOutputs(folder, "shell")
    assert later.reuse("used", site / "again.html")
    later.prune()  # the same day: the kept pages are not looked through again
    assert kept["old"].exists()

    _aged(folder / "scanned", 1.5)
    next_day = PageOutputs(folder, "shell")
    assert next_day.reuse("used", site / "again.html")
    next_day.prune()
    assert not kept["old"].exists()
    assert kept["used"].exists() and (site / "again.html").read_text() == "used"

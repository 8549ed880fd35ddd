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
    first.keep("used", str(site / "used.html"))
    first.keep("old", str(site / "old.html"))
    first.prune()
    first.save()
    kept = {path.read_text(): path for path in folder.glob("*/*.html")}
    assert set(kept) == {"used", "old"}
    _aged(kept["old"], 15)

    later = PageOutputs(folder, "shell")
    assert later.reuse("used", str(site / "again.html"))
    later.prune()  # the same day: the kept pages are not looked through again
    assert kept["old"].exists()

    _aged(folder / "scanned", 1.5)
    next_day = PageOutputs(folder, "shell")
    assert next_day.reuse("used", str(site / "again.html"))
    next_day.prune()
    assert not kept["old"].exists()
    assert kept["used"].exists() and (site / "again.html").read_text() == "used"


def test_a_kept_page_changed_since_it_was_kept_is_not_used(tmp_path: Path) -> None:
    """The site's page and the kept one are one file: an edit in place of either is seen,
    and the page is rendered again rather than copied with the edit."""
    folder, site = tmp_path / "pages", tmp_path / "site"
    site.mkdir()
    for name in ("edited", "touched", "same"):
        (site / f"{name}.html").write_text(name)
    first = PageOutputs(folder, "shell")
    for name in ("edited", "touched", "same"):
        first.keep(name, str(site / f"{name}.html"))
    first.save()
    with (site / "edited.html").open("a") as stream:  # in place: the kept file too
        stream.write("<!-- by hand -->")
    _aged(site / "touched.html", 0.5)  # the same size, another time

    later = PageOutputs(folder, "shell")
    again = tmp_path / "again"
    assert not later.reuse("edited", str(again / "edited.html"))
    assert not later.reuse("touched", str(again / "touched.html"))
    assert later.reuse("same", str(again / "same.html"))
    assert (again / "same.html").read_text() == "same"
    assert (again / "same.html").samefile(site / "same.html")  # linked, not copied
    assert sorted(p.name for p in again.iterdir()) == ["same.html"]


def test_without_a_record_of_the_kept_pages_nothing_is_reused(tmp_path: Path) -> None:
    """A lost or damaged record costs renders, never a page that cannot be vouched for."""
    folder, site = tmp_path / "pages", tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("page")
    first = PageOutputs(folder, "shell")
    first.keep("page", str(site / "page.html"))
    first.save()
    assert PageOutputs(folder, "shell").reuse("page", str(tmp_path / "one.html"))
    assert not PageOutputs(folder, "other shell").reuse("page", str(tmp_path / "two.html"))
    for damaged in ("{not json", '{"a": 1}', "[]", ""):
        (folder / "stamps.json").write_text(damaged)
        assert not PageOutputs(folder, "shell").reuse("page", str(tmp_path / "three.html"))

"""Rendered pages are reused between builds only while nothing that shapes them changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from support import Repo, mkdocs_build

PAGES = ("log/a/index.html", "log/b/index.html", "dead-ends/index.html", "playbook/index.html")
CACHE = ".researchlog-cache/rendered.sqlite"


def cached_pages(repo: Repo) -> int:
    with sqlite3.connect(repo.root / CACHE) as db:
        count: int = db.execute("SELECT count(*) FROM pages").fetchone()[0]
    return count


def build(repo: Repo, site: Path) -> str:
    result = mkdocs_build(repo.root, site_dir=site)
    assert result.returncode == 0, result.stderr
    return result.stderr


def small_log(repo: Repo) -> None:
    repo.site_config()
    repo.write("playbook/index.md", "---\ntitle: Start here\n---\nRead [A](../log/a.md).\n")
    repo.entry(
        "log/a.md",
        "## Setup\n\nMixup on the tagger.\n\n## Results\n\n| run | f1 |\n|---|---|\n| a | 0.8 |\n",
        title="Mixup for the tagger",
        status="dead-end",
        outcome="No gain.",
    )
    repo.entry("log/b.md", "See [A](a.md#results).\n", title="Cutmix", status="running")
    repo.commit("two entries")


def test_a_rebuild_gives_the_same_site_and_an_edit_shows(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    first = build(repo, tmp_path / "one")
    assert "not rendered again" not in first
    second = build(repo, tmp_path / "two")
    assert "pages unchanged: their Markdown was not rendered again" in second
    for page in PAGES:  # the table of contents and every link come back exactly
        assert (tmp_path / "two" / page).read_text() == (tmp_path / "one" / page).read_text()
    toc = (tmp_path / "two" / "log/a/index.html").read_text()
    assert 'href="#setup"' in toc and 'href="#results"' in toc

    cached = cached_pages(repo)
    assert cached >= len(PAGES)
    path = repo.root / "log/a.md"
    path.write_text(path.read_text().replace("Mixup on the tagger.", "Mixup, alpha 0.4."))
    build(repo, tmp_path / "three")
    page = (tmp_path / "three" / "log/a/index.html").read_text()
    assert "Mixup, alpha 0.4." in page and "Mixup on the tagger." not in page
    # The old rendering of the edited page is gone; one rendering per page remains.
    assert cached_pages(repo) == cached


def test_link_problems_are_reported_by_every_build(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    repo.write("playbook/index.md", "---\ntitle: Start here\n---\nRead [gone](../log/gone.md).\n")
    for site in ("one", "two"):
        stderr = build(repo, tmp_path / site)
        assert "contains a link '../log/gone.md'" in stderr, site


def test_a_new_file_renders_links_to_it_again(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    repo.write("playbook/index.md", "---\ntitle: Start here\n---\nRead [C](../log/c.md).\n")
    build(repo, tmp_path / "one")
    repo.entry("log/c.md", title="Label smoothing", status="planned")
    build(repo, tmp_path / "two")
    start = (tmp_path / "two" / "playbook/index.html").read_text()
    assert 'href="../log/c/"' in start


def test_damaged_pages_are_rendered_again(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    build(repo, tmp_path / "one")
    with sqlite3.connect(repo.root / CACHE) as db:
        db.execute("UPDATE pages SET data = '{not json'")
    stderr = build(repo, tmp_path / "two")
    assert "not rendered again" not in stderr
    for page in PAGES:
        assert (tmp_path / "two" / page).read_text() == (tmp_path / "one" / page).read_text()


def test_a_cache_file_that_is_no_database_is_started_afresh(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    build(repo, tmp_path / "one")
    for suffix in ("-wal", "-shm"):
        Path(f"{repo.root / CACHE}{suffix}").unlink(missing_ok=True)
    (repo.root / CACHE).write_bytes(b"this is not a database" * 100)
    stderr = build(repo, tmp_path / "two")
    assert "Traceback" not in stderr and "not cached" not in stderr
    for page in PAGES:
        assert (tmp_path / "two" / page).read_text() == (tmp_path / "one" / page).read_text()
    assert "not rendered again" in build(repo, tmp_path / "three")


def test_a_cache_another_build_is_writing_is_left_alone(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    build(repo, tmp_path / "one")
    cached = cached_pages(repo)
    path = repo.root / "log/a.md"
    path.write_text(path.read_text().replace("Mixup on the tagger.", "Mixup, alpha 0.4."))
    other = sqlite3.connect(repo.root / CACHE, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another build in the middle of storing pages
        stderr = build(repo, tmp_path / "two")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "rendered pages were not cached: database is locked" in stderr
    assert "Mixup, alpha 0.4." in (tmp_path / "two" / "log/a/index.html").read_text()
    assert cached_pages(repo) == cached  # nothing half-written

"""Rendered pages are reused between builds only while nothing that shapes them changed."""

from __future__ import annotations

from pathlib import Path

from support import Repo, mkdocs_build

PAGES = ("log/a/index.html", "log/b/index.html", "dead-ends/index.html", "playbook/index.html")


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

    cached = sorted((repo.root / ".researchlog-cache/rendered").glob("*.json"))
    path = repo.root / "log/a.md"
    path.write_text(path.read_text().replace("Mixup on the tagger.", "Mixup, alpha 0.4."))
    build(repo, tmp_path / "three")
    page = (tmp_path / "three" / "log/a/index.html").read_text()
    assert "Mixup, alpha 0.4." in page and "Mixup on the tagger." not in page
    # The old rendering of the edited page is gone; one file per page remains.
    assert len(sorted((repo.root / ".researchlog-cache/rendered").glob("*.json"))) == len(cached)


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


def test_a_damaged_cache_file_is_rendered_again(repo: Repo, tmp_path: Path) -> None:
    small_log(repo)
    build(repo, tmp_path / "one")
    for path in (repo.root / ".researchlog-cache/rendered").glob("*.json"):
        path.write_text("{not json")
    stderr = build(repo, tmp_path / "two")
    assert "not rendered again" not in stderr
    for page in PAGES:
        assert (tmp_path / "two" / page).read_text() == (tmp_path / "one" / page).read_text()

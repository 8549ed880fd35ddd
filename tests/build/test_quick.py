"""The page a preview shows the moment an entry is saved is the page the rebuild then makes,
and anything but an entry's text waits for the rebuild."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from researchlog.build.quick import Changes, Snapshot, quick_pages
from researchlog.core.settings import load_settings
from researchlog.log import build_log, with_edited
from researchlog.pages.urls import Urls
from researchlog.read.entries import read_entry
from researchlog.views.site import build_site
from support import Repo, entry_text

URLS = Urls(directory_urls=True)


@pytest.fixture
def log_repo(repo: Repo) -> Repo:
    repo.entry("log/2025/a.md", "Tried a thing.\n", title="Tokenizer swap", tags=["nlp"])
    repo.entry("log/2025/b.md", "Tried another.\n", title="Tokenizer retry", tags=["nlp"])
    repo.entry("log/2025/c.md", "Unrelated.\n", title="Vision baseline", tags=["vision"])
    repo.write("playbook/index.md", "# Start here\n")
    repo.commit("three entries")
    return repo


def _edit(path: Path, text: str) -> None:
    """Write `text` with a modification time that differs from the file's last one even on a
    coarse clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "Tokenizer retry", "tags": ["nlp"]},  # the body only
        {"title": "Tokenizer retried", "tags": ["nlp", "speech"]},  # what other pages show
        {"title": "Tokenizer retry", "tags": ["nlp"], "status": "dead-end"},  # not committed
    ],
)
def test_an_edited_entry_page_is_the_page_a_full_build_makes(
    log_repo: Repo, fields: dict[str, object]
) -> None:
    settings = load_settings(log_repo.root)
    before = Snapshot.take(settings)
    log = build_log(settings)
    _edit(log_repo.root / "log/2025/b.md", entry_text("Tried another, *again*.\n", **fields))

    changes = before.changes(Snapshot.take(settings))
    assert changes == Changes(edited=["log/2025/b.md"], added=[])
    quick = quick_pages(log, URLS, changes)
    assert quick is not None and [p.src_uri for p in quick.pages] == ["log/2025/b.md"]
    assert quick.files == []

    read_again = build_log(settings)
    edited = with_edited(log, [read_entry(log_repo.root, "log/2025/b.md")[0]])  # type: ignore[list-item]
    for name in ("entries", "by_slug", "by_project", "by_tag", "by_lesson"):
        assert getattr(edited, name) == getattr(read_again, name), name
    fresh = {p.src_uri: p for p in build_site(read_again, URLS).pages}["log/2025/b.md"]
    made, expected = quick.pages[0].make(), fresh.make()
    assert "again" in made.markdown
    assert made.markdown == expected.markdown
    assert dict(made.blocks) == dict(expected.blocks)
    assert quick.pages[0].key == fresh.key


def test_a_new_entry_page_and_what_lists_it_are_those_of_a_full_build(log_repo: Repo) -> None:
    settings = load_settings(log_repo.root)
    before = Snapshot.take(settings)
    log = build_log(settings)
    log_repo.entry("log/2025/d.md", "New.\n", title="Tokenizer, third try", project="nlp-bet")

    changes = before.changes(Snapshot.take(settings))
    assert changes == Changes(edited=[], added=["log/2025/d.md"])
    quick = quick_pages(log, URLS, changes)
    assert quick is not None
    uris = [p.src_uri for p in quick.pages]
    assert uris == ["log/2025/d.md", "index.md", "explorer.md", "projects/nlp-bet.md"]

    site = build_site(build_log(settings), URLS)
    fresh = {p.src_uri: p for p in site.pages}
    for page in quick.pages:
        made, expected = page.make(), fresh[page.src_uri].make()
        assert (made.markdown, dict(made.blocks)) == (expected.markdown, dict(expected.blocks))
        assert page.key == fresh[page.src_uri].key
    assert "Tokenizer, third try" in quick.pages[1].make().markdown + str(
        dict(quick.pages[1].make().blocks)
    )
    data = {f.src_uri: f.content for f in site.files}["entries.json"]
    assert [f.src_uri for f in quick.files] == ["entries.json"]
    assert quick.files[0].content == data


def test_an_editor_swap_file_is_not_a_change(log_repo: Repo) -> None:
    settings = load_settings(log_repo.root)
    before = Snapshot.take(settings)
    log_repo.write("log/2025/.b.md.swp", "swap")
    log_repo.write("log/2025/b.md~", "backup")
    assert before.changes(Snapshot.take(settings)) == Changes(edited=[], added=[])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: (r.root / "log/2025/c.md").unlink(), id="a deleted entry"),
        pytest.param(lambda r: r.git("mv", "log/2025/c.md", "log/2025/e.md"), id="git mv"),
        pytest.param(
            lambda r: r.write("mkdocs.yml", (r.root / "mkdocs.yml").read_text() + "\n"),
            id="the config",
        ),
        pytest.param(lambda r: r.commit("again", allow_empty=True), id="a commit"),
    ],
)
def test_other_changes_wait_for_the_rebuild(log_repo: Repo, change: object) -> None:
    settings = load_settings(log_repo.root)
    before = Snapshot.take(settings)
    change(log_repo)  # type: ignore[operator]
    assert before.changes(Snapshot.take(settings)) is None


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param("playbook/index.md", "# Start here\n\nMore.\n", id="a playbook page"),
        pytest.param("log/2025/b.md", "---\ntitle: [broken\n---\n", id="broken front matter"),
        pytest.param(
            "log/2025/b.md",
            entry_text("key: AKIAIOSFODNN7EXAMPLE\n", title="Tokenizer retry"),
            id="a credential",
        ),
    ],
)
def test_an_edit_with_a_problem_or_outside_the_entries_waits(
    log_repo: Repo, path: str, text: str
) -> None:
    settings = load_settings(log_repo.root)
    before = Snapshot.take(settings)
    log = build_log(settings)
    _edit(log_repo.root / path, text)
    changes = before.changes(Snapshot.take(settings))
    assert changes == Changes(edited=[path], added=[])
    assert quick_pages(log, URLS, changes) is None


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param("log/2025/n.ipynb", "{}", id="a notebook"),
        pytest.param("log/2026/b.md", entry_text(title="Same slug"), id="a slug taken"),
        pytest.param("log/2025/n.md", "---\ntitle: [broken\n---\n", id="broken front matter"),
        pytest.param("log/2025/i.png", "not an entry", id="another file"),
    ],
)
def test_a_new_file_that_is_not_a_sound_entry_waits(log_repo: Repo, path: str, text: str) -> None:
    settings = load_settings(log_repo.root)
    before = Snapshot.take(settings)
    log = build_log(settings)
    log_repo.write(path, text)
    changes = before.changes(Snapshot.take(settings))
    assert changes == Changes(edited=[], added=[path])
    assert quick_pages(log, URLS, changes) is None

"""Pages rendered ahead in a worker process are the pages MkDocs itself would render."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from test_pagerender import PAGES, rendered, site
from test_render_cache import small_log

from researchlog.core.workers import Workers
from researchlog.plugin.mkdocs_private import rendering as rendering_module
from researchlog.plugin.mkdocs_private.pagerender import PageRenderer, apply
from researchlog.plugin.mkdocs_private.prerender import Prerender, RenderSetup, render_ahead
from researchlog.plugin.mkdocs_private.rendering import Rendering
from researchlog.plugin.rendercache import RenderCache
from support import Repo

BROKEN = "d.md"  # its link logs a warning: the build must render it, and say so itself


@pytest.fixture
def workers() -> Iterator[Workers]:
    pool = Workers(count=1)
    yield pool
    pool.close()


def setup_for(tmp_path: Path) -> tuple[MkDocsConfig, Files, PageRenderer, RenderCache]:
    config, files = site(tmp_path)
    (tmp_path / "docs" / BROKEN).write_text("# Fourth\n\nSee [gone](gone.md).\n")
    files.append(File(BROKEN, str(tmp_path / "docs"), str(tmp_path / "site"), True))
    renderer = PageRenderer.for_config(config)
    assert renderer is not None
    return config, files, renderer, RenderCache(tmp_path / "cache.sqlite", "build")


def source(tmp_path: Path, name: str) -> str:
    return (tmp_path / "docs" / name).read_text()


def mkdocs_page(config: MkDocsConfig, files: Files, name: str) -> Page:
    page = Page(None, files.get_file_from_path(name), config)  # type: ignore[arg-type]
    page.read_source(config)
    return page


def test_a_worker_stores_what_mkdocs_would_render(tmp_path: Path, workers: Workers) -> None:
    config, files, renderer, cache = setup_for(tmp_path)
    names = [*PAGES, BROKEN]
    job = Prerender.start(
        workers,
        RenderSetup.of(config, files, renderer, cache),
        [(name, source(tmp_path, name)) for name in names],
    )
    assert job.future.result(timeout=120) == len(PAGES)
    assert job.stored() == len(PAGES)
    job.stop()
    assert not job.payload.exists()

    for name in names:
        theirs = mkdocs_page(config, files, name)
        theirs.render(config, files)
        hit = cache.get(name, theirs.markdown or "")
        if name == BROKEN:
            assert hit is None  # logged a warning in the worker: not stored
            continue
        assert hit is not None, name
        ours = mkdocs_page(config, files, name)
        apply(ours, hit, files)
        assert rendered(ours) == rendered(theirs), name
    cache.close(prune=False)


def test_the_worker_stops_where_the_build_has_been(tmp_path: Path, workers: Workers) -> None:
    config, files, renderer, cache = setup_for(tmp_path)
    page = mkdocs_page(config, files, "b.md")
    cache.put("b.md", page.markdown or "", renderer.render(page, config, files))
    job = Prerender.start(
        workers,
        RenderSetup.of(config, files, renderer, cache),
        [(name, source(tmp_path, name)) for name in ("c.md", "b.md", "a.md")],
    )
    assert job.future.result(timeout=120) == 1  # c.md, then b.md was found: a.md is left
    job.stop()
    for name, stored in (("c.md", True), ("a.md", False)):
        markdown = mkdocs_page(config, files, name).markdown or ""
        assert cache.has(name, markdown) is stored, name
    cache.close(prune=False)


def test_the_worker_stops_when_the_build_is_done(tmp_path: Path, monkeypatch: Any) -> None:
    """Pages whose rendering logs a message are never stored, so only stop() ends the worker
    early on a log full of them."""
    config, files, renderer, cache = setup_for(tmp_path)
    setup = RenderSetup.of(config, files, renderer, cache)
    payload = tmp_path / "pages.jsonl"
    payload.write_text("".join(json.dumps([name, source(tmp_path, name)]) + "\n" for name in PAGES))
    convert = PageRenderer.convert

    def convert_then_finish(*args: Any) -> Any:
        payload.unlink(missing_ok=True)  # the build finishes during the first page
        return convert(*args)

    monkeypatch.setattr(PageRenderer, "convert", convert_then_finish)
    assert render_ahead(setup, str(payload)) == 1
    assert render_ahead(setup, str(payload)) == 0  # stopped before it started


def test_a_setup_that_cannot_reach_the_worker_only_costs_the_speed_up(
    tmp_path: Path, workers: Workers
) -> None:
    config, files, renderer, cache = setup_for(tmp_path)
    renderer.configs["toc"] = {"slugify": lambda text, sep: text}  # not picklable
    job = Prerender.start(
        workers,
        RenderSetup.of(config, files, renderer, cache),
        [("a.md", source(tmp_path, "a.md"))],
    )
    with pytest.raises(Exception, match="pickle"):
        job.future.result(timeout=120)
    assert job.stored() == 0
    job.stop()
    assert not job.payload.exists()


def log_with_links(repo: Repo) -> None:
    small_log(repo)
    repo.entry("log/b.md", "See [A](a.md#results) and [gone](gone.md).\n", title="Cutmix")
    repo.entry("log/c.md", "Unlike [A](a.md#nowhere), this one is [B](b.md).\n", title="Crop")
    for index in range(6):
        repo.entry(f"log/e{index}.md", f"Run {index}, after [C](c.md).\n", title=f"Run {index}")
    repo.commit("more entries")


def build_site(repo: Repo, site: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO):
        build(load_config(str(repo.root / "mkdocs.yml"), site_dir=str(site)))
    return [record.getMessage() for record in caplog.records]


def html_files(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): path.read_text()
        for path in sorted(site.rglob("*.html"))
        if "pagefind" not in path.parts
    }


def worker_first(monkeypatch: Any) -> None:
    """The worker gets every page and finishes before MkDocs renders any."""
    start = Rendering.start_ahead

    def start_and_finish(rendering: Rendering, *args: Any) -> None:
        start(rendering, *args)
        if rendering.prerender is not None:
            rendering.prerender.future.result(timeout=120)

    monkeypatch.setattr(Rendering, "start_ahead", start_and_finish)
    monkeypatch.setattr(rendering_module, "_PRERENDER_FROM", 0)


def test_a_site_is_the_same_with_pages_rendered_ahead(
    repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    """The worker is made to finish before MkDocs renders: all its pages come from it."""
    log_with_links(repo)
    worker_first(monkeypatch)
    ahead = build_site(repo, tmp_path / "ahead", caplog)
    monkeypatch.setattr(Rendering, "start_ahead", lambda *args: None)
    cache = repo.root / ".researchlog-cache"
    for path in cache.glob("rendered.sqlite*"):
        path.unlink()
    alone = build_site(repo, tmp_path / "alone", caplog)

    done = [m for m in ahead if "were rendered ahead in a worker process" in m]
    assert done and not done[0].startswith("0 "), ahead
    assert html_files(tmp_path / "ahead") == html_files(tmp_path / "alone")
    # Every link problem is still reported, once, by the build itself.
    for messages in (ahead, alone):
        assert sum("contains a link 'gone.md'" in m for m in messages) == 1, messages
        assert sum("anchor '#nowhere'" in m for m in messages) == 1, messages


def test_on_one_core_mkdocs_renders_alone(
    repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    log_with_links(repo)
    worker_first(monkeypatch)
    monkeypatch.setattr(rendering_module, "available_cores", lambda: 1)
    messages = build_site(repo, tmp_path / "site", caplog)
    assert not any("rendered ahead" in m for m in messages), messages
    assert (tmp_path / "site" / "log/c/index.html").is_file()


def test_pages_ahead_take_only_time_nothing_else_needs(tmp_path: Path, workers: Workers) -> None:
    """The worker renders at the lowest priority, below the search index; the build's own
    process, which renders every page the worker has not, keeps its own."""
    config, files, renderer, cache = setup_for(tmp_path)
    setup = RenderSetup.of(config, files, renderer, cache)
    payload = tmp_path / "pages.jsonl"
    payload.write_text(json.dumps(["a.md", source(tmp_path, "a.md")]) + "\n")
    before = os.nice(0)
    assert workers.submit(render_ahead, setup, str(payload)).result(timeout=120) == 1
    assert workers.submit(os.nice, 0).result(timeout=120) == 19  # the same worker, after it
    assert render_ahead(setup, str(payload)) == 0  # here, in the build's process: not niced
    assert os.nice(0) == before

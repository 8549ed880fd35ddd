"""Parts of the theme made once for many pages (the navigation of pages outside it, the
theme's words) give the same site, byte for byte, as every page making its own."""

from __future__ import annotations

import collections
from pathlib import Path

import material
import pytest
from jinja2 import Environment, FileSystemLoader
from mkdocs.utils import get_relative_url

from researchlog.plugin.themeparts import _words, parts, shared_key
from support import Repo, run_cli

PAGES = [
    "log/2024/a/",
    "log/2024/b/",
    "log/2024/c/",
    "log/2024/f/",
    "log/2024/g/",
    "log/2023/d/",
    "log/2023/h/",
    "log/e/",
    "log/2024/a/notebook/",
    "log/2024/a.html",
    "log/2024/b.html",
    "log/2024/index.html",
    "log/2024/",
    "playbook/intro/",
    "index.html",
    "",
]
TARGETS = [
    "",
    "index.html",
    "log/",
    "log/2024/",
    "log/2024/c/",  # an entry in the navigation: its siblings link to it alike
    "log/2024/b/figure/",  # below one entry: that entry is drawn on its own
    "playbook/intro/",
    "log/2024/a.html",
    "assets/logo.png",
]


def test_pages_with_one_key_resolve_every_link_alike() -> None:
    bases = [parts(target) for target in TARGETS]
    groups: dict[object, list[str]] = collections.defaultdict(list)
    for url in PAGES:
        key = shared_key(url, bases, active=False)
        if key is not None:
            groups[key].append(url)
    for urls in groups.values():
        links = {url: [get_relative_url(target, url) for target in TARGETS] for url in urls}
        assert len({tuple(resolved) for resolved in links.values()}) == 1, links
    shared = sorted(sorted(urls) for urls in groups.values() if len(urls) > 1)
    assert shared == [
        ["", "index.html"],
        ["log/2023/d/", "log/2023/h/"],
        ["log/2024/", "log/2024/a.html", "log/2024/b.html", "log/2024/index.html"],
        ["log/2024/a/", "log/2024/f/", "log/2024/g/"],
    ]
    assert shared_key("log/2024/a/", bases, active=True) is None  # the current page


def test_materials_words_are_looked_up_once() -> None:
    """If Material changes how its partials/language.html looks a word up, this fails: the
    pages are still right, but every word is looked up on every page again."""
    theme = Path(material.__file__).parent / "templates"
    env = Environment(loader=FileSystemLoader(str(theme)))
    words = _words(env, FileSystemLoader(str(theme)))
    assert words is not None and "researchlog_word(lang, fallback, key)" in words


def _config(directory_urls: bool, custom_dir: bool) -> str:
    theme = "theme:\n  name: material\n  font: false\n" + (
        "  custom_dir: theme\n" if custom_dir else ""
    )
    return (
        f"site_name: Test log\ndocs_dir: playbook\n"
        f"use_directory_urls: {str(directory_urls).lower()}\n{theme}plugins:\n  - researchlog\n"
        "nav:\n  - Intro: playbook/index.md\n  - Second: playbook/second.md\n"
        "  - An entry: log/2024/2024-02-01-b.md\n  - Elsewhere: https://example.org/\n"
    )


def _log(root: Path, directory_urls: bool) -> Repo:
    repo = Repo(root)
    repo.site_config(_config(directory_urls, custom_dir=False))
    repo.write("playbook/index.md", "# Intro\n\nRead the log.\n")
    repo.write("playbook/second.md", "# Second\n\nMore.\n")
    for path, title in [
        ("log/2024/2024-02-01-a.md", "First"),
        ("log/2024/2024-02-01-b.md", "Second"),
        ("log/2024/2024-02-03-c.md", "Third"),
        ("log/2023/2023-05-01-d.md", "Fourth"),
        ("log/deep/er/2024-06-01-e.md", "Fifth"),
    ]:
        repo.entry(
            path,
            "## Results\n\nIt worked.\n",
            title=title,
            date=path.rsplit("/", 1)[1][:10],
            question=f"Does {title.lower()} work?",
            status="success",
            outcome="It worked.",
        )
    repo.commit("A small log")
    return repo


def _pages(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*.html"))}


@pytest.mark.parametrize("directory_urls", [True, False])
def test_parts_made_once_are_the_ones_each_page_would_make(
    tmp_path: Path, directory_urls: bool
) -> None:
    root = tmp_path / "repo"
    repo = _log(root, directory_urls)
    sites = {}
    for custom_dir in (False, True):
        if custom_dir:
            # Material's own logo and words from a custom_dir: every page draws its navigation
            # and looks its words up anew.
            for name in ("logo.html", "language.html"):
                theirs = Path(material.__file__).parent / "templates/partials" / name
                repo.write(f"theme/partials/{name}", theirs.read_text())
            repo.write("mkdocs.yml", _config(directory_urls, custom_dir=True))
        site = tmp_path / f"site-{custom_dir}"
        result = run_cli("build", "--site-dir", str(site), cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
        sites[custom_dir] = _pages(site)
    shared, drawn = sites[False], sites[True]
    assert shared.keys() == drawn.keys()
    different = [name for name in shared if shared[name] != drawn[name]]
    assert not different
    # Entries in one folder share a drawing; each links to the playbook from where it is.
    for entry, link in (
        [
            ("log/2024/2024-02-01-a/index.html", "../../../playbook/second/"),
            ("log/2024/2024-02-03-c/index.html", "../../../playbook/second/"),
            ("log/deep/er/2024-06-01-e/index.html", "../../../../playbook/second/"),
        ]
        if directory_urls
        else [
            ("log/2024/2024-02-01-a.html", "../../playbook/second.html"),
            ("log/deep/er/2024-06-01-e.html", "../../../playbook/second.html"),
        ]
    ):
        assert f'href="{link}"'.encode() in shared[entry], entry

"""One Markdown instance for a whole build renders every page as MkDocs itself would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from researchlog.plugin.mkdocs_private.pagerender import PageRenderer

EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.details",
    {"pymdownx.highlight": {"linenums": True}},
    "pymdownx.superfences",
    {"pymdownx.tabbed": {"alternate_style": True}},
    {"pymdownx.tasklist": {"custom_checkbox": True}},
    "pymdownx.tilde",
    "researchlog.mdext",
]

# Each page leaves state behind that the next must not see: footnotes, abbreviations,
# heading ids, tab and code block counters, links with anchors, raw HTML ids.
PAGES = {
    "a.md": (
        "# First\n\nA claim.[^1] The HTML spec.\n\n*[HTML]: Hyper Text Markup Language\n\n"
        '[^1]: A footnote.\n\n## Results\n\n=== "One"\n\n    tab one\n\n=== "Two"\n\n'
        "    tab two\n\n```python\nprint(1)\n```\n\n- [x] done\n- [ ] open\n\n"
        '<div id="raw-a">raw</div>\n\nSee [b](b.md#results) and [c](c.md#nowhere).\n'
    ),
    "b.md": (
        "# Second\n\nNo footnotes here, and HTML is not an abbreviation.\n\n## Results\n\n"
        '## Results\n\n=== "Only"\n\n    tab\n\n```python\nprint(2)\n```\n\n'
        "!!! note\n    An admonition.\n\nTerm\n:   Definition\n\n~~struck~~\n"
    ),
    "c.md": (
        "Text without a title.[^x]\n\n[^x]: Another footnote.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '<div markdown id="md-block">**bold**</div>\n\n??? question "Folded"\n    Inside.\n'
    ),
}


def site(tmp_path: Path) -> tuple[MkDocsConfig, Files]:
    (tmp_path / "docs").mkdir()
    for name, text in PAGES.items():
        (tmp_path / "docs" / name).write_text(text)
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump({"site_name": "t", "markdown_extensions": EXTENSIONS}))
    config = load_config(str(config_file))
    files = Files(
        [File(name, str(tmp_path / "docs"), str(tmp_path / "site"), True) for name in PAGES]
    )
    return config, files


def rendered(page: Page) -> dict[str, Any]:
    return {
        "content": page.content,
        "toc": [(item.id, item.title, [child.id for child in item.children]) for item in page.toc],
        "title": page._title_from_render,
        "anchors": page.present_anchor_ids,
        "links": {file.src_uri: anchors for file, anchors in (page.links_to_anchors or {}).items()},
    }


def test_pages_render_as_mkdocs_renders_them(tmp_path: Path) -> None:
    config, files = site(tmp_path)
    renderer = PageRenderer.for_config(config)
    assert renderer is not None
    for _ in range(2):  # a second round, after every page has left its state behind
        for file in files:
            ours = Page(None, file, config)
            ours.read_source(config)
            renderer.render(ours, config, files)
            theirs = Page(None, file, config)
            theirs.read_source(config)
            theirs.render(config, files)
            assert rendered(ours) == rendered(theirs), file.src_uri
    page = Page(None, files.get_file_from_path("b.md"), config)  # type: ignore[arg-type]
    page.read_source(config)
    renderer.render(page, config, files)
    assert "fn:1" not in (page.content or "") and "<abbr" not in (page.content or "")
    assert [item.id for item in next(iter(page.toc)).children] == ["results", "results_1"]


@pytest.mark.parametrize("extension", ["pymdownx.snippets", "markdown.extensions.toc:TocExtension"])
def test_other_extensions_leave_rendering_to_mkdocs(tmp_path: Path, extension: str) -> None:
    config, _ = site(tmp_path)
    config.markdown_extensions.append(extension)
    assert PageRenderer.for_config(config) is None

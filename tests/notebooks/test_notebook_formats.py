"""Notebooks in the forms Jupyter opens: nbformat 3 (IPython 2's worksheets) and nbformat 4.5
without cell ids are read, checked and shown, upgraded in memory and never rewritten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from support import MINIMAL_MKDOCS, Repo, mkdocs_build, run_cli

FRONT = {
    "title": "An IPython 2 notebook",
    "status": "success",
    "question": "Does an nbformat 3 notebook still show?",
    "outcome": "It does.",
}


def version_3() -> str:
    """An nbformat 3 notebook as IPython 2 wrote it: cells in a worksheet, a heading cell,
    code cells with `input`, `prompt_number` and a `pyout` output."""
    from nbformat import v3

    cells = [
        v3.new_heading_cell("Old results", level=2),
        v3.new_text_cell("markdown", "Written with *IPython 2*."),
        v3.new_code_cell(
            "print('loss', 0.25)\n6 * 7",
            prompt_number=1,
            outputs=[
                v3.new_output("stream", output_text="loss 0.25\n", stream="stdout"),
                v3.new_output("pyout", output_text="42", prompt_number=1),
            ],
        ),
    ]
    notebook = v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)])
    notebook.metadata["researchlog"] = FRONT
    text: str = v3.writes_json(notebook)
    assert json.loads(text)["nbformat"] == 3 and "worksheets" in json.loads(text)
    return text


def without_ids() -> str:
    """An nbformat 4.5 notebook whose cells have no `id`, as some tools still write them."""
    import nbformat
    from nbformat import v4

    notebook = v4.new_notebook(
        cells=[
            v4.new_markdown_cell("## Id-less\n\nNo cell has an id."),
            v4.new_code_cell(
                "print('ok')", outputs=[v4.new_output("stream", name="stdout", text="ok\n")]
            ),
        ]
    )
    notebook.metadata["researchlog"] = {**FRONT, "title": "Cells without ids"}
    data: dict[str, Any] = json.loads(nbformat.writes(notebook))
    for cell in data["cells"]:
        del cell["id"]
    assert data["nbformat_minor"] >= 5
    return json.dumps(data, indent=1)


def test_old_and_id_less_notebooks_are_read_checked_and_shown(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.site_config(MINIMAL_MKDOCS)
    old = repo.write("log/ipython2.ipynb", version_3())
    idless = repo.write("log/idless.ipynb", without_ids())
    originals = {path: path.read_bytes() for path in (old, idless)}
    repo.commit("old notebooks")

    check = run_cli("check", "--strict", "--json", cwd=repo.root)
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout) == []

    site = tmp_path / "site"
    build = mkdocs_build(repo.root, strict=True, site_dir=site)
    assert build.returncode == 0, build.stderr
    page = BeautifulSoup((site / "log/ipython2/index.html").read_text(), "html.parser")
    article = page.select_one("article")
    assert article is not None
    assert article.select("h2")[0].get_text(strip=True).rstrip("¶") == "Old results"
    assert "Written with IPython 2." in article.get_text()
    outputs = [o.get_text() for o in article.select(".rl-nb-outputs pre")]
    assert outputs == ["loss 0.25\n", "42"]
    shown = BeautifulSoup((site / "log/idless/index.html").read_text(), "html.parser")
    assert "ok" in shown.select_one(".rl-nb-outputs").get_text()
    # Upgraded in memory only: the files are as they were committed.
    assert {path: path.read_bytes() for path in originals} == originals
    assert repo.git("status", "--porcelain") == ""

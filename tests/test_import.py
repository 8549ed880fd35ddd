"""`researchlog import`: past work from real files as entries, never overwriting, idempotent.

knowledge-repo posts are written by hand from its documented format (headers verbatim from
its repository); MLflow runs and DVCLive outputs are made by MLflow and DVCLive themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import Repo, mkdocs_build, run_cli

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    "DVC_NO_ANALYTICS": "1",
    "ITERATIVE_DO_NOT_TRACK": "1",
}


def png(seed: int = 0) -> bytes:
    """A real 2x2 PNG, different for each seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([seed % 256, 80, 160] * 2) for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def importing(repo: Repo, *args: str, env: dict[str, str] | None = None) -> Any:
    return run_cli("import", *args, cwd=repo.root, env={**QUIET, **(env or {})})


def front(path: Path) -> dict[str, Any]:
    if path.suffix == ".ipynb":
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["metadata"][
            "researchlog"
        ]
        return data
    text = path.read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return loaded


def files_under(folder: Path) -> dict[str, str]:
    """Every file under `folder` with a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".researchlog-cache" not in p.parts
    }


def check_strict(repo: Repo) -> None:
    result = run_cli("check", "--strict", cwd=repo.root)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_twice(repo: Repo, *args: str, noun: str, env: dict[str, str] | None = None) -> Any:
    """The second run writes nothing, says each source was already imported, and says so."""
    before = files_under(repo.root / "log")
    again = importing(repo, *args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert files_under(repo.root / "log") == before
    lines = again.stdout.splitlines()
    assert all(" already imported as log/" in line for line in lines[:-1]), again.stdout
    count = len(lines) - 1
    assert lines[-1] == f"nothing new: {count} {noun}{'s' if count > 1 else ''} already imported"
    return again


# ----------------------------------------------------------------------------- knowledge-repo

# The header of a post after `knowledge_repo add` (verbatim, from a folder repository).
LEMURS = """\
---
title: I Found that Lemurs Do Funny Dances
authors:
- sally_smarts
- wesley_wisdom
tags:
- knowledge
- '2017'
created_at: 2016-06-29 00:00:00
updated_at: 2026-12-01 18:58:56.454480
tldr: This is short description of the content and findings of the post.
thumbnail: images/figure.png
---

## Motivation

Some text.

![Dance frequency](images/figure.png)

<img src="images/figure.png" width="200"/>

![remote](https://example.com/x.png)
"""

# knowledge_repo/templates/knowledge_template.md (verbatim header).
TEMPLATE = """\
---
title: This is a Knowledge Template Header
authors:
- sally_smarts
- wesly_wisdom
tags:
- knowledge
- example
created_at: 2016-06-29
updated_at: 2016-06-30
tldr: This is short description of the content and findings of the post.
---

## Motivation

What the template says.
"""

# knowledge-repo's tests/test_posts/unicode.md (verbatim header): 4-space lists, block tldr.
UNICODE = """\
---
title: 我能说普通话
authors:
    - 吴文浩
created_at: 2017-07-03
updated_at: 2017-07-03
tags:
    - 标签
tldr: |
    书到用时方恨少
---

正文。
"""

LEMURS_UUID = "951bb3d8-98ae-4f1b-8aac-eaf180f55d72"


def knowledge_repository(folder: Path) -> Path:
    """A folder knowledge repository as `knowledge_repo init` and `add` leave it: one .kp
    folder, one zipped .kp post, and a Markdown post not yet added."""
    (folder / "projects/lemurs.kp/images").mkdir(parents=True)
    (folder / ".knowledge_repo_config.yml").write_text("# config\n")
    (folder / "README.md").write_text("# Our knowledge repository\n")
    post = folder / "projects/lemurs.kp"
    (post / "knowledge.md").write_text(LEMURS, encoding="utf-8")
    (post / "knowledge.html").write_text("<h2>Motivation</h2>\n")
    (post / "images/figure.png").write_bytes(png(1))
    (post / "UUID").write_text(LEMURS_UUID)
    (post / "REVISION").write_text("1")
    with zipfile.ZipFile(folder / "projects/template.kp", "w") as portable:
        portable.writestr("knowledge.md", TEMPLATE)
        portable.writestr("knowledge.html", "<p>x</p>")
        portable.writestr("images/output_4_0.png", png(2))
        portable.writestr("UUID", "0b1e4c1d-3f0a-4a55-9a49-1c1d2b2f5e11")
        portable.writestr("REVISION", "3")
    (folder / "drafts").mkdir()
    (folder / "drafts/unicode.md").write_text(UNICODE, encoding="utf-8")
    return folder


def test_knowledge_repo_posts_become_entries_with_their_dates(repo: Repo, tmp_path: Path) -> None:
    source = knowledge_repository(tmp_path / "knowledge")
    original = files_under(source)
    result = importing(repo, "knowledge-repo", str(source))
    assert result.returncode == 0, result.stdout + result.stderr
    lemurs = "log/2016/2016-06-29-i-found-that-lemurs-do-funny-dances"
    assert result.stdout.splitlines() == [
        "wrote   log/2017/2017-07-03-entry.md from post drafts/unicode.md",
        f"wrote   {lemurs}.md (and 1 file in {lemurs}/) from post projects/lemurs.kp",
        "wrote   log/2016/2016-06-29-this-is-a-knowledge-template-header.md (and 1 file in"
        " log/2016/2016-06-29-this-is-a-knowledge-template-header/) from post"
        " projects/template.kp",
        "imported 3 posts",
    ]
    assert files_under(source) == original  # the source is only read

    entry = repo.root / f"{lemurs}.md"
    data = front(entry)
    assert data == {
        "title": "I Found that Lemurs Do Funny Dances",
        "status": "inconclusive",
        "question": "Not recorded in the knowledge-repo post.",
        "outcome": "This is short description of the content and findings of the post.",
        "tags": ["knowledge", "2017"],
        "authors": ["sally_smarts", "wesley_wisdom"],
        "date": dt.date(2016, 6, 29),
        "imported_from": f"knowledge-repo:{LEMURS_UUID}",
    }
    text = entry.read_text(encoding="utf-8")
    folder = "2016-06-29-i-found-that-lemurs-do-funny-dances"
    assert f"![Dance frequency]({folder}/images/figure.png)" in text
    assert f"![]({folder}/images/figure.png)" in text  # raw HTML is not rewritten by MkDocs
    assert "![remote](https://example.com/x.png)" in text
    assert "## Motivation\n\nSome text." in text
    assert (repo.root / lemurs / "images/figure.png").read_bytes() == png(1)

    template = repo.root / "log/2016/2016-06-29-this-is-a-knowledge-template-header"
    assert (template / "images/output_4_0.png").read_bytes() == png(2)  # from the zip
    assert front(template.with_suffix(".md"))["imported_from"] == (
        "knowledge-repo:0b1e4c1d-3f0a-4a55-9a49-1c1d2b2f5e11"
    )
    unicode = front(repo.root / "log/2017/2017-07-03-entry.md")
    assert unicode["title"] == "我能说普通话"
    assert unicode["authors"] == ["吴文浩"] and unicode["tags"] == ["标签"]
    assert unicode["outcome"] == "书到用时方恨少"
    assert unicode["imported_from"] == "knowledge-repo:drafts/unicode.md"
    check_strict(repo)
    repo.commit("Import the knowledge repository")
    site = repo.root / "site"
    built = mkdocs_build(repo.root, strict=True, site_dir=site)
    assert built.returncode == 0, built.stderr
    page = (site / lemurs.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert page.count('src="images/figure.png"') == 2  # both images, relative to the page
    assert (site / lemurs / "images/figure.png").read_bytes() == png(1)

    imported_twice(repo, "knowledge-repo", str(source), noun="post")
    # The identity is the post's, not the folder it was named by: one post, named directly.
    one = importing(repo, "knowledge-repo", str(source / "projects/lemurs.kp"))
    assert one.stdout.splitlines() == [
        f"skipped post projects/lemurs.kp: already imported as {lemurs}.md",
        "nothing new: 1 post already imported",
    ]


def test_knowledge_repo_import_never_overwrites_and_reports_bad_posts(
    repo: Repo, tmp_path: Path
) -> None:
    source = tmp_path / "posts"
    source.mkdir()
    (source / "template.md").write_text(TEMPLATE + "\n![fig](images/fig.png)\n")
    (source / "images").mkdir()
    (source / "images/fig.png").write_bytes(png(3))
    (source / "broken.md").write_text("---\ntitle: [unclosed\ncreated_at: 2016-01-01\n---\nx\n")
    taken = repo.entry(
        "log/2016/2016-06-29-this-is-a-knowledge-template-header.md",
        title="Something else",
        status="running",
    )
    mine = taken.read_bytes()
    folder = repo.root / "log/2016/2016-06-29-this-is-a-knowledge-template-header-2"
    folder.mkdir()  # a folder of that name is there too
    result = importing(repo, "knowledge-repo", str(source))
    assert result.returncode == 1, result.stdout + result.stderr  # one post could not be read
    assert result.stdout.splitlines() == [
        "skipped post broken.md: its header is not valid YAML at line 3",
        "wrote   log/2016/2016-06-29-this-is-a-knowledge-template-header-2.md (and 1 file in"
        " log/2016/2016-06-29-this-is-a-knowledge-template-header-2-files/) from post"
        " template.md",
        "imported 1 post, skipped 1: could not be imported",
    ]
    assert taken.read_bytes() == mine
    assert list(folder.iterdir()) == []
    written = folder.with_suffix(".md").read_text(encoding="utf-8")
    assert "![fig](2016-06-29-this-is-a-knowledge-template-header-2-files/images/fig.png)" in (
        written
    )
    check_strict(repo)


def test_import_errors_say_the_fix_without_a_traceback(repo: Repo, tmp_path: Path) -> None:
    missing = importing(repo, "knowledge-repo", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.startswith("researchlog: error: ")
    assert "does not exist" in missing.stderr and "fix: " in missing.stderr
    assert "Traceback" not in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = importing(repo, "knowledge-repo", str(tmp_path / "empty"))
    assert empty.returncode == 2
    assert "no knowledge-repo posts in" in empty.stderr

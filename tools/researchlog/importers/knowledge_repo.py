"""knowledge-repo posts as entries.

A post is a folder (or a zip file) whose name ends in `.kp`, holding `knowledge.md` (a YAML
header, then Markdown), `images/`, and a `UUID` file; or, before it was added to a
knowledge repository, a Markdown file that starts with the same header. The header's
`created_at` is the entry's date, `tldr` its outcome; images come along.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..read.files import ENTRY_SUFFIXES
from ..read.schema import STATUSES
from .common import (
    NOT_RECORDED,
    TEXT_LIMITS,
    Asset,
    Draft,
    ImportFailed,
    Skip,
    addresses,
    as_date,
    as_list,
    file_day,
    local_assets,
    missing_note,
    relative_target,
)

NOUN = "post"
SOURCE = "the knowledge-repo post"
CONFIG = ".knowledge_repo_config.yml"
# knowledge_repo/post.py: the header is the first block fenced by --- lines.
_HEADER = re.compile(r"^---(?:\n|\r\n?)([\s\S]+?)(?:\n|\r\n?)---(?:\n|\r\n?|$)")


def drafts(path: Path, project: str | None = None) -> Iterator[Draft | Skip]:
    """A draft (or a skip, with the reason) for every post at `path`: a knowledge
    repository, a .kp post, or a Markdown post."""
    posts = find_posts(path)
    if not posts:
        raise ImportFailed(
            f"no knowledge-repo posts in {path}",
            "give a knowledge repository, a .kp post, or a Markdown file that starts with"
            " its header (title, authors, tldr, created_at)",
        )
    for post in posts:
        yield _draft(post, _repository_root(post, path), project)


def find_posts(path: Path) -> list[Path]:
    if not path.exists():
        raise ImportFailed(f"{path} does not exist", "give the folder of the knowledge repository")
    if path.suffix == ".kp" or path.is_file():
        return [path]
    posts: list[Path] = []
    for folder, dirnames, filenames in _walk(path):
        for name in sorted(dirnames):
            if name.endswith(".kp"):
                posts.append(folder / name)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.endswith(".kp"))
        for name in sorted(filenames):
            file = folder / name
            if name.endswith(".kp") or (name.endswith(".md") and _has_header(file)):
                posts.append(file)
    return posts


def _walk(path: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    for folder, dirnames, filenames in os.walk(path):
        yield Path(folder), dirnames, [f for f in filenames if not f.startswith(".")]


def _has_header(file: Path) -> bool:
    try:
        start = file.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    match = _HEADER.match(start)
    return bool(match and re.search(r"^(title|created_at)\s*:", match.group(1), re.M))


def _repository_root(post: Path, given: Path) -> Path:
    """The knowledge repository the post is in (its config file marks it), else the folder
    given, so the same post gets the same identity however it is named."""
    for folder in post.resolve().parents:
        if (folder / CONFIG).is_file():
            return folder
    given = given.resolve()
    return given if given.is_dir() and given != post.resolve() else post.resolve().parent


class _Post:
    """The members of a post, from a folder or a zip file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if path.is_file() and path.suffix == ".kp":
            self.zip = zipfile.ZipFile(path)

    def names(self) -> list[str]:
        if self.zip is not None:
            return [n for n in self.zip.namelist() if not n.endswith("/")]
        if self.path.is_file():
            return [self.path.name]
        return sorted(
            p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()
        )

    def read(self, name: str) -> bytes | None:
        try:
            if self.zip is not None:
                return self.zip.read(name)
            base = self.path if self.path.is_dir() else self.path.parent
            return (base / name).read_bytes()
        except (KeyError, OSError):
            return None

    def knowledge(self) -> str | None:
        name = "knowledge.md" if self.zip is not None or self.path.is_dir() else self.path.name
        data = self.read(name)
        return None if data is None else data.decode("utf-8", errors="replace")


def _draft(path: Path, root: Path, project: str | None) -> Draft | Skip:
    where = _relative(path, root)
    label = f"post {where}"
    try:
        post = _Post(path)
        text = post.knowledge()
    except (OSError, zipfile.BadZipFile) as exc:
        return Skip(label, f"cannot be read ({exc})")
    if text is None:
        return Skip(label, "has no knowledge.md")
    text = text.removeprefix("\ufeff")
    match = _HEADER.match(text)
    if not match:
        return Skip(label, "does not start with a header (--- title: … ---)")
    try:
        header = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 2}" if mark is not None else ""
        return Skip(label, f"its header is not valid YAML{at}")
    if not isinstance(header, dict) or not str(header.get("title") or "").strip():
        return Skip(label, "its header has no title")
    body = text[match.end() :]
    notes: list[str] = []
    day = as_date(header.get("created_at"))
    if day is None:
        day = as_date(header.get("updated_at")) or file_day(path)
        notes.append(f"the header has no created_at; dated {day.isoformat()}")
    uuid = (post.read("UUID") or b"").decode("utf-8", errors="replace").strip()
    assets, missing = _assets(post, body)
    notes += missing_note(missing)
    tldr = str(header.get("tldr") or "").strip()
    outcome = " ".join(tldr.split())
    lead: list[str] = []
    if header.get("subtitle"):
        lead.append(f"*{' '.join(str(header['subtitle']).split())}*")
    if "\n" in tldr or len(outcome) > TEXT_LIMITS["outcome"]:
        lead.append("## TL;DR\n\n" + tldr)  # the outcome holds it on one line
    status = str(header.get("status") or "").strip()
    return Draft(
        source=f"knowledge-repo:{uuid or where}",
        label=label,
        title=str(header["title"]),
        day=day,
        status=status if status in STATUSES else "inconclusive",
        question=str(header.get("question") or NOT_RECORDED.format(source=SOURCE)),
        outcome=outcome or NOT_RECORDED.format(source=SOURCE),
        project=project,
        tags=as_list(header.get("tags")),
        authors=as_list(header.get("authors")),
        body="\n\n".join([*lead, body.strip("\n")]) + "\n",
        assets=assets,
        notes=notes,
    )


def _assets(post: _Post, body: str) -> tuple[dict[str, Asset], list[str]]:
    """The post's images (all of images/, linked or not) and any other file it links to."""
    if post.zip is None:
        folder = post.path if post.path.is_dir() else post.path.parent
        assets, missing = local_assets(body, folder, folder)
        if post.path.is_dir():
            for name in post.names():
                if name.startswith("images/"):
                    assets.setdefault(name, Asset(name, folder / name))
        return assets, missing
    assets = {}
    missing = []
    members = set(post.names())
    for href in addresses(body):
        target = relative_target(href)
        if target is None or not posixpath.splitext(target)[1] or target in assets:
            continue
        data = post.read(target) if target in members else None
        if target.endswith(ENTRY_SUFFIXES):  # copied into the log, it would be an entry
            data = None
        if data is None:
            missing.append(href)
        else:
            assets[target] = Asset(target, data)
    for name in sorted(members):
        if name.startswith("images/") and name not in assets:
            data = post.read(name)
            if data is not None:
                assets[name] = Asset(name, data)
    return assets, missing


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def header_fields(header: dict[str, Any]) -> dict[str, Any]:
    """The entry fields a knowledge-repo header gives (also for notebook posts)."""
    tldr = " ".join(str(header.get("tldr") or "").split())
    return {
        "title": str(header.get("title") or "").strip() or None,
        "authors": as_list(header.get("authors")),
        "tags": as_list(header.get("tags")),
        "day": as_date(header.get("created_at")),
        "outcome": tldr or None,
    }

"""Reading the playbook: principle pages with their reading order and links into the log."""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.problems import Problem, Severity
from . import schema
from .credentials import secret_problems
from .files import discover, load_text
from .frontmatter import first_heading, read_markdown
from .links import LinkRef, markdown_links

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PlaybookPage:
    slug: str  # path below playbook/ without .md: what `lessons:` names
    path: str
    title: str
    order: float | None
    summary: str | None
    body: str
    links: tuple[LinkRef, ...] = ()  # links and images in the page, as written
    words: int = 0

    @property
    def is_start(self) -> bool:
        return self.slug == "index"

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE))


@dataclass
class Playbook:
    pages: list[PlaybookPage] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def by_slug(self) -> dict[str, PlaybookPage]:
        return {page.slug: page for page in self.pages}

    def in_reading_order(self) -> list[PlaybookPage]:
        """Start here first, then by `order:`, then by title."""
        return sorted(
            self.pages,
            key=lambda p: (not p.is_start, p.order is None, p.order or 0, p.title.lower()),
        )


def read_playbook(root: Path, folder: str) -> Playbook:
    found = discover(root, folder)
    playbook = Playbook(assets=list(found.assets), problems=list(found.problems))
    for path in found.entries:
        if not path.endswith(".md"):
            playbook.assets.append(path)
            continue
        page, problems = read_page(root, folder, path)
        playbook.problems.extend(problems)
        if page is not None:
            playbook.pages.append(page)
    return playbook


def read_page(root: Path, folder: str, path: str) -> tuple[PlaybookPage | None, list[Problem]]:
    text, _, unreadable = load_text(path, lambda p: (root / p).read_bytes())
    if text is None:
        return None, unreadable
    leaks = secret_problems(path, text)
    if leaks:
        return None, leaks
    slug = posixpath.splitext(posixpath.relpath(path, folder))[0]
    problems: list[Problem] = []
    values: dict[str, object] = {}
    body = text
    body_line = 1
    if text.lstrip("\ufeff").startswith("---"):
        front = read_markdown(path, text)
        problems.extend(front.problems)
        body, body_line = front.body, front.body_line
        checked = schema.validate(front.data, schema.PLAYBOOK_FIELDS)
        for name, issue in checked.issues:
            if issue.message.startswith("missing"):
                continue  # the first heading stands in for a missing title
            severity = Severity.WARNING if issue.warning else Severity.ERROR
            problems.append(
                Problem(
                    path,
                    front.line_of(name),
                    _message(name, issue.message),
                    issue.hint,
                    severity,
                    issue.code,
                )
            )
        values = checked.values
    title = str(values.get("title") or first_heading(body) or slug.replace("-", " ").title())
    order = values.get("order")
    page = PlaybookPage(
        slug=slug,
        path=path,
        title=title,
        order=float(order) if isinstance(order, int | float) else None,
        summary=str(values["summary"]) if values.get("summary") else None,
        body=body,
        links=tuple(markdown_links(body, body_line)),
        words=len(_WORD.findall(body)),
    )
    return page, problems


def _message(name: str, message: str) -> str:
    return message if message.startswith("unknown") else f'field "{name}" {message}'

"""What crosses the boundary to a worker process and back: one notebook to convert, and the
page body it becomes. Plain, typed data with one encode/decode pair, also used by the cache."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.problems import Problem


@dataclass(frozen=True)
class Job:
    """One notebook to convert."""

    path: str  # repo-relative, for messages
    source: str  # absolute path of the file
    blob_sha: str  # the content the key was made for
    key: str
    src_uri: str
    directory_urls: bool
    files_dir: str  # folder of extracted files, relative to the notebook's folder
    files_href: str  # the same folder, relative to the page's URL
    files_cache: str  # where extracted files are kept, by content hash
    max_bytes: int
    trusted: bool
    execute: bool
    timeout: int
    # The notebook's links to repository code that go to the forge: (path, address).
    code_links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Converted:
    """A notebook's page body: Markdown with placeholders and the HTML blocks that replace
    them, the files extracted beside the page (name, content hash) and what went wrong."""

    markdown: str
    blocks: Mapping[str, str] = field(default_factory=dict)
    files: tuple[tuple[str, str], ...] = ()
    problems: tuple[Problem, ...] = ()
    figures: int = 0
    cacheable: bool = True  # False: depends on more than the file (a run that failed)
    libraries: tuple[str, ...] = ()  # vendored scripts its charts need (libraries.py)

    def encode(self) -> dict[str, Any]:
        return {
            "markdown": self.markdown,
            "blocks": dict(self.blocks),
            "files": [list(item) for item in self.files],
            "problems": [problem.encode() for problem in self.problems],
            "figures": self.figures,
            "cacheable": self.cacheable,
            "libraries": list(self.libraries),
        }

    @classmethod
    def decode(cls, data: Mapping[str, Any]) -> Converted:
        return cls(
            markdown=str(data["markdown"]),
            blocks={str(k): str(v) for k, v in data["blocks"].items()},
            files=tuple((str(name), str(sha)) for name, sha in data["files"]),
            problems=tuple(Problem.decode(p) for p in data["problems"]),
            figures=int(data["figures"]),
            cacheable=bool(data["cacheable"]),
            libraries=tuple(str(path) for path in data["libraries"]),
        )

"""The repository's own files that entries and playbook pages link to: a figure in assets/,
the training script in src/. Each is published with the site at its repository path (as the
files of log/ are), so `../../assets/loss.png` works on the site as on the forge; links to
code and text go to the forge instead when repo_url (or code_url) is set.

Only files a page links to, only regular files inside the repository with nothing hidden on
the way, and never one with a credential in it. `researchlog check` and the build resolve
links through the same Log, so both agree on every link.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from ..core.problems import Problem
from ..core.settings import Settings
from ..history.checkout import Checkout, checkout_of
from ..read.credentials import file_secret_problems
from ..read.files import linked_file
from ..read.links import LinkRef, link_target, names_a_file

# Files best read on the forge, highlighted, with their history: source code, and the text
# and configuration that go with it. Data (CSV, JSON Lines, Parquet), images, PDFs, HTML and
# notebooks are published as files; a link to a notebook outside the log downloads it.
CODE_SUFFIXES = frozenset(
    """
    .py .pyi .pyx .pxd .c .h .cc .cpp .cxx .hpp .hh .cu .cuh .rs .go .java .kt .kts .scala
    .swift .m .mm .js .mjs .cjs .ts .tsx .jsx .vue .r .jl .lua .rb .php .pl .hs .ml .ex .exs
    .erl .clj .dart .sh .bash .zsh .fish .ps1 .bat .sql .proto .cmake .mk .gradle .tf
    .yaml .yml .toml .cfg .ini .conf .json .jsonnet .txt .rst .tex .bib .md .markdown
    """.split()
)
# Markdown elsewhere in the repository is a page of its own (a README, its docs): published
# as a file it would become a page of the log's site. It goes to the forge, or nowhere.
PAGE_SUFFIXES = (".md", ".markdown")


def is_code(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in CODE_SUFFIXES


@dataclass(frozen=True)
class RepositoryFiles:
    published: tuple[str, ...] = ()  # published at their repository path
    code_links: dict[str, str] = field(default_factory=dict)  # path -> the forge's address
    unpublished: dict[str, str] = field(default_factory=dict)  # path -> why not, for hints
    problems: tuple[Problem, ...] = ()


def repository_files(
    settings: Settings,
    sources: Iterable[tuple[str, Iterable[LinkRef]]],
    known: Collection[str],
) -> RepositoryFiles:
    """What becomes of each repository file that the pages (`sources`: page path and its
    links) link to, outside the log and playbook folders (whose files `known` holds)."""
    root = settings.root
    inside = tuple(f"{folder}/" for folder in (settings.log_dir, settings.playbook_dir))
    targets: set[str] = set()
    for source, links in sources:
        for link in links:
            target = link_target(source, link.href)
            if (
                target is None
                or not names_a_file(target)
                or target.startswith("../")
                or target in known
                or target.startswith(inside)
            ):
                continue
            targets.add(target)
    published: list[str] = []
    code: list[str] = []
    unpublished: dict[str, str] = {}
    problems: list[Problem] = []
    for target in sorted(targets):
        reported = len(problems)
        if not linked_file(root, target, problems):
            if len(problems) > reported:
                unpublished[target] = "it is left out of the site (see the warning on it)"
            elif any(part.startswith(".") for part in target.split("/")):
                unpublished[target] = "hidden files and folders (.env, .git) are never published"
            continue
        if settings.links_code and is_code(target):
            code.append(target)
        elif target.lower().endswith(PAGE_SUFFIXES):
            unpublished[target] = (
                "Markdown outside the log is not published (it would become a page of the"
                f" site); set repo_url in {settings.config_file} to link it on the forge"
            )
        else:
            leaks = file_secret_problems(root, target)
            if leaks:
                problems.extend(leaks)
                unpublished[target] = "it looks like it holds a credential (see the error on it)"
            else:
                published.append(target)
    code_links: dict[str, str] = {}
    if code:
        checkout = checkout_of(root) if settings.git_history else Checkout("HEAD", "")
        branch = settings.code_branch or checkout.ref
        for target in code:
            url = settings.code_link(checkout.prefix + target, branch)
            if url is not None:
                code_links[target] = url
    return RepositoryFiles(tuple(published), code_links, unpublished, tuple(problems))

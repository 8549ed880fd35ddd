"""Links and images that point at nothing on the site, found the same way by
`researchlog check` and by the build, with the file and line of each."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable

from ..core.problems import Problem, warning
from ..log import Log
from ..read.links import LinkRef, link_target, names_a_file
from .paths import site_paths


def link_problems(log: Log, paths: Collection[str] | None = None) -> list[Problem]:
    """A warning (as MkDocs gives) for each link from an entry, a playbook page or a project
    card to a file the site does not have; none when the config sets `validation: not_found`
    lower. Links to the repository's own files are fine when the site publishes them, or
    when they go to the forge (log.code_links): the pages' Markdown says so before MkDocs
    reads it (pages/forge.py)."""
    if log.settings.link_not_found != "warn":
        return []
    known = site_paths(log) if paths is None else paths
    sources: Iterable[tuple[str, tuple[LinkRef, ...]]] = [
        *((item.entry.path, item.entry.body_links) for item in log.entries),
        *((page.path, page.links) for page in log.playbook),
        *((card.card.path, card.card.body_links) for card in log.cards.values()),
    ]
    problems = []
    for source, links in sources:
        for link in links:
            target = link_target(source, link.href, rooted=source.endswith(".ipynb"))
            if (
                target is None
                or not names_a_file(target)
                or target in known
                or target in log.code_links  # rewritten to the forge's address
            ):
                continue
            problems.append(_missing(log, source, link, target))
    return problems


def _missing(log: Log, source: str, link: LinkRef, target: str) -> Problem:
    root = log.settings.root
    if target.startswith("../"):
        hint = (
            "the link leads out of the repository; link a file inside it (relative to"
            f" {source}), or give a full web address"
        )
    elif target in log.unpublished:
        hint = f"{target} is in the repository, but {log.unpublished[target]}"
    elif os.path.lexists(root / target):
        hint = (
            f"{target} is in the repository but not published with the site; link another"
            " file, or give its full web address"
        )
    elif link.href.startswith("/"):
        hint = "correct the path (from / it is from the root of the site), or add the file"
    else:
        hint = f"correct the path (it is relative to {source}), or add the file"
    return warning(
        source,
        link.line,
        f"links to {link.href}, but the site has no file {target}",
        hint,
        code="link-missing",
    )

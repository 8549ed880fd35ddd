"""The site folder: never a source, and only ever replaced when a build made it.

A build deletes and rewrites its site folder as a whole. Pointed at the repository, at `log/`
or at `.git`, that would destroy the very files it reads, so the folder is checked against
every folder the build reads before anything is written or deleted. A folder is replaced
only when it carries the marker a build leaves in every site it makes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MARKER = ".researchlog-site"
MARKER_TEXT = (
    "This folder is a site built by researchlog. `researchlog build` replaces it as a whole;\n"
    "keep nothing else in it.\n"
)


@dataclass(frozen=True)
class Source:
    """A folder the build reads, which the site folder must neither be, nor hold, nor be in."""

    path: Path
    name: str  # "the log folder (log/)"
    may_hold_site: bool = False  # the repository root holds the site folder, as it should


class SiteFolderRefused(Exception):
    """The site folder would replace something the build did not make."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def sources(
    root: Path,
    *,
    log_dir: str,
    playbook_dir: str,
    docs_dir: str | None = None,
    custom_dir: str | None = None,
    cache_dir: str | None = None,
) -> list[Source]:
    """The folders a build of the log at `root` reads (and writes its cache to)."""
    found = [Source(root, "the repository itself", may_hold_site=True)]
    git = _git_folder(root)
    if git is not None:
        found.append(Source(git, "the git folder (.git/)"))
    named = [
        (log_dir, "the log folder"),
        (playbook_dir, "the playbook folder"),
        (docs_dir, "the docs folder (docs_dir)"),
        (custom_dir, "the theme's custom_dir"),
        (cache_dir, "the cache folder"),
    ]
    for folder, name in named:
        if folder:
            label = f"{name} ({folder.strip('/')}/)" if "(" not in name else name
            found.append(Source(root / folder, label))
    return found


def _git_folder(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder / ".git"
    return None


def check_site_folder(site: Path, setting: str, folders: Iterable[Source]) -> None:
    """Raise SiteFolderRefused if `site` is, holds or lies inside a folder the build reads.
    `setting` names where the folder was chosen (`--site-dir X`, `site_dir: X in mkdocs.yml`)."""
    site = _real(site)
    for source in folders:
        source_path = _real(source.path)
        if site == source_path:
            relation = "is"
        elif _inside(source_path, site):
            relation = "holds"
        elif _inside(site, source_path) and not source.may_hold_site:
            relation = "is inside"
        else:
            continue
        what = source.name
        if source.may_hold_site and relation == "holds":
            what = "the repository"
        raise SiteFolderRefused(
            f"{setting} {relation} {what}: a build replaces its site folder as a whole",
            "build into a folder of its own, e.g. "
            + ("--site-dir site" if setting.startswith("--") else "site_dir: site"),
        )


def check_replaceable(site: Path, setting: str) -> None:
    """A folder is replaced only if a build made it (its marker), or if it is empty."""
    if not os.path.lexists(site):
        return
    if not site.is_dir() or site.is_symlink():
        raise SiteFolderRefused(
            f"{setting}: {site.name} exists and is not a folder",
            "choose another --site-dir, or move it away",
        )
    if (site / MARKER).is_file() or not any(site.iterdir()):
        return
    raise SiteFolderRefused(
        f"{setting}: {site.name} exists and was not made by researchlog build, so it is left"
        " as it is",
        f"move {site.name} away (or delete it yourself if it is an old site), or build into"
        " another folder with --site-dir",
    )


def mark(site: Path) -> None:
    """Mark a folder as a site a build made, so the next build may replace it."""
    with contextlib.suppress(OSError):
        (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def temporary_names(site: Path, pid: int) -> tuple[Path, Path]:
    """The folders a build of `site` writes into and retires the old site to."""
    return (
        site.with_name(f".{site.name}.building-{pid}"),
        site.with_name(f".{site.name}.old-{pid}"),
    )


def remove_leftovers(site: Path) -> list[Path]:
    """Remove what killed builds of `site` left: marked temporary folders of dead processes."""
    pattern = re.compile(rf"^\.{re.escape(site.name)}\.(?:building|old)-(\d+)$")
    removed = []
    with contextlib.suppress(OSError):
        for folder in site.parent.iterdir():
            match = pattern.match(folder.name)
            if not match or _alive(int(match.group(1))) or not (folder / MARKER).is_file():
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is another user's
        return True
    return True


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path != folder and path.is_relative_to(folder)

"""Finding the files of the log and reading them safely: every file's real path stays inside
the repository, text is UTF-8, and each problem names the file."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.problems import Problem, error, warning

ENTRY_SUFFIXES = (".md", ".ipynb")
_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", "node_modules"}


@dataclass
class Discovered:
    entries: list[str] = field(default_factory=list)  # repo-relative entry paths
    assets: list[str] = field(default_factory=list)  # other files under log/ (images, data)
    unreadable: list[str] = field(default_factory=list)  # other files that cannot be read
    problems: list[Problem] = field(default_factory=list)


def discover(root: Path, folder: str) -> Discovered:
    """Every entry and asset file under root/folder. Symbolic links are followed while they
    stay inside the repository; a link out of it, to a hidden file (.env, .git/…), to nothing
    or to something that is not a file is left out and reported, and loops are cut."""
    found = Discovered()
    base = root / folder
    if not base.is_dir():
        return found
    inside = _Boundary(root)
    if inside.refuse(base, folder, found.problems):
        return found
    visited: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        real = os.path.realpath(dirpath)
        if real in visited:
            found.problems.append(
                warning(
                    rel_dir,
                    None,
                    "this folder is a symlink back into a folder already read"
                    " (a symlink loop); it is skipped",
                    f"remove the symlink {rel_dir}",
                    code="file-symlink-loop",
                )
            )
            dirnames[:] = []
            continue
        visited.add(real)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not inside.refuse(Path(dirpath, d), f"{rel_dir}/{d}", found.problems)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}"
            if inside.refuse(Path(dirpath, name), rel, found.problems):
                continue
            if name.endswith(ENTRY_SUFFIXES):
                found.entries.append(rel)  # an unreadable entry is reported when read
            elif not os.access(Path(dirpath, name), os.R_OK):
                found.problems.append(
                    warning(
                        rel,
                        None,
                        "this file cannot be read (permission denied); it is left out of the site",
                        f"make it readable (chmod a+r {rel}), or remove it from the log",
                        code="file-unreadable",
                    )
                )
                found.unreadable.append(rel)
            else:
                found.assets.append(rel)
    return found


class _Boundary:
    """What may be read for the site: regular files and folders whose real path is inside the
    repository and not hidden there (.git, .env, the cache)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def refuse(self, path: Path, rel: str, problems: list[Problem]) -> bool:
        """Whether `path` (shown as `rel`) must be left out; if so, a problem says why."""
        # Folders are vetted as the walk meets them, so only the last step can be a link.
        if not path.is_symlink():
            problem = None if path.is_dir() or path.is_file() else _not_a_file(rel)
        else:
            problem = self._link_problem(path, rel)
        if problem is not None:
            problems.append(problem)
        return problem is not None

    def _link_problem(self, path: Path, rel: str) -> Problem | None:
        target = path.readlink()
        real = Path(os.path.realpath(path))
        left_out = "it is left out of the site"
        if not real.exists():
            return warning(
                rel,
                None,
                f"this is a broken symbolic link (to {target}); {left_out}",
                f"point the link at an existing file, or remove {rel}",
                code="file-broken-link",
            )
        if not real.is_relative_to(self.root):
            return warning(
                rel,
                None,
                f"this symbolic link points outside the repository (to {real}); {left_out}",
                "copy what the log needs into the repository, or remove the link:"
                " only files inside the repository are published",
                code="file-outside-repository",
            )
        hidden = next(
            (part for part in real.relative_to(self.root).parts if part.startswith(".")), None
        )
        if hidden is not None:
            shown = real.relative_to(self.root).as_posix()
            return warning(
                rel,
                None,
                f"this symbolic link points to {shown}, inside the hidden {hidden}; {left_out}",
                "hidden files and folders (.env, .git, the cache) are never published;"
                " remove the link",
                code="file-hidden",
            )
        if not (real.is_dir() or real.is_file()):
            return _not_a_file(rel)
        return None


def linked_file(root: Path, rel: str, problems: list[Problem]) -> bool:
    """Whether `rel`, a repository file outside log/ and playbook/ that a page links to, may
    be published: a regular, readable file whose real path is inside the repository, with
    nothing hidden on the way (.env, .git/, the cache). Symbolic links anywhere on the path
    are followed, and one out of the repository, to something hidden or to nothing is
    reported like those in log/. A path that names nothing is for the link check."""
    if any(part.startswith(".") for part in rel.split("/")):
        return False
    path = root / rel
    if not os.path.lexists(path):
        return False
    boundary = _Boundary(root)
    parts = rel.split("/")
    for end in range(1, len(parts) + 1):  # each symbolic link on the way, where it is
        step = "/".join(parts[:end])
        if (root / step).is_symlink():
            problem = boundary._link_problem(root / step, step)
            if problem is not None:
                problems.append(problem)
                return False
    if not path.is_file():
        return False
    if not os.access(path, os.R_OK):
        problems.append(
            warning(
                rel,
                None,
                "this file cannot be read (permission denied); it is left out of the site",
                f"make it readable (chmod a+r {rel}), or link something else",
                code="file-unreadable",
            )
        )
        return False
    return True


def _not_a_file(rel: str) -> Problem:
    return warning(
        rel,
        None,
        "this is not a regular file (a pipe, socket or device); it is left out of the site",
        f"remove {rel} from the log",
        code="file-not-regular",
    )


def git_blob_sha(data: bytes) -> str:
    """The hash git gives this content, to tell whether the file differs from the last commit."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text, or a problem naming the line of the first undecodable byte."""
    if b"\0" in data[:8192]:
        return None, error(
            path,
            1,
            "this is a binary file, not text (it contains NUL bytes)",
            "entries must be Markdown (.md) or notebooks (.ipynb); move other"
            " files out of the way or give them their real extension",
            code="file-binary",
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return None, error(
            path,
            line,
            f"the file is not UTF-8 text: byte 0x{byte} at column {column} cannot be decoded",
            "save the file as UTF-8 (most editors: Save with Encoding > UTF-8)",
            code="file-not-utf8",
        )


def load_text(path: str, read: Callable[[str], bytes]) -> tuple[str | None, bytes, list[Problem]]:
    """A repository file as UTF-8 text (and its bytes), or the problems that stop reading it."""
    try:
        data = read(path)
    except OSError as exc:
        return (
            None,
            b"",
            [
                error(
                    path,
                    None,
                    f"cannot be read: {exc.strerror}",
                    "check the file's permissions, or whether it is a broken symlink",
                    code="file-unreadable",
                )
            ],
        )
    text, problem = decode(path, data)
    return text, data, [problem] if problem else []

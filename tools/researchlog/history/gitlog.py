"""Git history of log/ and playbook/ in one pass.

Per-file `git log --follow` is what makes the usual MkDocs git plugins slow. Here one
`git log --raw -M` over the folders gives every commit and every file change; renames are carried
forward by hand, and the blobs of entry revisions are then streamed through one
`git cat-file --batch` to read the status each commit gave the entry.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from ..core.codekey import code_key
from ..core.problems import Problem, warning
from .model import FileHistory, GitState, Person, RepoHistory, Revision, StatusReader
from .store import KeptHistory, load_history, save_history

os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")  # a missing git is reported, not raised

HISTORY_FORMAT_VERSION = 3
_RECORD = "\x1e"
_FIELD = "\x1f"
_TRAILER_SEP = "\x1d"
_FORMAT = _RECORD + _FIELD.join(
    [
        "%H",
        "%P",
        "%aN",
        "%aE",
        "%aI",
        "%s",
        "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)",
    ]
)
_ENTRIES = (".md", ".ipynb")
_PERSON = re.compile(r"^\s*(.*?)\s*<([^>]*)>\s*$")


def read_history(
    root: Path,
    folders: Iterable[str],
    status_of: StatusReader | None = None,
    status_folder: str | None = None,
    cache_file: Path | None = None,
) -> RepoHistory:
    """The history of every file under `folders`, in one git log pass.

    `status_of(path, blob)` is called for each revision of files under `status_folder`.
    """
    return start_history(root, folders, status_of, status_folder, cache_file).result()


class HistoryRead:
    """A history being read: `git log` runs while the caller does other work, writing to
    a temporary file (a pipe would stall it until someone reads); `result()` parses it."""

    def __init__(
        self,
        done: RepoHistory | None,
        finish: Callable[[], RepoHistory] | None = None,
    ) -> None:
        self._done = done
        self._finish = finish

    def result(self) -> RepoHistory:
        if self._done is None:
            assert self._finish is not None
            self._done = self._finish()
        return self._done


def start_history(
    root: Path,
    folders: Iterable[str],
    status_of: StatusReader | None = None,
    status_folder: str | None = None,
    cache_file: Path | None = None,
) -> HistoryRead:
    """Start reading the history (see read_history); git works while the caller goes on."""
    folders = list(folders)
    try:
        import git
    except ImportError:  # pragma: no cover - GitPython itself is missing
        return HistoryRead(_without_git(GitState.NO_GIT))
    try:
        runner = git.Git(str(root))
        top = runner.rev_parse("--show-toplevel")
    except git.GitCommandNotFound:
        return HistoryRead(_without_git(GitState.NO_GIT))
    except git.GitCommandError:
        return HistoryRead(_without_git(GitState.NO_REPO))
    try:
        head = runner.rev_parse("--verify", "--quiet", "HEAD")
    except git.GitCommandError:
        head = ""
    if not head:
        return HistoryRead(
            RepoHistory(
                GitState.NO_COMMITS,
                problems=(
                    warning(
                        ".",
                        None,
                        "the git repository has no commits yet: dates come from the"
                        " files and no history is shown",
                        "commit the log (git add log playbook && git commit)",
                        code="git-no-commits",
                    ),
                ),
            )
        )
    shallow_roots = _shallow_roots(runner, top)
    code = code_key(__name__, status_of.__module__)
    key = json.dumps([HISTORY_FORMAT_VERSION, code, sorted(shallow_roots), folders, status_folder])
    kept = load_history(cache_file, key)
    if kept is not None and kept.history.head == head:
        return HistoryRead(kept.history)
    if kept is not None and (shallow_roots or not _extends(runner, kept.history.head, head)):
        kept = None
    # After the kept head, only the new commits are read and carried onto the kept history.
    revisions = f"{kept.history.head}..HEAD" if kept is not None else "HEAD"
    command = [
        "log",
        "--reverse",
        "--date-order",
        "-M",
        "--raw",
        "--no-abbrev",
        "-z",
        "--relative",
        f"--format={_FORMAT}",
        revisions,
        "--",
        *folders,
    ]
    output = tempfile.TemporaryFile()  # noqa: SIM115 - finish() closes it
    process = subprocess.Popen(
        [runner.GIT_PYTHON_GIT_EXECUTABLE or "git", *command],
        cwd=root,
        stdout=output,
        stderr=subprocess.PIPE,
    )

    def finish() -> RepoHistory:
        with output:
            _, errors = process.communicate()
            if process.returncode != 0:
                return _unreadable(errors.decode("utf-8", errors="replace"))
            output.seek(0)
            text = output.read().decode("utf-8", errors="replace")
        carried = _carry(root, runner, text, kept, head, shallow_roots, status_of, status_folder)
        save_history(cache_file, key, carried)
        return carried.history

    return HistoryRead(None, finish)


def _extends(runner: Any, kept: str | None, head: str) -> bool:
    """Whether HEAD is the kept head with commits added on top, none of them a merge. Then
    `git log --date-order` lists the new commits after all the kept ones (a chain is shown
    after its base), so carrying the kept history through them gives what a whole read
    would. A merge may interleave older commits; history rewritten does not extend."""
    import git

    if not kept:
        return False
    try:
        runner.merge_base("--is-ancestor", kept, head)
        merges = runner.rev_list("--count", "--merges", f"{kept}..{head}")
    except git.GitCommandError:  # not an ancestor, or a commit this clone does not have
        return False
    return str(merges).strip() == "0"


def _carry(
    root: Path,
    runner: Any,
    output: str,
    kept: KeptHistory | None,
    head: str,
    shallow_roots: set[str],
    status_of: StatusReader | None,
    status_folder: str | None,
) -> KeptHistory:
    """The kept history (none: an empty one) carried through the commits in `output`; the
    statuses are read for the files those commits touched."""
    live: dict[str, list[Revision]] = {}
    gone: dict[str, list[Revision]] = {}
    commits = 0
    if kept is not None:
        live = {path: list(fh.revisions) for path, fh in kept.history.files.items()}
        gone = {path: list(revisions) for path, revisions in kept.gone.items()}
        commits = kept.history.commits_read
    touched: set[str] = set()
    for commit in _parse_log(output):
        commits += 1
        _apply(commit, live, gone)
        touched.update(path for _, path, _, _ in commit.changes)
    if status_of is not None and status_folder is not None:
        prefix = status_folder.rstrip("/") + "/"
        wanted = {
            p: live[p]
            for p in touched & live.keys()
            if p.startswith(prefix) and p.endswith(_ENTRIES)
        }
        _read_statuses(root, runner, wanted, status_of)
        live.update(wanted)
    files = {path: FileHistory(path, tuple(revs)) for path, revs in live.items()}
    problems: tuple[Problem, ...] = ()
    state = GitState.OK
    if shallow_roots:
        state = GitState.SHALLOW
        problems = (
            warning(
                ".",
                None,
                "this is a shallow clone: created dates, authors and status"
                " histories that start before the cut are incomplete and are marked as such",
                "fetch the full history: git fetch --unshallow (in GitHub Actions:"
                " actions/checkout with fetch-depth: 0; in GitLab CI: GIT_DEPTH: 0)",
                code="git-shallow",
            ),
        )
    history = RepoHistory(state, head, files, frozenset(shallow_roots), problems, commits)
    return KeptHistory(history, {path: tuple(revisions) for path, revisions in gone.items()})


def _without_git(state: GitState) -> RepoHistory:
    if state is GitState.NO_GIT:
        message = "git is not installed: dates come from the front matter and the files"
        hint = "install git (apt-get install git) to get created dates, authors and histories"
    else:
        message = "this folder is not in a git repository: dates come from the front matter"
        hint = "run git init and commit the log to get dates, authors and status histories"
    return RepoHistory(state, problems=(warning(".", None, message, hint, code="git-unavailable"),))


def _unreadable(errors: str) -> RepoHistory:
    """git log failed: the build goes on with dates from the files, and says why."""
    said = [line.strip() for line in errors.splitlines() if line.strip()]
    reason = said[-1] if said else "no message"
    return RepoHistory(
        GitState.UNREADABLE,
        problems=(
            warning(
                ".",
                None,
                f"git could not read the history ({reason}): dates come from the front matter"
                " and the files, and no history is shown",
                "run `git log` here to see what is wrong (a damaged or incomplete repository"
                " can often be repaired with `git fsck` and `git fetch`)",
                code="git-unavailable",
            ),
        ),
    )


def _shallow_roots(runner: Any, top: str) -> set[str]:
    if runner.rev_parse("--is-shallow-repository").strip() != "true":
        return set()
    shallow_file = Path(runner.rev_parse("--git-path", "shallow"))
    if not shallow_file.is_absolute():
        shallow_file = Path(top) / shallow_file
    try:
        return set(shallow_file.read_text().split())
    except OSError:
        return {"unknown"}


@dataclass
class _Commit:
    sha: str
    date: dt.datetime
    author: Person
    coauthors: tuple[Person, ...]
    subject: str
    changes: list[tuple[str, str, str | None, str]]  # (status letter, path, blob, old path)


def _parse_log(output: str) -> Iterator[_Commit]:
    for record in output.split(_RECORD):
        if not record.strip("\0\n"):
            continue
        header, _, raw = record.partition("\0")
        parts = header.split(_FIELD)
        if len(parts) < 7:
            continue
        sha, _parents, name, email, date, subject, trailers = parts[:7]
        coauthors = tuple(
            Person(m.group(1), m.group(2).lower())
            for value in trailers.split(_TRAILER_SEP)
            if (m := _PERSON.match(value.strip()))
        )
        yield _Commit(
            sha,
            dt.datetime.fromisoformat(date),
            Person(name, email.lower()),
            coauthors,
            subject,
            list(_parse_raw(raw)),
        )


def _parse_raw(raw: str) -> Iterator[tuple[str, str, str | None, str]]:
    tokens = raw.lstrip("\n").split("\0")
    index = 0
    while index < len(tokens):
        meta = tokens[index].strip()
        index += 1
        if not meta.startswith(":"):
            continue
        fields = meta.split()
        letter, blob = fields[-1][0], fields[3]
        if letter in "RC":
            old, new = tokens[index], tokens[index + 1]
            index += 2
            yield letter, new, blob, old
        else:
            path = tokens[index]
            index += 1
            yield letter, path, None if letter == "D" else blob, ""


_CHANGE_NAMES = {
    "A": "added",
    "M": "modified",
    "R": "renamed",
    "C": "added",
    "D": "deleted",
    "T": "modified",
}


def _apply(
    commit: _Commit, live: dict[str, list[Revision]], gone: dict[str, list[Revision]]
) -> None:
    for letter, path, blob, old in commit.changes:
        revision = Revision(
            commit.sha,
            commit.date,
            commit.author,
            commit.coauthors,
            commit.subject,
            path,
            _CHANGE_NAMES.get(letter, "modified"),
            blob,
        )
        if letter == "R":
            revisions = live.pop(old, []) or gone.pop(old, [])
        elif letter == "D":
            revisions = live.pop(path, [])
            revisions.append(revision)
            gone[path] = revisions
            continue
        elif letter in "AC":
            # A file deleted and added again keeps its earlier history, as `git log` shows it.
            revisions = live.pop(path, []) or gone.pop(path, [])
        else:
            revisions = live.pop(path, [])
        revisions.append(revision)
        live[path] = revisions


def _read_statuses(
    root: Path, runner: Any, files: dict[str, list[Revision]], status_of: StatusReader
) -> None:
    """Fill in each revision's status from its blob, one cat-file process for all of them."""
    needed: dict[str, str] = {}  # blob -> a path with that blob (for the parser to tell the kind)
    for path, revisions in files.items():
        for revision in revisions:
            if revision.blob:
                needed.setdefault(revision.blob, path)
    statuses: dict[str, str | None] = {}
    for blob, data in _cat_blobs(runner, list(needed)):
        statuses[blob] = status_of(needed[blob], data)
    for path, revisions in files.items():
        files[path] = [replace(r, status=statuses.get(r.blob)) if r.blob else r for r in revisions]


def _cat_blobs(runner: Any, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
    """Stream blobs out of one `git cat-file --batch`, never holding them all in memory."""
    if not blobs:
        return
    process = runner.cat_file("--batch", as_process=True, istream=-1)
    proc = process.proc

    def feed(stream: IO[bytes]) -> None:
        try:
            for start in range(0, len(blobs), 512):
                stream.write(("\n".join(blobs[start : start + 512]) + "\n").encode())
            stream.close()
        except (BrokenPipeError, ValueError):  # git exited early; the reader reports it
            pass

    writer = threading.Thread(target=feed, args=(proc.stdin,), daemon=True)
    writer.start()
    out = proc.stdout
    try:
        for _ in blobs:
            header = out.readline()
            if not header:
                break
            parts = header.split()
            if len(parts) < 3 or parts[1] == b"missing":
                continue
            size = int(parts[2])
            data = out.read(size)
            out.read(1)  # the newline after each object
            yield parts[0].decode(), data
    finally:
        writer.join()
        proc.stdout.close()
        proc.wait()


# ----------------------------------------------------------------------------- cache

"""Git history: created, updated, authors and status timelines, from real repositories."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from researchlog.core.settings import Settings
from researchlog.history.gitlog import read_history
from researchlog.history.model import GitState, RepoHistory
from researchlog.log import Log
from researchlog.log.join import build_log
from researchlog.read.frontmatter import quick_status
from support import Repo, by_slug, make_corpus, mkdocs_build, run_cli

PATH = "log/2025/2025-03-02-focal-loss.md"


def log_of(repo: Repo) -> Log:
    return build_log(Settings(root=repo.root, cache_dir=".cache-test"))


def test_status_timeline_created_updated_and_days(repo: Repo) -> None:
    repo.entry(PATH, title="Focal loss", status="planned")
    first = repo.commit("add focal loss", date="2025-03-02T09:00:00+01:00")
    repo.entry(PATH, title="Focal loss", status="running")
    second = repo.commit("start", date="2025-03-05T10:00:00+01:00")
    repo.entry(PATH, "More notes.", title="Focal loss", status="running")
    repo.commit("notes", date="2025-03-10T10:00:00+01:00")
    repo.entry(PATH, title="Focal loss", status="dead-end", outcome="No gain.")
    last = repo.commit(
        "dead end", date="2025-03-19T11:00:00+01:00", author=("Wei Zhang", "wei@example.org")
    )
    item = log_of(repo).by_slug["2025-03-02-focal-loss"]
    history = item.history
    assert history.created == dt.datetime(2025, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert (
        history.updated is not None and history.updated.isoformat() == "2025-03-19T11:00:00+01:00"
    )
    assert [(c.status, c.commit) for c in history.status_history] == [
        ("planned", first),
        ("running", second),
        ("dead-end", last),
    ]
    assert item.days_to_status == 17
    assert [r.subject for r in history.revisions] == [
        "add focal loss",
        "start",
        "notes",
        "dead end",
    ]
    assert [(c.name, c.commits) for c in history.contributors] == [
        ("Ana Lima", 3),
        ("Wei Zhang", 1),
    ]
    assert item.authors == ("Ana Lima", "Wei Zhang")  # no authors in the front matter
    assert item.date == dt.date(2025, 3, 2)


def test_front_matter_authors_and_date_win(repo: Repo) -> None:
    repo.entry(PATH, title="X", authors=["María García"], date="2024-12-01")
    repo.commit("add", date="2025-03-02T09:00:00+00:00")
    item = log_of(repo).by_slug["2025-03-02-focal-loss"]
    assert item.authors == ("María García",)
    assert item.date == dt.date(2024, 12, 1)
    assert [c.name for c in item.history.contributors] == ["Ana Lima"]


def test_co_authors_and_non_ascii_names(repo: Repo) -> None:
    repo.entry(PATH, title="X")
    repo.write("msg.txt", "")
    repo.git("add", PATH)
    env = {
        "GIT_AUTHOR_NAME": "Jörg Müller",
        "GIT_AUTHOR_EMAIL": "jorg@example.org",
        "GIT_COMMITTER_NAME": "Jörg Müller",
        "GIT_COMMITTER_EMAIL": "jorg@example.org",
        "GIT_AUTHOR_DATE": "2025-01-02T10:00:00+09:00",
        "GIT_COMMITTER_DATE": "2025-01-02T10:00:00+09:00",
    }
    repo.git(
        "commit",
        "-q",
        "-m",
        "add x\n\nCo-authored-by: 王伟 <wang@example.org>\n"
        "Co-authored-by: Ana Lima <ana@example.org>",
        env=env,
    )
    repo.entry(PATH, "Edit.", title="X")
    repo.commit("edit", date="2025-01-03T10:00:00-05:00")
    history = log_of(repo).by_slug["2025-03-02-focal-loss"].history
    assert [(c.name, c.commits) for c in history.contributors] == [
        ("Jörg Müller", 1),
        ("王伟", 1),
        ("Ana Lima", 2),
    ]
    # Time zones are kept as the authors had them.
    assert [r.date.isoformat() for r in history.revisions] == [
        "2025-01-02T10:00:00+09:00",
        "2025-01-03T10:00:00-05:00",
    ]


def test_renamed_file_keeps_its_history(repo: Repo) -> None:
    repo.entry("log/2025/old-name.md", title="R", status="running")
    created = repo.commit("add", date="2025-02-01T10:00:00+00:00")
    repo.git("mv", "log/2025/old-name.md", "log/2025/new-name.md")
    repo.commit("rename", date="2025-02-10T10:00:00+00:00")
    repo.entry("log/2025/new-name.md", title="R", status="success", outcome="Worked.")
    repo.commit("done", date="2025-02-20T10:00:00+00:00")
    item = log_of(repo).by_slug["new-name"]
    assert item.history.revisions[0].sha == created
    assert [r.change for r in item.history.revisions] == ["added", "renamed", "modified"]
    assert [r.path for r in item.history.revisions] == [
        "log/2025/old-name.md",
        "log/2025/new-name.md",
        "log/2025/new-name.md",
    ]
    assert [c.status for c in item.history.status_history] == ["running", "success"]


def test_entry_added_on_a_branch_and_merged(repo: Repo) -> None:
    repo.write("README.md", "x\n")
    repo.commit("init", date="2025-01-01T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "feature")
    repo.entry("log/branch.md", title="On a branch")
    on_branch = repo.commit("add on branch", date="2025-01-05T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.entry("log/main.md", title="On main")
    repo.commit("add on main", date="2025-01-06T10:00:00+00:00")
    env = {
        "GIT_AUTHOR_DATE": "2025-01-07T10:00:00+00:00",
        "GIT_COMMITTER_DATE": "2025-01-07T10:00:00+00:00",
    }
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge feature", env=env)
    repo.entry("log/branch.md", "After merge.", title="On a branch", status="success", outcome="ok")
    after = repo.commit("edit after merge", date="2025-01-08T10:00:00+00:00")
    history = log_of(repo).by_slug["branch"].history
    assert [r.sha for r in history.revisions] == [on_branch, after]
    assert history.created is not None and history.created.date() == dt.date(2025, 1, 5)


def test_deleted_and_added_again(repo: Repo) -> None:
    repo.entry("log/back.md", title="Back", status="running")
    first = repo.commit("add", date="2025-01-01T10:00:00+00:00")
    (repo.root / "log/back.md").unlink()
    repo.commit("remove", date="2025-01-02T10:00:00+00:00")
    repo.entry("log/back.md", title="Back", status="dead-end", outcome="no")
    repo.commit("restore", date="2025-01-03T10:00:00+00:00")
    history = log_of(repo).by_slug["back"].history
    # As `git log -- path` shows it: the earlier life of the path is part of its history.
    assert history.revisions[0].sha == first
    assert [r.change for r in history.revisions] == ["added", "deleted", "added"]
    assert [c.status for c in history.status_history] == ["running", "dead-end"]


def test_never_committed_file(repo: Repo) -> None:
    repo.entry("log/committed.md", title="C")
    repo.commit("add", date="2025-01-01T10:00:00+00:00")
    path = repo.entry("log/fresh.md", title="Fresh")
    stamp = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    item = log_of(repo).by_slug["fresh"]
    assert not item.history.committed
    assert item.history.created is None
    assert item.date == dt.date(2025, 6, 1)
    assert [c.commit for c in item.history.status_history] == [None]


def test_uncommitted_status_change_is_marked(repo: Repo) -> None:
    repo.entry(PATH, title="X", status="running")
    repo.commit("add")
    repo.entry(PATH, title="X", status="dead-end", outcome="no")
    history = log_of(repo).by_slug["2025-03-02-focal-loss"].history
    assert history.changed_since_commit
    assert [(c.status, c.commit is None) for c in history.status_history] == [
        ("running", False),
        ("dead-end", True),
    ]


def test_no_git_repository(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "plain", init_git=False)
    repo.site_config()
    repo.entry("log/x.md", title="X", date="2024-05-06")
    log = log_of(repo)
    assert log.git is GitState.NO_REPO
    assert [p.format() for p in log.problems] == [
        ".: warning: this folder is not in a git repository: dates come from the front matter\n"
        "    fix: run git init and commit the log to get dates, authors and status histories"
    ]
    assert log.by_slug["x"].date == dt.date(2024, 5, 6)


def test_repository_without_commits(repo: Repo) -> None:
    repo.entry("log/x.md", title="X")
    log = log_of(repo)
    assert log.git is GitState.NO_COMMITS
    assert "has no commits yet" in log.problems[0].message
    assert not log.by_slug["x"].history.committed


def test_git_not_installed(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.entry("log/x.md", title="X")
    repo.commit("add")
    import git

    # GitPython resolves its executable once; point it somewhere missing for this test.
    monkeypatch.setattr(git.Git, "GIT_PYTHON_GIT_EXECUTABLE", "/nonexistent/git")
    log = log_of(repo)
    assert log.git is GitState.NO_GIT
    assert log.problems[0].message.startswith("git is not installed")


def test_detached_head(repo: Repo) -> None:
    repo.entry("log/x.md", title="X", status="running")
    first = repo.commit("add", date="2025-01-01T10:00:00+00:00")
    repo.entry("log/x.md", title="X", status="success", outcome="ok")
    repo.commit("done", date="2025-01-02T10:00:00+00:00")
    repo.git("checkout", "-q", "--detach", first)
    log = log_of(repo)
    assert log.git is GitState.OK
    assert [c.status for c in log.by_slug["x"].history.status_history] == ["running"]


def test_shallow_clone_is_detected_and_dates_are_not_invented(repo: Repo, tmp_path: Path) -> None:
    repo.entry("log/old.md", title="Old", status="running")
    repo.commit("add old", date="2024-01-01T10:00:00+00:00")
    repo.entry("log/old.md", title="Old", status="dead-end", outcome="no")
    repo.commit("old is a dead end", date="2024-02-01T10:00:00+00:00")
    repo.entry("log/new.md", title="New")
    repo.commit("add new", date="2024-03-01T10:00:00+00:00")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    log = build_log(Settings(root=clone))
    assert log.git is GitState.SHALLOW
    shallow = [p for p in log.problems if "shallow clone" in p.message]
    assert len(shallow) == 1
    assert "git fetch --unshallow" in shallow[0].hint
    old = log.by_slug["old"]
    assert old.history.history_cut
    assert old.history.created is None  # never presented as fact
    assert old.date == dt.date(2024, 3, 1)  # the earliest date we can vouch for, marked as cut


def test_history_is_cached_by_head(repo: Repo) -> None:
    repo.entry("log/x.md", title="X")
    repo.commit("add")
    settings = Settings(root=repo.root, cache_dir=".cache-test")
    first = build_log(settings)
    cache = repo.root / ".cache-test" / "history.json"
    assert cache.exists()
    assert (repo.root / ".cache-test" / ".gitignore").read_text().endswith("*\n")
    second = build_log(settings)
    assert second.by_slug["x"].history == first.by_slug["x"].history
    repo.entry("log/x.md", title="X", status="success", outcome="ok")
    repo.commit("done", date="2025-04-01T10:00:00+00:00")
    third = build_log(settings)
    assert [c.status for c in third.by_slug["x"].history.status_history] == ["running", "success"]


def _git(corpus: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=corpus, capture_output=True, text=True, check=True
    ).stdout


def _status_in(text: str) -> str | None:
    """The status line of a front matter, read independently of the package's parsers."""
    match = re.search(r"^status: *\"?([a-z-]+)", text, re.MULTILINE)
    if match is None:
        match = re.search(r'"status: *([a-z-]+)\\n"', text)
    return match.group(1) if match else None


@pytest.mark.slow
def test_corpus_site_agrees_with_git_log_follow(tmp_path: Path) -> None:
    """On the shared corpus (N=200), entries.json agrees with per-file `git log --follow`,
    the Timeline lists the status changes, and feed.xml is valid Atom."""
    corpus = make_corpus(tmp_path / "c200", entries=200, notebooks=20)
    assert run_cli("init", cwd=corpus).returncode == 0
    site = tmp_path / "site"
    assert mkdocs_build(corpus, site_dir=site).returncode == 0
    entries = by_slug(site)
    assert len(entries) == 200
    changes = 0
    for slug, record in entries.items():
        out = _git(
            corpus, "log", "--follow", "--name-only", "--format=%x00%H %aI", "--", record["path"]
        )
        commits = []
        for chunk in out.split("\0")[1:]:
            header, *paths = [line for line in chunk.splitlines() if line]
            sha, date = header.split()
            commits.append((sha, date, paths[0] if paths else record["path"]))
        commits.reverse()  # oldest first
        assert record["created"] == commits[0][1], slug
        assert record["updated"] == commits[-1][1], slug
        assert [r["sha"] for r in record["revisions"]] == [c[0] for c in commits], slug
        expected: list[dict[str, str]] = []
        for sha, date, path in commits:
            status = _status_in(_git(corpus, "show", f"{sha}:{path}"))
            if status and (not expected or expected[-1]["status"] != status):
                expected.append({"status": status, "date": date, "commit": sha})
        assert record["status_history"] == expected, slug
        changes += len(expected) - 1
    timeline = "".join(p.read_text() for p in (site / "timeline").rglob("index.html"))
    assert timeline.count(' → <span class="rl-status') == changes > 100
    feed = ET.parse(site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed"
    for element in ("id", "title", "updated", "author"):
        assert feed.find(f"{atom}{element}") is not None, element
    for item in feed.findall(f"{atom}entry"):
        for element in ("id", "title", "updated", "link", "content"):
            assert item.find(f"{atom}{element}") is not None, element
        dt.datetime.fromisoformat(item.findtext(f"{atom}updated") or "")
    assert "→" in "".join(c.text or "" for c in feed.iter(f"{atom}content"))


def test_a_history_git_cannot_read_is_a_problem_not_a_crash(repo: Repo, tmp_path: Path) -> None:
    """A damaged repository (an object of an old commit is missing): `git log` fails, the
    build says so and goes on with dates from the files."""
    repo.entry("log/a.md", title="A", date="2025-01-02")
    first = repo.commit("first", date="2025-01-02T10:00:00+00:00")
    repo.entry("log/b.md", title="B")
    repo.commit("second", date="2025-02-02T10:00:00+00:00")
    (repo.root / ".git/objects" / first[:2] / first[2:]).unlink()
    check = run_cli("check", cwd=repo.root)
    assert "Traceback" not in check.stderr
    site = tmp_path / "site"
    result = mkdocs_build(repo.root, site_dir=site)
    assert result.returncode == 0, result.stderr
    assert ".: warning: git could not read the history (" in result.stderr
    assert "fix: run `git log` here to see what is wrong" in result.stderr
    data = json.loads((site / "entries.json").read_text())
    assert data["git"] == "unreadable"
    assert {e["slug"] for e in data["entries"]} == {"a", "b"}


# ---- a kept history carried through new commits ------------------------------------------


def _read(repo: Repo, cache: Path | None) -> RepoHistory:
    return read_history(repo.root, ["log", "playbook"], quick_status, "log", cache)


def _changes(repo: Repo) -> Iterator[str]:
    """One commit per kind of change a log sees; yields after each."""
    repo.entry("log/a.md", title="A", status="running")
    repo.entry("log/b.md", title="B", status="running")
    repo.write("playbook/p.md", "# P\n")
    repo.commit("two entries", date="2025-01-01T10:00:00+00:00")
    yield "added"
    repo.entry("log/a.md", title="A", status="success", outcome="ok")
    repo.commit("a done", date="2025-01-02T10:00:00+00:00", author=("Bo", "bo@example.org"))
    yield "status changed"
    (repo.root / "log/2025").mkdir()
    repo.git("mv", "log/b.md", "log/2025/b-renamed.md")
    repo.commit("rename", date="2025-01-03T10:00:00+00:00")
    yield "renamed"
    (repo.root / "log/a.md").unlink()
    repo.commit("remove a", date="2025-01-04T10:00:00+00:00")
    yield "deleted"
    repo.entry("log/a.md", title="A", status="dead-end", outcome="no")
    repo.write("playbook/p.md", "# P\n\nMore.\n")
    repo.commit("a back\n\nCo-authored-by: Cy <cy@example.org>", date="2025-01-05T09:00:00+01:00")
    yield "added again, with a co-author"
    repo.write("README.md", "outside the log\n")
    repo.commit("not the log", date="2025-01-06T10:00:00+00:00")
    yield "a commit outside the log"


def test_a_carried_history_equals_a_whole_read_after_every_kind_of_change(
    repo: Repo, tmp_path: Path
) -> None:
    cache = tmp_path / "history.json"
    for step in _changes(repo):
        assert _read(repo, cache) == _read(repo, None), step


def test_a_new_commit_reads_only_the_commits_after_the_kept_head(
    repo: Repo, tmp_path: Path
) -> None:
    cache = tmp_path / "history.json"
    steps = _changes(repo)
    next(steps)
    _read(repo, cache)
    # Mark the kept history: only a history carried forward from it keeps the mark.
    kept = json.loads(cache.read_text())
    kept["history"]["files"]["log/b.md"][0][5] = "kept"
    cache.write_text(json.dumps(kept))
    next(steps)  # a.md changes; b.md's kept revision is carried as it was
    carried = _read(repo, cache)
    assert carried.files["log/b.md"].revisions[0].subject == "kept"
    assert [r.status for r in carried.files["log/a.md"].revisions] == ["running", "success"]
    assert carried.commits_read == 2
    whole = _read(repo, None)
    assert whole.files["log/b.md"].revisions[0].subject == "two entries"


def test_a_merge_or_rewritten_history_is_read_whole(repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "history.json"
    repo.entry("log/shared.md", title="Shared", status="running")
    repo.commit("base", date="2025-01-01T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "feature")
    repo.entry("log/shared.md", title="Shared", status="success", outcome="ok")
    repo.commit("on the branch, early", date="2025-01-02T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.entry("log/shared.md", title="Shared", status="dead-end", outcome="no")
    repo.commit("on main, later", date="2025-01-05T10:00:00+00:00")
    _read(repo, cache)
    # The merge brings a commit older than the kept head: a whole read lists it before the
    # kept head's, so the last revision stays main's.
    with contextlib.suppress(AssertionError):  # the conflict, resolved below
        repo.git("merge", "-q", "feature")
    repo.entry("log/shared.md", title="Shared", status="inconclusive", outcome="both")
    repo.commit("Merge feature", date="2025-01-06T10:00:00+00:00")
    whole = _read(repo, None)
    assert [r.subject for r in whole.files["log/shared.md"].revisions][-1] == "on main, later"
    assert _read(repo, cache) == whole
    # History rewritten under the kept head.
    repo.entry("log/shared.md", title="Shared", status="dead-end", outcome="no")
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "-m", "amended")
    assert _read(repo, cache) == _read(repo, None)

"""The pipeline: files and git history in, one joined, checked Log out.

`build_log()` is the single entry point used by the MkDocs plugin and every CLI verb.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from ..core.problems import Problem, sort_problems
from ..core.settings import Settings, with_usable_cache
from ..core.workers import Workers
from ..history.gitlog import HistoryRead, start_history
from ..history.model import GitState, Person, RepoHistory, Revision
from ..read.credentials import file_secret_problems
from ..read.entries import Entry
from ..read.entry_cache import CACHE_NAME, EntryCache
from ..read.files import discover
from ..read.frontmatter import quick_status
from ..read.notebook_check import MB, NotebookChecks
from ..read.playbook import read_playbook
from ..read.projects import ProjectCard
from ..read.samples import load_samples
from .checks import check_cards, check_links, unique_slugs
from .model import Contributor, EntryHistory, Log, LogCard, LogEntry, StatusChange
from .repofiles import repository_files

Progress = Callable[[str], None]


def build_log(
    settings: Settings,
    *,
    history: bool = True,
    progress: Progress | None = None,
    workers: Workers | None = None,
    history_read: HistoryRead | None = None,
) -> Log:
    """Read, validate and join everything; collect every problem instead of stopping.

    With `workers`, new notebooks are validated in them while the git history is read;
    `history_read` is the history already being read (start_log_history)."""
    say = progress or (lambda message: None)
    settings, cache_problems = with_usable_cache(settings)
    root = settings.root
    # git reads the history while the front matter is parsed here.
    reading = history_read or (start_log_history(settings) if history else None)
    found = discover(root, settings.log_dir)
    problems: list[Problem] = [*found.problems, *settings.problems, *cache_problems]
    parsed: list[Entry] = []
    cards: list[ProjectCard] = []
    card_files: list[str] = []
    cache = EntryCache.open(settings.cache_path / CACHE_NAME)
    reads = cache.read_all(root, found.entries, workers)
    for path, (read, entry_problems) in zip(found.entries, reads, strict=True):
        problems.extend(entry_problems)
        if isinstance(read, ProjectCard):
            cards.append(read)
            card_files.append(path)
        elif read is not None:
            parsed.append(read)
    cache.save()
    notebook_checks = NotebookChecks.start(
        root,
        parsed,
        settings.cache_path / "notebook-checks.json",
        max_bytes=int(settings.notebook_max_mb * MB),
        workers=workers,
    )
    playbook = read_playbook(root, settings.playbook_dir)
    problems.extend(playbook.problems)
    cards_read = f", {len(card_files)} project cards" if card_files else ""
    say(
        f"read {len(found.entries) - len(card_files)} entries{cards_read} and"
        f" {len(playbook.pages)} playbook pages"
    )

    repo = reading.result() if reading is not None else RepoHistory(GitState.OK)
    problems.extend(repo.problems)
    problems.extend(notebook_checks.problems())
    if repo.commits_read:
        say(f"read the git history ({repo.commits_read} commits)")

    entries, slug_problems = unique_slugs(parsed)
    problems.extend(slug_problems)
    problems.extend(check_links(entries, playbook, settings))
    # Every other file the site publishes is scanned for credentials like the entries.
    withheld: set[str] = set(found.unreadable)
    for path in [*found.assets, *playbook.assets]:
        leaks = file_secret_problems(root, path)
        if leaks:
            problems.extend(leaks)
            withheld.add(path)
    assets = [path for path in found.assets if path not in withheld]
    samples, sample_problems = load_samples(root, entries, assets, withheld)
    problems.extend(sample_problems)
    # Files elsewhere in the repository that pages link to: published, or linked on the forge.
    linked = repository_files(
        settings,
        [
            *((entry.path, entry.body_links) for entry in entries),
            *((page.path, page.links) for page in playbook.pages),
            *((card.path, card.body_links) for card in cards),
        ],
        known={*found.entries, *found.assets, *found.unreadable, *playbook.assets},
    )
    problems.extend(linked.problems)
    joined = [_join(entry, repo) for entry in entries]
    joined = _with_supersedes(joined)
    joined.sort(key=lambda e: (e.date, e.history.first_seen or _EPOCH, e.slug), reverse=True)
    by_project = _group(joined, lambda e: [e.entry.project] if e.entry.project else [])
    joined_cards, card_problems = check_cards(cards, by_project, settings)
    problems.extend(card_problems)
    log_cards = {
        name: LogCard(card, _card_history(card, repo), name) for name, card in joined_cards.items()
    }
    settings = _with_card_directions(settings, joined_cards.values())
    card_paths = set(card_files)
    return Log(
        settings=settings,
        entries=tuple(joined),
        playbook=tuple(playbook.in_reading_order()),
        assets=(
            *(p for p in found.assets + playbook.assets if p not in withheld),
            *linked.published,
        ),
        code_links=linked.code_links,
        unpublished=linked.unpublished,
        entry_files=tuple(p for p in found.entries if p not in card_paths),
        problems=tuple(sort_problems(problems)),
        git=repo.state,
        head=repo.head,
        by_slug={e.slug: e for e in joined},
        by_project=by_project,
        by_tag=_group(joined, lambda e: list(e.entry.tags)),
        by_lesson=_group(joined, lambda e: list(e.entry.lessons)),
        samples=samples,
        cards=log_cards,
        card_files=tuple(card_files),
    )


def _with_card_directions(settings: Settings, cards: Iterable[ProjectCard]) -> Settings:
    """A card's direction for its main metric counts as configured, unless mkdocs.yml says
    otherwise (check_cards reports the contradiction)."""
    stated = {
        card.metric: card.direction
        for card in cards
        if card.metric and card.direction and card.metric not in settings.metrics
    }
    if not stated:
        return settings
    return replace(settings, metrics={**stated, **settings.metrics})


def _card_history(card: ProjectCard, repo: RepoHistory) -> EntryHistory:
    return _file_history(card.path, card.status, card.mtime, card.blob_sha, repo)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def start_log_history(settings: Settings) -> HistoryRead | None:
    """Start reading the log's git history (None if the settings turn it off)."""
    if not settings.git_history:
        return None
    return start_history(
        settings.root,
        [settings.log_dir, settings.playbook_dir],
        status_of=quick_status,
        status_folder=settings.log_dir,
        cache_file=settings.cache_path / "history.json",
    )


def _group(
    entries: Iterable[LogEntry], keys: Callable[[LogEntry], list[str]]
) -> dict[str, tuple[LogEntry, ...]]:
    groups: dict[str, list[LogEntry]] = defaultdict(list)
    for entry in entries:
        for key in keys(entry):
            groups[key].append(entry)
    return {
        key: tuple(group) for key, group in sorted(groups.items(), key=lambda kv: kv[0].lower())
    }


def _join(entry: Entry, repo: RepoHistory) -> LogEntry:
    history = _file_history(entry.path, entry.status, entry.mtime, entry.blob_sha, repo)
    return _joined(entry, history)


def _joined(entry: Entry, history: EntryHistory) -> LogEntry:
    if entry.date:
        date = entry.date
    elif history.created:
        date = history.created.date()
    elif history.first_seen:
        date = history.first_seen.date()
    else:
        date = dt.datetime.fromtimestamp(entry.mtime, dt.UTC).date()
    authors = entry.authors or tuple(c.name for c in history.contributors)
    return LogEntry(entry, history, date, authors)


def _file_history(
    path: str, status: str, mtime: float, blob_sha: str, repo: RepoHistory
) -> EntryHistory:
    """What git knows of one file of the log, and how its status changed."""
    file_history = repo.of(path)
    if file_history is None:
        return _history((), False, status, mtime, blob_sha)
    revisions = file_history.revisions
    return _history(revisions, repo.is_cut(revisions[0]), status, mtime, blob_sha)


def _history(
    revisions: tuple[Revision, ...], cut: bool, status: str, mtime: float, blob_sha: str
) -> EntryHistory:
    """A file's history from its commits (oldest first; none: never committed) and the
    file as it is now."""
    file_time = dt.datetime.fromtimestamp(mtime, dt.UTC).astimezone() if mtime else None
    if not revisions:
        return EntryHistory(
            status_history=(StatusChange(status, file_time, None),),
            changed_since_commit=True,
        )
    changes: list[StatusChange] = []
    for revision in revisions:
        if revision.status and (not changes or changes[-1].status != revision.status):
            changes.append(StatusChange(revision.status, revision.date, revision.sha))
    changed = bool(blob_sha) and blob_sha != revisions[-1].blob
    if changed and (not changes or changes[-1].status != status):
        changes.append(StatusChange(status, file_time, None))
    return EntryHistory(
        committed=True,
        created=None if cut else revisions[0].date,
        history_cut=cut,
        updated=revisions[-1].date,
        revisions=revisions,
        contributors=_contributors(revisions),
        status_history=tuple(changes),
        changed_since_commit=changed,
    )


def with_edited(log: Log, edited: Iterable[Entry], added: Iterable[Entry] = ()) -> Log:
    """The log with entries edited in the working tree read again, and new ones added: each
    edited entry keeps the commits already read for it (an edit is not a commit), a new one
    has none yet, and the log's order and groups follow. Only what is shown of these entries
    changes; checks that span the log are the next full build's."""
    by_path = {entry.path: entry for entry in edited}
    joined = []
    changed: dict[int, LogEntry] = {}  # id of the item replaced -> its replacement
    alike = True  # every edited entry keeps its place and groups
    for item in log.entries:
        entry = by_path.get(item.entry.path)
        if entry is not None:
            old = item.history
            history = _history(
                old.revisions, old.history_cut, entry.status, entry.mtime, entry.blob_sha
            )
            after = replace(_joined(entry, history), supersedes=item.supersedes)
            alike = alike and _placed_alike(item, after)
            changed[id(item)] = item = after
        joined.append(item)
    new = [_joined(e, _history((), False, e.status, e.mtime, e.blob_sha)) for e in added]
    if alike and not new:
        return _with_replaced(log, tuple(joined), changed)
    for item in new:
        pointing = [e.slug for e in log.entries if e.entry.superseded_by == item.slug]
        joined.append(replace(item, supersedes=tuple(sorted(pointing))))
    joined.sort(key=lambda e: (e.date, e.history.first_seen or _EPOCH, e.slug), reverse=True)
    return replace(
        log,
        entries=tuple(joined),
        entry_files=(*log.entry_files, *(item.entry.path for item in new)),
        by_slug={e.slug: e for e in joined},
        by_project=_group(joined, lambda e: [e.entry.project] if e.entry.project else []),
        by_tag=_group(joined, lambda e: list(e.entry.tags)),
        by_lesson=_group(joined, lambda e: list(e.entry.lessons)),
    )


def _placed_alike(before: LogEntry, after: LogEntry) -> bool:
    """An edit that leaves the entry where it was: the same place in the log's order and the
    same groups (the common case: its text or status changed)."""
    return (
        (after.date, after.history.first_seen, after.slug)
        == (before.date, before.history.first_seen, before.slug)
        and after.entry.project == before.entry.project
        and after.entry.tags == before.entry.tags
        and after.entry.lessons == before.entry.lessons
    )


def _with_replaced(log: Log, entries: tuple[LogEntry, ...], changed: dict[int, LogEntry]) -> Log:
    """The log with some entries replaced in place: what with_edited makes, without sorting
    and grouping thousands of entries again."""

    def groups(grouped: Mapping[str, tuple[LogEntry, ...]]) -> dict[str, tuple[LogEntry, ...]]:
        return {
            key: tuple(changed.get(id(e), e) for e in group)
            if any(id(e) in changed for e in group)
            else group
            for key, group in grouped.items()
        }

    by_slug = dict(log.by_slug)
    for item in changed.values():
        by_slug[item.slug] = item
    return replace(
        log,
        entries=entries,
        by_slug=by_slug,
        by_project=groups(log.by_project),
        by_tag=groups(log.by_tag),
        by_lesson=groups(log.by_lesson),
    )


def _contributors(revisions: Iterable[Revision]) -> tuple[Contributor, ...]:
    """Authors and Co-authored-by trailers, in order of first contribution, with counts."""
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    for revision in revisions:
        people: list[Person] = [revision.author, *revision.coauthors]
        seen_here: set[str] = set()
        for person in people:
            key = person.email or person.name.lower()
            if key in seen_here:
                continue
            seen_here.add(key)
            names.setdefault(key, person.name)
            counts[key] = counts.get(key, 0) + 1
    return tuple(Contributor(names[k], k, counts[k]) for k in names)


def _with_supersedes(entries: list[LogEntry]) -> list[LogEntry]:
    supersedes: dict[str, list[str]] = defaultdict(list)
    for item in entries:
        if item.entry.superseded_by:
            supersedes[item.entry.superseded_by].append(item.slug)
    if not supersedes:
        return entries
    return [
        replace(item, supersedes=tuple(sorted(supersedes[item.slug])))
        if item.slug in supersedes
        else item
        for item in entries
    ]

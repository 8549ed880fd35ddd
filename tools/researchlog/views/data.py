"""entries.json: every entry with its resolved fields and history, for scripts and the explorer.

The format is documented in the README; the names here are stable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from ..analysis.bets import Bet, bets
from ..analysis.people import Team, team
from ..log import Log, LogEntry
from ..pages.paths import project_feed, project_page, slugify
from ..pages.urls import Urls
from .samples import samples_summary

FORMAT_VERSION = 1


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def entry_record(item: LogEntry, urls: Urls) -> dict[str, Any]:
    entry = item.entry
    history = item.history
    record: dict[str, Any] = {
        "slug": entry.slug,
        "title": entry.title,
        "path": entry.path,
        "url": urls.page(entry.path),
        "kind": entry.kind,
        "status": entry.status,
        "question": entry.question,
        "outcome": entry.outcome,
        "project": entry.project,
        "tags": list(entry.tags),
        "authors": list(item.authors),
        "date": item.date.isoformat(),
        "metrics": dict(entry.metrics),
        "dataset": entry.dataset,
        "effort_days": entry.effort_days,
        "superseded_by": entry.superseded_by,
        "supersedes": list(item.supersedes),
        "lessons": list(entry.lessons),
        "links": list(entry.links),
        "highlight": entry.highlight,
        "demo": entry.demo,
        "imported_from": entry.imported_from,
        "recorded_later": item.recorded_later,
        "created": _when(history.created),
        "updated": _when(history.updated),
        "committed": history.committed,
        "history_cut": history.history_cut,
        "git_authors": [{"name": c.name, "commits": c.commits} for c in history.contributors],
        "revisions": [
            {
                "sha": r.sha,
                "date": r.date.isoformat(),
                "author": r.author.name,
                "subject": r.subject,
                "status": r.status,
            }
            for r in history.revisions
        ],
        "status_history": [
            {"status": c.status, "date": _when(c.date), "commit": c.commit}
            for c in history.status_history
        ],
        "days_to_status": item.days_to_status,
        "extra": dict(entry.extra),
    }
    return record


def project_record(bet: Bet, crew: Team, urls: Urls) -> dict[str, Any]:
    """A bet as scripts read it: its card, where it stands, and who is on it lately."""
    card = bet.card.card if bet.card else None
    best = bet.best
    people = crew.crew_of(bet.project)
    return {
        "slug": slugify(bet.project),
        "name": bet.project,
        "title": bet.title,
        "url": urls.page(project_page(bet.project)),
        "feed": project_feed(bet.project),
        "card": card.path if card else None,
        "status": bet.status,
        "hypothesis": card.hypothesis if card else None,
        "owners": list(card.owners) if card else [],
        "started": card.started.isoformat() if card and card.started else None,
        "main_metric": bet.metric,
        "dataset": bet.dataset,
        "direction": ("higher" if bet.higher_is_better else "lower") if bet.metric else None,
        "target": bet.target,
        "target_reached": bet.target_reached,
        "budget_days": bet.budget_days,
        "effort_days": bet.effort,
        "best": {"value": best.best, "entry": best.item.slug} if best else None,
        "attempts_since_best": bet.since_improvement,
        "stale": bet.stale,
        "kill_criteria": card.kill_criteria if card else None,
        "kill_criteria_met": bet.kill_met,
        "due_for_decision": bet.due_for_decision,
        "due": [
            {"reason": d.reason, "since": d.since.isoformat(), "text": d.text} for d in bet.due
        ],
        "decisions": [
            {"date": d.date.isoformat(), "decision": d.decision, "why": d.why}
            for d in bet.decisions
        ],
        "people": [
            {"name": name, "entries": count} for name, count in (people.people if people else ())
        ],
        "alone": people.alone if people and people.isolated else None,
        "alone_since": (
            people.alone_since.isoformat()
            if people and people.isolated and people.alone_since
            else None
        ),
    }


# The last call's records, by entry object: a preview's log keeps the objects of the entries
# that did not change, so their records are not made again. Only the last call's are held.
_last_records: dict[int, tuple[LogEntry, Urls, dict[str, Any]]] = {}


def _record_of(
    item: LogEntry, urls: Urls, records: dict[int, tuple[LogEntry, Urls, dict[str, Any]]]
) -> dict[str, Any]:
    known = _last_records.get(id(item))
    if known is not None and known[0] is item and known[1] == urls:
        record = known[2]
    else:
        record = entry_record(item, urls)
    records[id(item)] = (item, urls, record)
    return record


def entries_json(
    log: Log, urls: Urls, found: Sequence[Bet] | None = None, crew: Team | None = None
) -> bytes:
    global _last_records
    records: dict[int, tuple[LogEntry, Urls, dict[str, Any]]] = {}
    found = bets(log) if found is None else found
    crew = team(log, found) if crew is None else crew
    payload = {
        "version": FORMAT_VERSION,
        "site_name": log.settings.site_name,
        "git": log.git.value,
        "entries": [
            {**_record_of(item, urls, records), "samples": samples_summary(item, log, urls)}
            for item in log.entries
        ],
        "projects": [project_record(bet, crew, urls) for bet in found],
    }
    _last_records = records
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()

"""entries.json: every entry with its resolved fields and history, for scripts and the explorer.

The format is documented in the README; the names here are stable.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..log import Log, LogEntry
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


def entries_json(log: Log, urls: Urls) -> bytes:
    payload = {
        "version": FORMAT_VERSION,
        "site_name": log.settings.site_name,
        "git": log.git.value,
        "entries": [
            {**entry_record(item, urls), "samples": samples_summary(item, log, urls)}
            for item in log.entries
        ],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()

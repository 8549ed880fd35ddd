"""`researchlog find`: earlier entries ranked by relevance, dead ends marked."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import current_settings, result_lines


def add(verbs: Any) -> None:
    find = verbs.add_parser(
        "find",
        help="search earlier entries by relevance before starting new work",
        description="Rank entries by relevance over title, question, outcome, tags and body,"
        " and print title, status, outcome and path. Dead ends are marked.",
    )
    find.add_argument("query", nargs="+", help="words to look for")
    find.add_argument("--status", "-s", action="append", help="only this status (repeatable)")
    find.add_argument("--project", "-p", help="only this project")
    find.add_argument("--limit", "-n", type=int, default=10, help="how many results (default 10)")
    find.add_argument("--json", action="store_true", help="print results as JSON")
    find.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..analysis.similarity import rank
    from ..log.join import build_log

    settings = current_settings()
    log = build_log(settings, history=False)
    entries = [item.entry for item in log.entries]
    if args.status:
        entries = [e for e in entries if e.status in args.status]
    if args.project:
        entries = [e for e in entries if e.project == args.project]
    ranked = rank(" ".join(args.query), entries)[: max(0, args.limit)]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "slug": e.slug,
                        "title": e.title,
                        "status": e.status,
                        "outcome": e.outcome,
                        "question": e.question,
                        "project": e.project,
                        "path": e.path,
                        "score": round(score, 3),
                    }
                    for e, score in ranked
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not ranked:
        print("No matching entries.")
        return 0
    for entry, _ in ranked:
        print(result_lines(entry))
    return 0

"""`researchlog new`: a new entry from a template, after the most similar earlier work."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from .common import current_settings, fail, result_lines

if TYPE_CHECKING:
    from ..core.settings import Settings


def add(verbs: Any) -> None:
    new = verbs.add_parser(
        "new",
        help="create a new entry from a template and show similar earlier work",
        description="Create log/YYYY/YYYY-MM-DD-slug.md (or .ipynb) from a template, with today's"
        " date, and print its path. Authors are left to git (whoever commits the entry) unless"
        " --author is given. Similar earlier entries, dead ends first, are listed before it is"
        " created. Never overwrites a file.",
    )
    new.add_argument("title", help='what the experiment tries, e.g. "Focal loss for defects"')
    new.add_argument("--project", "-p", help="the line of work this belongs to")
    new.add_argument("--tag", "-t", action="append", default=[], help="a tag (repeatable)")
    new.add_argument("--status", "-s", help="initial status (default: planned)")
    new.add_argument(
        "--author",
        "-a",
        action="append",
        metavar="NAME",
        help="an author (repeatable; default: the file's git authors)",
    )
    kind = new.add_mutually_exclusive_group()
    kind.add_argument("--notebook", action="store_true", help="create a Jupyter notebook entry")
    kind.add_argument("--scope", action="store_true", help="create a scoping document")
    kind.add_argument(
        "--project-card",
        action="store_true",
        help="create the card of the project TITLE names (its slug, e.g. ticket-routing)",
    )
    new.add_argument("--edit", "-e", action="store_true", help="open the new file in $EDITOR")
    new.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.new import AuthoringError, create_entry, create_project_card

    settings = current_settings()
    if not settings.has_config and not (settings.root / settings.log_dir).is_dir():
        return fail("no research log here: run `researchlog init` first, or cd into the log")
    kind = "notebook" if args.notebook else "scope" if args.scope else "markdown"
    if not args.project_card:
        show_similar(settings, args.title, args.project, args.tag)
    try:
        if args.project_card:
            path = create_project_card(settings.root, settings.log_dir, args.title)
        else:
            path = create_entry(
                settings.root,
                settings.log_dir,
                args.title,
                kind=kind,
                status=args.status,
                project=args.project,
                tags=args.tag,
                authors=args.author,
            )
    except AuthoringError as exc:
        return fail(str(exc))
    shown = os.path.relpath(path)
    print(shown)
    if args.edit:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return fail(f"set $EDITOR to open the entry; it was created at {shown}")
        return subprocess.call([*shlex.split(editor), str(path)])
    return 0


def show_similar(settings: Settings, title: str, project: str | None, tags: list[str]) -> None:
    """Before writing, show the closest earlier entries, dead ends first."""
    from ..analysis.similarity import rank
    from ..log.join import build_log

    log = build_log(settings, history=False)
    entries = [item.entry for item in log.entries]
    query = " ".join([title, *(tags or [])])
    ranked = [(e, s) for e, s in rank(query, entries) if not project or e.project == project][:5]
    if not ranked:
        return
    ranked.sort(key=lambda pair: (pair[0].status != "dead-end", -pair[1]))
    print("Similar earlier entries (dead ends first):", file=sys.stderr)
    for entry, _ in ranked:
        print(result_lines(entry), file=sys.stderr)
    print(file=sys.stderr)

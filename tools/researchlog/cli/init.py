"""`researchlog init`: a research log added to a repository."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from .common import refuse

NEXT = (
    ('researchlog new "Your first experiment"', "write an entry, then fill it in"),
    ("researchlog check", "what is wrong or missing, with the fix"),
    ("researchlog serve", "preview the site at http://127.0.0.1:8000"),
)


def add(verbs: Any) -> None:
    init = verbs.add_parser(
        "init",
        help="add a config file, log/ and playbook/ starters to a repository",
        description="Add a research log to an existing repository: mkdocs.yml, or"
        " researchlog.yml when the repository has its own MkDocs site (whose mkdocs.yml and"
        " docs stay as they are), and starters for log/ and playbook/. Refuses to overwrite"
        " anything: existing files are kept and reported.",
    )
    init.add_argument("directory", nargs="?", default=".", help="where (default: here)")
    init.add_argument(
        "--log-dir",
        metavar="DIR",
        help="the folder for entries (default: log), e.g. when log/ holds training logs",
    )
    init.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.init import InitRefused, init
    from ..core.options import folder

    log_dir = "log"
    if args.log_dir is not None:
        log_dir, issues = folder("--log-dir", args.log_dir, "research")
        if issues:
            return refuse(issues[0].message, issues[0].hint)
    try:
        report = init(Path(args.directory), log_dir, log_dir_chosen=args.log_dir is not None)
    except InitRefused as exc:
        refuse(str(exc), exc.hint)
        return 1  # as it always has: nothing was changed
    for path in report.created:
        print(f"created {path}")
    for path in report.kept:
        print(f"kept    {path} (already there)")
    for note in report.notes:
        print(f"note:   {note}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    where = os.path.relpath(Path(args.directory).resolve())
    print("Next:" if where == "." else f"Next, in {where}:")
    width = max(len(command) for command, _ in NEXT)
    for command, what in NEXT:
        print(f"  {command:<{width}}   # {what}")
    return 0

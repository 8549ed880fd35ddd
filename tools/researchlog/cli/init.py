"""`researchlog init`: a research log added to a repository."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import fail


def add(verbs: Any) -> None:
    init = verbs.add_parser(
        "init",
        help="add mkdocs.yml, log/ and playbook/ starters to a repository",
        description="Add a research log to an existing repository. Refuses to overwrite"
        " anything: existing files are kept and reported.",
    )
    init.add_argument("directory", nargs="?", default=".", help="where (default: here)")
    init.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.init import InitRefused, init

    try:
        report = init(Path(args.directory))
    except InitRefused as exc:
        return fail(str(exc))
    for path in report.created:
        print(f"created {path}")
    for path in report.kept:
        print(f"kept    {path} (already there)")
    for note in report.notes:
        print(f"note:   {note}")
    print('Next: researchlog new "Your first experiment", then researchlog serve')
    return 0

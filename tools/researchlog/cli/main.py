"""The command line: the parser, made of one module per verb, and the dispatch."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import __version__
from . import build, check, find, imports, init, new, schema, serve

if TYPE_CHECKING:  # imported lazily at run time, so `--help` and `check` start fast
    pass

EPILOG = "Run `researchlog VERB --help` for the options of each verb."


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `researchlog find x | head`
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="researchlog",
        description="A research log for applied-ML teams: entries in git, a searchable site.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"researchlog {__version__}")
    verbs = parser.add_subparsers(title="verbs", metavar="VERB")

    for verb in (new, check, find, schema, init, imports, build, serve):
        verb.add(verbs)
    return parser

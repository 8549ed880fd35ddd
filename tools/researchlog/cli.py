"""The `researchlog` command: a thin shell over the library. Each verb is one function."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:  # imported lazily at run time, so `--help` and `check` start fast
    from .core.settings import Settings
    from .read.entries import Entry

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

    new = verbs.add_parser(
        "new",
        help="create a new entry from a template and show similar earlier work",
        description="Create log/YYYY/YYYY-MM-DD-slug.md (or .ipynb) from a template, with today's"
        " date and your git name as author, and print its path. Similar earlier entries, dead"
        " ends first, are listed before it is created. Never overwrites a file.",
    )
    new.add_argument("title", help='what the experiment tries, e.g. "Focal loss for defects"')
    new.add_argument("--project", "-p", help="the line of work this belongs to")
    new.add_argument("--tag", "-t", action="append", default=[], help="a tag (repeatable)")
    new.add_argument("--status", "-s", help="initial status (default: planned)")
    kind = new.add_mutually_exclusive_group()
    kind.add_argument("--notebook", action="store_true", help="create a Jupyter notebook entry")
    kind.add_argument("--scope", action="store_true", help="create a scoping document")
    new.add_argument("--edit", "-e", action="store_true", help="open the new file in $EDITOR")
    new.set_defaults(handler=cmd_new)

    check = verbs.add_parser(
        "check",
        help="report every problem in the log as path:line: message, with the fix",
        description="Validate entries and playbook pages. Exits 1 when there are errors (or,"
        " with --strict, warnings). Fast enough for a pre-commit hook.",
    )
    check.add_argument("paths", nargs="*", help="only report these files or folders")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--json", action="store_true", help="print problems as JSON")
    check.set_defaults(handler=cmd_check)

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
    find.set_defaults(handler=cmd_find)

    schema = verbs.add_parser(
        "schema",
        help="print the JSON Schema of the front matter, for editors",
        description="Print the JSON Schema of entry front matter. Editors with the YAML"
        " language server validate while typing; entry templates point at log/entry.schema.json.",
    )
    schema.add_argument("--output", "-o", help="write to this file instead of printing")
    schema.set_defaults(handler=cmd_schema)

    init = verbs.add_parser(
        "init",
        help="add mkdocs.yml, log/ and playbook/ starters to a repository",
        description="Add a research log to an existing repository. Refuses to overwrite"
        " anything: existing files are kept and reported.",
    )
    init.add_argument("directory", nargs="?", default=".", help="where (default: here)")
    init.set_defaults(handler=cmd_init)

    build = verbs.add_parser(
        "build",
        help="build the site (mkdocs build), replacing the old site only on success",
        description="Build the static site. The new site is written to a temporary folder and"
        " swapped in only when the build succeeds, so a failed build leaves the last good site.",
    )
    build.add_argument("--strict", action="store_true", help="fail on any warning")
    build.add_argument("--site-dir", "-d", help="where to write the site (default: site/)")
    build.add_argument("--config-file", "-f", help="path to mkdocs.yml")
    build.set_defaults(handler=cmd_build)

    serve = verbs.add_parser(
        "serve",
        help="preview the site with live reload (mkdocs serve)",
        description="Serve the site locally and rebuild when anything in log/, playbook/ or"
        " mkdocs.yml changes.",
    )
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="IP:PORT to serve on")
    serve.add_argument("--config-file", "-f", help="path to mkdocs.yml")
    serve.set_defaults(handler=cmd_serve)
    return parser


def _settings() -> Settings:
    from .core.settings import load_settings

    return load_settings(Path.cwd())


def _fail(message: str, code: int = 1) -> int:
    print(f"researchlog: {message}", file=sys.stderr)
    return code


# ----------------------------------------------------------------------------- new


def cmd_new(args: argparse.Namespace) -> int:
    from .authoring import AuthoringError, create_entry

    settings = _settings()
    if (
        not (settings.root / "mkdocs.yml").exists()
        and not (settings.root / settings.log_dir).is_dir()
    ):
        return _fail("no research log here: run `researchlog init` first, or cd into the log")
    kind = "notebook" if args.notebook else "scope" if args.scope else "markdown"
    _show_similar(settings, args.title, args.project, args.tag)
    try:
        path = create_entry(
            settings.root,
            settings.log_dir,
            args.title,
            kind=kind,
            status=args.status,
            project=args.project,
            tags=args.tag,
        )
    except AuthoringError as exc:
        return _fail(str(exc))
    shown = os.path.relpath(path)
    print(shown)
    if args.edit:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return _fail(f"set $EDITOR to open the entry; it was created at {shown}")
        return subprocess.call([*shlex.split(editor), str(path)])
    return 0


def _show_similar(settings: Settings, title: str, project: str | None, tags: list[str]) -> None:
    """Before writing, show the closest earlier entries, dead ends first."""
    from .analysis.similarity import rank
    from .log.join import build_log

    log = build_log(settings, history=False)
    entries = [item.entry for item in log.entries]
    query = " ".join([title, *(tags or [])])
    ranked = [(e, s) for e, s in rank(query, entries) if not project or e.project == project][:5]
    if not ranked:
        return
    ranked.sort(key=lambda pair: (pair[0].status != "dead-end", -pair[1]))
    print("Similar earlier entries (dead ends first):", file=sys.stderr)
    for entry, _ in ranked:
        print(_result_lines(entry), file=sys.stderr)
    print(file=sys.stderr)


# ----------------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    from .checks import run_check

    settings = _settings()
    result = run_check(settings, [Path(p) for p in args.paths])
    if result.missing:
        return _fail("no such file or folder: " + ", ".join(result.missing), code=2)
    problems = result.problems
    if args.json:
        print(json.dumps([p.encode() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem.format())
        print(result.summary)
    failed = any(p.is_error for p in problems) or (args.strict and bool(problems))
    return 1 if failed else 0


# ----------------------------------------------------------------------------- find


def cmd_find(args: argparse.Namespace) -> int:
    from .analysis.similarity import rank
    from .log.join import build_log

    settings = _settings()
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
        print(_result_lines(entry))
    return 0


MARKS = {
    "dead-end": "✖ DEAD END",
    "success": "✔ success",
    "running": "◔ running",
    "planned": "○ planned",
    "inconclusive": "? inconclusive",
    "superseded": "↷ superseded",
}


def _result_lines(entry: Entry) -> str:
    mark = MARKS.get(entry.status, entry.status)
    where = f" [{entry.project}]" if entry.project else ""
    lines = [f"{mark:<15} {entry.title}{where}"]
    if entry.outcome or entry.question:
        lines.append(f"{'':15} {entry.outcome or entry.question}")
    lines.append(f"{'':15} {entry.path}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- schema, init


def cmd_schema(args: argparse.Namespace) -> int:
    from .scaffold import schema_text

    text = schema_text()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import InitRefused, init

    try:
        report = init(Path(args.directory))
    except InitRefused as exc:
        return _fail(str(exc))
    for path in report.created:
        print(f"created {path}")
    for path in report.kept:
        print(f"kept    {path} (already there)")
    for note in report.notes:
        print(f"note:   {note}")
    print('Next: researchlog new "Your first experiment", then researchlog serve')
    return 0


# ----------------------------------------------------------------------------- build, serve


def cmd_build(args: argparse.Namespace) -> int:
    from .sitebuild import BuildFailed, BuildInterrupted, BuildRefused, build_site_atomically

    try:
        site_dir = build_site_atomically(
            args.config_file, strict=args.strict, site_dir=args.site_dir
        )
    except BuildRefused as exc:
        return _refuse(str(exc), exc.hint)
    except BuildFailed as exc:
        return _fail(str(exc))
    except BuildInterrupted as exc:
        return _fail(str(exc), code=130)
    print(f"site written to {os.path.relpath(site_dir)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .sitebuild import BuildFailed, BuildRefused, serve

    try:
        serve(args.config_file, args.dev_addr)
    except BuildRefused as exc:
        return _refuse(str(exc), exc.hint)
    except BuildFailed as exc:
        return _fail(str(exc))
    return 0


def _refuse(message: str, hint: str) -> int:
    """Refused before anything was done: the message says what, the hint what to do."""
    print(f"researchlog: error: {message}\n    fix: {hint}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

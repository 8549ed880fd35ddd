"""`researchlog import SOURCE …`: past work (knowledge-repo posts, MLflow runs, DVCLive
outputs, notebooks) as entries; the work is in importers/."""

from __future__ import annotations

import argparse
from typing import Any

from .common import current_settings, fail, refuse


def add(verbs: Any) -> None:
    command = verbs.add_parser(
        "import",
        help="turn past work (knowledge-repo posts, MLflow runs, DVCLive, notebooks) into entries",
        description="Write entries for past work, dated when the work was done. Never"
        " overwrites, and skips what was imported before (each entry records its source in"
        " imported_from), so running it again writes nothing new. Prints what it wrote and"
        " what it skipped, and why.",
        epilog="Run `researchlog import SOURCE --help` for the options of each source.",
    )
    sources = command.add_subparsers(title="sources", metavar="SOURCE")

    def usage(args: argparse.Namespace) -> int:
        command.print_help()
        return 2

    command.set_defaults(handler=usage)

    def source(name: str, help: str, description: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sources.add_parser(
            name, help=help, description=description
        )
        parser.add_argument("--project", "-p", help="the project of every entry written")
        parser.set_defaults(handler=run, source=name)
        return parser

    knowledge = source(
        "knowledge-repo",
        "knowledge-repo posts: .kp folders or files, or Markdown with their header",
        "Import knowledge-repo posts: every .kp post under PATH (a folder or a zip file),"
        " or Markdown files that start with a post header. created_at is the date, tldr the"
        " outcome; authors and tags are kept and images come along.",
    )
    knowledge.add_argument("path", help="a knowledge repository, a .kp post or a Markdown post")

    mlflow = source(
        "mlflow",
        "MLflow runs, with their notes, parameters and final metrics",
        "Import MLflow runs through MLflow's own client: name, start date, user, final"
        " metrics, parameters and the run's note. Needs MLflow's client: pip install"
        " 'researchlog[import]'.",
    )
    mlflow.add_argument(
        "--tracking-uri",
        help="where the runs are, e.g. sqlite:///mlflow.db or http://host:5000"
        " (default: $MLFLOW_TRACKING_URI, else MLflow's default)",
    )
    mlflow.add_argument("--experiment", "-x", help="only this experiment, by name")
    mlflow.add_argument("--run", action="append", metavar="ID", help="only this run (repeatable)")
    mlflow.add_argument(
        "--ui-url",
        help="the MLflow web UI, for a link back to each run (default: the tracking URI"
        " when it is http(s))",
    )

    dvclive = source(
        "dvclive",
        "a DVCLive output folder: metrics, params and plots",
        "Import what DVCLive wrote: metrics.json, params.yaml, plots/metrics/*.tsv and"
        " plots/images. The date is that of its files unless --date is given.",
    )
    dvclive.add_argument("path", help="DVCLive's folder (dvclive/), or the project holding it")
    dvclive.add_argument("--title", help="the entry's title (default: from the folder's name)")
    dvclive.add_argument("--date", help="the entry's date, YYYY-MM-DD (default: the files')")

    notebooks = source(
        "notebooks",
        "a folder of Jupyter notebooks, each as a notebook entry",
        "Copy each notebook under DIR into the log as a notebook entry, with its front matter"
        " in the notebook's metadata; the original is left untouched. The title is the first"
        " heading (or the file name), the date that of the notebook's first commit (or file).",
    )
    notebooks.add_argument("path", metavar="dir", help="a folder of notebooks (or one notebook)")


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from ..importers import ImportFailed, run

    settings = current_settings()
    if not settings.has_config and not (settings.root / settings.log_dir).is_dir():
        return fail("no research log here: run `researchlog init` first, or cd into the log")
    options = dict(vars(args))
    if getattr(args, "date", None):
        try:
            options["date"] = dt.date.fromisoformat(args.date)
        except ValueError:
            return refuse(f"--date {args.date} is not a date", "write it as YYYY-MM-DD")
    try:
        report = run(args.source, settings, options)
    except ImportFailed as exc:
        return refuse(str(exc), exc.fix)
    return 1 if report.problems else 0

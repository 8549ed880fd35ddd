"""`researchlog serve`: the site served locally, rebuilt as files change."""

from __future__ import annotations

import argparse
from typing import Any

from .common import fail, refuse


def add(verbs: Any) -> None:
    serve = verbs.add_parser(
        "serve",
        help="preview the site with live reload (mkdocs serve)",
        description="Serve the site locally and rebuild when anything in log/, playbook/ or"
        " mkdocs.yml changes.",
    )
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="IP:PORT to serve on")
    serve.add_argument("--config-file", "-f", help="path to mkdocs.yml")
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..engines.mkdocs import BuildFailed, BuildRefused, serve

    try:
        serve(args.config_file, args.dev_addr)
    except BuildRefused as exc:
        return refuse(str(exc), exc.hint)
    except BuildFailed as exc:
        return fail(str(exc))
    return 0

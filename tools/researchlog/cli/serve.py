"""`researchlog serve`: the site served locally, rebuilt as files change."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import add_engine_options, fail, refuse


def add(verbs: Any) -> None:
    serve = verbs.add_parser(
        "serve",
        help="preview the site with live reload",
        description="Serve the site locally and rebuild when anything in log/, playbook/ or the"
        " config file (researchlog.yml or mkdocs.yml) changes.",
    )
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="IP:PORT to serve on")
    add_engine_options(serve)
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.settings import settings_of
    from ..engines import BuildFailed, BuildRefused, check_address, choose_engine, config_path

    try:
        config = config_path(args.config_file)
        host, port = check_address(args.dev_addr)
        engine = choose_engine(args.engine or settings_of(config).engine)
        print(f"researchlog: serving with {engine.version()}", file=sys.stderr)
        engine.serve(config, host, port)
    except BuildRefused as exc:
        return refuse(str(exc), exc.hint)
    except BuildFailed as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 0
    return 0

"""`researchlog build`: the static site, swapped in only when the build succeeds."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .common import add_engine_options, fail, refuse


def add(verbs: Any) -> None:
    build = verbs.add_parser(
        "build",
        help="build the site, replacing the old site only on success",
        description="Build the static site. The new site is written to a temporary folder and"
        " swapped in only when the build succeeds, so a failed build leaves the last good site.",
    )
    build.add_argument("--strict", action="store_true", help="fail on any warning")
    build.add_argument(
        "--site-dir",
        "-d",
        help="where to write the site (default: site_dir in the config, else site/)",
    )
    add_engine_options(build)
    build.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.settings import settings_of
    from ..engines import (
        BuildFailed,
        BuildInterrupted,
        BuildRefused,
        build_site_atomically,
        choose_engine,
        config_path,
    )

    try:
        config = config_path(args.config_file)
        engine = choose_engine(args.engine or settings_of(config).engine)
        print(f"researchlog: building with {engine.version()}", file=sys.stderr)
        built = build_site_atomically(engine, config, strict=args.strict, site_dir=args.site_dir)
    except BuildRefused as exc:
        return refuse(str(exc), exc.hint)
    except BuildFailed as exc:
        return fail(str(exc))
    except BuildInterrupted as exc:
        return fail(str(exc), code=130)
    if built.unchanged:
        print(f"nothing changed since the last build: {os.path.relpath(built.site)} is up to date")
    else:
        print(f"site written to {os.path.relpath(built.site)}")
    return 0

"""`researchlog build`: the static site, swapped in only when the build succeeds."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import fail, refuse


def add(verbs: Any) -> None:
    build = verbs.add_parser(
        "build",
        help="build the site (mkdocs build), replacing the old site only on success",
        description="Build the static site. The new site is written to a temporary folder and"
        " swapped in only when the build succeeds, so a failed build leaves the last good site.",
    )
    build.add_argument("--strict", action="store_true", help="fail on any warning")
    build.add_argument("--site-dir", "-d", help="where to write the site (default: site/)")
    build.add_argument("--config-file", "-f", help="path to mkdocs.yml")
    build.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..engines.mkdocs import BuildFailed, BuildInterrupted, BuildRefused, build_site_atomically

    try:
        site_dir = build_site_atomically(
            args.config_file, strict=args.strict, site_dir=args.site_dir
        )
    except BuildRefused as exc:
        return refuse(str(exc), exc.hint)
    except BuildFailed as exc:
        return fail(str(exc))
    except BuildInterrupted as exc:
        return fail(str(exc), code=130)
    print(f"site written to {os.path.relpath(site_dir)}")
    return 0

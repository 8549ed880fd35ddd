"""`researchlog schema`: the JSON Schema of the front matter, for editors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add(verbs: Any) -> None:
    schema = verbs.add_parser(
        "schema",
        help="print the JSON Schema of the front matter, for editors",
        description="Print the JSON Schema of entry front matter. Editors with the YAML"
        " language server validate while typing; entry templates point at log/entry.schema.json.",
    )
    schema.add_argument("--output", "-o", help="write to this file instead of printing")
    schema.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.init import schema_text

    text = schema_text()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0

"""The `researchlog` command: argparse and printing only, one module per verb, over the
library. Errors are translated into messages with the fix here, at the edge."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]

"""`pipeline translate`: translate posts into draft files for human review."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "translate",
        parents=[parent],
        help="Translate posts into draft files for human review.",
        description="Translate posts into draft files for human review.",
    )
    p.add_argument("paths", **{"nargs": "*", "help": "posts or folders (default: all)"})
    p.add_argument("--to", **{"required": True, "metavar": "LANG[,LANG...]", "help": "target languages"})
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the translate stage is not built yet in this version")

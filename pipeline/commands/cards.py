"""`pipeline cards`: render Open Graph and X cards for every post and language."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "cards",
        parents=[parent],
        help="Render Open Graph and X cards for every post and language.",
        description="Render Open Graph and X cards for every post and language.",
    )
    p.add_argument("paths", **{"nargs": "*"})
    p.add_argument("--lang", **{"help": "only this language"})
    p.add_argument("--force", **{"action": "store_true", "help": "re-render even when cached"})
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the cards stage is not built yet in this version")

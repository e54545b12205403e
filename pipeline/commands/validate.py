"""`pipeline validate`: check SEO metadata, structure and readability."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "validate",
        parents=[parent],
        help="Check SEO metadata, structure and readability.",
        description="Check SEO metadata, structure and readability.",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the validate stage is not built yet in this version")

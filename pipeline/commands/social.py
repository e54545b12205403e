"""`pipeline social`: plan, approve and send social posts."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "social",
        parents=[parent],
        help="Plan, approve and send social posts.",
        description="Plan, approve and send social posts.",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the social stage is not built yet in this version")

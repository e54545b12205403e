"""`pipeline users`: manage web UI accounts."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "users", parents=[parent], help="Manage web UI accounts.", description="Manage web UI accounts."
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the web UI stage is not built yet in this version")

"""`pipeline models`: manage offline Argos Translate packages."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "models",
        parents=[parent],
        help="Manage offline Argos Translate packages.",
        description="Manage offline Argos Translate packages.",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the translate stage is not built yet in this version")

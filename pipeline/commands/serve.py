"""`pipeline serve`: web UI for translators and marketing staff."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[parent],
        help="Web UI for translators and marketing staff.",
        description="Web UI for translators and marketing staff.",
    )
    p.add_argument("--host", **{"default": "127.0.0.1"})
    p.add_argument("--port", **{"type": int, "default": 8000})
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the web UI stage is not built yet in this version")

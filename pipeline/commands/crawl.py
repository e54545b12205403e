"""`pipeline crawl`: audit the published site against what the Markdown says."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "crawl",
        parents=[parent],
        help="Audit the published site against what the Markdown says.",
        description="Audit the published site against what the Markdown says.",
    )
    p.add_argument("--base-url", **{})
    p.add_argument("--format", **{"default": "text"})
    p.add_argument("--output", **{})
    p.add_argument("--fail-on", **{"default": "error", "choices": ["error", "warning", "new", "never"]})
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the crawl stage is not built yet in this version")

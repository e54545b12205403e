"""`pipeline build`: render a static preview site with every SEO head tag."""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.stages import StageUnavailable


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "build",
        parents=[parent],
        help="Render a static preview site with every SEO head tag.",
        description="Render a static preview site with every SEO head tag.",
    )
    p.add_argument("--base-url", **{"help": "override site.base_url"})
    p.add_argument("--output", **{"help": "output folder"})
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise StageUnavailable("the build stage is not built yet in this version")

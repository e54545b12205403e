"""`pipeline cards`: render Open Graph and X cards for every post and language."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.findings import SEVERITY_RANK, exceeds
from pipeline.report import render_text


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "cards",
        parents=[parent],
        help="Render Open Graph and X cards for every post and language.",
        description=(
            "Render Open Graph (1200×630) and X (1200×600) cards from each post's hero image. Unchanged "
            "cards are skipped: the cache is keyed on the hero bytes, fonts, layout and text."
        ),
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="only posts under these files or folders")
    p.add_argument("--lang", help="only this language")
    p.add_argument("--force", action="store_true", help="re-render even when cached")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        default="error",
        help="lowest finding severity that makes the exit status 1 (default: error)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.cards.stage import run_stage
    from pipeline.cli import UserError, load_context
    from pipeline.stages import timed

    ctx = load_context(args, needs_content=True, compute=True)
    if args.lang and args.lang not in ctx.config.site.languages:
        known = ", ".join(sorted(ctx.config.site.languages))
        raise UserError(f"--lang {args.lang}: not a language of this site (site.languages has {known})")
    paths = [Path(p) for p in args.paths]
    root = ctx.config.content_root
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        resolved = path.resolve()
        if resolved != root and root not in resolved.parents:
            raise UserError(f"{path} is not inside the content folder {root}; cards are made for its posts")
    result = timed("cards", lambda: run_stage(ctx, paths=paths or None, lang=args.lang, force=args.force))
    shown = [f for f in result.findings if not args.quiet or SEVERITY_RANK[f.severity] >= 2]
    if shown:
        sys.stdout.write(render_text(shown))
    c = result.counts
    print(
        f"cards: {c.get('cards', 0)} planned, {c.get('rendered', 0)} rendered, {c.get('cached', 0)} unchanged, "
        f"{c.get('failed', 0)} failed ({result.seconds or 0:.1f}s)"
    )
    return 1 if exceeds(result.findings, args.fail_on) else 0

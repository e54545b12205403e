"""`pipeline translate`: translate posts into draft files for human review."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pipeline.cli import EXIT_OK, EXIT_USAGE, UserError, load_context


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "translate",
        parents=[parent],
        help="Translate posts into draft files for human review.",
        description="Translate posts into draft files for human review.",
    )
    p.add_argument("paths", **{"nargs": "*", "help": "posts or folders (default: all)"})
    p.add_argument("--to", **{"required": True, "metavar": "LANG[,LANG...]", "help": "target languages"})
    p.add_argument(
        "--export",
        metavar="FILE",
        help="write the drafts' segments to FILE (.po, or .xlf for XLIFF 2.0) instead of translating",
    )
    p.add_argument(
        "--import", dest="import_file", metavar="FILE", help="read edits/approvals from FILE (.po or .xlf)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.translate.stage import run_stage

    ctx = load_context(args, needs_content=True, compute=not (args.export or args.import_file))
    langs = [code.strip() for code in args.to.split(",") if code.strip()]
    unknown = [code for code in langs if code not in ctx.config.site.languages]
    if unknown:
        raise UserError(
            f"--to: {', '.join(unknown)} not in site.languages ({', '.join(ctx.config.site.languages)}); add it to the config"
        )
    if args.export or args.import_file:
        return _exchange(ctx, args, langs)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    result = run_stage(ctx, paths=paths or None, languages=langs)
    for finding in result.findings:
        where = f"{finding.file}: " if finding.file else ""
        print(f"{finding.severity}: {where}{finding.message} [{finding.rule}]")
    if not args.quiet:
        summary = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        print(f"translate: {summary}")
    return EXIT_OK


def _exchange(ctx: Any, args: argparse.Namespace, langs: list[str]) -> int:
    from pipeline.translate.exchange import ExchangeError, export_file, import_file
    from pipeline.translate.review import ReviewError

    if len(langs) != 1:
        raise UserError("--export/--import work on one language at a time: pass --to LANG")
    try:
        if args.export:
            count = export_file(ctx, langs[0], Path(args.export))
            print(f"exported {count} segment(s) to {args.export}")
        if args.import_file:
            report = import_file(
                ctx, langs[0], Path(args.import_file), who=f"import:{Path(args.import_file).name}"
            )
            print(f"{args.import_file}: {report.summary()}")
            if report.refused or report.not_approved:
                return EXIT_USAGE  # the file asked for something that was not done; the message says what
    except (ExchangeError, ReviewError) as exc:
        raise UserError(str(exc)) from None
    return EXIT_OK

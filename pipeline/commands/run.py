"""`pipeline run`: validate → translate → cards → social plan → build → crawl, with a summary table."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "run",
        parents=[parent],
        help="Run every stage on the site and print a summary.",
        description="Run every stage on the site; each ends done, skipped (with the reason) or failed.",
    )
    p.add_argument("--only", metavar="STAGE[,STAGE]", help="run only these stages")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="never",
        help="exit 1 when validate/crawl findings reach this severity (default: never)",
    )
    p.add_argument(
        "--preview", action="store_true", help="crawl the preview build even if site.base_url answers"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from pipeline.cli import UserError, load_context
    from pipeline.findings import counts, exceeds
    from pipeline.order import BY_NAME, STAGES
    from pipeline.runner import run_all

    stages = STAGES
    if args.only:
        names = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [s for s in names if s not in BY_NAME]
        if unknown:
            raise UserError(f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
        stages = tuple(stage for stage in STAGES if stage.name in names)
    overrides = {"crawl": {"prefer_preview": True}} if args.preview else None
    ctx = load_context(
        args, overrides=overrides, needs_content=True, compute=any(stage.compute for stage in stages)
    )
    results = run_all(ctx, stages)
    console = Console(stderr=False, highlight=False, width=max(140, Console().width))
    table = Table(title=Text(f"pipeline run — {ctx.config.site.name}"))
    for col in ("stage", "status", "counts", "findings", "time"):
        table.add_column(col)
    style = {"done": "green", "skipped": "yellow", "failed": "bold red"}
    for r in results:
        c = counts(r.findings)
        status = r.status + (f": {r.reason}" if r.reason else "")
        table.add_row(
            r.stage,
            Text(
                status, style=style[r.status]
            ),  # a Text, not markup: reasons quote config such as [[social.accounts]]
            ", ".join(f"{k} {v}" for k, v in r.counts.items()),
            f"{c['error']} err, {c['warning']} warn, {c['info']} info" if r.findings else "-",
            f"{r.seconds:.1f}s",
        )
    console.print(table)
    console.print(Text(f"reports: {ctx.config.reports_root / 'index.html'}"))
    failed = any(r.status == "failed" for r in results)
    findings = [f for r in results for f in r.findings]
    if failed:
        return 1
    return 1 if exceeds(findings, args.fail_on) else 0

"""`pipeline crawl`: audit the published site against what the Markdown says."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.findings import exceeds
from pipeline.report import FORMATS, render

FAIL_ON = ("error", "warning", "new", "never")


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "crawl",
        parents=[parent],
        help="Audit the published site against what the Markdown says.",
        description="Audit the published site against what the Markdown says: status, redirects, head tags, "
        "social images, hreflang, sitemap, robots.txt and links. Every run is stored; reports say what is new, "
        "fixed and still open since the last run.",
    )
    p.add_argument(
        "--base-url", metavar="URL", help="origin to crawl (default: crawl.base_url or site.base_url)"
    )
    p.add_argument("--format", default="text", choices=FORMATS)
    p.add_argument("--output", metavar="FILE", help="write the report here (atomically) instead of stdout")
    p.add_argument(
        "--fail-on",
        default="error",
        choices=FAIL_ON,
        help="exit 1 when a finding is at or above this severity; 'new' = any new warning or error since the last run",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.cli import EXIT_FINDINGS, EXIT_OK, UserError, load_context
    from pipeline.crawl.history import fails_on_new
    from pipeline.crawl.stage import run_stage
    from pipeline.fsutil import atomic_write_text
    from pipeline.rules import CRAWL, by_id

    # --base-url is this run's target, not the site's configured crawl origin: the history key tells the two
    # apart (a loopback --base-url is a preview of crawl.base_url / site.base_url), so it is a stage argument.
    ctx = load_context(args, needs_content=True, compute=True)
    if args.output and Path(args.output).is_dir():
        raise UserError(
            f"--output {args.output} is a folder; name a file, e.g. {Path(args.output) / 'report.json'}"
        )
    try:
        result = run_stage(ctx, base_url=args.base_url)
    except ValueError as exc:
        raise UserError(f"{exc} (pass --base-url or set crawl.base_url)") from None
    if result.status == "failed":
        raise UserError(f"crawl failed: {result.reason}")
    history = result.data["history"]
    summary = {
        "base_url": result.data["base_url"],
        "pages": result.counts.get("pages", 0),
        **history.summary(),
    }
    report = render(
        result.findings,
        args.format,
        tool="pipeline-crawl",
        rules=by_id(CRAWL),
        title=f"Crawl audit of {result.data['base_url']}",
        base_dir=Path.cwd(),
        summary=summary,
    )
    if args.output:
        atomic_write_text(Path(args.output), report)
    else:
        sys.stdout.write(report)
    if not args.quiet:
        print(
            f"crawl: {summary['pages']} pages in {result.seconds:.1f} s; "
            f"{history.summary()['new']} new, {history.summary()['still_open']} still open, "
            f"{history.summary()['fixed']} fixed since the last run",
            file=sys.stderr,
        )
    current = [f for f in result.findings if not f.fixed]
    if args.fail_on == "new":
        return EXIT_FINDINGS if fails_on_new(history) else EXIT_OK
    return EXIT_FINDINGS if exceeds(current, args.fail_on) else EXIT_OK

"""`pipeline validate`: SEO metadata, structure and readability findings, in any report format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.report import FORMATS


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "validate",
        parents=[parent],
        help="Check SEO metadata, structure and readability.",
        description="Check SEO metadata, structure and readability of every post (or the given files/folders).",
    )
    p.add_argument("paths", nargs="*", type=Path, help="posts or folders (default: the whole content folder)")
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("--output", "-o", type=Path, help="write the report to this file instead of stdout")
    p.add_argument(
        "--fail-on", choices=("error", "warning", "info", "never"), help="exit 1 at or above this severity"
    )
    p.add_argument(
        "--baseline", type=Path, help="only findings not in this baseline file count towards --fail-on"
    )
    p.add_argument(
        "--write-baseline", type=Path, help="record the current findings as the baseline and exit 0"
    )
    p.add_argument("--no-cache", action="store_true", help="re-analyse every post")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.cli import UserError, load_context
    from pipeline.content import MARKDOWN_SUFFIXES, UrlModel, iter_markdown
    from pipeline.findings import apply_baseline, exceeds, load_baseline, write_baseline
    from pipeline.report import render
    from pipeline.validate.registry import all_rules
    from pipeline.validate.stage import run_stage

    ctx = load_context(args, needs_content=not args.paths, compute=True)
    if args.output and Path(args.output).is_dir():
        raise UserError(
            f"--output {args.output} is a folder; name a file, e.g. {Path(args.output) / 'report.json'}"
        )
    paths = None
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:
            raise UserError(f"no such file or folder: {', '.join(missing)}")
        not_markdown = [
            str(p) for p in args.paths if p.is_file() and not p.name.lower().endswith(MARKDOWN_SUFFIXES)
        ]
        if not_markdown:
            raise UserError(
                f"not a Markdown file ({', '.join(MARKDOWN_SUFFIXES)}): {', '.join(not_markdown)}"
            )
        site = UrlModel.for_config(ctx.config)  # the generator's folders: Hugo/Jekyll `_posts` hold posts
        empty = [str(p) for p in args.paths if p.is_dir() and next(iter_markdown(p, site=site), None) is None]
        if empty:
            raise UserError(f"no Markdown files under {', '.join(empty)}; point at the site's content folder")
        paths = args.paths
        # A path outside the configured content folder means "validate this folder as the site"; the static
        # folder and everything else keep resolving against the config's folder.
        first = args.paths[0].resolve()
        root = ctx.config.content_root
        if first.is_dir() and first in root.parents:
            paths = None  # a folder holding the content root (e.g. the site folder): validate the whole site
        elif not (first == root or root in first.parents):
            folder = first if first.is_dir() else first.parent
            ctx = load_context(args, overrides={"site": {"content_dir": str(folder)}})
            paths = None if first.is_dir() and len(args.paths) == 1 else args.paths
    result = run_stage(ctx, paths, use_cache=not args.no_cache)
    findings = result.findings
    if not args.quiet:
        for key, origin in ctx.config.origins.items():  # what the site's own (Hugo) config filled in
            print(f"note: {key} {origin}", file=sys.stderr)
        for note in result.data.get("notes", []):  # rules switched off for some languages, once per run
            print(f"note: {note}", file=sys.stderr)
    if args.write_baseline:
        write_baseline(args.write_baseline, findings)
        print(f"baseline of {len(findings)} findings written to {args.write_baseline}", file=sys.stderr)
        return 0
    counted = findings
    if args.baseline:
        try:
            baseline = load_baseline(args.baseline)
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read baseline {args.baseline}: {exc}") from None
        counted, _known = apply_baseline(findings, baseline)
    report = render(
        findings,
        args.format,
        tool="pipeline-validate",
        rules=all_rules(),
        title="Validate report",
        summary=result.counts,
    )
    if args.output:
        from pipeline.fsutil import atomic_write_text

        atomic_write_text(args.output, report)
        if not args.quiet:
            print(f"{args.format} report written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(report)
    fail_on = args.fail_on or ctx.config.validate_.fail_on
    return 1 if exceeds(counted, fail_on) else 0

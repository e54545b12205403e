"""`pipeline build`: render a static preview site with every SEO head tag, sitemap.xml and robots.txt."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "build",
        parents=[parent],
        help="Render a static preview site with every SEO head tag.",
        description="Render published posts (and drafts, marked noindex) to a static preview site.",
    )
    p.add_argument("--base-url", help="public origin for canonical/og URLs (default: site.base_url)")
    p.add_argument("--output", type=Path, help="output folder (default: site.output_dir)")
    p.add_argument("--no-drafts", action="store_true", help="leave drafts and unapproved translations out")
    p.add_argument("--serve", action="store_true", help="serve the build on 127.0.0.1 until interrupted")
    p.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        default="error",
        help="lowest finding severity (pages that could not be built) that makes the exit status 1",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from pipeline.build.stage import BuildError, run_stage
    from pipeline.cli import UserError, load_context
    from pipeline.findings import exceeds
    from pipeline.report import render_text

    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise UserError(f"--base-url {args.base_url!r} must start with http:// or https://")
    site: dict[str, str] = {}
    if args.base_url:
        site["base_url"] = args.base_url
    if args.output:
        site["output_dir"] = str(
            Path(args.output).resolve()
        )  # a flag's path is relative to where it is typed
    ctx = load_context(args, overrides={"site": site} if site else None, needs_content=True)
    try:
        result = run_stage(ctx, drafts=not args.no_drafts)
    except BuildError as exc:
        raise UserError(str(exc)) from None
    if result.findings:
        sys.stdout.write(render_text(result.findings))
    out = result.data["output"]
    print(
        f"built {result.counts['pages']} pages ({result.counts['published']} published) into {out}",
        file=sys.stderr,
    )
    if args.serve:
        import time

        from pipeline.build.server import PreviewServer

        server = PreviewServer(Path(out), port=args.port)
        with server as url:
            print(f"serving {out} at {url}/ (Ctrl-C to stop)", file=sys.stderr)
            while True:
                time.sleep(3600)
    return 1 if exceeds(result.findings, args.fail_on) else 0

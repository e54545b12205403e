"""`pipeline serve`: web UI for translators and marketing staff."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[parent],
        help="Web UI for translators and marketing staff.",
        description="Web UI for translators and marketing staff. Add accounts first with `pipeline users add`.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from pipeline.cli import UserError, load_context
    from pipeline.web.accounts import list_users
    from pipeline.web.app import create_app
    from pipeline.web.security import SecretKeyError

    ctx = load_context(args)
    if not list_users(ctx.store):
        raise UserError("no web accounts yet; add one with `pipeline users add NAME --role admin`")
    try:
        app = create_app(ctx)
    except SecretKeyError as exc:
        raise UserError(str(exc)) from None
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except OSError as exc:
        raise UserError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror}; pick another --port"
        ) from None
    if not args.quiet:
        print(
            f"pipeline web UI on http://{args.host}:{server.server_port}/ (Ctrl-C stops it)", file=sys.stderr
        )
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0

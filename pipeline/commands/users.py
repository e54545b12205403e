"""`pipeline users`: manage web UI accounts. Passwords come from a prompt or stdin, never from argv."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "users", parents=[parent], help="Manage web UI accounts.", description="Manage web UI accounts."
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[parent], help="add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("admin", "marketer", "translator"))
    add.add_argument("--languages", default="", help="comma-separated languages a translator may work on")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    rm = actions.add_parser("remove", parents=[parent], help="remove an account")
    rm.add_argument("name")
    pw = actions.add_parser("passwd", parents=[parent], help="set a new password (ends the user's sessions)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    actions.add_parser("list", parents=[parent], help="list accounts")
    p.set_defaults(func=run)


def _password(from_stdin: bool) -> str:
    from pipeline.cli import UserError

    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise UserError(
                "no password on stdin (pipe one line, e.g. `printf '%s\\n' \"$PW\" | pipeline users ...`)"
            )
        return value
    if not sys.stdin.isatty():
        raise UserError("no terminal to prompt on; pass --password-stdin and pipe the password")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise UserError("the two passwords differ; nothing changed")
    return first


def run(args: argparse.Namespace) -> int:
    from pipeline.cli import UserError, load_context
    from pipeline.web import accounts

    ctx = load_context(args)
    store = ctx.store
    try:
        if args.action == "add":
            langs = [x.strip() for x in args.languages.split(",") if x.strip()]
            if args.role != "translator" and langs:
                raise UserError("--languages applies to translators only")
            unknown = [x for x in langs if x not in ctx.config.site.languages]
            if unknown:
                raise UserError(
                    f"language(s) {', '.join(unknown)} not in site.languages ({', '.join(ctx.config.site.languages)})"
                )
            if accounts.get_user(store, args.name) is not None:
                raise UserError(f"user '{args.name}' exists; use `pipeline users passwd {args.name}`")
            user = accounts.add_user(store, args.name, args.role, _password(args.password_stdin), langs)
            print(
                f"added {user.name} ({user.role}{': ' + ', '.join(langs) if langs else ''})", file=sys.stderr
            )
        elif args.action == "remove":
            accounts.remove_user(store, args.name)
            print(f"removed {args.name}", file=sys.stderr)
        elif args.action == "passwd":
            if accounts.get_user(store, args.name) is None:
                raise UserError(
                    f"no user '{args.name}' (add it with `pipeline users add {args.name} --role ROLE`)"
                )
            accounts.set_password(store, args.name, _password(args.password_stdin))
            print(f"password of {args.name} changed; their sessions have ended", file=sys.stderr)
        else:
            for u in accounts.list_users(store):
                print(f"{u.name}\t{u.role}\t{','.join(u.languages) or '-'}")
    except accounts.AccountError as exc:
        raise UserError(str(exc)) from None
    return 0

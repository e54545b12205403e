"""`pipeline social`: plan, list, approve, cancel, reschedule and send social posts."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from typing import Any

from pipeline.cli import UserError, load_context


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "social",
        parents=[parent],
        help="Plan, approve and send social posts.",
        description="Plan, approve and send social posts (docs/social.md).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("plan", parents=[parent], help="put published posts into free slots")
    ls = actions.add_parser("list", parents=[parent], help="show the ledger")
    ls.add_argument("--format", choices=("table", "json"), default="table")
    ls.add_argument("--account")
    ls.add_argument("--lang")
    ls.add_argument("--state")
    for name, helptext in (("approve", "approve items for sending"), ("cancel", "cancel items")):
        a = actions.add_parser(name, parents=[parent], help=helptext)
        a.add_argument("ids", nargs="*", type=int, metavar="ID")
        a.add_argument("--all", action="store_true", help="every item that allows it")
    r = actions.add_parser("reschedule", parents=[parent], help="move an item to another time")
    r.add_argument("id", type=int, metavar="ID")
    r.add_argument("when", metavar="WHEN", help="ISO time with offset, e.g. 2026-05-01T09:00+02:00")
    r.add_argument(
        "--anyway", action="store_true", help="move even outside the account's slots, spacing or daily cap"
    )
    run_p = actions.add_parser("run", parents=[parent], help="send due items")
    run_p.add_argument("--once", action="store_true", help="send what is due now and exit (for cron)")
    p.set_defaults(func=run)


def _fmt_time(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    try:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, ValueError, OSError):  # a ledger row from before times were range-checked
        return f"invalid ({epoch:.0f})"


def _who() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run(args: argparse.Namespace) -> int:
    from pipeline.social import manage, stage
    from pipeline.stages import StageSkipped

    if not getattr(args, "action", None):
        raise UserError("pipeline social needs an action: plan, list, approve, cancel, reschedule or run")
    ctx = load_context(args)
    store = ctx.store
    try:
        if args.action == "plan":
            result = stage.run_stage(ctx)
            if result.reason and not args.quiet:
                print(result.reason, file=sys.stderr)
            for finding in result.findings:
                if not args.quiet:
                    print(f"{finding.file}: {finding.message}", file=sys.stderr)
            print(", ".join(f"{k} {v}" for k, v in result.counts.items()))
            return 0
        if args.action == "list":
            items = manage.list_items(store, account=args.account, lang=args.lang, state=args.state)
            if args.format == "json":
                print(json.dumps([i.as_dict() for i in items], ensure_ascii=False, indent=1))
                return 0
            print(
                f"{'ID':>5}  {'ACCOUNT':<14} {'LANG':<5} {'STATE':<9} {'DUE':<21} {'TRIES':>5}  TEXT / REASON"
            )
            for i in items:
                text = i.text.replace("\n", " ")
                if len(i.texts) > 1:
                    text = f"({len(i.texts)} parts) {text}"
                detail = i.reason if i.state in ("failed", "unknown") and i.reason else text
                print(
                    f"{i.id:>5}  {i.account:<14} {i.lang:<5} {i.state:<9} {_fmt_time(i.due_at):<21} "
                    f"{i.attempts:>5}  {detail[:60]}"
                )
            return 0
        if args.action in ("approve", "cancel"):
            ids = list(args.ids)
            if args.all:
                source = ("planned",) if args.action == "approve" else ("planned", "approved", "failed")
                ids += [i.id for i in store_items(manage, store, source)]
            if not ids:
                raise UserError(f"pipeline social {args.action}: give item IDs or --all")
            op = manage.approve if args.action == "approve" else manage.cancel
            for item_id in ids:
                item = op(store, item_id, _who())
                print(f"{item.id} {item.state}")
            return 0
        if args.action == "reschedule":
            try:
                when = dt.datetime.fromisoformat(args.when)
            except ValueError:
                raise UserError(f"'{args.when}' is not an ISO time; e.g. 2026-05-01T09:00+02:00") from None
            try:
                item = manage.reschedule(store, args.id, when, ctx.config, args.anyway, _who())
            except manage.Conflict as exc:
                raise UserError(
                    f"{args.when} breaks the account's rules: {exc}; add --anyway to move it regardless"
                ) from None
            print(f"{item.id} due {_fmt_time(item.due_at)}")
            return 0
        if args.action == "run":
            if args.once:
                stats, worker = stage.send_due(ctx.config, store)
                for reason in worker.disabled.values():
                    print(reason, file=sys.stderr)
                print(", ".join(f"{k} {v}" for k, v in stats.counts().items()))
                return 0
            return _run_forever(ctx)
    except manage.SocialError as exc:
        raise UserError(str(exc)) from None
    except StageSkipped:
        raise
    raise UserError(f"unknown action {args.action}")


def store_items(stage: Any, store: Any, states: tuple[str, ...]) -> list[Any]:
    return [i for s in states for i in stage.list_items(store, state=s)]


def _run_forever(ctx: Any) -> int:
    from pipeline.social.worker import Worker
    from pipeline.stages import StageSkipped

    if not ctx.config.social.accounts:
        raise StageSkipped(
            "no social.accounts configured; add [[social.accounts]] to the config (docs/social.md)"
        )
    worker = Worker(ctx.config, ctx.store)
    for reason in worker.disabled.values():
        print(reason, file=sys.stderr)
    if not worker.accounts:
        raise StageSkipped("no social account can send (see the reasons above)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stats = worker.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()
        stats = worker.stats
    print(", ".join(f"{k} {v}" for k, v in stats.counts().items()))
    return 0

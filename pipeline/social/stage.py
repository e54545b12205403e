"""Social stage entry point (`plan`) and the operations the CLI and the web UI share.

Planning is idempotent by construction: the ledger's unique key is (account, translation_key, lang), existing
rows keep their slots, and only missing combinations are composed and placed. Operations return data or raise
`SocialError` with a message fit for a user; none prints.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import Config
from pipeline.content import Post
from pipeline.findings import Finding
from pipeline.rules import ALL as RULES_BY_ID
from pipeline.rules import SOCIAL, by_id
from pipeline.social import ledger, lengths
from pipeline.social.compose import compose
from pipeline.social.ledger import Item
from pipeline.social.platforms import credentials
from pipeline.social.schedule import Calendar
from pipeline.social.worker import RunStats, Worker
from pipeline.stages import Context, Stage, StageResult, StageSkipped
from pipeline.store import Store

EDITABLE = ("planned", "approved", "failed")
RESCHEDULABLE = ("planned", "approved", "failed")


class SocialError(Exception):
    """A user-facing problem with an operation (unknown id, state does not allow it, text too long)."""


def _require_accounts(config: Config) -> None:
    if not config.social.accounts:
        raise StageSkipped(
            "no social.accounts configured; add [[social.accounts]] to the config (docs/social.md)"
        )


def plannable(posts: Sequence[Post]) -> list[Post]:
    """Published posts only (drafts and unapproved translations never reach an account), oldest first."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    ready = [p for p in posts if p.published]
    return sorted(ready, key=lambda p: (p.date or epoch, p.translation_key, p.is_translation, p.lang))


def plan(config: Config, store: Store, posts: Sequence[Post], now: float | None = None) -> dict[str, Any]:
    """Place every published post (and approved translation) on every account that publishes its language."""
    now = time.time() if now is None else now
    created: list[int] = []
    existing = 0
    unplaced: list[str] = []
    truncations: list[tuple[Post, str, list[str]]] = []
    for account in config.social.accounts:
        have = ledger.list_items(store, account=account.name)
        keys = {(i.translation_key, i.lang) for i in have}
        calendar = Calendar(account, [(i.due_at, i.translation_key) for i in have if i.state != "cancelled"])
        rows: list[dict[str, Any]] = []
        for post in plannable(posts):
            if post.lang not in account.languages:
                continue
            if (post.translation_key, post.lang) in keys:
                existing += 1
                continue
            earliest = max(now, post.date.timestamp() if post.date else now)
            due = calendar.place(earliest, post.translation_key)
            if due is None:
                unplaced.append(f"{account.name}: {post.rel} has no free slot within the horizon")
                continue
            composed = compose(config, account, post)
            if composed.truncated:
                truncations.append((post, account.name, composed.truncated))
            rows.append(
                {
                    "account": account.name,
                    "platform": account.platform,
                    "translation_key": post.translation_key,
                    "lang": post.lang,
                    "campaign": composed.campaign,
                    "post_path": post.rel,
                    "text": composed.text,
                    "link_url": composed.link_url,
                    "card_title": composed.card_title,
                    "card_description": composed.card_description,
                    "media_path": composed.media_path,
                    "media_alt": composed.media_alt,
                    "truncated": composed.truncated,
                    "state": "planned" if account.approval_required else "approved",
                    "due_at": due,
                    "idempotency_key": uuid.uuid4().hex,
                }
            )
            keys.add((post.translation_key, post.lang))
        created += ledger.insert_items(store, rows)
    shortened, no_slot = RULES_BY_ID["SOCIAL001"], RULES_BY_ID["SOCIAL002"]
    findings = [
        Finding(
            shortened.id,
            shortened.severity,
            post.rel,
            None,
            f"{account}: {', '.join(what)} to fit the platform limit",
        )
        for post, account, what in truncations
    ] + [
        Finding(no_slot.id, no_slot.severity, line.split(": ", 1)[1].split(" ", 1)[0], None, line)
        for line in unplaced
    ]
    return {"created": created, "existing": existing, "unplaced": unplaced, "findings": findings}


def disabled_accounts(config: Config, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    out = {}
    for account in config.social.accounts:
        if not account.enabled:
            out[account.name] = f"social account '{account.name}' is off: enabled = false"
            continue
        values, reason = credentials(account, environ)
        if values is None:
            out[account.name] = reason
    return out


def run_stage(ctx: Context) -> StageResult:
    """`plan`: fill the calendar; sending is `pipeline social run`'s job (cron or a long-running worker)."""
    _require_accounts(ctx.config)
    outcome = plan(ctx.config, ctx.store, ctx.content.posts)
    off = disabled_accounts(ctx.config)
    return StageResult(
        "social",
        counts={
            "planned": len(outcome["created"]),
            "existing": outcome["existing"],
            "unplaced": len(outcome["unplaced"]),
            "accounts_off": len(off),
        },
        findings=outcome["findings"],
        reason="; ".join(off.values()),
        data={"created": outcome["created"], "accounts_off": off},
    )


STAGE = Stage(
    "social",
    run=run_stage,
    reads=("published posts", "social accounts", "ledger"),
    writes=("planned ledger items",),
    rules=by_id(SOCIAL),
)


# --- operations for the CLI and the web UI ------------------------------------------------------------------


def _item(store: Store, item_id: int) -> Item:
    item = ledger.get_item(store, item_id)
    if item is None:
        raise SocialError(f"no social item {item_id} (see `pipeline social list`)")
    return item


def list_items(
    store: Store,
    account: str | None = None,
    lang: str | None = None,
    state: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[Item]:
    if state and state not in ledger.STATES:
        raise SocialError(f"state '{state}' is not one of {', '.join(ledger.STATES)}")
    return ledger.list_items(
        store,
        account=account,
        lang=lang,
        state=state,
        since=since.timestamp() if since else None,
        until=until.timestamp() if until else None,
    )


def _move(store: Store, item_id: int, to_state: str, note: str, **values: Any) -> Item:
    item = _item(store, item_id)
    if not ledger.can_move(item.state, to_state):
        raise SocialError(f"item {item_id} is {item.state}; it cannot become {to_state}")
    if not ledger.transition(store, item_id, [item.state], to_state, note, **values):
        raise SocialError(f"item {item_id} changed while we looked; try again")
    return _item(store, item_id)


def approve(store: Store, item_id: int) -> Item:
    return _move(store, item_id, "approved", "approved", next_attempt_at=0.0, attempts=0)


def cancel(store: Store, item_id: int) -> Item:
    return _move(store, item_id, "cancelled", "cancelled")


RESCHEDULE_GRACE_S = 300.0  # "now" typed a minute ago is still now
RESCHEDULE_HORIZON_S = 2 * 366 * 86400.0  # further out is a typo in the year, not a plan


def reschedule(store: Store, item_id: int, when: dt.datetime) -> Item:
    item = _item(store, item_id)
    if item.state not in RESCHEDULABLE:
        raise SocialError(f"item {item_id} is {item.state}; only {', '.join(RESCHEDULABLE)} items move")
    if when.tzinfo is None:
        raise SocialError("give the time with a zone offset, e.g. 2026-05-01T09:00+02:00")
    now = time.time()
    try:
        due = when.timestamp()
        dt.datetime.fromtimestamp(due, dt.UTC)  # must also be shown again, in UTC (year 10000 cannot)
    except (OverflowError, ValueError, OSError):
        raise SocialError(
            f"{when.isoformat()} is out of range; give a time within the next two years"
        ) from None
    if due < now - RESCHEDULE_GRACE_S:
        raise SocialError(
            f"{when.isoformat()} is in the past; give a future time (the current time sends it at the next pass)"
        )
    if due > now + RESCHEDULE_HORIZON_S:
        raise SocialError(f"{when.isoformat()} is more than two years ahead; check the year")
    ledger.update_fields(
        store, item_id, RESCHEDULABLE, f"rescheduled to {when.isoformat()}", due_at=when.timestamp()
    )
    return _item(store, item_id)


def edit_text(config: Config, store: Store, item_id: int, text: str) -> Item:
    """Replace an item's text after checking it against the account's exact platform limit."""
    item = _item(store, item_id)
    if item.state not in EDITABLE:
        raise SocialError(f"item {item_id} is {item.state}; only {', '.join(EDITABLE)} items can be edited")
    account = next((a for a in config.social.accounts if a.name == item.account), None)
    m = lengths.measure(item.platform, text, account.char_limit if account else None)
    if not m.fits:
        extra = f" and {m.byte_length}/{m.byte_limit} bytes" if m.byte_limit else ""
        raise SocialError(f"text is {m.length}/{m.limit} on {item.platform}{extra}; shorten it")
    ledger.update_fields(store, item_id, EDITABLE, "text edited", text=text, truncated=[])
    return _item(store, item_id)


def send_due(
    config: Config, store: Store, environ: Mapping[str, str] | None = None
) -> tuple[RunStats, Worker]:
    """One pass of the worker (`run --once`); raises StageSkipped when no account can send."""
    _require_accounts(config)
    worker = Worker(config, store, environ)
    if not worker.accounts:
        raise StageSkipped("; ".join(worker.disabled.values()))
    return worker.run_once(), worker


def reconcile(config: Config, store: Store, item_id: int, environ: Mapping[str, str] | None = None) -> Item:
    """Settle one `unknown` item now (web UI button), ignoring the settle delay."""
    item = _item(store, item_id)
    if item.state != "unknown":
        raise SocialError(f"item {item_id} is {item.state}; only unknown items are reconciled")
    worker = Worker(config, store, environ)
    if item.account not in worker.accounts:
        raise SocialError(worker.disabled.get(item.account, f"account '{item.account}' is not configured"))
    claimed = ledger.claim_unknown(
        store, worker.id, time.time(), 0.0, config.social.sending_lease_s, [item.account], item_id
    )
    if claimed is None:
        raise SocialError(f"item {item_id} is being reconciled by another worker")
    worker.reconcile(claimed)
    return _item(store, item_id)

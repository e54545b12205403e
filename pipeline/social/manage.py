"""What people do to planned posts, for the CLI and the web UI alike: approve, edit, move, cancel, create, bulk.

Each operation checks what the ledger's state rules and the account's calendar allow and raises `SocialError`
with a sentence a marketer can act on; none prints. Rules kept here because both front ends must keep them:
an approval records who and when; a text edited after approval goes back to review (when the account needs
approval); a move against the account's slots, spacing or daily cap needs a confirmation (`Conflict` lists why);
the parts of a thread already posted never change.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Config, SocialAccount
from pipeline.platforms import PLATFORMS
from pipeline.social import ledger
from pipeline.social.ledger import Item
from pipeline.social.schedule import Calendar
from pipeline.social.thread import ThreadError, split
from pipeline.store import Store

EDITABLE = ("planned", "approved", "failed")
RESCHEDULABLE = ("planned", "approved", "failed")
RESCHEDULE_GRACE_S = 300.0  # "now" typed a minute ago is still now
RESCHEDULE_HORIZON_S = 2 * 366 * 86400.0  # further out is a typo in the year, not a plan


class SocialError(Exception):
    """A user-facing problem with an operation (unknown id, state does not allow it, text too long)."""


class Conflict(SocialError):
    """A time that breaks the account's rules: allowed only when the person confirms."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _item(store: Store, item_id: int) -> Item:
    item = ledger.get_item(store, item_id)
    if item is None:
        raise SocialError(f"no social item {item_id} (see `pipeline social list`)")
    return item


def account_of(config: Config, name: str) -> SocialAccount | None:
    return next((a for a in config.social.accounts if a.name == name), None)


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


def approve(store: Store, item_id: int, by: str = "") -> Item:
    if _item(store, item_id).state == "unknown":
        raise SocialError(f"item {item_id}'s outcome is unknown: check it on the platform first")
    who = by or "someone"
    return _move(
        store,
        item_id,
        "approved",
        f"approved by {who}",
        next_attempt_at=0.0,
        attempts=0,
        approved_by=by or None,
        approved_at=time.time(),
    )


def cancel(store: Store, item_id: int, by: str = "") -> Item:
    return _move(store, item_id, "cancelled", f"cancelled by {by}" if by else "cancelled")


def send_again(store: Store, item_id: int, by: str) -> Item:
    """An `unknown` item sent again on a person's word that the post is not there (it may then appear twice)."""
    item = _item(store, item_id)
    if item.state != "unknown":
        raise SocialError(
            f"item {item_id} is {item.state}; only an item whose outcome is unknown is sent again"
        )
    return _move(
        store,
        item_id,
        "approved",
        f"sent again by {by} after confirming the post is not on {PLATFORMS[item.platform].label}",
        next_attempt_at=0.0,
        claimed_by=None,
    )


def _instant(when: dt.datetime) -> float:
    if when.tzinfo is None:
        raise SocialError("give the time with a zone offset, e.g. 2026-05-01T09:00+02:00")
    try:
        due = when.timestamp()
        dt.datetime.fromtimestamp(due, dt.UTC)  # must also be shown again, in UTC (year 10000 cannot)
    except (OverflowError, ValueError, OSError):
        raise SocialError(
            f"{when.isoformat()} is out of range; give a time within the next two years"
        ) from None
    now = time.time()
    if due < now - RESCHEDULE_GRACE_S:
        raise SocialError(
            f"{when.isoformat()} is in the past; give a future time (the current time sends it at the next pass)"
        )
    if due > now + RESCHEDULE_HORIZON_S:
        raise SocialError(f"{when.isoformat()} is more than two years ahead; check the year")
    return due


def conflicts(
    config: Config, store: Store, account: str, instant: float, key: str, ignore: int | None = None
) -> list[str]:
    """The account's rules `instant` breaks (slots, spacing, daily cap), counting its other live posts."""
    acc = account_of(config, account)
    if acc is None:
        return []
    day = 86400.0
    others = [
        (i.due_at, i.translation_key)
        for i in ledger.list_items(store, account=account, since=instant - 2 * day, until=instant + 2 * day)
        if i.id != ignore and i.state not in ("cancelled", "failed")
    ]
    return Calendar(acc, others).conflicts(instant, key)


def reschedule(
    store: Store,
    item_id: int,
    when: dt.datetime,
    config: Config | None = None,
    confirm: bool = False,
    by: str = "",
) -> Item:
    """Move an item; with `config`, a time against the account's rules raises Conflict unless confirmed."""
    item = _item(store, item_id)
    if item.state not in RESCHEDULABLE:
        raise SocialError(f"item {item_id} is {item.state}; only {', '.join(RESCHEDULABLE)} items move")
    due = _instant(when)
    found = conflicts(config, store, item.account, due, item.translation_key, item.id) if config else []
    if found and not confirm:
        raise Conflict(found)
    note = f"rescheduled to {when.isoformat()}" + (f" by {by}" if by else "")
    if found:
        note += f" (confirmed against: {'; '.join(found)})"
    if not ledger.update_fields(store, item_id, RESCHEDULABLE, note, due_at=due):
        raise SocialError(f"item {item_id} changed while we looked; try again")
    return _item(store, item_id)


def _parts(
    config: Config, account: str, platform: str, text: str, lang: str, thread: bool, comment: str
) -> Any:
    acc = account_of(config, account)
    try:
        return split(platform, text, lang, acc.char_limit if acc else None, thread, comment)
    except ThreadError as exc:
        raise SocialError(str(exc)) from None


def edit_text(
    config: Config,
    store: Store,
    item_id: int,
    text: str,
    thread: bool | None = None,
    first_comment: str | None = None,
    by: str = "",
) -> Item:
    """Replace an item's text (and its thread and first-comment choices), checked against the platform's exact
    limit; an approved item goes back to review when its account needs approval."""
    item = _item(store, item_id)
    if item.state not in EDITABLE:
        raise SocialError(f"item {item_id} is {item.state}; only {', '.join(EDITABLE)} items can be edited")
    thread = bool(item.thread) if thread is None else thread
    comment = (item.first_comment or "") if first_comment is None else first_comment.strip()
    parts = _parts(config, item.account, item.platform, text, item.lang, thread, comment)
    out = ledger.sent_parts(store, [item.id]).get(item.id, 0)
    if out and parts.texts[:out] != item.texts[:out]:
        raise SocialError(
            f"the first {out} part(s) of this thread are already posted; only the rest can change "
            "(or cancel it and write a new post)"
        )
    values: dict[str, Any] = {
        "text": text.strip(),
        "parts": parts.texts if len(parts.texts) > 1 else None,
        "first_comment": comment or None,
        "thread": thread,
        "truncated": [],
    }
    who = f" by {by}" if by else ""
    acc = account_of(config, item.account)
    if item.state == "approved" and (acc is None or acc.approval_required):
        values.update(approved_by=None, approved_at=None)
        if not ledger.transition(
            store,
            item_id,
            ["approved"],
            "planned",
            f"text edited{who} after approval: back to review",
            **values,
        ):
            raise SocialError(f"item {item_id} changed while we looked; try again")
        return _item(store, item_id)
    if not ledger.update_fields(store, item_id, EDITABLE, f"text edited{who}", **values):
        raise SocialError(f"item {item_id} changed while we looked; try again")
    return _item(store, item_id)


def create_item(
    config: Config,
    store: Store,
    account: str,
    lang: str,
    text: str,
    when: dt.datetime,
    by: str,
    link_url: str = "",
    thread: bool = False,
    first_comment: str = "",
    confirm: bool = False,
) -> Item:
    """A post written in the web UI (not from an article): planned, or approved where the account skips review."""
    acc = account_of(config, account)
    if acc is None:
        raise SocialError(f"no social account '{account}' in the config")
    if not text.strip():
        raise SocialError("the post text cannot be empty")
    due = _instant(when)
    key = f"manual/{uuid.uuid4().hex[:12]}"
    found = conflicts(config, store, account, due, key)
    if found and not confirm:
        raise Conflict(found)
    parts = _parts(config, account, acc.platform, text, lang, thread, first_comment)
    row: dict[str, Any] = {
        "account": account,
        "platform": acc.platform,
        "translation_key": key,
        "lang": lang,
        "campaign": "manual",
        "post_path": "",
        "text": text.strip(),
        "link_url": link_url.strip(),
        "card_title": "",
        "card_description": "",
        "media_path": None,
        "media_alt": "",
        "truncated": [],
        "state": "planned" if acc.approval_required else "approved",
        "due_at": due,
        "idempotency_key": uuid.uuid4().hex,
        "parts": parts.texts if len(parts.texts) > 1 else None,
        "first_comment": first_comment.strip() or None,
        "thread": thread,
        "created_by": by or None,
    }
    (item_id,) = ledger.insert_items(store, [row])
    return _item(store, item_id)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (id, why)
    conflicts: list[tuple[int, list[str]]] = field(default_factory=list)


def bulk(
    config: Config,
    store: Store,
    ids: Iterable[int],
    action: str,
    by: str,
    shift: dt.timedelta | None = None,
    confirm: bool = False,
) -> BulkResult:
    """Approve, cancel or move (by `shift`) many items; each is done or skipped with its reason.

    A move that would break an account's rules is not made unless confirmed; the result lists each such item
    with why, so the page can ask once for all of them.
    """
    result = BulkResult()
    for item_id in ids:
        try:
            if action == "approve":
                approve(store, item_id, by)
            elif action == "cancel":
                cancel(store, item_id, by)
            elif action == "shift" and shift is not None:
                item = _item(store, item_id)
                when = dt.datetime.fromtimestamp(item.due_at, dt.UTC) + shift
                reschedule(store, item_id, when, config, confirm, by)
            else:
                raise SocialError(f"unknown bulk action '{action}'")
        except Conflict as exc:
            result.conflicts.append((item_id, exc.reasons))
        except SocialError as exc:
            result.skipped.append((item_id, str(exc)))
        else:
            result.done.append(item_id)
    return result


def describe_ids(ids: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")

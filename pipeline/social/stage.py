"""Social stage entry point (`plan`), and sending or settling now for the CLI and the web UI.

Planning is idempotent by construction: the ledger's unique key is (account, translation_key, lang), existing
rows keep their slots, and only missing combinations are composed and placed. What people do to planned posts
(approve, edit, move, create, bulk) is pipeline.social.manage.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import Config, SocialAccount
from pipeline.content import Post
from pipeline.findings import Finding
from pipeline.rules import ALL as RULES_BY_ID
from pipeline.rules import SOCIAL, by_id
from pipeline.social import health, ledger
from pipeline.social.compose import compose
from pipeline.social.ledger import Item
from pipeline.social.manage import SocialError, account_of
from pipeline.social.platforms import credentials
from pipeline.social.schedule import Calendar
from pipeline.social.worker import RunStats, Worker
from pipeline.stages import Context, Stage, StageResult, StageSkipped
from pipeline.store import Store


def _require_accounts(config: Config) -> None:
    if not config.social.accounts:
        raise StageSkipped(
            "no social.accounts configured; add [[social.accounts]] to the config (docs/social.md)"
        )


def plannable(posts: Sequence[Post]) -> list[Post]:
    """Published posts, and posts the site publishes from their date on (Hugo and Jekyll hold future-dated
    posts): an announcement is never due before its post's date, so the calendar shows it ahead. Drafts and
    unapproved translations never reach an account. Oldest first."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    ready = [p for p in posts if p.publishable and announced(p)]
    return sorted(ready, key=lambda p: (p.date or epoch, p.translation_key, p.is_translation, p.lang))


def announced(post: Post) -> bool:
    """Whether a post is one to announce: an article is, a home or section page (Hugo's `_index.md`, a language's
    home; it lists other pages) is not — trials on Hugo sites planned every docs section and language home as a
    social post. Front matter `social: true` or `social: false` decides for any page."""
    flag = post.meta.get("social")
    if isinstance(flag, bool):
        return flag
    return not post.is_list_page


def plan(config: Config, store: Store, posts: Sequence[Post], now: float | None = None) -> dict[str, Any]:
    """Place every published post (and approved translation) on every account that publishes its language."""
    now = time.time() if now is None else now
    created: list[int] = []
    existing = 0
    archive = 0
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
            if before_start(account, post):
                archive += 1
                continue
            # Never before the post's date, nor before the day its site publishes it (Hugo's publishDate).
            earliest = max([now] + [d.timestamp() for d in (post.date, post.held_until) if d is not None])
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
                    "parts": composed.parts,
                    "first_comment": composed.first_comment or None,
                    "thread": composed.thread,
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
    return {
        "created": created,
        "existing": existing,
        "archive": archive,
        "unplaced": unplaced,
        "findings": findings,
    }


def before_start(account: SocialAccount, post: Post) -> bool:
    """A post of the archive the account's `start` leaves unannounced: a site adopting the pipeline has years of
    posts (the ruby-lang.org trial planned 2,003 as new). Front matter `social: true` announces one anyway; a post
    with no date is planned, as there is nothing to compare."""
    if account.start is None or post.date is None or post.meta.get("social") is True:
        return False
    return post.date.date() < account.start


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
            "archive": outcome["archive"],
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


# --- sending and settling now (the CLI's `run --once`, the web UI's "check again") -----------------------


def send_due(
    config: Config, store: Store, environ: Mapping[str, str] | None = None
) -> tuple[RunStats, Worker]:
    """One pass of the worker (`run --once`); raises StageSkipped when no account can send."""
    _require_accounts(config)
    worker = Worker(config, store, environ)
    if not worker.accounts:
        raise StageSkipped("; ".join(worker.disabled.values()))
    return worker.run_once(), worker


def _item(store: Store, item_id: int) -> Item:
    item = ledger.get_item(store, item_id)
    if item is None:
        raise SocialError(f"no social item {item_id} (see `pipeline social list`)")
    return item


def reconcile(config: Config, store: Store, item_id: int, environ: Mapping[str, str] | None = None) -> Item:
    """Settle one `unknown` item now, ignoring the settle delay (needs this process to hold the credentials)."""
    item = _item(store, item_id)
    if item.state != "unknown":
        raise SocialError(f"item {item_id} is {item.state}; only unknown items are reconciled")
    worker = Worker(config, store, environ, record_health=False)
    if item.account not in worker.accounts:
        raise SocialError(worker.disabled.get(item.account, f"account '{item.account}' is not configured"))
    claimed = ledger.claim_unknown(
        store, worker.id, time.time(), 0.0, config.social.sending_lease_s, [item.account], item_id
    )
    if claimed is None:
        raise SocialError(f"item {item_id} is being reconciled by another worker")
    worker.reconcile(claimed)
    return _item(store, item_id)


def check_again(
    config: Config, store: Store, item_id: int, by: str, environ: Mapping[str, str] | None = None
) -> tuple[Item, str]:
    """The web UI's "check again": look an `unknown` item up now where this process can reach the platform;
    otherwise (the web server has no credentials, the usual set-up) ask the senders to look it up at their next
    pass. Returns the item and what happened, in words for the person who asked."""
    item = _item(store, item_id)
    if item.state != "unknown":
        raise SocialError(f"item {item_id} is {item.state}; only a post whose outcome is unknown is checked")
    acc = account_of(config, item.account)
    values = credentials(acc, os.environ if environ is None else environ)[0] if acc else None
    if values is not None:
        settled = reconcile(config, store, item_id, environ)
        return settled, f"Checked on the platform: the post is {settled.state}."
    ledger.request_check(store, item_id, f"check requested by {by}")
    seen = health.all_health(store).get(item.account)
    when = (
        f"the sender last ran {dt.datetime.fromtimestamp(seen.seen_at, dt.UTC):%Y-%m-%d %H:%M} UTC"
        if seen
        else "no sender has run for this account yet: ask your admin to start `pipeline social run`"
    )
    return _item(store, item_id), (
        f"Queued: the sender looks it up on the platform at its next pass ({when}). "
        "This page cannot reach the platform itself, as the web server holds no account credentials."
    )

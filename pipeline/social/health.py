"""Account health: what the senders last saw of each account, kept in the store for the web page.

Sending problems used to be invisible: with no credentials nothing changed and posts sat past due. The sender
(`pipeline social run`, whose environment holds the credentials, unlike the web server's) records here what it
knows — credentials missing, token rejected, the last error, a rate-limit pause — and when it last looked, so the
page can say "the sender has not run since Tuesday" as well as "the token was rejected at 09:14".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pipeline.schema.social import social_health
from pipeline.store import Store, upsert

OK_EVERY_S = 30.0  # a healthy account's row is refreshed at most this often (one write per send is wasted)


@dataclass(frozen=True)
class Health:
    account: str
    state: str  # ok | credentials missing | token rejected | paused
    detail: str
    last_ok_at: float | None
    last_error: str | None
    last_error_at: float | None
    paused_until: float | None
    seen_at: float


def _write(store: Store, account: str, **values: Any) -> None:
    """One statement (store.upsert): a first row starts as "ok" (the column's default), a later one changes
    only the fields given; two senders writing at once leave one row, never an IntegrityError."""
    with store.begin() as conn:
        upsert(conn, social_health, {"account": account, "seen_at": time.time(), **values}, ["account"])


def credentials_missing(store: Store, account: str, reason: str) -> None:
    _write(store, account, state="credentials missing", detail=reason)


def seen(store: Store, accounts: list[str]) -> None:
    """The sender is looking at these accounts now (without changing what it last found)."""
    now = time.time()
    with store.begin() as conn:
        upsert(conn, social_health, [{"account": a, "seen_at": now} for a in accounts], ["account"])


def sent_ok(store: Store, account: str) -> None:
    now = time.time()
    _write(store, account, state="ok", detail="", last_ok_at=now, paused_until=None)


def token_rejected(store: Store, account: str, reason: str, until: float) -> None:
    now = time.time()
    _write(
        store,
        account,
        state="token rejected",
        detail=reason,
        last_error=reason,
        last_error_at=now,
        paused_until=until,
    )


def paused(store: Store, account: str, reason: str, until: float) -> None:
    _write(store, account, state="paused", detail=reason, paused_until=until)


def error(store: Store, account: str, reason: str) -> None:
    """A post failed or its outcome is unknown: the account's last error, its state unchanged."""
    _write(store, account, last_error=reason, last_error_at=time.time())


def all_health(store: Store) -> dict[str, Health]:
    with store.connect() as conn:
        rows = conn.execute(select(social_health)).fetchall()
    return {r.account: Health(**dict(r._mapping)) for r in rows}

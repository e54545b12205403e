"""The social ledger: every planned post and every state it passes through, in the store.

Exactly-once delivery rests on three rules kept here: a transition is a conditional UPDATE (`WHERE state IN
...`) so a stale worker cannot overwrite a newer state; an item is claimed by one UPDATE whose row count says who
won, so two workers never send the same item; and `sending` is committed *before* the platform call, so a crash
leaves evidence that the outcome is unknown instead of a silent `approved` that would be sent twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.schema.social import social_events, social_items, social_parts
from pipeline.store import Store, upsert

STATES: tuple[str, ...] = ("planned", "approved", "sending", "sent", "failed", "unknown", "cancelled")

# from-state → states it may move to. `sending → approved` is the retry path for failures *before* the post
# request went out; `unknown → approved` only after reconciliation proved the post absent.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"sending", "cancelled", "planned"}),
    "sending": frozenset({"sent", "failed", "unknown", "approved"}),
    "unknown": frozenset({"sent", "approved", "failed"}),
    "failed": frozenset({"approved", "cancelled"}),
    "cancelled": frozenset({"approved", "planned"}),
    "sent": frozenset(),
}


ORPHANED_REASON = (
    "the sender stopped while sending (it crashed or was restarted), so the post may or may not exist; "
    "it is looked up on the platform automatically"
)


class LedgerError(Exception):
    """An operation the item's current state does not allow (message names the item and the state)."""


@dataclass(frozen=True)
class Item:
    id: int
    account: str
    platform: str
    translation_key: str
    lang: str
    campaign: str
    post_path: str
    text: str
    link_url: str
    card_title: str
    card_description: str
    media_path: str | None
    media_alt: str
    truncated: list[str]
    state: str
    due_at: float
    next_attempt_at: float
    attempts: int
    claimed_by: str | None
    claimed_at: float | None
    idempotency_key: str
    remote_id: str | None
    remote_url: str | None
    reason: str
    sent_at: float | None
    created_at: float
    updated_at: float
    parts: list[str] | None = None
    first_comment: str | None = None
    thread: bool | None = None
    approved_by: str | None = None
    approved_at: float | None = None
    created_by: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Item:
        data = dict(row._mapping)
        data["truncated"] = list(data.get("truncated") or [])
        data["parts"] = list(data["parts"]) if data.get("parts") else None
        return cls(**data)

    @property
    def texts(self) -> list[str]:
        """What is sent, in order: the thread's parts and the first comment, or the one text."""
        return list(self.parts) if self.parts else [self.text]

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["parts"] = self.texts
        return data


def can_move(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def _log(conn: Connection, item_id: int, from_state: str, to_state: str, note: str, now: float) -> None:
    conn.execute(
        insert(social_events).values(
            item_id=item_id, at=now, from_state=from_state, to_state=to_state, note=note[:2000]
        )
    )


def transition(
    store: Store,
    item_id: int,
    from_states: Iterable[str],
    to_state: str,
    note: str = "",
    **values: Any,
) -> bool:
    """Move one item if (and only if) it is still in one of `from_states`; False when another actor won."""
    allowed = [s for s in from_states if can_move(s, to_state)]
    if not allowed:
        raise LedgerError(f"no transition from {sorted(from_states)} to {to_state}")
    now = time.time()
    with store.begin() as conn:
        current = conn.execute(
            select(social_items.c.state).where(social_items.c.id == item_id)
        ).scalar_one_or_none()
        if current is None or current not in allowed:
            return False
        result = conn.execute(
            update(social_items)
            .where(social_items.c.id == item_id, social_items.c.state == current)
            .values(state=to_state, updated_at=now, **values)
        )
        if result.rowcount != 1:
            return False
        _log(conn, item_id, current, to_state, note, now)
    return True


def insert_items(store: Store, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert planned rows; a row whose (account, translation_key, lang) already exists is skipped."""
    ids: list[int] = []
    now = time.time()
    for row in rows:
        values = {"created_at": now, "updated_at": now, "next_attempt_at": 0.0, **row}
        try:
            with store.begin() as conn:
                result = conn.execute(insert(social_items).values(**values))
                pk = result.inserted_primary_key
                assert pk is not None
                item_id = int(pk[0])
                _log(conn, item_id, "", values["state"], "planned", now)
        except IntegrityError:
            continue
        ids.append(item_id)
    return ids


def get_item(store: Store, item_id: int) -> Item | None:
    with store.connect() as conn:
        row = conn.execute(select(social_items).where(social_items.c.id == item_id)).first()
    return Item.from_row(row) if row else None


def list_items(
    store: Store,
    *,
    account: str | None = None,
    lang: str | None = None,
    state: str | Sequence[str] | None = None,
    since: float | None = None,
    until: float | None = None,
    translation_key: str | None = None,
) -> list[Item]:
    query = select(social_items)
    if account:
        query = query.where(social_items.c.account == account)
    if lang:
        query = query.where(social_items.c.lang == lang)
    if state:
        states = [state] if isinstance(state, str) else list(state)
        query = query.where(social_items.c.state.in_(states))
    if since is not None:
        query = query.where(social_items.c.due_at >= since)
    if until is not None:
        query = query.where(social_items.c.due_at < until)
    if translation_key:
        query = query.where(social_items.c.translation_key == translation_key)
    with store.connect() as conn:
        rows = conn.execute(query.order_by(social_items.c.due_at, social_items.c.id)).fetchall()
    return [Item.from_row(r) for r in rows]


def update_fields(store: Store, item_id: int, states: Iterable[str], note: str, **values: Any) -> bool:
    """Change fields (text, due time) of an item still in one of `states`, logging the change."""
    now = time.time()
    allowed = list(states)
    with store.begin() as conn:
        current = conn.execute(
            select(social_items.c.state).where(social_items.c.id == item_id)
        ).scalar_one_or_none()
        if current is None or current not in allowed:
            return False
        conn.execute(
            update(social_items)
            .where(social_items.c.id == item_id, social_items.c.state == current)
            .values(updated_at=now, **values)
        )
        _log(conn, item_id, current, current, note, now)
    return True


def claim_due(
    store: Store, worker_id: str, now: float, accounts: Iterable[str], batch: int = 8
) -> Item | None:
    """Atomically move one due `approved` item to `sending` for this worker (committed before returning).

    Candidates are read without a lock; the UPDATE re-checks the state, so of two workers racing for one row
    exactly one sees rowcount 1 (SQLite serialises writers anyway). On PostgreSQL rows are locked with SKIP
    LOCKED instead, so workers do not queue behind each other. Attempts are counted at claim time so a crash
    mid-send still counts.
    """
    query = (
        select(social_items.c.id)
        .where(
            social_items.c.account.in_(list(accounts)),
            social_items.c.state == "approved",
            social_items.c.due_at <= now,
            social_items.c.next_attempt_at <= now,
        )
        .order_by(social_items.c.due_at, social_items.c.id)
        .limit(batch)
    )
    if store.engine.dialect.name == "postgresql":
        return _claim_skip_locked(store, worker_id, now, query)
    with store.connect() as conn:
        candidates = [int(r[0]) for r in conn.execute(query)]
    for item_id in candidates:
        with store.begin() as conn:
            result = conn.execute(
                update(social_items)
                .where(social_items.c.id == item_id, social_items.c.state == "approved")
                .values(
                    state="sending",
                    claimed_by=worker_id,
                    claimed_at=now,
                    attempts=social_items.c.attempts + 1,
                    updated_at=now,
                )
            )
            if result.rowcount != 1:
                continue
            _log(conn, item_id, "approved", "sending", f"claimed by {worker_id}", now)
            row = conn.execute(select(social_items).where(social_items.c.id == item_id)).first()
        return Item.from_row(row)
    return None


def _claim_skip_locked(store: Store, worker_id: str, now: float, query: Any) -> Item | None:
    """PostgreSQL: lock the first due row no other worker holds (`FOR UPDATE SKIP LOCKED`) and claim it.

    Workers never queue behind each other's candidate rows, and the conditional UPDATE below cannot lose: the
    row is locked by this transaction from the SELECT until the claim commits.
    """
    with store.begin() as conn:
        item_id = conn.execute(query.limit(1).with_for_update(skip_locked=True)).scalar_one_or_none()
        if item_id is None:
            return None
        result = conn.execute(
            update(social_items)
            .where(social_items.c.id == item_id, social_items.c.state == "approved")
            .values(
                state="sending",
                claimed_by=worker_id,
                claimed_at=now,
                attempts=social_items.c.attempts + 1,
                updated_at=now,
            )
        )
        if result.rowcount != 1:
            return None
        _log(conn, item_id, "approved", "sending", f"claimed by {worker_id}", now)
        row = conn.execute(select(social_items).where(social_items.c.id == item_id)).first()
    return Item.from_row(row)


def renew_claims(
    store: Store, worker_id: str, claims: Iterable[tuple[int, str]], now: float
) -> set[tuple[int, str]]:
    """Restart this worker's lease on the items it holds and return the claims it still holds.

    A claim is (item id, the state it is held in): `sending` while the worker sends the item, `unknown` while it
    reconciles it. Only a dead or stalled worker's claims may run out, and two callers keep it so:

    - the worker's heartbeat, a few times per lease, so a send slower than `sending_lease_s` (login, upload, a
      slow platform) is not taken for a crash, reconciled before the post exists and sent twice;
    - the sender, right before the post request: a worker stalled past its lease (load, a pause, which stops its
      heartbeat too) may have been presumed dead and the item moved on by another worker; it is then missing
      from the answer and must not be sent a second time.

    A claim is renewed only in its own state and while `claimed_by` is still this worker: an item orphaned to
    `unknown` (which clears `claimed_by`) or taken over since, even by another thread of this worker, is not.
    """
    held: set[tuple[int, str]] = set()
    with store.begin() as conn:
        for item_id, state in sorted(set(claims)):
            result = conn.execute(
                update(social_items)
                .where(
                    social_items.c.id == item_id,
                    social_items.c.state == state,
                    social_items.c.claimed_by == worker_id,
                )
                .values(claimed_at=now)
            )
            if result.rowcount == 1:
                held.add((item_id, state))
    return held


def orphan_sending(store: Store, now: float, lease_s: float) -> list[int]:
    """`sending` items whose worker has held them past the lease died mid-send: their outcome is unknown."""
    with store.connect() as conn:
        ids = [
            int(r[0])
            for r in conn.execute(
                select(social_items.c.id).where(
                    social_items.c.state == "sending",
                    or_(social_items.c.claimed_at.is_(None), social_items.c.claimed_at < now - lease_s),
                )
            )
        ]
    moved = []
    for item_id in ids:
        with store.begin() as conn:
            result = conn.execute(
                update(social_items)
                .where(
                    social_items.c.id == item_id,
                    social_items.c.state == "sending",
                    or_(social_items.c.claimed_at.is_(None), social_items.c.claimed_at < now - lease_s),
                )
                .values(
                    state="unknown",
                    claimed_by=None,
                    claimed_at=now,
                    updated_at=now,
                    reason=ORPHANED_REASON,
                )
            )
            if result.rowcount == 1:
                _log(conn, item_id, "sending", "unknown", "worker lease expired (crash?)", now)
                moved.append(item_id)
    return moved


def claim_unknown(
    store: Store,
    worker_id: str,
    now: float,
    settle_s: float,
    lease_s: float,
    accounts: Iterable[str],
    item_id: int | None = None,
) -> Item | None:
    """Take one `unknown` item for reconciliation; the claim stamp keeps two workers off the same one.

    `item_id` asks for that item only (the web UI's button): without it, an older unknown item on the same
    account would be claimed instead and left leased while the one asked for was refused. The button also skips
    the wait (`next_attempt_at`) a failed read-back set; the worker does not.
    """
    query = (
        select(social_items.c.id)
        .where(
            social_items.c.account.in_(list(accounts)),
            social_items.c.state == "unknown",
            social_items.c.updated_at <= now - settle_s,
            or_(social_items.c.claimed_by.is_(None), social_items.c.claimed_at < now - lease_s),
        )
        .order_by(social_items.c.due_at)
        .limit(8)
    )
    if item_id is not None:
        query = query.where(social_items.c.id == item_id)
    else:
        query = query.where(social_items.c.next_attempt_at <= now)
    with store.connect() as conn:
        candidates = [int(r[0]) for r in conn.execute(query)]
    for candidate in candidates:
        with store.begin() as conn:
            result = conn.execute(
                update(social_items)
                .where(
                    and_(
                        social_items.c.id == candidate,
                        social_items.c.state == "unknown",
                        or_(social_items.c.claimed_by.is_(None), social_items.c.claimed_at < now - lease_s),
                    )
                )
                .values(claimed_by=worker_id, claimed_at=now)
            )
            if result.rowcount != 1:
                continue
            row = conn.execute(select(social_items).where(social_items.c.id == candidate)).first()
        return Item.from_row(row)
    return None


def events(store: Store, item_id: int) -> list[dict[str, Any]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(social_events).where(social_events.c.item_id == item_id).order_by(social_events.c.id)
        ).fetchall()
    return [dict(r._mapping) for r in rows]


@dataclass(frozen=True)
class PartRecord:
    """One part of an item as it went out (pipeline.schema.social.social_parts)."""

    idx: int
    state: str  # prepared | sent
    remote_id: str | None
    remote_url: str | None
    ref: dict[str, Any]
    at: float


def parts_of(store: Store, item_id: int) -> dict[int, PartRecord]:
    with store.connect() as conn:
        rows = conn.execute(
            select(social_parts).where(social_parts.c.item_id == item_id).order_by(social_parts.c.idx)
        ).fetchall()
    return {
        int(r.idx): PartRecord(int(r.idx), r.state, r.remote_id, r.remote_url, dict(r.ref or {}), float(r.at))
        for r in rows
    }


def sent_parts(store: Store, item_ids: Sequence[int]) -> dict[int, int]:
    """How many parts of each item are out (for lists and the calendar)."""
    if not item_ids:
        return {}
    with store.connect() as conn:
        rows = conn.execute(
            select(social_parts.c.item_id, social_parts.c.idx).where(
                social_parts.c.item_id.in_(list(item_ids)), social_parts.c.state == "sent"
            )
        ).fetchall()
    out: dict[int, int] = {}
    for item_id, _idx in rows:
        out[int(item_id)] = out.get(int(item_id), 0) + 1
    return out


def record_part(
    store: Store,
    item_id: int,
    idx: int,
    worker_id: str,
    state: str,
    remote_id: str | None = None,
    remote_url: str | None = None,
    ref: dict[str, Any] | None = None,
    count: int = 1,
) -> bool:
    """Record a part as prepared or sent, only while `worker_id` still holds the item's claim.

    The claim check and the write are one transaction: a worker presumed dead (its lease ran out, another took
    over) cannot record anything, and must not go on to the next part either — it gets False.
    """
    now = time.time()
    with store.begin() as conn:
        held = conn.execute(
            select(social_items.c.state).where(
                social_items.c.id == item_id,
                social_items.c.state.in_(["sending", "unknown"]),
                social_items.c.claimed_by == worker_id,
            )
        ).first()
        if held is None:
            return False
        upsert(
            conn,
            social_parts,
            {
                "item_id": item_id,
                "idx": idx,
                "state": state,
                "remote_id": remote_id,
                "remote_url": remote_url,
                "ref": ref or {},
                "at": now,
            },
            ["item_id", "idx"],
        )
        if state == "sent" and count > 1:
            _log(conn, item_id, held.state, held.state, f"part {idx + 1}/{count} out as {remote_id}", now)
    return True


def request_check(store: Store, item_id: int, note: str) -> bool:
    """Ask the senders to look an `unknown` item up at their next pass (skips the read-back backoff)."""
    return update_fields(store, item_id, ["unknown"], note, next_attempt_at=0.0)

"""Platform sessions kept in the store between runs, refreshed by one sender at a time.

Bluesky limits `createSession` to 30 per 5 minutes and 300 per day per handle: a `pipeline social run --once`
from cron every minute, or a few workers with a few threads each, that logged in on every start would lock the
account out. So a sender keeps the session (access and refresh token) in `social_sessions`, reuses it, refreshes
it when the access token runs out, and logs in again only when the refresh is refused.

Refresh tokens rotate (a refresh revokes the one it used), so two senders refreshing at once would have one of
them fail and log in again. The row carries a version and a lease: a sender that needs a new session takes the
lease with a compare-and-set on the version it read (one UPDATE … WHERE version = v AND the lease is free, the
same on SQLite and PostgreSQL; no lock is held across the HTTP call), refreshes, and writes the result with
version + 1; the others wait for the version to move and take the new tokens. A sender that dies holding the
lease holds it only until `lease_until`.

The tokens are secrets: nothing here logs them, and nothing else reads this table.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pipeline.schema.social import social_sessions
from pipeline.store import Store


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str
    data: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # never print a token, even in a traceback's locals
        return f"Tokens(access=***, refresh=***, data={self.data!r})"


@dataclass(frozen=True)
class Stored:
    """The row as read: `tokens` None when it holds no session for this login."""

    tokens: Tokens | None
    version: int
    lease_until: float | None


def jwt_times(token: str) -> tuple[float, float]:
    """(issued at, expires at) from a JWT's payload, read without verifying it (the server does that); (0, 0)
    when it cannot be read, which makes the token count as expired."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(data.get("iat", 0)), float(data["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0, 0.0


def fresh(token: str, now: float | None = None, margin_s: float = 15 * 60) -> bool:
    """Whether an access token has enough life left to use: more than `margin_s` (atproto's own client refreshes
    15 minutes early), or more than half its lifetime for a token issued for less than twice that."""
    now = time.time() if now is None else now
    issued, expires = jwt_times(token)
    lifetime = expires - issued if issued else margin_s * 2
    return expires - now > min(margin_s, lifetime / 2)


class SessionVault:
    """One account's stored session. Each adapter instance is its own lease owner."""

    def __init__(self, store: Store, account: str, login: str) -> None:
        self.store = store
        self.account = account
        self.login = login
        self.owner = uuid.uuid4().hex

    def read(self) -> Stored:
        with self.store.connect() as conn:
            row = conn.execute(
                select(social_sessions).where(social_sessions.c.account == self.account)
            ).first()
        if row is None:
            self._create_row()
            return Stored(None, 0, None)
        tokens = None
        if row.login == self.login and row.access_token and row.refresh_token:
            tokens = Tokens(row.access_token, row.refresh_token, dict(row.data or {}))
        return Stored(tokens, int(row.version), row.lease_until)

    def _create_row(self) -> None:
        try:
            with self.store.begin() as conn:
                conn.execute(
                    social_sessions.insert().values(
                        account=self.account, login=self.login, data={}, version=0, updated_at=time.time()
                    )
                )
        except IntegrityError:
            pass  # another sender made it first: the same empty row

    def take_lease(self, version: int, seconds: float) -> bool:
        """Become the one sender renewing the session, if the row is still at `version` and nobody holds a live
        lease: one atomic UPDATE, so of several senders asking at once exactly one gets True."""
        now = time.time()
        with self.store.begin() as conn:
            taken = conn.execute(
                update(social_sessions)
                .where(
                    social_sessions.c.account == self.account,
                    social_sessions.c.version == version,
                    (social_sessions.c.lease_until.is_(None)) | (social_sessions.c.lease_until < now),
                )
                .values(lease_owner=self.owner, lease_until=now + seconds)
            )
        return taken.rowcount == 1

    def save(self, tokens: Tokens) -> bool:
        """Store a new session and free the lease; False when the lease was lost (it ran out and another sender
        took it), in which case the row is left to that sender."""
        with self.store.begin() as conn:
            done = conn.execute(
                update(social_sessions)
                .where(social_sessions.c.account == self.account, social_sessions.c.lease_owner == self.owner)
                .values(
                    login=self.login,
                    access_token=tokens.access,
                    refresh_token=tokens.refresh,
                    data=tokens.data,
                    version=social_sessions.c.version + 1,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=time.time(),
                )
            )
        return done.rowcount == 1

    def release(self) -> None:
        """Give the lease back without a new session (the renewal failed): the next sender may try at once."""
        with self.store.begin() as conn:
            conn.execute(
                update(social_sessions)
                .where(social_sessions.c.account == self.account, social_sessions.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

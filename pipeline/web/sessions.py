"""Server-side sign-in sessions: the cookie holds a random id, the store decides whether it still counts.

A signed cookie alone cannot be taken back. Logging out only cleared one browser's copy, a copied cookie lived
as long as it kept being used, and a removed user's cookie matched the next account that reused the numeric id.
Here each sign-in is a row (keyed by the SHA-256 of its id, so a leaked database holds no usable ids) with an
absolute expiry; logout, user removal and password or role changes delete it.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import and_, delete, insert, select

from pipeline.schema.web import web_sessions, web_users
from pipeline.store import Store
from pipeline.web.accounts import User, user_from_row


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def open_session(store: Store, user: User, lifetime_s: float) -> str:
    """A new session id for `user`; expired rows of anyone are swept on the way (sign-ins are rare)."""
    sid = secrets.token_urlsafe(32)
    now = time.time()
    with store.begin() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))
        conn.execute(
            insert(web_sessions).values(
                id_hash=_key(sid),
                user_id=user.id,
                user_name=user.name,
                epoch=user.auth_epoch,
                created_at=now,
                expires_at=now + lifetime_s,
            )
        )
    return sid


def session_user(store: Store, sid: str) -> User | None:
    """The signed-in user, or None when the session ended, expired, or its user changed or is gone."""
    with store.connect() as conn:
        row = conn.execute(
            select(web_users)
            .select_from(web_sessions.join(web_users, web_users.c.id == web_sessions.c.user_id))
            .where(
                and_(
                    web_sessions.c.id_hash == _key(sid),
                    web_sessions.c.expires_at > time.time(),
                    web_sessions.c.user_name == web_users.c.name,
                    web_sessions.c.epoch == web_users.c.auth_epoch,
                )
            )
        ).first()
    return user_from_row(row) if row else None


def close_session(store: Store, sid: str) -> None:
    with store.begin() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _key(sid)))


def active_sessions(store: Store, user_id: int) -> int:
    with store.connect() as conn:
        rows = conn.execute(
            select(web_sessions.c.id_hash).where(
                web_sessions.c.user_id == user_id, web_sessions.c.expires_at > time.time()
            )
        ).all()
    return len(rows)

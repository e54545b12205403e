"""Web accounts: argon2-hashed passwords, roles, language limits, and the failed-login ledger.

Roles are data: what each may open lives in `ROLE_AREAS`, so a view asks `can(user, "social")` instead of
comparing role names in twenty places. A translator with no languages listed may work on every language.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, func, insert, select, update

from pipeline.schema.web import web_login_failures, web_sessions, web_users
from pipeline.store import Store

ROLES: tuple[str, ...] = ("admin", "marketer", "translator")
ROLE_AREAS: dict[str, frozenset[str]] = {
    "admin": frozenset({"translate", "social", "audit", "admin"}),
    "marketer": frozenset({"social", "audit"}),
    "translator": frozenset({"translate", "audit"}),
}
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# Verifying against this keeps a login for an unknown name as slow as one for a known name (no user probing).
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class AccountError(Exception):
    """A user mistake in account management (bad name, unknown role, short password); the message says which."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    languages: list[str] = field(default_factory=list)
    auth_epoch: int = 1

    def can(self, area: str) -> bool:
        return area in ROLE_AREAS.get(self.role, frozenset())

    def may_translate(self, lang: str) -> bool:
        return self.can("translate") and (
            self.role == "admin" or not self.languages or lang in self.languages
        )


def user_from_row(row: object) -> User:
    return User(row.id, row.name, row.role, list(row.languages or []), row.auth_epoch)  # type: ignore[attr-defined]


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")


def _check(name: str, role: str, languages: list[str]) -> None:
    if not NAME_RE.fullmatch(name):
        raise AccountError(f"user name '{name}' must be 1-64 letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise AccountError(f"role '{role}' must be one of {', '.join(ROLES)}")
    for lang in languages:
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
            raise AccountError(f"language '{lang}' is not a language code such as 'es' or 'pt-BR'")


def add_user(store: Store, name: str, role: str, password: str, languages: list[str] | None = None) -> User:
    languages = list(languages or [])
    _check(name, role, languages)
    check_password(password)
    if get_user(store, name) is not None:
        raise AccountError(f"user '{name}' exists; use `pipeline users passwd {name}` to change the password")
    twin = next((u.name for u in list_users(store) if u.name.lower() == name.lower()), None)
    if twin is not None:  # 'alice' and 'ALICE' would look like one person in every list and log
        raise AccountError(f"user '{twin}' exists; names differing only in case are not allowed")
    now = time.time()
    with store.begin() as conn:
        conn.execute(
            insert(web_users).values(
                name=name,
                password_hash=_HASHER.hash(password),
                role=role,
                languages=languages,
                auth_epoch=1,
                created_at=now,
                updated_at=now,
            )
        )
    user = get_user(store, name)
    assert user is not None
    return user


def get_user(store: Store, name: str) -> User | None:
    with store.connect() as conn:
        row = conn.execute(select(web_users).where(web_users.c.name == name)).first()
    return user_from_row(row) if row else None


def list_users(store: Store) -> list[User]:
    with store.connect() as conn:
        return [user_from_row(r) for r in conn.execute(select(web_users).order_by(web_users.c.name))]


def _end_sessions(conn: Connection, name: str) -> None:
    """Sign the user out everywhere (removal, new password, new role)."""
    ids = select(web_users.c.id).where(web_users.c.name == name).scalar_subquery()
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == ids))


def _keep_an_admin(conn: Connection, name: str) -> None:
    """Checked after the change, inside its write transaction (two admins removing each other at once must
    not both succeed): raising rolls the change back. Nobody could manage accounts from the web UI otherwise."""
    left = conn.execute(
        select(func.count()).select_from(web_users).where(web_users.c.role == "admin")
    ).scalar_one()
    if not left:
        raise AccountError(f"'{name}' is the last admin; add another admin first")


def _role_of(conn: Connection, name: str) -> str | None:
    return conn.execute(select(web_users.c.role).where(web_users.c.name == name)).scalar_one_or_none()


def remove_user(store: Store, name: str) -> None:
    with store.begin() as conn:
        was_admin = _role_of(conn, name) == "admin"
        _end_sessions(conn, name)
        gone = conn.execute(delete(web_users).where(web_users.c.name == name)).rowcount
        if was_admin:
            _keep_an_admin(conn, name)
    if not gone:
        raise AccountError(f"no user '{name}' (see `pipeline users list`)")


def set_password(store: Store, name: str, password: str) -> None:
    """New hash and a new auth epoch: every session signed for the old password ends."""
    check_password(password)
    with store.begin() as conn:
        _end_sessions(conn, name)
        done = conn.execute(
            update(web_users)
            .where(web_users.c.name == name)
            .values(
                password_hash=_HASHER.hash(password),
                auth_epoch=web_users.c.auth_epoch + 1,
                updated_at=time.time(),
            )
        ).rowcount
    if not done:
        raise AccountError(f"no user '{name}' (add it with `pipeline users add {name} --role ROLE`)")


def set_role(store: Store, name: str, role: str, languages: list[str]) -> None:
    _check(name, role, languages)
    with store.begin() as conn:
        was_admin = _role_of(conn, name) == "admin"
        _end_sessions(conn, name)
        done = conn.execute(
            update(web_users)
            .where(web_users.c.name == name)
            .values(
                role=role, languages=languages, auth_epoch=web_users.c.auth_epoch + 1, updated_at=time.time()
            )
        ).rowcount
        if was_admin and role != "admin":
            _keep_an_admin(conn, name)
    if not done:
        raise AccountError(f"no user '{name}'")


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when the password matches; rehashes when argon2's parameters have moved on."""
    with store.connect() as conn:
        row = conn.execute(select(web_users).where(web_users.c.name == name)).first()
    stored = row.password_hash if row else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        with store.begin() as conn:
            conn.execute(
                update(web_users).where(web_users.c.id == row.id).values(password_hash=_HASHER.hash(password))
            )
    return user_from_row(row)


# --- failed-login ledger (rate limiting) -------------------------------------------------------------------


def recent_failures(store: Store, name: str, address: str, window_s: float = 60.0) -> int:
    since = time.time() - window_s
    with store.connect() as conn:
        count = conn.execute(
            select(func.count())
            .select_from(web_login_failures)
            .where(
                web_login_failures.c.name == name[:64],
                web_login_failures.c.address == address[:64],
                web_login_failures.c.at >= since,
            )
        ).scalar_one()
    return int(count)


def reserve_attempt(
    store: Store, name: str, address: str, per_name: int, per_address: int | None, window_s: float = 60.0
) -> bool:
    """Count this sign-in attempt as failed *before* the password is checked; False when over a limit.

    Insert and count run in one write transaction, so parallel requests queue on the database lock and each
    sees the others: counting first and recording after the slow argon2 check let any number of parallel
    guesses through. Success deletes the row again (`clear_failures`); so does a refusal, so a client that
    keeps knocking while refused does not keep the window full. Two caps: per name and address (one person's
    typos), and per address over all names (one client trying many accounts; None switches it off).
    """
    now = time.time()
    name, address = name[:64], address[:64]
    with store.begin() as conn:
        if conn.dialect.name == "postgresql":
            # SQLite serialises writers; under PostgreSQL's READ COMMITTED two inserts would not see each other.
            conn.exec_driver_sql("LOCK TABLE web_login_failures IN SHARE ROW EXCLUSIVE MODE")
        inserted = conn.execute(insert(web_login_failures).values(name=name, address=address, at=now))
        row_id = inserted.inserted_primary_key[0] if inserted.inserted_primary_key else None
        # Old rows say nothing about the current window; keep the table small.
        conn.execute(delete(web_login_failures).where(web_login_failures.c.at < now - 3600))
        recent = web_login_failures.c.at >= now - window_s
        by_name = conn.execute(
            select(func.count())
            .select_from(web_login_failures)
            .where(web_login_failures.c.name == name, web_login_failures.c.address == address, recent)
        ).scalar_one()
        by_address = conn.execute(
            select(func.count())
            .select_from(web_login_failures)
            .where(web_login_failures.c.address == address, recent)
        ).scalar_one()
        allowed = int(by_name) <= per_name and (per_address is None or int(by_address) <= per_address)
        if not allowed:
            conn.execute(delete(web_login_failures).where(web_login_failures.c.id == row_id))
    return allowed


def clear_failures(store: Store, name: str, address: str) -> None:
    with store.begin() as conn:
        conn.execute(
            delete(web_login_failures).where(
                web_login_failures.c.name == name[:64], web_login_failures.c.address == address[:64]
            )
        )

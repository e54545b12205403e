"""Tables owned by the web component; append migrations, never edit an applied one.

`web_users` holds accounts (argon2 hashes only, never passwords); `auth_epoch` is bumped on every password
change or removal so sessions signed before it stop working at once. `web_login_failures` records failed
logins per (name, address) so the rate limit holds across server restarts and worker processes.
`web_sessions` makes sign-ins revocable: the cookie carries a random id whose SHA-256 is the row's key, so
logout, user removal and password or role changes end a session on the server, not only in one browser.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Table, Text

from pipeline.store import Migration, create_tables, metadata

web_users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("languages", JSON, nullable=False, default=list),
    Column("auth_epoch", Integer, nullable=False, default=1),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

web_login_failures = Table(
    "web_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_web_login_failures", "name", "address", "at"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    # The name and epoch the session was opened for: a reused numeric id or a changed password never matches.
    Column("user_name", String(64), nullable=False),
    Column("epoch", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_web_sessions_user", "user_id"),
)

MIGRATIONS: list[Migration] = [
    Migration(1, "web users and login failures", create_tables(web_users, web_login_failures)),
    Migration(2, "server-side web sessions", create_tables(web_sessions)),
]

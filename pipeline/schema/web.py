"""Tables owned by the web component; append migrations, never edit an applied one.

`web_users` holds accounts (argon2 hashes only, never passwords); `auth_epoch` is bumped on every password
change or removal so sessions signed before it stop working at once. `web_login_failures` records failed
logins per (name, address) so the rate limit holds across server restarts and worker processes.
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

MIGRATIONS: list[Migration] = [
    Migration(1, "web users and login failures", create_tables(web_users, web_login_failures)),
]

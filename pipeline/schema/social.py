"""Tables owned by the social component; append migrations, never edit an applied one.

Times are stored as float epoch seconds (UTC): exact, zone-free, and comparable in SQL on every backend, which
the claim query and lateness figures rely on. The unique key (account, translation_key, lang) is what makes
re-planning idempotent.

Migration 2 (threads, approvals, account health, viewer zones) adds columns with ALTER TABLE only where they are
missing: a new store's migration 1 already creates the table from the current definition, an old one's did not.
Migration 3 adds the platform sessions senders keep between runs.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.schema import CreateColumn

from pipeline.store import Migration, create_tables, metadata

social_items = Table(
    "social_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("translation_key", Text, nullable=False),
    Column("lang", String(16), nullable=False),
    Column("campaign", Text, nullable=False),
    Column("post_path", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("link_url", Text, nullable=False, default=""),
    Column("card_title", Text, nullable=False, default=""),
    Column("card_description", Text, nullable=False, default=""),
    Column("media_path", Text),
    Column("media_alt", Text, nullable=False, default=""),
    Column("truncated", JSON, nullable=False, default=list),
    Column("state", String(16), nullable=False),
    Column("due_at", Float, nullable=False),
    Column("next_attempt_at", Float, nullable=False, default=0.0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(64)),
    Column("claimed_at", Float),
    Column("idempotency_key", String(64), nullable=False),
    Column("remote_id", Text),
    Column("remote_url", Text),
    Column("reason", Text, nullable=False, default=""),
    Column("sent_at", Float),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # migration 2
    Column(
        "parts", JSON, nullable=True
    ),  # the texts sent in order (a thread, the first comment); null: [text]
    Column("first_comment", Text, nullable=True),
    Column("thread", Boolean, nullable=True),  # long text may become a thread
    Column("approved_by", String(64), nullable=True),
    Column("approved_at", Float, nullable=True),
    Column("created_by", String(64), nullable=True),  # a post made in the web UI: who made it
    UniqueConstraint("account", "translation_key", "lang", name="uq_social_items_article"),
    Index("ix_social_items_due", "state", "due_at"),
)

social_events = Table(
    "social_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("social_items.id", ondelete="CASCADE"), nullable=False),
    Column("at", Float, nullable=False),
    Column("from_state", String(16), nullable=False),
    Column("to_state", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index("ix_social_events_item", "item_id"),
)

# Each part of a thread as it goes out: `prepared` holds what a two-step platform made before publishing (a
# Threads container), `sent` the platform's id of the published part. A part is recorded by the worker holding
# the item's claim, so a crash between parts resumes with the next part and never re-posts an earlier one.
social_parts = Table(
    "social_parts",
    metadata,
    Column("item_id", Integer, ForeignKey("social_items.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("state", String(16), nullable=False),  # prepared | sent
    Column("remote_id", Text),
    Column("remote_url", Text),
    Column("ref", JSON),  # what a reply needs besides the id (Bluesky cid), or a prepared container
    Column("at", Float, nullable=False),
)

# What the senders last saw of each account, for the web page: credentials, a rejected token, the last error,
# a rate-limit pause. Written by `pipeline social run`, whose environment holds the credentials.
social_health = Table(
    "social_health",
    metadata,
    Column("account", String(64), primary_key=True),
    Column(
        "state", String(32), nullable=False, default="ok"
    ),  # ok | credentials missing | token rejected | paused
    Column("detail", Text, nullable=False, default=""),
    Column("last_ok_at", Float),
    Column("last_error", Text),
    Column("last_error_at", Float),
    Column("paused_until", Float),
    Column("seen_at", Float, nullable=False),  # the last time a sender looked at this account
)

# The time zone each web user reads the calendar in.
social_viewers = Table(
    "social_viewers",
    metadata,
    Column("user_name", String(64), primary_key=True),
    Column("timezone", String(64), nullable=False),
    Column("updated_at", Float, nullable=False),
)

# A platform session a sender keeps between runs (Bluesky's access and refresh JWTs), so a cron run every minute
# does not log in every minute (createSession: 30 per 5 minutes, 300 per day per handle). `version` and the lease
# make one refresh at a time across workers (pipeline/social/sessions.py). The tokens are secrets: this table is
# never shown, logged or exported (the SQLite file is 0600).
social_sessions = Table(
    "social_sessions",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("login", Text, nullable=False, default=""),  # whose session: handle and server; another → ignored
    Column("access_token", Text, nullable=False, default=""),
    Column("refresh_token", Text, nullable=False, default=""),
    Column("data", JSON, nullable=False, default=dict),  # what else the client needs back (did, handle, PDS)
    Column("version", Integer, nullable=False, default=0),
    Column("lease_owner", String(64), nullable=True),  # the sender refreshing it now ...
    Column("lease_until", Float, nullable=True),  # ... until then (a crashed one's lease runs out)
    Column("updated_at", Float, nullable=False),
)

ADDED_IN_2 = ("parts", "first_comment", "thread", "approved_by", "approved_at", "created_by")


def _add_columns(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("social_items")}
    for name in ADDED_IN_2:
        if name not in have:
            column = CreateColumn(social_items.c[name]).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE social_items ADD COLUMN {column}")
    create_tables(social_parts, social_health, social_viewers)(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "social items ledger and transition log", create_tables(social_items, social_events)),
    Migration(2, "thread parts, approvals, account health, viewer time zones", _add_columns),
    Migration(3, "platform sessions kept between runs", create_tables(social_sessions)),
]

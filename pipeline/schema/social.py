"""Tables owned by the social component; append migrations, never edit an applied one.

Times are stored as float epoch seconds (UTC): exact, zone-free, and comparable in SQL on every backend, which
the claim query and lateness figures rely on. The unique key (account, translation_key, lang) is what makes
re-planning idempotent.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

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

MIGRATIONS: list[Migration] = [
    Migration(1, "social items ledger and transition log", create_tables(social_items, social_events)),
]

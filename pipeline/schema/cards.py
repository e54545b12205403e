"""Tables owned by the cards component; append migrations, never edit an applied one."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, PrimaryKeyConstraint, String, Table, Text, func

from pipeline.store import Migration, create_tables, metadata

# One row per (post, language, kind): the cache key of the last render and what the social stage needs.
card_renders = Table(
    "card_renders",
    metadata,
    Column("post_rel", Text, nullable=False),
    Column("lang", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("cache_key", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("url_path", Text, nullable=False),
    Column("alt", Text, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("format", String(8), nullable=False),
    Column("quality", Integer),
    Column("contrast", Float),
    Column("output_sha256", String(64), nullable=False),
    Column("rendered_at", DateTime(timezone=True), server_default=func.current_timestamp()),
    PrimaryKeyConstraint("post_rel", "lang", "kind"),
)

MIGRATIONS: list[Migration] = [Migration(1, "card renders cache", create_tables(card_renders))]

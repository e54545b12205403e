"""Tables owned by the translate component; append migrations, never edit an applied one.

`tm_entries` is the translation memory: one row per (normalized source segment, source lang, target lang).
`tm_drafts` remembers, per draft file, which segments it holds and what we wrote, so hand edits can be found.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text, func

from pipeline.store import Migration, create_tables, metadata

tm_entries = Table(
    "tm_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("src_lang", String(16), nullable=False),
    Column("tgt_lang", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("origin", String(16), nullable=False, default="machine"),
    Column("state", String(16), nullable=False, default="machine"),
    Column("model_id", String(200)),
    Column("qa", JSON, nullable=False, default=list),
    Column("fuzzy", JSON),
    Column("who", String(100)),
    Column("updated_at", DateTime(timezone=True), server_default=func.current_timestamp()),
    Index("ux_tm_key", "key", "src_lang", "tgt_lang", unique=True),
)

tm_drafts = Table(
    "tm_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_rel", Text, nullable=False),
    Column("lang", String(16), nullable=False),
    Column("src_lang", String(16), nullable=False),
    Column("draft_rel", Text, nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("written_hash", String(64), nullable=False),
    Column("segments", JSON, nullable=False, default=list),
    Column("updated_at", DateTime(timezone=True), server_default=func.current_timestamp()),
    Index("ux_tm_drafts", "source_rel", "lang", unique=True),
)

MIGRATIONS: list[Migration] = [
    Migration(1, "translation memory and draft records", create_tables(tm_entries, tm_drafts)),
]

"""Tables owned by the translate component; append migrations, never edit an applied one.

`tm_entries` is the translation memory: one row per (normalized source segment, source lang, target lang).
`tm_drafts` remembers, per draft file, which segments it holds and what we wrote, so hand edits can be found.

The review workspace (migration 2): `tm_machine` keeps every engine's output per segment (suggestions side by
side, with confidences); `tm_events` is each segment's history (machine output, edits, approvals, reverts,
imports, dismissed warnings: who, when, what); `tm_comments` the translators' notes; `tm_dismissals` the QA
warnings dismissed with a reason, each tied to the exact text it was dismissed for; `tm_wip` the unsaved text
a translator typed (autosaved per user, so a reload, a crash or another segment's save loses nothing).
Segment rows are keyed like the memory: (key, src_lang, tgt_lang).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    inspect,
)

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
    Column("confidence", Float),  # the engine's, 0..1, for machine output (migration 2)
    Column("engine", String(32)),  # argos | apertium for machine output (migration 2)
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


def _segment_key() -> list[Column[str]]:
    return [
        Column("key", String(64), nullable=False),
        Column("src_lang", String(16), nullable=False),
        Column("tgt_lang", String(16), nullable=False),
    ]


tm_machine = Table(
    "tm_machine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_segment_key(),
    Column("engine", String(32), nullable=False),
    Column("model_id", String(200)),
    Column("target", Text, nullable=False),
    Column("confidence", Float),
    Column("qa", JSON, nullable=False, default=list),
    Column("at", Float, nullable=False),
    Index("ux_tm_machine", "key", "src_lang", "tgt_lang", "engine", unique=True),
)

tm_events = Table(
    "tm_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_segment_key(),
    Column("at", Float, nullable=False),
    Column("who", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("state", String(16)),
    Column("note", Text, nullable=False, default=""),
    Column("source_rel", Text),
    Index("ix_tm_events", "key", "src_lang", "tgt_lang", "id"),
)

tm_comments = Table(
    "tm_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_segment_key(),
    Column("at", Float, nullable=False),
    Column("who", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("source_rel", Text),
    Index("ix_tm_comments", "key", "src_lang", "tgt_lang", "id"),
)

tm_dismissals = Table(
    "tm_dismissals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_segment_key(),
    Column("rule", String(32), nullable=False),
    Column("target_hash", String(64), nullable=False),  # the dismissal holds for this text only
    Column("reason", Text, nullable=False),
    Column("who", String(100), nullable=False),
    Column("at", Float, nullable=False),
    Index("ux_tm_dismissals", "key", "src_lang", "tgt_lang", "rule", "target_hash", unique=True),
)

tm_wip = Table(
    "tm_wip",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("who", String(100), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("source_rel", Text, nullable=False),
    Column("seg_id", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("base", Text, nullable=False),  # the segment's saved text when the typing began
    Column("at", Float, nullable=False),
    Index("ux_tm_wip", "who", "lang", "source_rel", "seg_id", unique=True),
)


def _workspace(conn: Connection) -> None:
    """Confidence and engine on memory entries (a store made before them gets the columns added), and the
    workspace tables."""
    have = {c["name"] for c in inspect(conn).get_columns("tm_entries")}
    for column, kind in (("confidence", "FLOAT"), ("engine", "VARCHAR(32)")):
        if column not in have:
            conn.exec_driver_sql(f"ALTER TABLE tm_entries ADD COLUMN {column} {kind}")
    create_tables(tm_machine, tm_events, tm_comments, tm_dismissals, tm_wip)(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "translation memory and draft records", create_tables(tm_entries, tm_drafts)),
    Migration(
        2, "confidence, engine suggestions, segment history, comments, dismissals, autosaved text", _workspace
    ),
]

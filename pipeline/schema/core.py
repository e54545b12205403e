"""Core tables: run history and per-post validate cache shared by validate, crawl and the run summary."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
)

from pipeline.store import Migration, create_tables, metadata

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stage", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), server_default=func.current_timestamp()),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False, default="running"),
    Column("seconds", Float),
    Column("summary", JSON, nullable=False, default=dict),
)

run_findings = Table(
    "run_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", String(40), nullable=False),
    Column("rule", String(32), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("file", Text),
    Column("line", Integer),
    Column("url", Text),
    Column("lang", String(16)),
    Column("message", Text, nullable=False),
    Column("data", JSON, nullable=False, default=dict),
    Index("ix_run_findings_run", "run_id"),
    Index("ix_run_findings_fp", "fingerprint"),
)

validate_cache = Table(
    "validate_cache",
    metadata,
    Column("path", Text, primary_key=True),
    Column("key", String(80), nullable=False),
    Column("findings", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=func.current_timestamp()),
)


def _drop_nul_site_row(conn: Connection) -> None:
    """The whole-site validate result used to be keyed "\\x00site" (now "/site"); drop that orphan on SQLite.

    Spelled in SQL because the store turns a NUL in bound text into U+FFFD; PostgreSQL never held such a row."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DELETE FROM validate_cache WHERE path = char(0) || 'site'")


MIGRATIONS = [
    Migration(1, "runs, run findings and validate cache", create_tables(runs, run_findings, validate_cache)),
    Migration(2, "drop the NUL-keyed whole-site validate row", _drop_nul_site_row),
]

"""Core tables: run history and per-post validate cache shared by validate, crawl and the run summary."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
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
    insert,
    inspect,
    select,
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
    # A run whose findings equal an earlier run's of the same stage stores none: `findings_of` names the run
    # whose run_findings rows are its findings (NULL: its own), `digest` is what "equal" was decided by. A
    # no-change nightly validate of a big site then writes one row instead of tens of thousands.
    Column("findings_of", Integer),
    Column("digest", String(64)),
    Index("ix_runs_stage_digest", "stage", "digest"),
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
    # The audit page asks "is this fingerprint in the other run" for every finding it shows.
    Index("ix_run_findings_run_fp", "run_id", "fingerprint"),
)

# Findings per run by rule, severity and language (lang '' when none), written with the run: the audit's trend
# charts read a few hundred of these rows instead of counting every stored finding of every run again.
run_counts = Table(
    "run_counts",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(32), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("lang", String(16), nullable=False, default=""),
    Column("n", Integer, nullable=False),
    Index("ix_run_counts_run", "run_id"),
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


def count_run(conn: Connection, run_id: int | None = None) -> None:
    """Fill run_counts from run_findings for one run (None: every run, for stores older than the table)."""
    lang = func.coalesce(run_findings.c.lang, "")
    query = select(
        run_findings.c.run_id, run_findings.c.rule, run_findings.c.severity, lang, func.count()
    ).group_by(run_findings.c.run_id, run_findings.c.rule, run_findings.c.severity, lang)
    if run_id is not None:
        query = query.where(run_findings.c.run_id == run_id)
    conn.execute(insert(run_counts).from_select(["run_id", "rule", "severity", "lang", "n"], query))


def _audit_tables(conn: Connection) -> None:
    """The audit's index and per-run counts; a store from before them gets the counts of its stored runs."""
    for index in run_findings.indexes:
        if index.name == "ix_run_findings_run_fp":
            index.create(conn, checkfirst=True)
    run_counts.create(conn, checkfirst=True)
    if conn.execute(select(func.count()).select_from(run_counts)).scalar_one() == 0:
        count_run(conn)


def findings_run() -> ColumnElement[int]:
    """The id of the run whose run_findings rows hold a run's findings (its own, or the equal earlier run's):
    select this, never `runs.c.id`, to read a run's findings."""
    return func.coalesce(runs.c.findings_of, runs.c.id)


def _shared_findings(conn: Connection) -> None:
    """A run may refer to an equal earlier run's findings instead of copying them (columns on an older store)."""
    have = {c["name"] for c in inspect(conn).get_columns("runs")}
    for name, kind in (("findings_of", "INTEGER"), ("digest", "VARCHAR(64)")):
        if name not in have:
            conn.exec_driver_sql(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
    for index in runs.indexes:
        index.create(conn, checkfirst=True)


MIGRATIONS = [
    Migration(1, "runs, run findings and validate cache", create_tables(runs, run_findings, validate_cache)),
    Migration(2, "drop the NUL-keyed whole-site validate row", _drop_nul_site_row),
    Migration(3, "run findings indexed and counted for the audit page", _audit_tables),
    Migration(4, "a run with the findings of an earlier run refers to them", _shared_findings),
]

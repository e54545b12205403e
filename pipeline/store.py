"""The state store: one module over SQLAlchemy Core, so every stage's state lives in one transactional place.

SQLite (WAL, foreign keys on) in the state dir by default; any SQLAlchemy URL works so PostgreSQL can follow.
Each component owns a schema module (`pipeline.schema.<component>`) holding its tables and an ordered list of
migrations; the store applies whatever has not run yet, recording (component, version), on every open.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("component", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("description", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), server_default=func.current_timestamp()),
)

# Order matters only for foreign keys across components; core first.
COMPONENTS: tuple[str, ...] = (
    "pipeline.schema.core",
    "pipeline.schema.translate",
    "pipeline.schema.cards",
    "pipeline.schema.social",
    "pipeline.schema.crawl",
    "pipeline.schema.web",
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def create_tables(*tables: Table) -> Callable[[Connection], None]:
    """Migration step that creates the given tables (and their indexes)."""

    def _apply(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return _apply


class Store:
    """Owns the engine; `with store.begin() as conn:` is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            db_path = Path(url.removeprefix("sqlite:///"))
            db_path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": 30} if url.startswith("sqlite") else {},
        )
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def migrate(self) -> list[tuple[str, int]]:
        applied: list[tuple[str, int]] = []
        with self.engine.begin() as conn:
            schema_migrations.create(conn, checkfirst=True)
            done = {(r.component, r.version) for r in conn.execute(select(schema_migrations))}
            for module_name in COMPONENTS:
                module = importlib.import_module(module_name)
                component = module_name.rsplit(".", 1)[1]
                for migration in module.MIGRATIONS:
                    if (component, migration.version) in done:
                        continue
                    migration.apply(conn)
                    conn.execute(
                        insert(schema_migrations).values(
                            component=component, version=migration.version, description=migration.description
                        )
                    )
                    applied.append((component, migration.version))
        return applied

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_STORES: dict[str, Store] = {}


def open_store(url: str) -> Store:
    """One Store per URL per process: engines are pools, and migrations need to run once."""
    store = _STORES.get(url)
    if store is None:
        store = Store(url)
        _STORES[url] = store
    return store

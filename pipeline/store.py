"""The state store: one module over SQLAlchemy Core, so every stage's state lives in one transactional place.

SQLite (WAL, foreign keys on) in the state dir by default; PostgreSQL (`postgresql+psycopg://…`, the `postgres`
extra) when several machines share one store. Each component owns a schema module (`pipeline.schema.<component>`)
holding its tables and an ordered list of migrations; the store applies whatever has not run yet, recording
(component, version), on every open. Processes that open a new store at the same moment queue on one lock
(an advisory lock on PostgreSQL, a write lock on SQLite) so each migration runs exactly once.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
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
    inspect,
    make_url,
    select,
)
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from pipeline.fsutil import escape_undecodable

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


class StoreError(OSError):
    """The configured store cannot be used (driver missing, server unreachable, bad URL): the user fixes it.

    An OSError naming the store (password hidden) as its file, so the CLI reports it as it reports a state dir
    the machine refused: one line, exit 2, without having to import the store to recognise it.
    """

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(None, reason, where)

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


# Any 64-bit number unique to this application: the advisory lock every migrating PostgreSQL session queues on.
_PG_MIGRATION_LOCK = zlib.crc32(b"pipeline.store.migrate")


class Store:
    """Owns the engine; `with store.begin() as conn:` is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            _private_sqlite(Path(url.removeprefix("sqlite:///").split("?", 1)[0]))
        self.engine: Engine = _engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        # Text PostgreSQL refuses (NUL, lone surrogates) is replaced the same way on both backends.
        event.listen(self.engine, "before_cursor_execute", _storable_params, retval=True)
        try:
            with _sqlite_open_turn(url):
                self.migrate()
        except (OperationalError, ProgrammingError) as exc:
            # Unreachable, wrong password, no such database, or a role that may not create the tables: the
            # user's to fix. Any other ProgrammingError is ours (a bug, exit 3).
            if isinstance(exc, ProgrammingError) and getattr(exc.orig, "sqlstate", None) != "42501":
                raise
            self.engine.dispose()
            raise StoreError(
                _safe_url(url), f"cannot open the store: {_first_line(exc.orig or exc)}"
            ) from exc

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def migrate(self) -> list[tuple[str, int]]:
        """Apply the migrations not yet recorded; several processes may call this on one new store at once.

        An up-to-date store is seen without any lock (the common case: every process start). Otherwise the
        work happens in one transaction that first takes the store-wide lock and then re-reads what is done,
        so a process that waited finds the others' migrations recorded and applies nothing twice.
        """
        pending = _pending_migrations()
        with self.engine.connect() as conn:
            if not pending - _recorded(conn):
                return []
        applied: list[tuple[str, int]] = []
        with self._migration_transaction() as conn:
            schema_migrations.create(conn, checkfirst=True)
            done = _recorded(conn)
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

    @contextmanager
    def _migration_transaction(self) -> Iterator[Connection]:
        """One transaction holding the store-wide migration lock until it commits or rolls back."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # pysqlite opens transactions lazily (a read lock first, upgraded at the first write: two
                # processes upgrading at once fail with "database is locked"). BEGIN IMMEDIATE takes the write
                # lock up front, so the second process waits for busy_timeout instead.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def close(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    """The engine for a database URL; `postgresql://` means the psycopg 3 driver the `postgres` extra installs."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError("database_url", f"{url!r} is not a database URL ({exc})") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return create_engine(parsed, connect_args={"timeout": 30}, json_serializer=_json_text)
    try:
        # pool_pre_ping: a server restart or a failover must not hand a worker a dead pooled connection.
        return create_engine(parsed, pool_pre_ping=True, json_serializer=_json_text)
    except ModuleNotFoundError as exc:
        extra = " (pip install 'pipeline[postgres]')" if parsed.get_backend_name() == "postgresql" else ""
        raise StoreError(
            _safe_url(url), f"needs the {exc.name} driver, which is not installed{extra}"
        ) from exc


class JSONText(str):
    """A JSON document serialized already (validate's pool workers serialize their findings in parallel):
    a JSON column stores it as it is instead of encoding it again in the parent."""


def _json_text(value: Any) -> str:
    if isinstance(value, JSONText):
        return str(value)  # a plain str: the NUL/surrogate scan of the batch keeps its fast path
    return json.dumps(value)


def insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """A plain INSERT of many rows, positional values in `columns` order, through the driver's executemany.

    SQLAlchemy's per-row parameter processing was half the cost of storing a 30,000-finding run; this skips it.
    JSON columns take a JSONText or any JSON value (dumped here); the NUL/surrogate cleaning still applies."""
    if not rows:
        return
    prep = conn.dialect.identifier_preparer
    is_json = [isinstance(table.c[c].type, JSON) for c in columns]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cast = conn.dialect.name == "postgresql"
    marks = [f"CAST({mark} AS JSON)" if j and cast else mark for j in is_json]
    for i in (i for i, j in enumerate(is_json) if j):
        rows = [(*row[:i], _json_text(row[i]), *row[i + 1 :]) for row in rows]
    sql = (
        f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)}) "
        f"VALUES ({', '.join(marks)})"
    )
    conn.exec_driver_sql(sql, list(rows))


def _pending_migrations() -> set[tuple[str, int]]:
    wanted = set()
    for module_name in COMPONENTS:
        module = importlib.import_module(module_name)
        wanted |= {(module_name.rsplit(".", 1)[1], m.version) for m in module.MIGRATIONS}
    return wanted


def _recorded(conn: Connection) -> set[tuple[str, int]]:
    if not inspect(conn).has_table(schema_migrations.name):
        return set()
    return {(r.component, r.version) for r in conn.execute(select(schema_migrations))}


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# PostgreSQL text cannot hold NUL, and UTF-8 (both backends) cannot encode a lone surrogate. NUL becomes U+FFFD;
# surrogates are what os.fsdecode makes of an undecodable file name's bytes, so they become those bytes written
# as \xNN (fsutil.escape_undecodable: two different names stay two different keys).
def _storable(value: Any) -> Any:
    if not isinstance(value, str) or (value.isascii() and "\x00" not in value):
        return value
    return escape_undecodable(value.replace("\x00", "\ufffd"))


def _storable_params(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
) -> tuple[str, Any]:
    """Every string bound into any statement, made storable: user text (a login name, a translator's edit, a
    title quoted in a finding) can hold bytes a backend refuses, and refusing the whole write would crash a
    stage or answer 500 over one character. JSON values are serialised with escapes and need nothing."""

    def clean(params: Any) -> Any:
        if isinstance(params, dict):
            return {k: _storable(v) for k, v in params.items()}
        if isinstance(params, (list, tuple)):
            return type(params)(_storable(v) for v in params)
        return params

    if executemany and isinstance(parameters, (list, tuple)):
        if _all_storable(parameters):
            return statement, parameters
        return statement, [clean(p) for p in parameters]
    return statement, clean(parameters)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _all_storable(batch: Sequence[Any]) -> bool:
    """Whether no string in an executemany batch needs `_storable`: one scan of all its strings joined, instead
    of a cleaned copy of every row (a crawl's link graph or a validate run's findings are 40,000 rows)."""
    if not all(isinstance(p, (dict, list, tuple)) for p in batch):
        return False
    values = list(chain.from_iterable(p.values() if isinstance(p, dict) else p for p in batch))
    strings = [v for v in values if type(v) is str]
    if any(isinstance(v, str) for v in values if type(v) is not str):
        return False  # a str subclass: the per-row path cleans it as it is
    text = "".join(strings)
    return (text.isascii() and "\x00" not in text) or _UNSTORABLE.search(text) is None


@contextmanager
def _sqlite_open_turn(url: str) -> Iterator[None]:
    """Processes opening one SQLite file take turns at the first connection and the migrations.

    The first connection switches a new file to WAL, which needs the file to itself; with several processes
    starting at once (workers, `serve`, a cron job) SQLite answered one of them "database is locked" there even
    with a busy timeout (seen 2 in 12 under load). A flock on a file beside the database serialises the opening
    only; the kernel drops it when its holder dies, so a kill -9 cannot leave it held."""
    if not url.startswith("sqlite:///"):
        yield
        return
    db_path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    if str(db_path) in ("", ":memory:"):
        yield
        return
    fd = os.open(db_path.with_name(db_path.name + ".open-lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _private_sqlite(db_path: Path) -> None:
    """The database and its -wal/-shm files readable by their owner only (they hold password hashes).

    SQLite gives -wal and -shm the database file's mode, so creating the database 0600 before SQLite opens it
    covers all three; files from older versions are narrowed here too."""
    from pipeline.fsutil import private_dir, private_file

    if str(db_path) in ("", ":memory:"):
        return
    private_dir(db_path.parent)
    private_file(db_path)
    for suffix in ("-wal", "-shm", "-journal"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            private_file(side)


def upsert(
    conn: Connection,
    table: Table,
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
) -> None:
    """Insert rows, or update the row with the same `keys` (a unique index or primary key), in one statement:
    the dialect's INSERT … ON CONFLICT DO UPDATE, so two writers racing on one key leave one row, never an
    IntegrityError or a lost update (update-then-insert and delete-then-insert both had a window).
    Every column a row names besides the keys is updated."""
    batch = [rows] if isinstance(rows, Mapping) else list(rows)
    if not batch:
        return
    columns = [c for c in batch[0] if c not in keys]
    name = conn.dialect.name
    stmt: Any
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        stmt = sqlite.insert(table)
    elif name == "postgresql":
        from sqlalchemy.dialects import postgresql

        stmt = postgresql.insert(table)
    else:
        raise NotImplementedError(f"upsert has no ON CONFLICT form for {name}; add the dialect's insert here")
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns})
    conn.execute(stmt, batch)


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

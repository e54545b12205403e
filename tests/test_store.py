"""The store against real databases: a SQLite file in the test's state dir and a real PostgreSQL (both, through
the parametrized `db_url`/`new_db_url` fixtures): migrations, concurrent first starts, text PostgreSQL refuses."""

from __future__ import annotations

import datetime as dt
import importlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.store import COMPONENTS, Store, StoreError, open_store, schema_migrations
from tests.store_support.postgres import PostgresServer

REPO = Path(__file__).resolve().parent.parent


def expected_migrations() -> set[tuple[str, int]]:
    out = set()
    for name in COMPONENTS:
        module = importlib.import_module(name)
        out |= {(name.rsplit(".", 1)[1], m.version) for m in module.MIGRATIONS}
    return out


def test_store_lives_under_state_dir(_isolated_state: Path) -> None:
    url = load_config(None, environ={}).db_url
    store = Store(url)
    try:
        db = _isolated_state.resolve() / "state.db"
        assert url == f"sqlite:///{db}"
        assert db.is_file()
    finally:
        store.close()


def test_migrations_apply_once_and_are_recorded(new_db_url: str) -> None:
    first = Store(new_db_url)
    try:
        with first.connect() as conn:
            rows = {(r.component, r.version) for r in conn.execute(select(schema_migrations))}
            descriptions = [r.description for r in conn.execute(select(schema_migrations))]
        assert rows == expected_migrations()
        assert ("core", 1) in rows
        assert all(descriptions)
        assert first.migrate() == []  # running again on the same store applies nothing
    finally:
        first.close()
    again = Store(new_db_url)
    try:
        assert again.migrate() == []
        with again.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM schema_migrations")).scalar_one()
        assert count == len(expected_migrations())
    finally:
        again.close()


def test_migration_tables_exist(new_db_url: str) -> None:
    store = Store(new_db_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert {"schema_migrations", "runs", "run_findings", "validate_cache", "social_items"} <= tables
    finally:
        store.close()


def test_wal_is_on_for_sqlite(_isolated_state: Path) -> None:
    store = Store(load_config(None, environ={}).db_url)
    try:
        with store.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one().lower() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        store.close()


def test_foreign_keys_are_enforced(db_url: str) -> None:
    from pipeline.schema.core import run_findings

    store = Store(db_url)
    try:
        # A finding pointing at a run that does not exist must be refused by the foreign key.
        with pytest.raises(IntegrityError), store.begin() as conn:
            conn.execute(
                insert(run_findings).values(
                    run_id=999, fingerprint="x", rule="R", severity="error", message="m", data={}
                )
            )
    finally:
        store.close()


def test_transaction_rolls_back_on_error(db_url: str) -> None:
    from pipeline.schema.core import runs

    store = Store(db_url)
    try:
        with pytest.raises(RuntimeError), store.begin() as conn:
            conn.execute(insert(runs).values(stage="validate", status="running", summary={}))
            raise RuntimeError("crash mid-transaction")
        with store.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM runs")).scalar_one() == 0
    finally:
        store.close()


def test_open_store_reuses_one_store_per_url(db_url: str) -> None:
    a = open_store(db_url)
    b = open_store(db_url)
    assert a is b


OPENER = """
import importlib, os, sys, time
from sqlalchemy import create_engine
from pipeline.store import COMPONENTS, Store
for name in COMPONENTS:
    importlib.import_module(name)
create_engine(sys.argv[1]).dispose()  # loads the dialect and driver; connects to nothing
folder = sys.argv[2]
open(os.path.join(folder, f"ready-{os.getpid()}"), "w").close()
while not os.path.exists(os.path.join(folder, "go")):
    time.sleep(0.001)
Store(sys.argv[1]).close()
"""
STARTERS = 6


def test_processes_starting_together_on_a_new_store_all_succeed(new_db_url: str, tmp_path: Path) -> None:
    """M6: N processes open one store nobody has migrated yet at the same instant; each migration runs once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, new_db_url, str(tmp_path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(STARTERS)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < STARTERS and time.monotonic() < deadline:
        time.sleep(0.01)  # every process has imported everything and waits at the starting line
    (tmp_path / "go").touch()
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    failures = [[ln for ln in err.splitlines() if "Error" in ln][-1:] for code, err in results if code != 0]
    assert failures == [], failures
    store = Store(new_db_url)
    try:
        with store.connect() as conn:
            rows = [(r.component, r.version) for r in conn.execute(select(schema_migrations))]
        assert sorted(rows) == sorted(expected_migrations())  # each recorded once: none ran twice
    finally:
        store.close()


def test_text_a_backend_cannot_hold_is_stored_readably(db_url: str) -> None:
    """H3/L5: NUL (refused by PostgreSQL text) and lone surrogates (refused by UTF-8 on both) in any string."""
    from pipeline.schema.core import run_findings, runs

    store = Store(db_url)
    try:
        with store.begin() as conn:
            run_id = conn.execute(insert(runs).values(stage="validate", summary={})).inserted_primary_key[0]
            clean = [
                {
                    "run_id": run_id,
                    "fingerprint": f"ok{i}",
                    "rule": "SEO001",
                    "severity": "warning",
                    "file": "posts/café.md",
                    "message": "fine text",
                    "data": {},
                }
                for i in range(40)
            ]
            dirty = {
                "run_id": run_id,
                "fingerprint": "f",
                "rule": "IMG001",
                "severity": "error",
                "file": "posts/caf\udce9.md",  # what os.fsdecode makes of a Latin-1 file name
                "message": "image 'a\x00b.png' not found",
                "data": {"image": "a\x00b.png"},
            }
            # One bad row among many: a batch is checked as a whole first (store._all_storable), and one bad
            # string must still get its row cleaned; and a batch of only that row.
            conn.execute(insert(run_findings), [*clean[:20], dirty, *clean[20:]])
            conn.execute(insert(run_findings), [{**dirty, "fingerprint": "g", "message": "x\x00"}])
        with store.connect() as conn:
            row = conn.execute(select(run_findings).where(run_findings.c.fingerprint == "f")).one()
            assert (
                conn.execute(
                    select(run_findings.c.message).where(run_findings.c.fingerprint == "g")
                ).scalar_one()
                == "x\ufffd"
            )
            assert conn.execute(select(func.count()).select_from(run_findings)).scalar_one() == 42
            # Lookups with the same unstorable text find the row: parameters are cleaned the same way.
            found = conn.execute(
                select(func.count()).where(run_findings.c.message == "image 'a\x00b.png' not found")
            ).scalar_one()
        assert row.message == "image 'a\ufffdb.png' not found"
        assert row.file == "posts/caf\\xe9.md"  # the file name's byte, so two such names stay apart
        assert row.data == {"image": "a\x00b.png"}  # JSON escapes NUL and keeps it exactly
        assert found == 1
    finally:
        store.close()


def test_insert_many_stores_what_the_orm_path_stores(db_url: str) -> None:
    """The driver-level bulk insert (history rows) keeps the cleaning of unstorable text and the JSON column's
    values; a JSONText (serialized by a pool worker) is stored as the JSON it is, not as a JSON string."""
    from pipeline.schema.core import run_findings, runs, validate_cache
    from pipeline.store import JSONText, insert_many, upsert

    store = Store(db_url)
    try:
        with store.begin() as conn:
            run_id = conn.execute(insert(runs).values(stage="validate", summary={})).inserted_primary_key[0]
            cols = ("run_id", "fingerprint", "rule", "severity", "file", "line", "message", "data")
            rows = [
                (run_id, f"ok{i}", "SEO001", "warning", "posts/é.md", i, "fine", {"n": i}) for i in range(30)
            ]
            rows.append(
                (run_id, "f", "IMG001", "error", "posts/caf\udce9.md", None, "a\x00b", {"image": "a\x00b"})
            )
            rows.append((run_id, "j", "IMG002", "error", None, 3, "pre-made", JSONText('{"k":[1,"é"]}')))
            insert_many(conn, run_findings, cols, rows)
            upsert(
                conn,
                validate_cache,
                {"path": "p.md", "key": "k", "findings": JSONText('[{"rule":"X"}]')},
                ("path",),
            )
        with store.connect() as conn:
            got = {
                r.fingerprint: r
                for r in conn.execute(select(run_findings).where(run_findings.c.run_id == run_id))
            }
            cached = conn.execute(
                select(validate_cache.c.findings).where(validate_cache.c.path == "p.md")
            ).scalar_one()
        assert len(got) == 32 and got["ok7"].data == {"n": 7} and got["ok7"].line == 7
        assert got["f"].message == "a\ufffdb" and got["f"].file == "posts/caf\\xe9.md"
        assert got["f"].data == {"image": "a\x00b"} and got["f"].line is None
        assert got["j"].data == {"k": [1, "é"]} and got["j"].file is None
        assert cached == [{"rule": "X"}]
    finally:
        store.close()


def test_the_old_nul_keyed_site_row_is_dropped_on_upgrade(_isolated_state: Path) -> None:
    url = load_config(None, environ={}).db_url
    store = Store(url)
    try:
        with store.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO validate_cache (path, key, findings) VALUES (char(0) || 'site', 'k', '{}')"
            )
            conn.execute(
                delete(schema_migrations).where(
                    schema_migrations.c.component == "core", schema_migrations.c.version == 2
                )
            )
        assert store.migrate() == [("core", 2)]
        with store.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM validate_cache").scalar_one() == 0
    finally:
        store.close()


def test_the_postgres_driver_is_declared_and_installed_by_make() -> None:
    """L9: PostgreSQL needed a driver the project did not declare; `make install` must install the extra."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("psycopg[binary]") for dep in project["optional-dependencies"]["postgres"])
    install = next(
        line
        for line in (root / "Makefile").read_text().splitlines()
        if "pip install" in line and "-e" in line
    )
    assert "postgres" in install, install


@pytest.mark.postgres
def test_a_plain_postgresql_url_uses_psycopg(pg_server: PostgresServer) -> None:
    name = pg_server.create_database()
    store = Store(pg_server.url(name).replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert store.engine.dialect.driver == "psycopg"
        with store.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM schema_migrations").scalar_one() > 0
    finally:
        store.close()
        pg_server.drop_database(name)


@pytest.mark.postgres
def test_a_role_that_may_not_create_the_tables_is_told_so(pg_server: PostgresServer) -> None:
    name = pg_server.create_database(migrated=False)
    with pg_server.admin() as conn:
        conn.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
    try:
        url = pg_server.url(name).replace(f"postgres:{pg_server.password}@", "reader:reader-pw@")
        with pytest.raises(StoreError) as caught:
            Store(url)
        assert "permission denied for schema public" in str(caught.value)
        assert "reader-pw" not in str(caught.value)
    finally:
        pg_server.drop_database(name)
        with pg_server.admin() as conn:
            conn.execute("DROP ROLE reader")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_server_is_a_usage_error_that_hides_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://pipeline:s3cret-pw@127.0.0.1:{_closed_port()}/pipeline"
    with pytest.raises(StoreError) as caught:
        Store(url)
    assert "127.0.0.1" in str(caught.value) and "s3cret-pw" not in str(caught.value)
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PIPELINE__DATABASE_URL", url)
    assert main(["validate", "-q"]) == 2
    err = capsys.readouterr().err
    assert "cannot open the store" in err and "s3cret-pw" not in err and "Traceback" not in err


def test_upsert_inserts_then_updates_in_one_statement(tmp_path: Path) -> None:
    from sqlalchemy import select

    from pipeline.schema.crawl import crawl_link_cache
    from pipeline.store import Store, upsert

    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    now = dt.datetime.now(dt.UTC)
    rows = [{"url": f"https://e.example/{i}", "status": 200, "checked_at": now} for i in range(3)]
    with store.begin() as conn:
        upsert(conn, crawl_link_cache, rows, keys=("url",))
        upsert(
            conn,
            crawl_link_cache,
            {"url": "https://e.example/1", "status": 404, "checked_at": now},
            keys=("url",),
        )
        upsert(conn, crawl_link_cache, [], keys=("url",))
    with store.connect() as conn:
        got = dict(conn.execute(select(crawl_link_cache.c.url, crawl_link_cache.c.status)).all())
    assert got == {"https://e.example/0": 200, "https://e.example/1": 404, "https://e.example/2": 200}


def test_no_hand_written_upserts_remain() -> None:
    """update-then-insert (rowcount == 0) and delete-then-insert both race a second writer; store.upsert does not."""
    root = Path(__file__).resolve().parent.parent / "pipeline"
    for path in root.rglob("*.py"):
        text = path.read_text("utf-8")
        assert "rowcount == 0" not in text, path
    for name in ("translate/memory.py", "cards/cache.py", "crawl/history.py", "validate/cache.py"):
        assert "upsert(" in (root / name).read_text("utf-8"), name
    assert "sqlalchemy" not in (root / "validate" / "stage.py").read_text("utf-8")
    assert "sqlalchemy" not in (root / "translate" / "stage.py").read_text("utf-8")

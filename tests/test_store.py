"""The store against a real SQLite file in the test's state dir: migrations, pragmas, location."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from pipeline.config import load_config
from pipeline.store import COMPONENTS, Store, open_store, schema_migrations


def expected_migrations() -> set[tuple[str, int]]:
    out = set()
    for name in COMPONENTS:
        module = importlib.import_module(name)
        out |= {(name.rsplit(".", 1)[1], m.version) for m in module.MIGRATIONS}
    return out


@pytest.fixture
def url(_isolated_state: Path) -> str:
    return load_config(None, environ={}).db_url


def test_store_lives_under_state_dir(url: str, _isolated_state: Path) -> None:
    store = Store(url)
    try:
        db = _isolated_state.resolve() / "state.db"
        assert url == f"sqlite:///{db}"
        assert db.is_file()
    finally:
        store.close()


def test_migrations_apply_once_and_are_recorded(url: str) -> None:
    first = Store(url)
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
    again = Store(url)
    try:
        assert again.migrate() == []
        with again.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM schema_migrations")).scalar_one()
        assert count == len(expected_migrations())
    finally:
        again.close()


def test_migration_tables_exist(url: str) -> None:
    store = Store(url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert {"schema_migrations", "runs", "run_findings", "validate_cache"} <= tables
    finally:
        store.close()


def test_wal_and_foreign_keys_are_on(url: str) -> None:
    store = Store(url)
    try:
        with store.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one().lower() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        from pipeline.schema.core import run_findings

        # A finding pointing at a run that does not exist must be refused by the foreign key.
        with pytest.raises(IntegrityError), store.begin() as conn:
            conn.execute(
                insert(run_findings).values(
                    run_id=999, fingerprint="x", rule="R", severity="error", message="m", data={}
                )
            )
    finally:
        store.close()


def test_transaction_rolls_back_on_error(url: str) -> None:
    from pipeline.schema.core import runs

    store = Store(url)
    try:
        with pytest.raises(RuntimeError), store.begin() as conn:
            conn.execute(insert(runs).values(stage="validate", status="running", summary={}))
            raise RuntimeError("crash mid-transaction")
        with store.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM runs")).scalar_one() == 0
    finally:
        store.close()


def test_open_store_reuses_one_store_per_url(url: str) -> None:
    a = open_store(url)
    b = open_store(url)
    assert a is b

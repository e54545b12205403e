"""Fixtures that run a test on both stores: SQLite and a real PostgreSQL (registered in tests/conftest.py).

`db_url` is parametrized: the `postgres` variant carries the `postgres` marker (`pytest -m postgres` runs those
alone) and also sets PIPELINE__DATABASE_URL, so config files, the CLI and worker subprocesses all use that
database. One server per test process (each xdist worker starts its own), one fresh database per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store_support.postgres import PostgresServer, find_bindir

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def forget_store(url: str) -> None:
    """Close this process's cached store for `url` (its pooled connections would keep the database busy)."""
    from pipeline import store

    cached = store._STORES.pop(url, None)
    if cached is not None:
        cached.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package "
            "(make apt), or set PIPELINE_TEST_PG_BINDIR"
        )
        if os.geteuid() == 0:
            pytest.fail(
                message + " — running as root (as CI does), a missing server fails, it is never skipped"
            )
        pytest.skip(message)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is not installed: make install (pip install -e '.[dev,bench,postgres]')")
    server = PostgresServer(bindir)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _database(
    request: pytest.FixtureRequest, backend: str, state: Path, monkeypatch: pytest.MonkeyPatch, migrated: bool
) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{state.resolve() / 'state.db'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = server.create_database(migrated=migrated)
    url = server.url(name)
    monkeypatch.setenv("PIPELINE__DATABASE_URL", url)
    yield url
    forget_store(url)
    server.drop_database(name)


@pytest.fixture
def db_url(
    request: pytest.FixtureRequest, db_backend: str, _isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The test's store URL, its schema already migrated (the config default on SQLite)."""
    yield from _database(request, db_backend, _isolated_state, monkeypatch, migrated=True)


@pytest.fixture
def new_db_url(
    request: pytest.FixtureRequest, db_backend: str, _isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A store URL with nothing in it yet: no tables, no migrations recorded."""
    yield from _database(request, db_backend, _isolated_state, monkeypatch, migrated=False)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest, pg_server: PostgresServer) -> Iterator[str]:
    """A migrated PostgreSQL database for a PostgreSQL-only test (which must carry the `postgres` marker)."""
    if request.node.get_closest_marker("postgres") is None:
        pytest.fail("a test using pg_url must be marked @pytest.mark.postgres so `-m postgres` selects it")
    name = pg_server.create_database()
    url = pg_server.url(name)
    yield url
    forget_store(url)
    pg_server.drop_database(name)

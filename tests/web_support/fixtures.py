"""Web app fixtures shared by the Flask test-client suites (registered in tests/conftest.py).

`template` prepares one site and store per module (argon2 hashing of the users is slow on purpose); each test
gets a private copy of both through `site`, and `app` is the Flask app over that copy. The store is SQLite
unless the module overrides `web_backend` (tests/test_web_sessions.py runs on SQLite and on PostgreSQL; there
the copy is a `CREATE DATABASE ... TEMPLATE` of the module's database).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from pipeline.web.app import create_app
from tests.store_support.fixtures import forget_store
from tests.store_support.postgres import PostgresServer
from tests.web_support.site import Site, add_users, build_site, clone_site


@pytest.fixture(scope="module")
def web_backend() -> str:
    return "sqlite"


def _server(request: pytest.FixtureRequest) -> PostgresServer:
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server


@pytest.fixture(scope="module")
def template(
    web_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("web-template")
    database = _server(request).create_database() if web_backend == "postgres" else None
    url = _server(request).url(database) if database else None
    s = build_site(tmp, tmp / "state", translate=False, database_url=url)
    add_users(s)
    yield s
    if database and url:
        forget_store(url)
        _server(request).drop_database(database)


@pytest.fixture
def site(
    template: Site, tmp_path: Path, _isolated_state: Path, request: pytest.FixtureRequest
) -> Iterator[Site]:
    if not template.config.db_url.startswith("postgresql"):
        yield clone_site(template, tmp_path, _isolated_state)
        return
    server = _server(request)
    forget_store(template.config.db_url)  # a template database must have no open connections to be copied
    template.ctx.store.close()
    database = server.create_database(template=template.config.db_url.rsplit("/", 1)[1])
    url = server.url(database)
    yield clone_site(template, tmp_path, _isolated_state, database_url=url)
    forget_store(url)
    server.drop_database(database)


@pytest.fixture
def app(site: Site, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "k" * 40)
    yield create_app(site.ctx)

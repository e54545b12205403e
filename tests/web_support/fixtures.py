"""Web app fixtures shared by the Flask test-client suites (registered in tests/conftest.py).

`template` prepares one site and store per module (argon2 hashing of the users is slow on purpose); each test
gets a private copy of both through `site`, and `app` is the Flask app over that copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from pipeline.web.app import create_app
from tests.web_support.site import Site, add_users, build_site, clone_site


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    tmp = tmp_path_factory.mktemp("web-template")
    s = build_site(tmp, tmp / "state", translate=False)
    add_users(s)
    return s


@pytest.fixture
def site(template: Site, tmp_path: Path, _isolated_state: Path) -> Site:
    return clone_site(template, tmp_path, _isolated_state)


@pytest.fixture
def app(site: Site, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "k" * 40)
    yield create_app(site.ctx)

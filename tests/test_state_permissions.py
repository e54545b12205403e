"""L6: the state folder holds password hashes, session keys and ledgers: owner-only, however the umask is set."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.config import load_config
from pipeline.stages import Context
from pipeline.store import _STORES
from pipeline.translate.packages import install_from_file, packages_dir
from pipeline.web.security import KEY_FILE, secret_key
from tests.translate_support.site import package_file


@pytest.fixture(autouse=True)
def _umask_022() -> Iterator[None]:
    old = os.umask(0o022)  # the common default, under which the store used to come out 0644
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _use_state(state: Path) -> Context:
    ctx = Context(config=load_config(None))
    try:
        with ctx.store.begin() as conn:  # a write, so the -wal and -shm files exist
            conn.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
        secret_key(ctx.config)
        install_from_file(state, package_file("copy"))
    finally:
        _STORES.pop(ctx.config.db_url, None)
    return ctx


def _assert_private(state: Path, ctx: Context) -> None:
    assert _mode(state) == 0o700
    db = state / "state.db"
    for path in (db, db.with_name("state.db-wal"), db.with_name("state.db-shm"), state / KEY_FILE):
        assert path.exists(), path
        assert _mode(path) & 0o077 == 0, f"{path.name} is {oct(_mode(path))}"
    assert _mode(packages_dir(state)) == 0o700
    ctx.store.close()


def test_new_state_folder_and_files_are_owner_only(_isolated_state: Path) -> None:
    ctx = _use_state(_isolated_state)
    _assert_private(_isolated_state, ctx)


def test_existing_wide_state_is_narrowed(_isolated_state: Path) -> None:
    """State made by an older version (0755 folder, 0644 database) is narrowed on the next open."""
    _isolated_state.mkdir(mode=0o755)
    os.chmod(_isolated_state, 0o755)
    (_isolated_state / "state.db").touch(mode=0o644)
    os.chmod(_isolated_state / "state.db", 0o644)
    ctx = _use_state(_isolated_state)
    _assert_private(_isolated_state, ctx)

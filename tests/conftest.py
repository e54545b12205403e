"""Test setup shared by every test.

The socket guard makes the suite prove the offline promise: any connection to an address outside the loopback
range fails the test that tried it (loopback stays open for our local fakes and servers).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# The store fixtures (`db_url` on SQLite and PostgreSQL, `pg_server`), the Ray cluster (`ray_cluster`) and the web suites' `template` / `site` /
# `app` fixtures (a module's own fixture of the same name wins).
pytest_plugins = ["tests.store_support.fixtures", "tests.web_support.fixtures", "tests.ray_support.fixtures"]

REPO = Path(__file__).resolve().parent.parent
# A worktree outside the main checkout points PIPELINE_SHARED_DIR at shared/.
SHARED = Path(os.environ.get("PIPELINE_SHARED_DIR") or REPO.parent / "shared")
CORPORA = SHARED / "corpora"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkBlocked(RuntimeError):
    """Raised when a test reaches for the network."""


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_loopback(host):
        raise NetworkBlocked(f"tests must not reach the network (tried {address!r})")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not _is_loopback(host):
        raise NetworkBlocked(f"tests must not resolve external hosts (tried {host!r})")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo

# Nothing we run may write outside the test's temp dirs by default.
os.environ.setdefault(
    "PIPELINE_STATE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "pipeline-test-state")
)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own state dir (store, packages, caches) and no inherited config."""
    state = tmp_path / "state"
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(state))
    monkeypatch.delenv("PIPELINE_CONFIG", raising=False)
    for key in list(os.environ):
        if key.startswith("PIPELINE__"):
            monkeypatch.delenv(key)
    yield state


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"corpora not found at {CORPORA} (shared/ is absent); skipping corpus test")
    return CORPORA

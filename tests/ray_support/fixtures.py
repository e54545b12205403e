"""`ray_cluster`: one real two-node Ray cluster per test run, shared by every test process (registered in
tests/conftest.py).

Starting Ray takes seconds, so the first test process that needs the cluster starts it (a head and a second
node, one CPU each) and records it in the run's temp folder; others join it; the last one to finish stops it
(by process id, see cluster.py) and the fixture fails if any Ray process outlived that. Ray is a test
dependency (`make install` installs the `ray` extra): as root, as CI runs, a missing Ray fails; otherwise the
tests are skipped with the install command.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ray_support.cluster import RayCluster


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _shared_dir(factory: pytest.TempPathFactory) -> Path:
    """The folder every test process of this run shares (xdist workers' base temps have a common parent)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _present_token(cluster: RayCluster) -> None:
    """This process (the driver) uses the cluster's token. Ray reads the settings when first imported; where it
    already was, its cached configuration and token are reloaded (as Ray's own tests do)."""
    os.environ.update(cluster.auth_env())
    if "ray" in sys.modules:
        from ray._raylet import AuthenticationTokenLoader, Config

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayCluster]:
    if importlib.util.find_spec("ray") is None:
        message = "Ray is not installed: make install (pip install -e '.[dev,bench,postgres,ray]')"
        if os.geteuid() == 0:
            pytest.fail(message + " — running as root (as CI does), a missing Ray fails, it is never skipped")
        pytest.skip(message)
    shared = _shared_dir(tmp_path_factory)
    state, lock = shared / "ray-cluster.json", shared / "ray-cluster.lock"
    me = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with _locked(lock):
        if state.exists():
            data = json.loads(state.read_text())
            cluster = RayCluster.from_json(data["cluster"])
        else:
            cluster = RayCluster.create()
            data = {"users": []}
            try:
                cluster.start_head()
                cluster.add_node("node2")
            except BaseException:
                cluster.stop()
                raise
            owner = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
            cluster.start_reaper(owner)
        data["cluster"] = cluster.to_json()
        data["users"].append(me)
        state.write_text(json.dumps(data))
    _present_token(cluster)
    import ray

    try:
        yield cluster
    finally:
        if ray.is_initialized():
            ray.shutdown()
        with _locked(lock):
            data = json.loads(state.read_text())
            data["users"].remove(me)
            if data["users"]:
                state.write_text(json.dumps(data))
            else:
                state.unlink()
                left = cluster.stop()
                assert not left, f"Ray processes left running after the cluster was stopped: {sorted(left)}"


@pytest.fixture
def ray_address(ray_cluster: RayCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared cluster's address, held by this test alone: Ray tests in other test processes wait, so no
    test's work (or a killed node) lands in the middle of another's."""
    with _locked(_shared_dir(tmp_path_factory) / "ray-busy.lock"):
        yield ray_cluster.address

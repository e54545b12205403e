"""Exactly-once under crashes and concurrency, with real worker processes (`pipeline social run --once`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.social import ledger
from pipeline.store import open_store
from tests.social_fakes import Fake, start_x
from tests.social_fakes.setup import ENV, SECRETS, add_due, config_for, write_config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def xfake() -> Iterator[Fake]:
    f = start_x()
    yield f
    f.close()


def _worker(config: Path) -> subprocess.Popen[str]:
    env = {**os.environ, **ENV}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "-vv", "social", "run", "--once", "--config", str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(cond: object, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_kill_9_between_sending_and_reply_then_restart_posts_once(tmp_path: Path, xfake: Fake) -> None:
    path = write_config(tmp_path, {"x": xfake}, request_timeout_s=60.0, sending_lease_s=1.0)
    config = config_for(path)
    store = open_store(config.db_url)
    (item_id,) = add_due(store, "x-main", "x", 1)
    xfake.state.stall_after_store_s = 60.0
    proc = _worker(path)
    _wait(lambda: len(xfake.state.posts) == 1)
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "sending"  # committed before the platform call
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    xfake.state.stall_after_store_s = 0.0
    time.sleep(1.1)  # the dead worker's lease runs out
    second = _worker(path)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "sent", item
    assert len(xfake.state.posts) == 1
    assert xfake.state.post_requests == 1  # reconciled by reading back, never re-posted
    for secret in SECRETS:
        assert secret not in out + err


def test_two_workers_on_200_due_items_post_each_once(tmp_path: Path, xfake: Fake) -> None:
    path = write_config(tmp_path, {"x": xfake}, threads=3)
    config = config_for(path)
    store = open_store(config.db_url)
    ids = add_due(store, "x-main", "x", 200)
    procs = [_worker(path), _worker(path)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert xfake.state.post_requests == 200
    texts = [p["text"] for p in xfake.state.posts]
    assert len(texts) == 200 and len(set(texts)) == 200
    states = {i.state for i in ledger.list_items(store) if i.id in set(ids)}
    assert states == {"sent"}
    for out, err in outputs:
        for secret in SECRETS:
            assert secret not in out + err

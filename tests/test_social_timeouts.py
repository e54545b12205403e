"""Every platform call has a connect and a read timeout, and says in words what went wrong (issue 15).

Three hosts that misbehave on loopback: a fake that reads the post request and never answers, a server that
accepts every connection and never says a word, and a port whose connections never open (an unreachable host).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.social import ledger
from pipeline.social.stage import send_due
from pipeline.store import Store
from tests.social_fakes import Blackhole, Fake, SilentServer, start
from tests.social_fakes.setup import ENV, add_due, config_for, write_config

PLATFORMS = ["x", "mastodon", "bluesky", "threads", "linkedin"]
# The first call each adapter makes, when it is not the post itself (nothing can have been posted by then).
FIRST_CALL = {"bluesky": "login failed", "threads": "container", "linkedin": "who am I (userinfo)"}
POST_CALL = {"threads": "publish request"}  # Threads' post request is its publish


@pytest.fixture(params=PLATFORMS)
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[str, Fake]]:
    f = start(request.param)
    yield request.param, f
    f.close()


def _run(
    tmp_path: Path, platform: str, host: object, timeout_s: float = 0.5, **social: object
) -> tuple[Store, int, float]:
    config = config_for(write_config(tmp_path, {platform: host}, request_timeout_s=timeout_s, **social))  # type: ignore[dict-item]
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    (item_id,) = add_due(store, f"{platform}-main", platform, 1)
    started = time.monotonic()
    send_due(config, store, ENV)
    return store, item_id, time.monotonic() - started


def test_post_request_never_answered_is_unknown_in_words_then_reconciled(
    tmp_path: Path, fake: tuple[str, Fake]
) -> None:
    platform, f = fake
    f.state.hang_posts = 1  # the post request is read, nothing is stored, no answer ever comes
    # The calls around the post (login, container, read-back) must answer within the timeout: 1.5 s leaves a
    # loaded CI machine room for them (at 0.5 s a slow loopback answer would be a second, unplanned timeout).
    store, item_id, elapsed = _run(tmp_path, platform, f, timeout_s=1.5)
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "sent", item  # reconciled in the same pass, sent once
    assert [p["expanded"] for p in f.state.posts] == [item.text]
    unknown = [e for e in ledger.events(store, item_id) if e["to_state"] == "unknown"]
    what = POST_CALL.get(platform, "post request")
    assert [e["note"] for e in unknown] == [f"{what}: no answer within 1.5 s (read timeout)"]
    assert elapsed < 10


@pytest.mark.parametrize("platform", PLATFORMS)
def test_host_that_accepts_and_never_answers_holds_no_call_longer_than_the_timeout(
    tmp_path: Path, platform: str
) -> None:
    silent = SilentServer()
    try:
        store, item_id, elapsed = _run(tmp_path, platform, silent, max_attempts=2)
    finally:
        silent.close()
    item = ledger.get_item(store, item_id)
    assert item is not None
    assert silent.accepted >= 1 and elapsed < 10, elapsed
    if (
        platform in FIRST_CALL
    ):  # login, a container, who-am-I come first: nothing posted, retried, dead-lettered
        assert item.state == "failed"
        assert item.reason.endswith(f"{FIRST_CALL[platform]}: no answer within 0.5 s (read timeout)"), (
            item.reason
        )
    else:  # the post request went out: unknown, and the read-back (also silent) backs off
        assert item.state == "unknown", item
        notes = [e["note"] for e in ledger.events(store, item_id)]
        assert "post request: no answer within 0.5 s (read timeout)" in notes
        assert "no answer within 0.5 s (read timeout); next try in" in item.reason, item.reason


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unreachable_host_is_a_connect_timeout_and_safe_to_retry(tmp_path: Path, platform: str) -> None:
    hole = Blackhole()
    try:
        store, item_id, elapsed = _run(tmp_path, platform, hole, max_attempts=2)
    finally:
        hole.close()
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "failed", item  # never unknown: the connection never opened
    assert "could not connect within 0.5 s (connect timeout)" in item.reason, item.reason
    assert "unknown" not in [e["to_state"] for e in ledger.events(store, item_id)]
    assert elapsed < 10

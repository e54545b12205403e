"""Sending through the real clients (tweepy, Mastodon.py, atproto; `requests` for Threads and LinkedIn) to local
fakes: outcomes land in the ledger."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from pipeline.schema.social import social_items
from pipeline.social import ledger
from pipeline.social.platforms.linkedin import next_midnight_utc
from pipeline.social.stage import reconcile, send_due
from pipeline.store import Store
from tests.social_fakes import Fake, start
from tests.social_fakes.setup import ENV, add_due, config_for, write_config

PLATFORMS = ["x", "mastodon", "bluesky", "threads", "linkedin"]


@pytest.fixture(params=PLATFORMS)
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[str, Fake]]:
    f = start(request.param)
    yield request.param, f
    f.close()


def _setup(tmp_path: Path, platform: str, fake: Fake, **social: object) -> tuple[object, Store]:
    path = write_config(tmp_path, {platform: fake}, **social)
    config = config_for(path)
    return config, Store(f"sqlite:///{tmp_path / 'state.db'}")


def test_sends_each_due_item_once(tmp_path: Path, fake: tuple[str, Fake]) -> None:
    platform, f = fake
    config, store = _setup(tmp_path, platform, f)
    ids = add_due(store, f"{platform}-main", platform, 5)
    stats, _ = send_due(config, store, ENV)  # type: ignore[arg-type]
    assert stats.sent == 5
    assert len(f.state.posts) == 5
    items = [ledger.get_item(store, i) for i in ids]
    assert all(i is not None and i.state == "sent" and i.remote_id for i in items)


def test_store_then_timeout_is_reconciled_not_reposted(tmp_path: Path, fake: tuple[str, Fake]) -> None:
    platform, f = fake
    config, store = _setup(tmp_path, platform, f, request_timeout_s=0.5)
    f.state.stall_after_store_s = 1.5
    (item_id,) = add_due(store, f"{platform}-main", platform, 1)
    send_due(config, store, ENV)  # type: ignore[arg-type]
    after_first = ledger.get_item(store, item_id)
    assert after_first is not None
    # Mastodon settles in the same pass (same Idempotency-Key); X and Bluesky read back.
    f.state.stall_after_store_s = 0.0
    send_due(config, store, ENV)  # type: ignore[arg-type]
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "sent", item
    assert len(f.state.posts) == 1
    states = [e["to_state"] for e in ledger.events(store, item_id)]
    assert "unknown" in states


def test_rate_limit_waits_for_reset_then_succeeds(tmp_path: Path, fake: tuple[str, Fake]) -> None:
    platform, f = fake
    config, store = _setup(tmp_path, platform, f)
    f.state.rate_limit_next = 1
    f.state.reset_after_s = 0.3
    (item_id,) = add_due(store, f"{platform}-main", platform, 1)
    stats, _ = send_due(config, store, ENV)  # type: ignore[arg-type]
    item = ledger.get_item(store, item_id)
    if platform == "linkedin":
        # LinkedIn's limits are per day and reset at midnight UTC (its 429 names no reset): the item waits there.
        assert item is not None and item.state == "approved" and "daily limit" in item.reason
        assert item.next_attempt_at == next_midnight_utc(time.time())
        assert f.state.post_requests == 1 and not f.state.posts
        return
    assert item is not None and item.state == "sent"
    assert stats.rate_limited == 1
    assert f.state.post_requests == 2
    assert len(f.state.posts) == 1


def test_reconcile_settles_the_item_asked_for_and_leaves_older_unknown_items_alone(
    tmp_path: Path, fake: tuple[str, Fake]
) -> None:
    """The web UI's button names one item; an older unknown item on the same account is neither taken nor leased."""
    platform, f = fake
    config, store = _setup(tmp_path, platform, f)
    older, newer = add_due(store, f"{platform}-main", platform, 2, state="unknown")
    with store.begin() as conn:  # the older one is due first, so an unfiltered claim would pick it
        conn.execute(
            update(social_items).where(social_items.c.id == older).values(due_at=social_items.c.due_at - 60)
        )
    item = reconcile(config, store, newer, ENV)  # type: ignore[arg-type]
    # Settled: not on the platform, so queued again (X, Bluesky), or sent under its idempotency key (Mastodon).
    assert item.state == ("sent" if platform == "mastodon" else "approved"), item
    untouched = ledger.get_item(store, older)
    assert untouched is not None and untouched.state == "unknown"
    assert untouched.claimed_by is None

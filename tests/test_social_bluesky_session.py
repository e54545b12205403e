"""Bluesky sessions kept in the store (pipeline/social/sessions.py), on SQLite and PostgreSQL, against a fake PDS
that limits createSession to 30 per 5 minutes, expires access tokens and rotates refresh tokens.

Before sessions were kept, every run (and every sender thread) logged in: of 40 cron runs the 31st met the 429
and the account stopped posting for the rest of the 5-minute window.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.social import ledger
from pipeline.social.sessions import SessionVault, Tokens
from pipeline.social.stage import send_due
from pipeline.social.worker import Worker
from pipeline.store import open_store
from tests.social_fakes import BlueskyFake, start_bluesky
from tests.social_fakes.setup import ENV, add_due, config_for, write_config

ACCOUNT = "bluesky-main"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def _fake(**conf: object) -> Iterator[BlueskyFake]:
    fake = start_bluesky(**conf)
    yield fake
    fake.close()


@pytest.fixture
def bsky() -> Iterator[BlueskyFake]:
    yield from _fake()


def _once(path: Path) -> None:
    assert main(["social", "run", "--once", "--config", str(path)]) == 0


def test_forty_cron_runs_log_in_once_and_no_token_is_printed(
    tmp_path: Path,
    bsky: BlueskyFake,
    db_url: str,
    env: None,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    path = write_config(
        tmp_path, {"bluesky": bsky}, db_url, max_rate_wait_s=0.0
    )  # cron: no waiting out a 429
    store = open_store(config_for(path).db_url)
    for _ in range(40):
        add_due(store, ACCOUNT, "bluesky", 1)
        _once(path)
    assert len(bsky.state.posts) == 40
    assert (bsky.sessions.creates, bsky.sessions.refreshes) == (1, 0)
    assert {i.state for i in ledger.list_items(store)} == {"sent"}
    out = capsys.readouterr()
    seen = caplog.text + out.out + out.err + "".join(i.reason for i in ledger.list_items(store))
    tokens = [*bsky.sessions.access, "bsky-SECRET-app-pw"]
    assert tokens and not [t for t in tokens if t in seen]


def test_an_access_token_the_pds_calls_expired_is_refreshed_not_logged_in_again(
    tmp_path: Path, bsky: BlueskyFake, db_url: str
) -> None:
    config = config_for(write_config(tmp_path, {"bluesky": bsky}, db_url, threads=1))
    store = open_store(config.db_url)
    add_due(store, ACCOUNT, "bluesky", 1)
    send_due(config, store, ENV)
    bsky.sessions.expire_access()  # two hours later on the PDS; our copy of the token does not know
    add_due(store, ACCOUNT, "bluesky", 2)
    stats, _ = send_due(config, store, ENV)
    assert stats.sent == 2 and len(bsky.state.posts) == 3
    assert bsky.sessions.expired_rejections == 1  # one refusal, then the refreshed token for both posts
    assert (bsky.sessions.creates, bsky.sessions.refreshes) == (1, 1)


def test_an_access_token_near_its_expiry_is_refreshed_before_use(tmp_path: Path, db_url: str) -> None:
    for bsky in _fake(access_ttl_s=2.0):
        config = config_for(write_config(tmp_path, {"bluesky": bsky}, db_url))
        store = open_store(config.db_url)
        add_due(store, ACCOUNT, "bluesky", 1)
        send_due(config, store, ENV)
        time.sleep(1.6)  # past half its two-second life
        add_due(store, ACCOUNT, "bluesky", 1)
        send_due(config, store, ENV)
        assert len(bsky.state.posts) == 2
        assert (bsky.sessions.creates, bsky.sessions.refreshes, bsky.sessions.expired_rejections) == (1, 1, 0)


def test_a_refused_refresh_logs_in_again(tmp_path: Path, bsky: BlueskyFake, db_url: str) -> None:
    config = config_for(write_config(tmp_path, {"bluesky": bsky}, db_url))
    store = open_store(config.db_url)
    add_due(store, ACCOUNT, "bluesky", 1)
    send_due(config, store, ENV)
    bsky.sessions.expire_access()
    bsky.sessions.revoke_refresh()
    add_due(store, ACCOUNT, "bluesky", 1)
    stats, _ = send_due(config, store, ENV)
    assert stats.sent == 1 and len(bsky.state.posts) == 2
    assert (bsky.sessions.creates, bsky.sessions.refused_refreshes) == (2, 1)
    add_due(store, ACCOUNT, "bluesky", 1)
    send_due(config, store, ENV)  # the new session was kept
    assert (bsky.sessions.creates, bsky.sessions.refreshes, len(bsky.state.posts)) == (2, 0, 3)


def test_two_workers_at_once_refresh_once(tmp_path: Path, db_url: str) -> None:
    for bsky in _fake(refresh_delay_s=0.5):
        config = config_for(write_config(tmp_path, {"bluesky": bsky}, db_url, threads=2))
        store = open_store(config.db_url)
        add_due(store, ACCOUNT, "bluesky", 1)
        send_due(config, store, ENV)
        bsky.sessions.expire_access()
        add_due(store, ACCOUNT, "bluesky", 8)
        workers = [Worker(config, open_store(config.db_url), ENV) for _ in range(2)]
        start = threading.Barrier(2)

        def run(worker: Worker, start: threading.Barrier = start) -> None:
            start.wait()
            worker.run_once()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sum(w.stats.sent for w in workers) == 8 and len(bsky.state.posts) == 9
        assert (bsky.sessions.creates, bsky.sessions.refreshes, bsky.sessions.refused_refreshes) == (1, 1, 0)
        assert (
            bsky.sessions.expired_rejections >= 2
        )  # both workers (up to four threads) met the expired token


def test_a_crashed_senders_lease_runs_out_and_its_late_save_is_dropped(tmp_path: Path, db_url: str) -> None:
    store = open_store(db_url)
    crashed, other = SessionVault(store, ACCOUNT, "me"), SessionVault(store, ACCOUNT, "me")
    version = crashed.read().version
    assert crashed.take_lease(version, 0.3)
    assert not other.take_lease(version, 5.0)  # held
    time.sleep(0.4)
    assert other.take_lease(version, 5.0)  # ran out: taken over
    assert not crashed.take_lease(version, 5.0)
    assert other.save(Tokens("a.b.c", "d.e.f", {"did": "did:plc:x"})) and not crashed.save(Tokens("x", "y"))
    assert other.read().tokens == Tokens("a.b.c", "d.e.f", {"did": "did:plc:x"})
    assert SessionVault(store, ACCOUNT, "someone else").read().tokens is None  # another handle's: not used

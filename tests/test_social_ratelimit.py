"""429s (issue 15 M2): a reset in the past, a skewed clock or a reset years ahead never parks an item for decades.

Through the real clients against the fakes, whose 429s carry each platform's own headers (X epoch seconds,
Mastodon ISO 8601 with a Date header, Bluesky `ratelimit-reset`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.social import ledger, ratelimit
from pipeline.social.stage import send_due
from pipeline.social.worker import Worker
from pipeline.store import Store
from tests.social_fakes import Fake, start_bluesky, start_mastodon, start_x
from tests.social_fakes.setup import ENV, add_due, config_for, write_config

STARTERS = {"x": start_x, "mastodon": start_mastodon, "bluesky": start_bluesky}
WINDOWS = {"x": ratelimit.X_WINDOW_S, "mastodon": ratelimit.MASTODON_STATUS_WINDOW_S, "bluesky": 86400.0}
FIFTY_YEARS = 50 * 365 * 86400.0


@pytest.fixture(params=["x", "mastodon", "bluesky"])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[str, Fake]]:
    f = STARTERS[request.param]()
    yield request.param, f
    f.close()


def _setup(tmp_path: Path, platform: str, fake: Fake, **social: object) -> tuple[object, Store]:
    config = config_for(write_config(tmp_path, {platform: fake}, **social))
    return config, Store(f"sqlite:///{tmp_path / 'state.db'}")


def test_reset_in_the_past_waits_seconds_then_sends(tmp_path: Path, fake: tuple[str, Fake]) -> None:
    """The audit's case: the reset header names an instant ten minutes ago (it used to mean the year 2083)."""
    platform, f = fake
    config, store = _setup(tmp_path, platform, f)
    f.state.rate_limit_next = 1
    f.state.reset_after_s = -600.0
    (item_id,) = add_due(store, f"{platform}-main", platform, 1)
    started = time.monotonic()
    stats, worker = send_due(config, store, ENV)  # type: ignore[arg-type]
    elapsed = time.monotonic() - started
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "sent", item
    assert stats.rate_limited == 1 and f.state.post_requests == 2 and len(f.state.posts) == 1
    assert elapsed < 60, (
        f"waited {elapsed:.1f} s for a reset that had already passed"
    )  # not minutes (nor 2083)
    assert all(until < time.time() + 60 for until in worker.paused.values())


def test_reset_years_ahead_is_clamped_to_the_platform_window(tmp_path: Path, fake: tuple[str, Fake]) -> None:
    platform, f = fake
    config, store = _setup(
        tmp_path, platform, f, max_rate_wait_s=0.0
    )  # do not wait in-line: look at the plan
    f.state.rate_limit_next = 100  # every post request answers 429 (one token was once not enough in CI)
    f.state.reset_after_s = FIFTY_YEARS
    (item_id,) = add_due(store, f"{platform}-main", platform, 1)
    _stats, worker = send_due(config, store, ENV)  # type: ignore[arg-type]
    after = time.time()  # the 429 came before this: its clamped wait ends within a window of it
    item = ledger.get_item(store, item_id)
    assert item is not None and item.state == "approved" and item.attempts == 0, (item, f.state.post_requests)
    assert item.next_attempt_at <= after + WINDOWS[platform], "parked beyond the platform's window"
    assert worker.paused[f"{platform}-main"] <= after + WINDOWS[platform]


def test_server_clock_an_hour_behind_is_measured_against_its_date_header(tmp_path: Path) -> None:
    """X's reset is an instant on X's clock; one hour behind ours it looked like the past (and meant 2083)."""
    f = start_x()
    try:
        config, store = _setup(tmp_path, "x", f)
        f.state.skew_s = -3600.0
        f.state.rate_limit_next = 1
        f.state.reset_after_s = 1.0
        (item_id,) = add_due(store, "x-main", "x", 1)
        started = time.monotonic()
        send_due(config, store, ENV)  # type: ignore[arg-type]
        item = ledger.get_item(store, item_id)
        assert item is not None and item.state == "sent", item
        assert time.monotonic() - started < 10
    finally:
        f.close()


def test_sane_retry_after_wins_over_an_absurd_reset(tmp_path: Path) -> None:
    f = start_x()
    try:
        config, store = _setup(tmp_path, "x", f)
        f.state.rate_limit_next = 1
        f.state.reset_after_s = FIFTY_YEARS
        f.state.retry_after = "1"
        (item_id,) = add_due(store, "x-main", "x", 1)
        send_due(config, store, ENV)  # type: ignore[arg-type]
        item = ledger.get_item(store, item_id)
        assert item is not None and item.state == "sent", item
    finally:
        f.close()


def test_long_running_worker_resumes_the_account_without_a_restart(tmp_path: Path) -> None:
    f = start_x()
    try:
        config, store = _setup(tmp_path, "x", f, poll_interval_s=0.1, threads=1)
        f.state.rate_limit_next = 1
        f.state.reset_after_s = -3600.0
        ids = add_due(store, "x-main", "x", 2)
        worker = Worker(config, store, ENV)  # type: ignore[arg-type]
        stop = threading.Event()
        runner = threading.Thread(target=worker.run_forever, args=(stop,))
        runner.start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and worker.stats.sent < 2:
                time.sleep(0.05)
        finally:
            stop.set()
            runner.join(timeout=30)
        states = {i.state for i in ledger.list_items(store) if i.id in ids}
        assert states == {"sent"} and worker.stats.rate_limited == 1
        assert len(f.state.posts) == 2
    finally:
        f.close()


def test_once_stops_waiting_when_the_platform_keeps_answering_429(tmp_path: Path) -> None:
    """Each 429 without a usable reset doubles the wait; `--once` ends when the waits would pass max_rate_wait_s."""
    f = start_x()
    try:
        config, store = _setup(tmp_path, "x", f, max_rate_wait_s=5.0)
        f.state.rate_limit_next = 1000
        f.state.reset_after_s = -60.0
        (item_id,) = add_due(store, "x-main", "x", 1)
        started = time.monotonic()
        stats, _ = send_due(config, store, ENV)  # type: ignore[arg-type]
        assert time.monotonic() - started < 15
        assert 2 <= stats.rate_limited <= 4  # waits of 2 s, 4 s: the next (8 s) is over the budget
        item = ledger.get_item(store, item_id)
        assert item is not None and item.state == "approved" and item.attempts == 0
    finally:
        f.close()


# --- the arithmetic, on its own -------------------------------------------------------------------------------


def test_hints_are_read_against_the_servers_date_and_sanity_checked() -> None:
    now = 1_800_000_000.0
    date = "Thu, 01 Jan 2026 00:00:00 GMT"
    server_now = 1767225600.0
    headers = {"x-rate-limit-reset": str(int(server_now + 30)), "Date": date}
    assert ratelimit.hinted_reset(headers, "x-rate-limit-reset", 900, now=now) == pytest.approx(now + 30)
    past = {"x-rate-limit-reset": str(int(now - 600))}
    assert ratelimit.hinted_reset(past, "x-rate-limit-reset", 900, now=now) is None
    iso = {"X-RateLimit-Reset": "2027-01-15T08:00:00.000000Z"}
    assert ratelimit.hinted_reset(iso, "x-ratelimit-reset", 900, now=1_800_000_000.0 + 10) is None  # past
    assert ratelimit.hinted_reset(iso, "x-ratelimit-reset", 900, now=1_800_000_000.0 - 10) == 1_800_000_000.0
    ok = {"Retry-After": "7", "x-rate-limit-reset": "99999999999"}
    assert ratelimit.hinted_reset(ok, "x-rate-limit-reset", 900, now=now) == now + 7
    absurd = {"Retry-After": "99999999"}
    assert ratelimit.hinted_reset(absurd, "x-rate-limit-reset", 900, now=now) is None


def test_retry_at_clamps_and_doubles_without_a_hint() -> None:
    now = 1000.0
    assert ratelimit.retry_at(now, None, 900) == now + ratelimit.FALLBACK_WAIT_S
    assert ratelimit.retry_at(now, None, 900, strikes=3) == now + 8 * ratelimit.FALLBACK_WAIT_S
    assert ratelimit.retry_at(now, None, 900, strikes=30) == now + 900
    assert ratelimit.retry_at(now, now - 5, 900) == now + ratelimit.FALLBACK_WAIT_S
    assert ratelimit.retry_at(now, now + 0.1, 900) == now + ratelimit.MIN_WAIT_S
    assert ratelimit.retry_at(now, now + 1e9, 900) == now + 900
    assert ratelimit.retry_at(now, now + 60, 900) == now + 60

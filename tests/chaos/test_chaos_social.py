"""kill -9 loops of `pipeline social run` against the X, Mastodon, Bluesky, Threads and LinkedIn fakes: 0 duplicates,
0 lost posts, every part of every thread once and in order.

Each round starts a long-running worker process, waits until it has a post request in flight (the fakes stall
some answers after storing the post, so a kill often lands between "stored" and "answered"), and kills it with
SIGKILL. After the last round one clean `run --once` settles what the dead workers left behind: orphaned
`sending` rows become `unknown` and are reconciled. Then every item must be `sent`, exactly once, under the id
the platform gave it.

New items are added whenever few are left, so every round has work to die in the middle of; a third of them are
threads (LinkedIn: a post and its first comment), so kills also land between parts. Bounded for CI
(about 22 s of kill rounds, under 60 s in all); `CHAOS_SOAK=1` runs 200 rounds (or `CHAOS_ROUNDS`);
`CHAOS_SEED` replays a run. The fakes' request limits are raised here: the loop compresses hours of restarts into a
minute, which would test the rate limiter instead of crash safety. Bluesky keeps its real login limits (30 per 5
minutes): every restarted worker takes the session the store keeps, so the loop logs in about once, and the test
says so. Figures are printed (`-s` shows them).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipeline.social import ledger, thread
from pipeline.store import Store, open_store
from tests.social_fakes import start_bluesky, start_linkedin, start_mastodon, start_threads, start_x
from tests.social_fakes.procs import start_worker, wait_until
from tests.social_fakes.setup import add_due, config_for, write_config

pytestmark = pytest.mark.chaos

SOAK = os.environ.get("CHAOS_SOAK") == "1"
ROUNDS = int(os.environ.get("CHAOS_ROUNDS", 200 if SOAK else 14))
ITEMS = 12  # per platform at the start, and again whenever fewer than REFILL_AT are left to send
REFILL_AT = 4
BUDGET_S = 3600.0 if SOAK else 22.0  # for the kill rounds; the settling run comes after
LEASE_S = 1.0
ROOMY = {
    "x": {},
    "mastodon": {"limits": {"api": (100_000, 300.0), "statuses": (100_000, 10800.0)}},
    "bluesky": {},  # the real login limits: restarts reuse the stored session
    "threads": {"limits": {"posts": 100_000, "replies": 100_000}},
    "linkedin": {"limits": {"posts member day": 100_000}},
}


def _add_threads(store: Store, platform: str, n: int, rng: random.Random) -> None:
    """Threads whose every part is unique (X refuses a repeated text), so a duplicate shows as one."""
    for _ in range(n):
        tag = f"{rng.randrange(16**8):08x}"
        text = " ".join(
            f"Thread {tag}, point {k}: strength work keeps bone and muscle at every age, so start slowly."
            for k in range(9)
        )
        comment = f"https://blog.example/t/{tag}/"
        if platform == "linkedin":
            parts = thread.split(platform, text[:900], first_comment=comment).texts
            text = text[:900]
        else:
            parts = thread.split(platform, text, thread=True).texts
        add_due(store, f"{platform}-main", platform, 1, text=text, parts=parts, thread=True)


def _remote_id(platform: str, post: dict[str, Any]) -> str:
    return str(post["uri"] if platform == "bluesky" else post["id"])


def _post_requests(fakes: dict[str, Any]) -> int:
    return sum(f.state.post_requests for f in fakes.values())


def test_kill_9_loop_posts_every_item_exactly_once(tmp_path: Path) -> None:
    seed = int(os.environ.get("CHAOS_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    fakes = {
        "x": start_x(),
        "mastodon": start_mastodon(**ROOMY["mastodon"]),
        "bluesky": start_bluesky(**ROOMY["bluesky"]),
        "threads": start_threads(**ROOMY["threads"]),
        "linkedin": start_linkedin(**ROOMY["linkedin"]),
    }
    try:
        path = write_config(
            tmp_path,
            fakes,
            request_timeout_s=1.0,
            sending_lease_s=LEASE_S,
            reconcile_after_s=0.0,
            backoff_base_s=0.0,
            poll_interval_s=0.05,
            threads=2,
            max_attempts=50,
        )
        store = open_store(config_for(path).db_url)
        kills = 0
        started = time.monotonic()
        for _ in range(ROUNDS):
            if time.monotonic() - started > BUDGET_S:
                break
            for platform in fakes:
                waiting = ledger.list_items(
                    store, account=f"{platform}-main", state=["approved", "sending", "unknown"]
                )
                if len(waiting) < REFILL_AT:
                    add_due(store, f"{platform}-main", platform, ITEMS)
                    _add_threads(store, platform, ITEMS // 3, rng)
            for f in fakes.values():  # often, a post is stored and its answer held back past the kill
                f.state.stall_after_store_s = rng.choice([0.0, 0.3, 0.8, 3.0])
            before = _post_requests(fakes)
            proc = start_worker(path, once=False, verbose=False)
            try:
                wait_until(lambda before=before: _post_requests(fakes) > before, limit=15)  # type: ignore[misc]
                time.sleep(rng.uniform(0.0, 0.6))
            except AssertionError:
                pass  # nothing left that this worker could send yet (leases still running): kill anyway
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate()
            kills += 1
        loop_s = time.monotonic() - started
        for f in fakes.values():
            f.state.stall_after_store_s = 0.0
        time.sleep(LEASE_S + 0.2)  # the last victim's leases run out
        # Settle: clean `run --once` passes until nothing is pending. A read-back that failed in the loop (a
        # victim's answer held back past its timeout) waits out its backoff first; 60 s bounds it all.
        settle_started = time.monotonic()
        outputs = []
        while True:
            settle = start_worker(path)
            out, err = settle.communicate(timeout=120)
            assert settle.returncode == 0, err
            outputs.append(out.strip())
            pending = ledger.list_items(store, state=["approved", "sending", "unknown"])
            if not pending or time.monotonic() - settle_started > 60:
                break
            time.sleep(min(max(min(i.next_attempt_at for i in pending) - time.time(), LEASE_S), 10.0) + 0.1)
        settle_s = time.monotonic() - settle_started
        duplicates: list[str] = []
        lost: list[str] = []
        for platform, f in fakes.items():
            counts = Counter(p["expanded"] for p in f.state.posts)
            duplicates += [f"{platform}: {n} copies of {t!r}" for t, n in counts.items() if n > 1]
            duplicates += [f"{platform} refused a re-post of {t!r}" for t in f.state.refused_texts]
            by_id = {_remote_id(platform, p): p for p in f.state.posts}
            for item in ledger.list_items(store, account=f"{platform}-main"):
                parts = ledger.parts_of(store, item.id)
                texts = [
                    by_id.get(str(parts[i].remote_id), {}).get("expanded") if i in parts else None
                    for i in range(len(item.texts))
                ]
                if item.state != "sent" or texts != item.texts:
                    lost.append(f"{item.id} {platform} {item.state} {item.reason}")
                    continue
                for i in range(1, len(item.texts)):  # every part answers the one before it
                    parent = parts[0 if platform == "linkedin" else i - 1].remote_id
                    if by_id[str(parts[i].remote_id)].get("in_reply_to") != parent:
                        lost.append(f"{item.id} {platform} part {i + 1} is not a reply to part {i}")
            for line in duplicates + lost:  # the ledger's story of each item that went wrong
                for item in ledger.list_items(store, account=f"{platform}-main"):
                    if item.text in line or line.startswith(f"{item.id} "):
                        history = [
                            (round(e["at"] % 1000, 2), e["to_state"], e["note"][:80])
                            for e in ledger.events(store, item.id)
                        ]
                        print(f"{platform} item {item.id}: {history}")
        total = len(ledger.list_items(store))
        parts_total = sum(len(i.texts) for i in ledger.list_items(store))
        orphaned = sum(
            1
            for item in ledger.list_items(store)
            for e in ledger.events(store, item.id)
            if e["note"].startswith("worker lease expired")
        )
        print(
            f"\nchaos social: seed {seed}, {kills} kill -9 rounds in {loop_s:.0f} s, {orphaned} sends orphaned "
            f"mid-flight, {total} items ({parts_total} posts incl. thread parts), duplicates {len(duplicates)}, lost {len(lost)}, "
            f"Bluesky logins {fakes['bluesky'].sessions.creates}; settled in {settle_s:.0f} s "
            f"by {len(outputs)} run(s) ({'; '.join(outputs)})"
        )
        assert kills >= min(ROUNDS, 4), f"only {kills} rounds ran: the loop did not exercise anything"
        # A worker killed between its login and storing the session makes the next one log in again; anything near
        # one login per restart means the session is not kept (and at 30 the platform refuses logins).
        logins = fakes["bluesky"].sessions.creates
        assert 1 <= logins <= 1 + kills // 3, f"{logins} Bluesky logins over {kills} restarts"
        assert duplicates == [], f"seed {seed}: {duplicates[:5]}"
        assert lost == [], f"seed {seed}: {lost[:5]}"
    finally:
        for f in fakes.values():
            f.close()

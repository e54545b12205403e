"""Social sender benchmark: 1,000 items due in the same minute against the local X fake.

Prints `name value unit ratio-vs-anchor`. The anchor is a bare tweepy `create_tweet` loop with no ledger (what a
naive cron script does, with no exactly-once guarantee); ours claims, commits `sending`, posts and commits `sent`
for every item. Two scenarios: a burst (all 1,000 due at one instant: throughput) and the same minute (due times
spread over 60 s: p50/p99 lateness, goal p99 <= 1 s, 0 duplicates). Medians over --repeat runs.

Planning: `--plan-n` items (two languages per article) placed on one account (hourly slots, 16 a day, 60 min
spacing, 180 min between variants) by the indexed `Calendar`; its ratio is against the brute-force reference
planner (tests/social_plan_reference.py, the algorithm before issue 20) on the same `--plan-ref-n` items in the
same run, since the reference needs minutes for thousands. `--only-plan` skips the sender scenarios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tweepy
from sqlalchemy import update

from pipeline.config import SocialAccount
from pipeline.schema.social import social_items
from pipeline.social.platforms.x import PUBLIC_ORIGIN, RebaseAdapter
from pipeline.social.schedule import Calendar
from pipeline.social.worker import Worker
from pipeline.store import Store
from tests.social_fakes import X_SECRETS, start_x
from tests.social_fakes.setup import ENV, add_due, config_for, write_config
from tests.social_plan_reference import ReferenceCalendar

PLAN_ACCOUNT = SocialAccount(
    name="bench",
    platform="x",
    timezone="Europe/Berlin",
    slots={d: [f"{h:02d}:00" for h in range(24)] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    max_per_day=16,
    min_spacing_minutes=60,
    variant_spacing_minutes=180,
)


def planning(n: int, reference: bool = False) -> float:
    """Items placed per second: n items, all due from the same instant (as `pipeline social plan` asks)."""
    calendar = (ReferenceCalendar if reference else Calendar)(PLAN_ACCOUNT)
    now = 1_780_000_000.0
    start = time.perf_counter()
    placed = sum(calendar.place(now, f"article-{i // 2}") is not None for i in range(n))
    elapsed = time.perf_counter() - start
    assert placed == n, f"only {placed} of {n} placed"
    return n / elapsed


def anchor(n: int) -> float:
    fake = start_x()
    client = tweepy.Client(
        consumer_key=X_SECRETS["consumer_key"],
        consumer_secret=X_SECRETS["consumer_secret"],
        access_token=X_SECRETS["token"],
        access_token_secret=X_SECRETS["token_secret"],
    )
    client.session.mount(PUBLIC_ORIGIN + "/", RebaseAdapter(fake.url, 10))
    start = time.perf_counter()
    for i in range(n):
        client.create_tweet(text=f"anchor {i} {time.time()}", user_auth=True)
    elapsed = time.perf_counter() - start
    fake.close()
    return n / elapsed


def ours(n: int, span: float, threads: int) -> tuple[float, float, float, int]:
    fake = start_x()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_config(Path(tmp), {"x": fake}, threads=threads, poll_interval_s=0.02)
        config = config_for(path)
        store = Store(f"sqlite:///{tmp}/state.db")
        ids = add_due(store, "x-main", "x", n, due=1e12)
        t0 = time.time() + 1.0
        with store.begin() as conn:  # set the due times only now, so slow inserts do not count as lateness
            for k, item_id in enumerate(ids):
                conn.execute(
                    update(social_items).where(social_items.c.id == item_id).values(due_at=t0 + span * k / n)
                )
        worker = Worker(config, store, ENV)
        stop = threading.Event()
        runner = threading.Thread(target=worker.run_forever, args=(stop,))
        runner.start()
        deadline = time.time() + span + 300
        while worker.stats.sent < n and time.time() < deadline:
            time.sleep(0.05)
        stop.set()
        runner.join()
        late = sorted(worker.stats.lateness)
        elapsed = max(time.time() - t0 - span, 1e-9)
        dup = fake.state.post_requests - len({p["expanded"] for p in fake.state.posts})
        fake.close()
        store.close()
    p50 = late[len(late) // 2] if late else float("nan")
    p99 = late[min(len(late) - 1, int(len(late) * 0.99))] if late else float("nan")
    throughput = n / (late[-1] + span) if late and span == 0 else n / max(elapsed + span, 1e-9)
    return throughput, p50, p99, dup + (n - len(late))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--span", type=float, default=60.0, help="seconds the due times spread over")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--plan-n", type=int, default=5000)
    ap.add_argument("--plan-ref-n", type=int, default=300)
    ap.add_argument("--only-plan", action="store_true")
    args = ap.parse_args()
    fast_n = statistics.median(planning(args.plan_n) for _ in range(args.repeat))
    fast_ref_n = statistics.median(planning(args.plan_ref_n) for _ in range(args.repeat))
    ref = statistics.median(planning(args.plan_ref_n, reference=True) for _ in range(args.repeat))
    print(f"plan_{args.plan_n}_throughput {fast_n:.0f} items/s -")
    print(f"plan_{args.plan_ref_n}_throughput {fast_ref_n:.0f} items/s {fast_ref_n / ref:.1f} (vs reference)")
    print(f"anchor_reference_plan_{args.plan_ref_n}_throughput {ref:.1f} items/s -")
    if args.only_plan:
        return 0
    anchor_rates = [anchor(args.n) for _ in range(args.repeat)]
    burst = [ours(args.n, 0.0, args.threads) for _ in range(args.repeat)]
    minute = [ours(args.n, args.span, args.threads) for _ in range(args.repeat)]
    a = statistics.median(anchor_rates)
    b = statistics.median(r[0] for r in burst)
    print(f"anchor_naive_tweepy_throughput {a:.1f} posts/s -")
    print(f"burst_throughput {b:.1f} posts/s {b / a:.2f}")
    print(f"burst_p99_lateness {statistics.median(r[2] for r in burst):.3f} s -")
    print(f"minute_p50_lateness {statistics.median(r[1] for r in minute):.3f} s -")
    print(f"minute_p99_lateness {statistics.median(r[2] for r in minute):.3f} s -")
    print(f"duplicates_or_missing {max(r[3] for r in burst + minute)} posts -")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

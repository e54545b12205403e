"""The marketer's calendar and list at 1,000 planned posts (called from bench_web.py; kept apart from the audit's
part of that benchmark so the two can change independently).

1,000 posts on five accounts in five zones, spread over the four weeks from the current one, in every state;
each page is fetched over real HTTP from the real server. Issue 20 asks for the calendar under 300 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable

from pipeline.social import ledger
from tests.web_support.site import Site

LIMIT_MS = 300.0
STATES = ["planned"] * 6 + ["approved"] * 3 + ["sent", "failed", "cancelled"]


def add_planned(site: Site, n: int = 1000, seed: int = 20) -> dt.date:
    """n posts over the next four weeks; returns the Monday of the busiest week (the one the week view shows)."""
    rng = random.Random(seed)
    accounts = site.config.social.accounts
    monday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=dt.datetime.now(dt.UTC).weekday())
    start = dt.datetime.combine(monday, dt.time(), dt.UTC).timestamp()
    rows = []
    for i in range(n):
        acc = accounts[i % len(accounts)]
        rows.append(
            {
                "account": acc.name,
                "platform": acc.platform,
                "translation_key": f"bench/{uuid.uuid4().hex[:10]}",
                "lang": acc.languages[0],
                "campaign": "bench",
                "post_path": f"posts/bench-{i}.md",
                "text": f"Bench post {i}: what the evidence says about sleep, walking and strength https://b.example/{i}/ #Sleep",
                "link_url": f"https://b.example/{i}/",
                "card_title": f"Bench post {i}",
                "card_description": "About sleep.",
                "media_path": None,
                "media_alt": "",
                "truncated": [],
                "state": rng.choice(STATES),
                "due_at": start + rng.uniform(0, 28 * 86400),
                "idempotency_key": uuid.uuid4().hex,
            }
        )
    ledger.insert_items(site.ctx.store, rows)
    return monday


def cases(
    site: Site, get: Callable[[str], bytes], median_ms: Callable[..., float], repeat: int, anchor: float
) -> None:
    started = time.perf_counter()
    monday = add_planned(site)
    middle = monday + dt.timedelta(days=14)  # the month holding most of the four weeks
    print(f"# 1,000 planned posts added in {time.perf_counter() - started:.1f} s")
    pages = [
        ("social_calendar_week_1000_posts", f"/social/calendar?date={monday.isoformat()}&tz=Europe/Berlin"),
        (
            "social_calendar_month_1000_posts",
            f"/social/calendar?view=month&date={middle.isoformat()}&tz=Europe/Berlin",
        ),
        ("social_list_1000_posts", "/social/"),
        ("social_list_search_1000_posts", "/social/?q=walking&state=planned&sort=-due"),
    ]
    for name, path in pages:
        body = get(path).decode()
        shown = body.count('class="cal-item') if "calendar" in name else body.count('class="post-row')
        print(f"# {name}: {shown} posts on the page, {len(body) // 1024} KiB")
        ms = median_ms(lambda path=path: get(path), repeat)
        verdict = "" if "calendar" not in name else (" (under 300 ms)" if ms < LIMIT_MS else " (OVER 300 ms)")
        print(f"{name} {ms:.2f} ms {ms / anchor:.1f}{verdict}")

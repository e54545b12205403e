"""Web UI benchmark: median latency of the main pages over real HTTP against a real server and site.

Prints `name value unit ratio-vs-anchor`. The anchor is the same server answering its static stylesheet (the
floor for any request through Flask and werkzeug); each page's ratio says how many such requests one page costs.
The site is the example blog with two posts translated by a test Argos package, the social plan, and five
nights of validate/crawl history, built with the stages' own functions (tests/web_support).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _web_calendar
from pipeline.social import ledger
from tests.web_support.site import (
    MORE_ACCOUNTS,
    PASSWORD,
    add_users,
    build_site,
    plan_social,
    record_validate_runs,
    serve,
)


def median_ms(fn: Callable[[], object], n: int) -> float:
    fn()  # warm
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--audit-nights", type=int, default=30, help="stored runs of 10,000 findings each")
    parser.add_argument("--only", choices=("pages", "audit"), help="run one part of the benchmark")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.setdefault("PIPELINE_SECRET_KEY", "bench-" + "k" * 40)
    if args.only != "pages":  # the audit at 10,000 findings: its own site and store (bench/web_audit_case.py)
        from bench.web_audit_case import audit_cases

        audit_cases(median_ms, args.repeat, args.audit_nights)
    if args.only == "audit":
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    state = tmp / "state"
    os.environ["PIPELINE_STATE_DIR"] = str(state)
    os.environ.setdefault("PIPELINE_SECRET_KEY", "bench-" + "k" * 40)
    site = build_site(tmp, state, more_config=MORE_ACCOUNTS)
    items = plan_social(site)
    record_validate_runs(site)
    add_users(site)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with serve(site) as url:

        def get(path: str) -> bytes:
            with opener.open(url + path, timeout=30) as resp:
                return bytes(resp.read())

        page = get("/login").decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode({"name": "ada", "password": PASSWORD, "csrf_token": token.group(1)})
        opener.open(url + "/login", data=form.encode(), timeout=30).read()
        token = re.search(r'name="csrf_token" value="([^"]+)"', get("/social/").decode())
        assert token
        item = next(i for i in ledger.list_items(site.ctx.store) if i.state == "planned")
        body = json.dumps({"platform": "x", "text": item.text}).encode()

        def length() -> bytes:
            req = urllib.request.Request(
                url + "/social/length",
                data=body,
                headers={"Content-Type": "application/json", "X-CSRF-Token": token.group(1)},
            )
            with opener.open(req, timeout=30) as resp:
                return bytes(resp.read())

        anchor = median_ms(lambda: get("/static/app.css"), args.repeat)
        print(f"static_stylesheet {anchor:.2f} ms 1.00")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("translate_index", lambda: get("/translate/")),
            ("translate_post_35_segments", lambda: get("/translate/es/post/posts/sleep-and-longevity.md")),
            ("translate_preview", lambda: get("/translate/es/preview/posts/sleep-and-longevity.md")),
            ("social_list", lambda: get("/social/")),
            ("social_calendar_month", lambda: get("/social/calendar?view=month")),
            ("social_item", lambda: get(f"/social/item/{item.id}")),
            ("social_length_json", length),
            ("audit", lambda: get("/audit/")),
        ]
        for name, fn in cases:
            ms = median_ms(fn, args.repeat)
            print(f"{name} {ms:.2f} ms {ms / anchor:.1f}")
        # The post page computes every segment's suggestions as it renders: their in-process share of its time.
        from pipeline.translate import review

        eager = median_ms(
            lambda: review.draft_segments(site.ctx, "posts/sleep-and-longevity.md", "es", suggestions=True), 3
        )
        print(f"all_suggestions_in_process_35_segments {eager:.2f} ms {eager / anchor:.1f}")
        _web_calendar.cases(site, get, median_ms, args.repeat, anchor)  # the marketer's pages at 1,000 posts
    print(f"# {len(items)} ledger items; medians of {args.repeat} requests", file=sys.stderr)


if __name__ == "__main__":
    main()

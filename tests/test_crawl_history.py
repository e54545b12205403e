"""Crawl run history and the external-link cache straight against the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from pipeline.crawl import history
from pipeline.findings import Finding
from pipeline.schema.crawl import crawl_link_cache
from pipeline.store import open_store

SITE = "https://blog.example"


def _broken(path: str) -> Finding:
    return Finding("CRAWL001", "error", None, None, "404 Not Found", url=f"{SITE}{path}")


def test_new_open_and_fixed_are_judged_against_the_last_run_with_the_same_key(db_url: str) -> None:
    store = open_store(db_url)
    first = history.diff(store, SITE, [_broken("/a/"), _broken("/b/")])
    assert first.previous_run is None and len(first.new) == 2
    run_id = history.record_run(store, SITE, [_broken("/a/"), _broken("/b/")], {}, 1.0)
    # Another site's run in between does not count as this site's previous run.
    history.record_run(store, "https://other.example", [], {}, 1.0)
    second = history.diff(store, SITE, [_broken("/b/"), _broken("/c/\x00")])
    assert second.previous_run == run_id
    assert [f.url for f in second.new] == [f"{SITE}/c/\x00"]
    assert [f.url for f in second.open] == [f"{SITE}/b/"]
    assert [f.url for f in second.fixed] == [f"{SITE}/a/"] and second.fixed[0].data["was"] == "error"
    # A NUL from a crawled page is stored (as U+FFFD in text) instead of failing the run on PostgreSQL.
    history.record_run(store, SITE, second.new + second.open, {}, 1.0)
    third = history.diff(store, SITE, [])
    assert sorted(f.url or "" for f in third.fixed) == [f"{SITE}/b/", f"{SITE}/c/\ufffd"]


def test_link_cache_keeps_fresh_results_and_drops_expired_ones(db_url: str) -> None:
    store = open_store(db_url)
    saved = history.save_link_cache(
        store,
        [
            {"url": "https://ext.example/ok", "status": 200, "method": "HEAD"},
            {"url": "https://ext.example/gone", "status": 404, "method": "GET"},
            {"url": "https://ext.example/busy", "status": 429, "method": "GET"},  # says nothing: not kept
            # No HTTP answer, or a server error: the network's or the server's moment, not the link's. Cached,
            # a DNS outage during one nightly run kept every outbound link "broken" for the TTL, a week.
            {"url": "https://ext.example/down", "status": 503, "method": "GET"},
            {"url": "https://gone.invalid/", "status": None, "error": "DNSLookupError: no results"},
        ],
    )
    assert saved == 2
    assert history.save_link_cache(store, [{"url": "https://ext.example/ok", "status": 200}]) == 1  # replaced
    cached = history.load_link_cache(store, ttl_hours=24)
    assert {u: r["status"] for u, r in cached.items()} == {
        "https://ext.example/ok": 200,
        "https://ext.example/gone": 404,
    }
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
    with store.begin() as conn:
        conn.execute(
            update(crawl_link_cache).where(crawl_link_cache.c.url.like("%gone")).values(checked_at=old)
        )
    assert set(history.load_link_cache(store, ttl_hours=24)) == {"https://ext.example/ok"}
    # A row an older version stored without an HTTP answer is checked again, not reused.
    with store.begin() as conn:
        conn.execute(
            crawl_link_cache.insert().values(
                url="https://old.invalid/",
                status=None,
                error="DNSLookupError",
                checked_at=dt.datetime.now(dt.UTC),
            )
        )
    assert "https://old.invalid/" not in history.load_link_cache(store, ttl_hours=24)

"""The audit pages at 10,000 findings per run, over real HTTP against a real server (bench_web.py runs this).

The store holds `--audit-runs` nightly validate runs of 10,000 findings each (5 % fixed and 5 % new from one
night to the next, recorded through the real recorder), so every page compares two runs of 10,000 findings and
the trend has a point per night. Each page's median is printed with its ratio to the same server's stylesheet
(the floor of any request). For scale, `audit_naive_python_in_process` is the way the page used to work: both
runs' findings loaded into Python, diffed and sorted, before any filter or page is applied.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import desc, select, update

from pipeline.schema.core import findings_run, run_findings, runs
from pipeline.store import Store
from tests.web_support.audit import record_bulk
from tests.web_support.site import PASSWORD, add_users, build_site, serve

FINDINGS = 10_000


def naive_python(store: Store) -> int:
    """Load the latest two runs' findings, diff them by fingerprint and sort them: the work per request before."""
    with store.connect() as conn:
        last, prev = conn.execute(select(findings_run()).order_by(desc(runs.c.id)).limit(2)).scalars().all()
        now = conn.execute(select(run_findings).where(run_findings.c.run_id == last)).all()
        before = {
            r.fingerprint: r for r in conn.execute(select(run_findings).where(run_findings.c.run_id == prev))
        }
    seen = {r.fingerprint for r in now}
    rows = [(r, "open" if r.fingerprint in before else "new") for r in now]
    rows += [(r, "fixed") for fp, r in before.items() if fp not in seen]
    rank = {"error": 0, "warning": 1, "info": 2}
    rows.sort(key=lambda x: (x[1] == "fixed", rank.get(x[0].severity, 3), x[0].file or "", x[0].line or 0))
    return len(rows)


def audit_cases(median_ms: Callable[[Callable[[], object], int], float], repeat: int, nights: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-audit-"))
    state = tmp / "state"
    site = build_site(tmp, state, translate=False)
    start = time.perf_counter()
    ids = record_bulk(site.ctx.store, FINDINGS, runs_count=nights)
    stored = time.perf_counter() - start
    now = dt.datetime.now(dt.UTC)
    with site.ctx.store.begin() as conn:
        for back, run_id in enumerate(reversed(ids)):
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(started_at=now - dt.timedelta(days=back))
            )
    add_users(site)
    print(f"# audit store: {nights} runs x {FINDINGS} findings recorded in {stored:.1f} s", file=sys.stderr)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with serve(site) as url:

        def get(path: str) -> bytes:
            with opener.open(url + path, timeout=60) as resp:
                return bytes(resp.read())

        token = re.search(r'name="csrf_token" value="([^"]+)"', get("/login").decode())
        assert token
        form = urllib.parse.urlencode({"name": "ada", "password": PASSWORD, "csrf_token": token.group(1)})
        opener.open(url + "/login", data=form.encode(), timeout=30).read()
        assert b"10000" in get("/audit/") or b"10,000" in get("/audit/")
        anchor = median_ms(lambda: get("/static/app.css"), repeat)
        print(f"audit_static_stylesheet {anchor:.2f} ms 1.00")
        post = urllib.parse.quote("content/es/posts/post-00001.md")
        cases: list[tuple[str, str]] = [
            ("audit_issues_grouped_with_trend", "/audit/"),
            ("audit_issues_filtered_lang_severity", "/audit/?lang=es&severity=warning"),
            ("audit_findings_page_1", "/audit/findings"),
            ("audit_findings_page_150", "/audit/findings?page=150"),
            ("audit_findings_status_new", "/audit/findings?status=new"),
            ("audit_findings_search", "/audit/findings?q=post-0123"),
            ("audit_rule_with_trend", "/audit/rule/READ002"),
            ("audit_pages_by_findings", "/audit/pages"),
            ("audit_one_page_view", f"/audit/page?file={post}"),
            ("audit_export_csv_all_10500_rows", "/audit/export.csv"),
        ]
        for name, path in cases:
            ms = median_ms(lambda p=path: get(p), repeat)  # type: ignore[misc]
            print(f"{name} {ms:.2f} ms {ms / anchor:.1f}")
        naive = median_ms(lambda: naive_python(site.ctx.store), max(3, repeat // 3))
        print(f"audit_naive_python_in_process {naive:.2f} ms {naive / anchor:.1f}")

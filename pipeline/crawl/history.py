"""Run history and the external-link cache, both in the store.

Every crawl is stored (core `runs` + `run_findings`, stage 'crawl', keyed by the crawled origin) so each report
can say what is new, what was fixed and what is still open since the previous run; nightly CI fails only on
new problems (`--fail-on new`) instead of shouting about the same known issue every night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import desc, select

from pipeline.crawl.index import Record
from pipeline.findings import SEVERITY_RANK, Finding
from pipeline.history import store_run
from pipeline.schema.core import findings_run, run_findings, runs
from pipeline.schema.crawl import crawl_link_cache
from pipeline.store import Store, upsert

STAGE = "crawl"


@dataclass
class Diff:
    new: list[Finding] = field(default_factory=list)
    open: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    previous_run: int | None = None

    def summary(self) -> dict[str, int]:
        return {"new": len(self.new), "still_open": len(self.open), "fixed": len(self.fixed)}


def previous_findings(store: Store, history_key: str) -> tuple[int | None, list[Finding]]:
    """Findings of the latest finished crawl with the same history key (the crawled origin, unless the caller
    named the site otherwise)."""
    with store.connect() as conn:
        rows = conn.execute(
            select(runs.c.id, findings_run().label("rows"), runs.c.summary)
            .where(runs.c.stage == STAGE, runs.c.status == "done")
            .order_by(desc(runs.c.id))
            .limit(50)
        ).all()
        last = next((r for r in rows if history_key_of(r.summary or {}) == history_key), None)
        if last is None:
            return None, []
        run_id = int(last.id)
        found = conn.execute(select(run_findings).where(run_findings.c.run_id == last.rows)).all()
    return run_id, [
        Finding(r.rule, r.severity, r.file, r.line, r.message, url=r.url, data=dict(r.data or {}))
        for r in found
    ]


def history_key_of(summary: dict[str, Any]) -> Any:
    """The site a stored crawl run belongs to, for new/fixed: its history key, else its crawled origin. The CLI
    report and the web audit page both compare runs by this, so they agree."""
    return summary.get("history_key") or summary.get("base_url")


def default_history_key(public_base: str, crawl_base: str) -> str:
    """A crawl of a loopback origin other than the public site is a preview build on whatever port it got
    this time: its history is the site's preview history (the key `pipeline run` uses too)."""
    from urllib.parse import urlsplit

    from pipeline.crawl.addresses import kind_of, literal

    host = urlsplit(crawl_base).hostname or ""
    ip = literal(host)
    loopback = host == "localhost" or (ip is not None and kind_of(ip) == "loopback")
    if loopback and crawl_base.rstrip("/") != public_base.rstrip("/"):
        return f"preview of {public_base}"
    return crawl_base


def diff(store: Store, history_key: str, findings: Sequence[Finding]) -> Diff:
    run_id, before = previous_findings(store, history_key)
    old = {f.fingerprint(): f for f in before}
    now = {f.fingerprint() for f in findings}
    out = Diff(previous_run=run_id)
    for f in findings:
        if f.fingerprint() in old:
            f.data["history"] = "open"
            out.open.append(f)
        else:
            f.data["history"] = "new"
            out.new.append(f)
    for fp, f in old.items():
        if fp not in now:
            out.fixed.append(
                Finding(
                    f.rule,
                    "info",
                    f.file,
                    f.line,
                    f"fixed since the last run: {f.message}",
                    url=f.url,
                    data={**f.data, "history": "fixed", "was": f.severity},
                    fixed=True,
                )
            )
    return out


def record_run(
    store: Store,
    base_url: str,
    findings: Iterable[Finding],
    summary: dict[str, Any],
    seconds: float,
    history_key: str | None = None,
) -> int:
    """One crawl run in the shared run history, tagged with the crawled origin and its history key."""
    extra = {"history_key": history_key} if history_key and history_key != base_url else {}
    return store_run(store, STAGE, findings, {"base_url": base_url, **extra, **summary}, seconds)


def fails_on_new(d: Diff) -> bool:
    """`--fail-on new`: any new warning or error."""
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK["warning"] for f in d.new)


# --- external link cache --------------------------------------------------------------------------------


def load_link_cache(store: Store, ttl_hours: int) -> dict[str, Record]:
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(hours=ttl_hours)
    out: dict[str, Record] = {}
    with store.connect() as conn:
        for row in conn.execute(select(crawl_link_cache)):
            checked = row.checked_at if row.checked_at.tzinfo else row.checked_at.replace(tzinfo=dt.UTC)
            # Rows without an HTTP answer or with a server error are stored no more (save_link_cache); those an
            # older version stored are checked again.
            if checked >= cutoff and row.status is not None and row.status < 500:
                out[row.url] = {"url": row.url, "status": row.status, "error": row.error, "cached": True}
    return out


def save_link_cache(store: Store, records: Iterable[Record]) -> int:
    """Store fresh results; rate limits and bot walls are not cached (they say nothing about the link), nor
    redirect loops and over-long chains (their hops are the finding's evidence, and a fix should show at once),
    nor checks that got no HTTP answer or a server error (a DNS or network outage during one nightly run was
    every outbound link "broken" for the cache's whole TTL, a week by default, after the network was back)."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "url": r["url"],
            "status": r.get("status"),
            "method": r.get("method"),
            "error": r.get("error"),
            "checked_at": now,
        }
        for r in records
        if r.get("status") is not None
        and r["status"] != 429
        and r["status"] < 500
        and not r.get("bot_wall")
        and not r.get("loop")
        and not r.get("too_many_hops")
    ]
    if not rows:
        return 0
    with store.begin() as conn:
        upsert(conn, crawl_link_cache, rows, keys=("url",))
    return len(rows)

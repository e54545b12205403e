"""Run history in the store: every validate/crawl run with its findings, so reports can say new / fixed / open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import desc, insert, select, update

from pipeline.findings import Finding
from pipeline.schema.core import count_run, run_findings, runs
from pipeline.stages import Context
from pipeline.store import Store


def store_run(
    store: Store,
    stage: str,
    findings: Iterable[Finding],
    summary: Mapping[str, Any],
    seconds: float | None = None,
) -> int:
    """Store one finished run of `stage` in one transaction; findings marked fixed are not stored. Returns its id."""
    now = dt.datetime.now(dt.UTC)
    with store.begin() as conn:
        key = conn.execute(
            insert(runs).values(stage=stage, started_at=now, status="running", summary=dict(summary))
        ).inserted_primary_key
        if key is None:
            raise RuntimeError("the store returned no id for the new run")
        run_id = int(key[0])
        rows = [
            {
                "run_id": run_id,
                "fingerprint": f.fingerprint(),
                "rule": f.rule,
                "severity": f.severity,
                "file": f.file,
                "line": f.line,
                "url": f.url,
                "lang": f.data.get("lang"),
                "message": f.message,
                "data": {k: v for k, v in f.data.items() if k != "history"},
            }
            for f in findings
            if not f.fixed
        ]
        if rows:
            conn.execute(insert(run_findings), rows)
            count_run(conn, run_id)
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(status="done", seconds=seconds, finished_at=dt.datetime.now(dt.UTC))
        )
    return run_id


def record_run(ctx: Context, stage: str, findings: Iterable[Finding], summary: Mapping[str, Any]) -> int:
    return store_run(ctx.store, stage, findings, summary)


def previous_fingerprints(ctx: Context, stage: str, before_run: int | None = None) -> set[str] | None:
    """Fingerprints of the latest earlier run of `stage` (None when there is none)."""
    query = select(runs.c.id).where(runs.c.stage == stage)
    if before_run is not None:
        query = query.where(runs.c.id < before_run)
    with ctx.store.connect() as conn:
        last = conn.execute(query.order_by(desc(runs.c.id)).limit(1)).scalar()
        if last is None:
            return None
        return set(
            conn.execute(select(run_findings.c.fingerprint).where(run_findings.c.run_id == last)).scalars()
        )

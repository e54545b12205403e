"""Run history in the store: every validate/crawl run with its findings, so reports can say new / fixed / open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import desc, insert, select, update

from pipeline.findings import Finding
from pipeline.schema.core import run_findings, runs
from pipeline.stages import Context


def record_run(ctx: Context, stage: str, findings: Sequence[Finding], summary: Mapping[str, Any]) -> int:
    """Store one finished run; returns its id."""
    now = dt.datetime.now(dt.UTC)
    with ctx.store.begin() as conn:
        key = conn.execute(
            insert(runs).values(stage=stage, started_at=now, status="done", summary=dict(summary))
        ).inserted_primary_key
        assert key is not None
        run_id = key[0]
        if findings:
            conn.execute(
                insert(run_findings),
                [
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
                        "data": f.data,
                    }
                    for f in findings
                ],
            )
        conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=dt.datetime.now(dt.UTC)))
    return int(run_id)


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

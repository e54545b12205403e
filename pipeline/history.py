"""Run history in the store: every validate/crawl run with its findings, so reports can say new / fixed / open."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import desc, insert, literal, select, update

from pipeline.findings import Finding
from pipeline.schema.core import count_run, findings_run, run_counts, run_findings, runs
from pipeline.stages import Context
from pipeline.store import Store, insert_many


def store_run(
    store: Store,
    stage: str,
    findings: Iterable[Finding],
    summary: Mapping[str, Any],
    seconds: float | None = None,
    digest: str | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> int:
    """Store one finished run of `stage` in one transaction; findings marked fixed are not stored. Returns its id.

    When the findings equal those of an earlier run of the stage (same digest), the run refers to that run's
    rows and copies only its per-rule counts: a no-change re-run writes a few rows, not one per finding.
    `digest`: `findings_digest` of these findings, when the caller kept it with them (validate's stored
    whole-site result does), so a no-change run does not spell 60,000 findings out again to compare them.
    `rows`: `finding_rows` of these findings, when the caller made them already (for the digest)."""
    now = dt.datetime.now(dt.UTC)
    findings = list(findings)
    if digest is None:
        rows = finding_rows(findings) if rows is None else rows
        digest = findings_digest(rows)
    with store.begin() as conn:
        same = (
            conn.execute(
                select(findings_run())
                .where(runs.c.stage == stage, runs.c.digest == digest, runs.c.status == "done")
                .order_by(desc(runs.c.id))
                .limit(1)
            ).scalar()
            if digest
            else None
        )
        key = conn.execute(
            insert(runs).values(
                stage=stage,
                started_at=now,
                status="running",
                summary=dict(summary),
                digest=digest,
                findings_of=same,
            )
        ).inserted_primary_key
        if key is None:
            raise RuntimeError("the store returned no id for the new run")
        run_id = int(key[0])
        if same is not None:
            conn.execute(
                insert(run_counts).from_select(
                    ["run_id", "rule", "severity", "lang", "n"],
                    select(
                        literal(run_id),
                        run_counts.c.rule,
                        run_counts.c.severity,
                        run_counts.c.lang,
                        run_counts.c.n,
                    ).where(run_counts.c.run_id == same),
                )
            )
        else:
            rows = finding_rows(findings) if rows is None else rows
            if rows:
                insert_many(
                    conn,
                    run_findings,
                    ("run_id", *_ROW_COLUMNS),
                    [(run_id, *map(r.get, _ROW_COLUMNS)) for r in rows],
                )
                count_run(conn, run_id)
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(status="done", seconds=seconds, finished_at=dt.datetime.now(dt.UTC))
        )
    return run_id


_ROW_COLUMNS = ("fingerprint", "rule", "severity", "file", "line", "url", "lang", "message", "data")


def finding_rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The run_findings columns of each finding (less the run id); findings marked fixed are not stored."""
    return [
        {
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


def findings_digest(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """What makes two runs' stored findings equal: every stored field of every row, in order (None: data the
    digest cannot spell, such as mixed key types; such a run stores its own rows)."""
    try:
        text = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def record_run(
    ctx: Context,
    stage: str,
    findings: Iterable[Finding],
    summary: Mapping[str, Any],
    digest: str | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> int:
    return store_run(ctx.store, stage, findings, summary, digest=digest, rows=rows)


def previous_fingerprints(ctx: Context, stage: str, before_run: int | None = None) -> set[str] | None:
    """Fingerprints of the latest earlier run of `stage` (None when there is none)."""
    query = select(findings_run()).where(runs.c.stage == stage)
    if before_run is not None:
        query = query.where(runs.c.id < before_run)
    with ctx.store.connect() as conn:
        last = conn.execute(query.order_by(desc(runs.c.id)).limit(1)).scalar()
        if last is None:
            return None
        return set(
            conn.execute(select(run_findings.c.fingerprint).where(run_findings.c.run_id == last)).scalars()
        )

"""Validate's store code: per-post results keyed by what they depend on, and the whole-site result for the
no-change fast path (one row whose `path` is the stage's SITE_ROW)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from pipeline.findings import Finding
from pipeline.schema.core import validate_cache
from pipeline.store import Store, upsert


def plain(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "file": f.file,
        "line": f.line,
        "message": f.message,
        "url": f.url,
        "data": f.data,
    }


def load_fresh(store: Store, keys: Mapping[str, str]) -> dict[str, list[Finding]]:
    """Cached findings of the posts (rel → key) whose stored key still matches."""
    out: dict[str, list[Finding]] = {}
    with store.connect() as conn:
        rows = conn.execute(select(validate_cache.c.path, validate_cache.c.key, validate_cache.c.findings))
        for row in rows:
            if keys.get(row.path) == row.key:
                out[row.path] = [Finding(**f) for f in row.findings]
    return out


def save(store: Store, results: Iterable[tuple[str, str, list[dict[str, Any]]]]) -> None:
    """(rel, key, findings as `plain` dicts) for each post analysed this run."""
    rows = [{"path": rel, "key": key, "findings": found} for rel, key, found in results]
    with store.begin() as conn:
        upsert(conn, validate_cache, rows, keys=("path",))


def load_site(store: Store, row_path: str, signature: str) -> dict[str, Any] | None:
    """The stored whole-site result when it was computed for this signature."""
    with store.connect() as conn:
        row = conn.execute(
            select(validate_cache.c.key, validate_cache.c.findings).where(validate_cache.c.path == row_path)
        ).first()
    if row is None or row.key != signature:
        return None
    return dict(row.findings)


def save_site(
    store: Store,
    row_path: str,
    signature: str,
    findings: list[dict[str, Any]],
    counts: dict[str, int],
    notes: list[str] | None = None,
    digest: str | None = None,
) -> None:
    """`findings`: every finding of the run as `plain` dicts. `notes`: the run's one-line notes (rules switched off for some languages), shown again on a no-change run;
    `digest`: the findings' history digest, so the no-change run's history entry refers to the stored rows."""
    row = {
        "path": row_path,
        "key": signature,
        "findings": {
            "findings": findings,
            "counts": counts,
            "notes": notes or [],
            "digest": digest,
        },
    }
    with store.begin() as conn:
        upsert(conn, validate_cache, row, keys=("path",))

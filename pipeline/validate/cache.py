"""Validate's store code: per-post results keyed by what they depend on, and the whole-site result for the
no-change fast path (one row whose `path` is the stage's SITE_ROW)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from pipeline.findings import Finding
from pipeline.schema.core import validate_cache
from pipeline.store import JSONText, Store, upsert


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


def dump(found: Iterable[Finding]) -> JSONText:
    """A post's findings as the JSON its cache row stores: made where the findings are (a pool worker), so the
    parent stores, digests and assembles the whole-site row from text instead of encoding 30,000 findings
    three times. Keys stay in the order the rules wrote them (reports show them so); the same rule writes them
    in the same order, and a row read back keeps it, so equal findings are equal text (the run digest)."""
    return JSONText(
        json.dumps([plain(f) for f in found], ensure_ascii=False, separators=(",", ":"), default=str)
    )


def findings_of(text: str) -> list[Finding]:
    return [Finding(**f) for f in json.loads(text)]


def digest(texts: Iterable[str]) -> str:
    """What makes two validate runs' findings equal: every post's findings text, in order. The run history
    compares it to refer a no-change run to the stored rows of an equal earlier run."""
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return h.hexdigest()


def load_fresh(store: Store, keys: Mapping[str, str]) -> dict[str, list[Finding]]:
    """Cached findings of the posts (rel → key) whose stored key still matches."""
    out: dict[str, list[Finding]] = {}
    with store.connect() as conn:
        rows = conn.execute(select(validate_cache.c.path, validate_cache.c.key, validate_cache.c.findings))
        for row in rows:
            if keys.get(row.path) == row.key:
                out[row.path] = [Finding(**f) for f in row.findings]
    return out


def save(store: Store, results: Iterable[tuple[str, str, JSONText]]) -> None:
    """(rel, key, findings as `dump` made them) for each post analysed this run."""
    rows = [{"path": rel, "key": key, "findings": text} for rel, key, text in results]
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
    texts: Sequence[str],
    counts: dict[str, int],
    notes: list[str] | None = None,
    digest: str | None = None,
) -> None:
    """`texts`: every finding of the run, as `dump` texts (joined here into one list, not encoded again).
    `notes`: the run's one-line notes (rules switched off for some languages), shown again on a no-change run;
    `digest`: the findings' history digest, so the no-change run's history entry refers to the stored rows."""
    findings = ",".join(t[1:-1] for t in texts if t != "[]")
    head = json.dumps({"counts": counts, "notes": notes or [], "digest": digest})
    row = {
        "path": row_path,
        "key": signature,
        "findings": JSONText(f'{head[:-1]}, "findings": [{findings}]}}'),
    }
    with store.begin() as conn:
        upsert(conn, validate_cache, row, keys=("path",))

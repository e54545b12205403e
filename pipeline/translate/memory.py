"""Translation memory in the store (Weblate-style states).

Key = (normalized source template, source lang, target lang). Origin is `machine` or `human`; state moves
machine → needs-review → approved. Machine output never overwrites a human or approved entry: that rule lives
here, in `put_machine`, so no caller can forget it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, select

from pipeline.schema.translate import tm_drafts, tm_entries
from pipeline.store import upsert
from pipeline.translate.qa import blocking
from pipeline.translate.segment import normalize

STATES = ("machine", "needs-review", "approved")


class ApprovalBlocked(ValueError):
    """The segment fails a QA rule that blocks approval (raw HTML, javascript: links); fix the text first."""


def key_of(template: str) -> str:
    return hashlib.sha256(normalize(template).encode("utf-8")).hexdigest()


@dataclass
class Entry:
    key: str
    source: str
    target: str
    origin: str = "machine"
    state: str = "machine"
    model_id: str | None = None
    qa: list[str] = field(default_factory=list)
    fuzzy: dict[str, Any] | None = None
    who: str | None = None

    @property
    def protected(self) -> bool:
        return self.origin == "human" or self.state == "approved"


def _row_entry(row: Any) -> Entry:
    return Entry(
        row.key,
        row.source,
        row.target,
        row.origin,
        row.state,
        row.model_id,
        list(row.qa or []),
        row.fuzzy,
        row.who,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Memory:
    """Memory operations for one language pair inside a caller's transaction."""

    def __init__(self, conn: Connection, src_lang: str, tgt_lang: str) -> None:
        self.conn = conn
        self.src = src_lang
        self.tgt = tgt_lang

    def _where(self, key: str) -> Any:
        return and_(
            tm_entries.c.key == key, tm_entries.c.src_lang == self.src, tm_entries.c.tgt_lang == self.tgt
        )

    def get(self, template: str) -> Entry | None:
        row = self.conn.execute(select(tm_entries).where(self._where(key_of(template)))).first()
        return _row_entry(row) if row else None

    def get_many(self, templates: list[str]) -> dict[str, Entry]:
        keys = list({key_of(t) for t in templates})
        out: dict[str, Entry] = {}
        for i in range(0, len(keys), 500):
            rows = self.conn.execute(
                select(tm_entries).where(
                    tm_entries.c.key.in_(keys[i : i + 500]),
                    tm_entries.c.src_lang == self.src,
                    tm_entries.c.tgt_lang == self.tgt,
                )
            )
            for row in rows:
                out[row.key] = _row_entry(row)
        return out

    def _upsert(self, entry: Entry) -> None:
        values = {
            "source": normalize(entry.source),
            "target": entry.target,
            "origin": entry.origin,
            "state": entry.state,
            "model_id": entry.model_id,
            "qa": entry.qa,
            "fuzzy": entry.fuzzy,
            "who": entry.who,
            "updated_at": _now(),
        }
        row = {"key": entry.key, "src_lang": self.src, "tgt_lang": self.tgt, **values}
        upsert(self.conn, tm_entries, row, keys=("key", "src_lang", "tgt_lang"))

    def put_machine(
        self,
        template: str,
        target: str,
        model_id: str,
        qa: list[str],
        fuzzy: dict[str, Any] | None = None,
    ) -> bool:
        """Store machine output unless a human/approved entry exists; returns whether it was stored."""
        key = key_of(template)
        current = self.get(template)
        if current is not None and current.protected:
            return False
        state = "needs-review" if (qa or fuzzy) else "machine"
        self._upsert(Entry(key, template, target, "machine", state, model_id, qa, fuzzy, None))
        return True

    def put_human(self, template: str, target: str, who: str, qa: list[str], approve: bool = False) -> Entry:
        if approve and blocking(qa):
            raise ApprovalBlocked("; ".join(blocking(qa)))
        state = "approved" if approve else "needs-review"
        entry = Entry(key_of(template), template, target, "human", state, None, qa, None, who)
        self._upsert(entry)
        return entry

    def approve(self, template: str, who: str) -> bool:
        current = self.get(template)
        if current is None:
            return False
        if blocking(current.qa):
            raise ApprovalBlocked("; ".join(blocking(current.qa)))
        current.state = "approved"
        current.who = who
        current.fuzzy = None
        self._upsert(current)
        return True

    def suggestions(self, template: str, limit: int = 3, cutoff: float = 0.6) -> list[dict[str, Any]]:
        """Fuzzy matches from this pair's memory, best first, excluding the exact key.

        Score = normalised InDel similarity, 2·LCS / (len a + len b), computed by rapidfuzz in C++. difflib's
        character matcher gave nearly the same numbers but cost ~30 ms per segment against a 70-entry memory
        and grew with every entry; this stays well under a millisecond on thousands."""
        from rapidfuzz import fuzz, process

        source = normalize(template)
        rows = self.conn.execute(
            select(tm_entries.c.key, tm_entries.c.source, tm_entries.c.target, tm_entries.c.state).where(
                tm_entries.c.src_lang == self.src, tm_entries.c.tgt_lang == self.tgt
            )
        ).all()
        exact = key_of(template)
        choices = {i: row.source for i, row in enumerate(rows) if row.key != exact}
        found = process.extract(source, choices, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=limit)
        scored: list[dict[str, Any]] = []
        for _, score, i in found:
            row = rows[i]
            scored.append(
                {
                    "score": round(score / 100, 3),
                    "source": row.source,
                    "target": row.target,
                    "state": row.state,
                }
            )
        return scored


# --- draft records: what each draft file holds, so hand edits can be told from our own output ---------------


def load_draft_record(conn: Connection, source_rel: str, lang: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(tm_drafts).where(tm_drafts.c.source_rel == source_rel, tm_drafts.c.lang == lang)
    ).first()
    return dict(row._mapping) if row else None


def save_draft_record(
    conn: Connection,
    source_rel: str,
    lang: str,
    draft_rel: str,
    src_lang: str,
    source_hash: str,
    written_hash: str,
    segments: list[dict[str, Any]],
) -> None:
    row = {
        "source_rel": source_rel,
        "lang": lang,
        "draft_rel": draft_rel,
        "src_lang": src_lang,
        "source_hash": source_hash,
        "written_hash": written_hash,
        "segments": segments,
    }
    upsert(conn, tm_drafts, row, keys=("source_rel", "lang"))

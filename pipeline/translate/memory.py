"""Translation memory in the store (Weblate-style states).

Key = (normalized source template, source lang, target lang). Origin is `machine` or `human`; state moves
machine → needs-review → approved. Machine output never overwrites a human or approved entry: that rule lives
here, in `put_machine`, so no caller can forget it. Machine entries keep the engine's confidence; every
engine's output is kept beside the entry (`tm_machine`) as a suggestion, and every write is logged to the
segment's history (`tm_events`) here too, so no path (web, CAT import, hand edit, stage) can skip it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, insert, select

from pipeline.schema.translate import tm_drafts, tm_entries, tm_events, tm_machine
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
    confidence: float | None = None  # the engine's, 0..1 (machine output only)
    engine: str | None = None  # argos | apertium (machine output only)

    @property
    def protected(self) -> bool:
        return self.origin == "human" or self.state == "approved"


@dataclass
class MachineOutput:
    """One engine's translation of a segment, kept as a suggestion whichever engine wrote the draft."""

    engine: str
    model_id: str | None
    target: str
    confidence: float | None
    qa: list[str]


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
        row.confidence,
        row.engine,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Memory:
    """Memory operations for one language pair inside a caller's transaction."""

    def __init__(self, conn: Connection, src_lang: str, tgt_lang: str, where: str | None = None) -> None:
        self.conn = conn
        self.src = src_lang
        self.tgt = tgt_lang
        self.where = where  # the source post a change came from, for the history

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
            "confidence": entry.confidence,
            "engine": entry.engine,
        }
        row = {"key": entry.key, "src_lang": self.src, "tgt_lang": self.tgt, **values}
        upsert(self.conn, tm_entries, row, keys=("key", "src_lang", "tgt_lang"))

    def log(
        self, key: str, who: str, action: str, target: str | None, state: str | None, note: str = ""
    ) -> None:
        """One line of the segment's history."""
        self.conn.execute(
            insert(tm_events).values(
                key=key,
                src_lang=self.src,
                tgt_lang=self.tgt,
                at=time.time(),
                who=who[:100],
                action=action,
                target=target,
                state=state,
                note=note,
                source_rel=self.where,
            )
        )

    def put_machine(
        self,
        template: str,
        target: str,
        model_id: str,
        qa: list[str],
        fuzzy: dict[str, Any] | None = None,
        confidence: float | None = None,
        engine: str | None = None,
    ) -> bool:
        """Store machine output unless a human/approved entry exists; returns whether it was stored."""
        key = key_of(template)
        current = self.get(template)
        if current is not None and current.protected:
            return False
        state = "needs-review" if (qa or fuzzy) else "machine"
        self._upsert(
            Entry(key, template, target, "machine", state, model_id, qa, fuzzy, None, confidence, engine)
        )
        if current is None or current.target != target:
            shown = f" (confidence {confidence:.2f})" if confidence is not None else ""
            self.log(key, f"machine:{engine or model_id}", "machine", target, state, f"{model_id}{shown}")
        return True

    def put_suggestion(self, template: str, out: MachineOutput) -> None:
        """Keep an engine's output for the review screen, whether or not it became the draft's text."""
        row = {
            "key": key_of(template),
            "src_lang": self.src,
            "tgt_lang": self.tgt,
            "engine": out.engine,
            "model_id": out.model_id,
            "target": out.target,
            "confidence": out.confidence,
            "qa": out.qa,
            "at": time.time(),
        }
        upsert(self.conn, tm_machine, row, keys=("key", "src_lang", "tgt_lang", "engine"))

    def machine_outputs(self, keys: list[str]) -> dict[str, list[MachineOutput]]:
        """Every engine's output per key, in engine-name order."""
        out: dict[str, list[MachineOutput]] = {}
        for i in range(0, len(keys), 500):
            rows = self.conn.execute(
                select(tm_machine)
                .where(
                    tm_machine.c.key.in_(keys[i : i + 500]),
                    tm_machine.c.src_lang == self.src,
                    tm_machine.c.tgt_lang == self.tgt,
                )
                .order_by(tm_machine.c.engine)
            )
            for r in rows:
                out.setdefault(r.key, []).append(
                    MachineOutput(r.engine, r.model_id, r.target, r.confidence, list(r.qa or []))
                )
        return out

    def put_human(
        self,
        template: str,
        target: str,
        who: str,
        qa: list[str],
        approve: bool = False,
        action: str = "edit",
        note: str = "",
    ) -> Entry:
        if approve and blocking(qa):
            raise ApprovalBlocked("; ".join(blocking(qa)))
        state = "approved" if approve else "needs-review"
        entry = Entry(key_of(template), template, target, "human", state, None, qa, None, who)
        self._upsert(entry)
        self.log(entry.key, who, action if not approve else f"{action}+approve", target, state, note)
        return entry

    def carry_over(self, template: str, target: str, old: Entry, qa: list[str]) -> None:
        """A person's entry under a new key (the segment's cut changed), state kept unless an error now shows."""
        state = "approved" if old.state == "approved" and not blocking(qa) else "needs-review"
        entry = Entry(key_of(template), template, target, old.origin, state, old.model_id, qa, None, old.who)
        self._upsert(entry)
        self.log(
            entry.key, old.who or "upgrade", "carry-over", target, state, "kept across the new segment cut"
        )

    def approve(self, template: str, who: str, qa: list[str] | None = None) -> bool:
        """Approve the current text; `qa` is the QA that holds now (the stored notes when not given)."""
        current = self.get(template)
        if current is None:
            return False
        notes = current.qa if qa is None else qa
        if blocking(notes):
            raise ApprovalBlocked("; ".join(blocking(notes)))
        if current.state == "approved":
            return True
        current.state = "approved"
        current.who = who
        current.fuzzy = None
        current.qa = notes
        self._upsert(current)
        self.log(current.key, who, "approve", current.target, "approved")
        return True

    def suggestions(self, template: str, limit: int = 3, cutoff: float = 0.6) -> list[dict[str, Any]]:
        """Fuzzy matches from this pair's memory, best first, excluding the exact key (see suggestions_many)."""
        return self.suggestions_many([template], limit, cutoff)[0]

    def suggestions_many(
        self, templates: list[str], limit: int = 3, cutoff: float = 0.6
    ) -> list[list[dict[str, Any]]]:
        """Fuzzy matches for each template, the memory read once for all of them.

        Score = normalised InDel similarity, 2·LCS / (len a + len b), computed by rapidfuzz in C++. difflib's
        character matcher gave nearly the same numbers but cost ~30 ms per segment against a 70-entry memory
        and grew with every entry; this stays well under a millisecond on thousands. Each match says whether a
        person or an engine wrote it (`origin`, `engine`)."""
        from rapidfuzz import fuzz, process

        c = tm_entries.c
        rows = self.conn.execute(
            select(c.key, c.source, c.target, c.state, c.origin, c.engine, c.who).where(
                c.src_lang == self.src, c.tgt_lang == self.tgt
            )
        ).all()
        out: list[list[dict[str, Any]]] = []
        for template in templates:
            exact = key_of(template)
            choices = {i: row.source for i, row in enumerate(rows) if row.key != exact}
            found = process.extract(
                normalize(template), choices, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=limit
            )
            out.append(
                [
                    {
                        "score": round(score / 100, 3),
                        "source": rows[i].source,
                        "target": rows[i].target,
                        "state": rows[i].state,
                        "origin": rows[i].origin,
                        "engine": rows[i].engine,
                        "who": rows[i].who,
                    }
                    for _, score, i in found
                ]
            )
        return out


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

"""What the review workspace keeps beside the memory: history, comments, dismissed warnings, autosaved text.

History and comments are keyed like the memory (the source segment in a language pair), so a sentence used in
two posts shares its history; each row also names the post it came from. A dismissal holds for the exact text
it was made on (its SHA-256): edit the text and the check speaks again. Autosaved text (`tm_wip`) belongs to
one user and one segment of one draft, and remembers the saved text it started from, so the page can say when
someone else saved the segment meanwhile.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from pipeline.schema.translate import tm_comments, tm_dismissals, tm_events, tm_wip
from pipeline.store import upsert

MAX_COMMENT = 4000


@dataclass(frozen=True)
class Event:
    id: int
    at: float
    who: str
    action: str  # machine | edit | approve | edit+approve | revert | import | hand-edit | dismiss
    target: str | None
    state: str | None
    note: str
    source_rel: str | None


@dataclass(frozen=True)
class Comment:
    id: int
    at: float
    who: str
    text: str
    source_rel: str | None


@dataclass(frozen=True)
class Wip:
    text: str
    base: str
    at: float


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(keys: Iterable[str]) -> Iterable[list[str]]:
    unique = list(dict.fromkeys(keys))
    for i in range(0, len(unique), 500):
        yield unique[i : i + 500]


def history(conn: Connection, src: str, tgt: str, keys: Iterable[str]) -> dict[str, list[Event]]:
    """Each key's events, newest first."""
    out: dict[str, list[Event]] = {}
    c = tm_events.c
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(tm_events)
            .where(c.key.in_(chunk), c.src_lang == src, c.tgt_lang == tgt)
            .order_by(c.id.desc())
        )
        for r in rows:
            out.setdefault(r.key, []).append(
                Event(r.id, r.at, r.who, r.action, r.target, r.state, r.note or "", r.source_rel)
            )
    return out


def event(conn: Connection, src: str, tgt: str, key: str, event_id: int) -> Event | None:
    c = tm_events.c
    r = conn.execute(
        select(tm_events).where(c.id == event_id, c.key == key, c.src_lang == src, c.tgt_lang == tgt)
    ).first()
    return Event(r.id, r.at, r.who, r.action, r.target, r.state, r.note or "", r.source_rel) if r else None


def comments(conn: Connection, src: str, tgt: str, keys: Iterable[str]) -> dict[str, list[Comment]]:
    """Each key's comments, oldest first (a conversation reads top down)."""
    out: dict[str, list[Comment]] = {}
    c = tm_comments.c
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(tm_comments).where(c.key.in_(chunk), c.src_lang == src, c.tgt_lang == tgt).order_by(c.id)
        )
        for r in rows:
            out.setdefault(r.key, []).append(Comment(r.id, r.at, r.who, r.text, r.source_rel))
    return out


def add_comment(
    conn: Connection, src: str, tgt: str, key: str, who: str, text: str, source_rel: str | None
) -> None:
    conn.execute(
        insert(tm_comments).values(
            key=key,
            src_lang=src,
            tgt_lang=tgt,
            at=time.time(),
            who=who,
            text=text[:MAX_COMMENT],
            source_rel=source_rel,
        )
    )


def dismissals(
    conn: Connection, src: str, tgt: str, keys: Iterable[str]
) -> dict[str, dict[tuple[str, str], dict[str, object]]]:
    """key → {(rule, text hash): {reason, who, at}}."""
    out: dict[str, dict[tuple[str, str], dict[str, object]]] = {}
    c = tm_dismissals.c
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(tm_dismissals).where(c.key.in_(chunk), c.src_lang == src, c.tgt_lang == tgt)
        )
        for r in rows:
            out.setdefault(r.key, {})[(r.rule, r.target_hash)] = {
                "reason": r.reason,
                "who": r.who,
                "at": r.at,
            }
    return out


def dismiss(
    conn: Connection, src: str, tgt: str, key: str, rule: str, target: str, reason: str, who: str
) -> None:
    row = {
        "key": key,
        "src_lang": src,
        "tgt_lang": tgt,
        "rule": rule,
        "target_hash": text_hash(target),
        "reason": reason[:MAX_COMMENT],
        "who": who,
        "at": time.time(),
    }
    upsert(conn, tm_dismissals, row, keys=("key", "src_lang", "tgt_lang", "rule", "target_hash"))


def wip_for(conn: Connection, who: str, lang: str, source_rel: str) -> dict[str, Wip]:
    c = tm_wip.c
    rows = conn.execute(select(tm_wip).where(c.who == who, c.lang == lang, c.source_rel == source_rel))
    return {r.seg_id: Wip(r.text, r.base, r.at) for r in rows}


def save_wip(
    conn: Connection, who: str, lang: str, source_rel: str, seg_id: str, text: str, base: str
) -> None:
    """Keep what the user typed; `base` (the saved text it started from) is kept from the first autosave."""
    c = tm_wip.c
    old = conn.execute(
        select(tm_wip.c.base).where(
            c.who == who, c.lang == lang, c.source_rel == source_rel, c.seg_id == seg_id
        )
    ).first()
    row = {
        "who": who,
        "lang": lang,
        "source_rel": source_rel,
        "seg_id": seg_id,
        "text": text,
        "base": old.base if old else base,
        "at": time.time(),
    }
    upsert(conn, tm_wip, row, keys=("who", "lang", "source_rel", "seg_id"))


def drop_wip(conn: Connection, who: str, lang: str, source_rel: str, seg_id: str) -> None:
    c = tm_wip.c
    conn.execute(
        delete(tm_wip).where(c.who == who, c.lang == lang, c.source_rel == source_rel, c.seg_id == seg_id)
    )

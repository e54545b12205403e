"""Review operations the web UI (and the exchange import) call: list drafts, show segments with memory
suggestions, glossary hints and QA warnings, save a human edit, approve, and rewrite the draft file.

Every function takes a `Context` and works on one (source post, language) draft at a time; writes go through
the memory (human edits are never overwritten by machine output) and then `rewrite_draft`, which renders the
file from memory and replaces it atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from pipeline.content import Post
from pipeline.fsutil import atomic_write_text
from pipeline.schema.translate import tm_drafts
from pipeline.stages import Context
from pipeline.translate import drafts as d
from pipeline.translate.memory import ApprovalBlocked, Entry, Memory, key_of
from pipeline.translate.qa import blocking, run_qa
from pipeline.translate.segment import Segment


class ReviewError(Exception):
    """The draft or segment does not exist, or the draft cannot be rewritten; the message says which."""


@dataclass
class DraftSummary:
    source_rel: str
    draft_rel: str
    lang: str
    status: str
    total: int
    approved: int
    needs_review: int
    human: int
    qa_warnings: int

    @property
    def progress(self) -> float:
        return self.approved / self.total if self.total else 1.0


@dataclass
class SegmentView:
    id: str
    source: str
    source_template: str
    placeholders: list[str]
    target: str
    target_template: str
    state: str
    origin: str
    qa: list[str]
    fuzzy: dict[str, Any] | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    glossary_hints: list[tuple[str, str]] = field(default_factory=list)


def _records(ctx: Context, lang: str | None = None) -> list[dict[str, Any]]:
    query = select(tm_drafts).order_by(tm_drafts.c.lang, tm_drafts.c.source_rel)
    if lang:
        query = query.where(tm_drafts.c.lang == lang)
    with ctx.store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _record(ctx: Context, source_rel: str, lang: str) -> dict[str, Any]:
    for rec in _records(ctx, lang):
        if rec["source_rel"] == source_rel:
            return rec
    raise ReviewError(f"no draft of {source_rel} in '{lang}'; run `pipeline translate --to {lang}` first")


def list_drafts(ctx: Context, lang: str | None = None) -> list[DraftSummary]:
    """Every draft (optionally of one language) with progress and QA counts."""
    out = []
    for rec in _records(ctx, lang):
        with ctx.store.connect() as conn:
            entries = Memory(conn, rec["src_lang"], rec["lang"]).get_many([s["src"] for s in rec["segments"]])
        seg_entries = [entries[s["key"]] for s in rec["segments"] if s["key"] in entries]
        status, approved = d.status_of(seg_entries)
        out.append(
            DraftSummary(
                rec["source_rel"],
                rec["draft_rel"],
                rec["lang"],
                status,
                len(rec["segments"]),
                approved,
                sum(1 for e in seg_entries if e.state == "needs-review"),
                sum(1 for e in seg_entries if e.origin == "human"),
                sum(len(e.qa) for e in seg_entries),
            )
        )
    return out


def _hints(ctx: Context, lang: str, source: str) -> list[tuple[str, str]]:
    low = source.lower()
    hints = [(t, r) for t, r in ctx.config.translate.glossary.get(lang, {}).items() if t.lower() in low]
    hints += [(t, t) for t in ctx.config.translate.do_not_translate if t.lower() in low]
    return hints


def draft_segments(ctx: Context, source_rel: str, lang: str, suggestions: bool = True) -> list[SegmentView]:
    rec = _record(ctx, source_rel, lang)
    views = []
    with ctx.store.connect() as conn:
        memory = Memory(conn, rec["src_lang"], lang)
        entries = memory.get_many([s["src"] for s in rec["segments"]])
        for s in rec["segments"]:
            seg = Segment(s["id"], s["src"], list(s.get("ph", [])))
            entry = entries.get(s["key"]) or Entry(s["key"], s["src"], s["src"])
            views.append(
                SegmentView(
                    s["id"],
                    seg.source,
                    seg.template,
                    seg.placeholders,
                    seg.render(entry.target),
                    entry.target,
                    entry.state,
                    entry.origin,
                    entry.qa,
                    entry.fuzzy,
                    memory.suggestions(seg.template) if suggestions else [],
                    _hints(ctx, lang, seg.source),
                )
            )
    return views


def _find_seg(rec: dict[str, Any], seg_id: str) -> dict[str, Any]:
    for s in rec["segments"]:
        if s["id"] == seg_id:
            return dict(s)
    raise ReviewError(f"draft {rec['draft_rel']} has no segment '{seg_id}'")


def save_edit(
    ctx: Context, source_rel: str, lang: str, seg_id: str, text: str, who: str, approve: bool = False
) -> SegmentView:
    """Store a human translation given as reader-visible text (markup included), then rewrite the draft."""
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    source_seg = Segment(s["id"], s["src"], list(s.get("ph", [])))
    parts = d.segmenter_for(ctx.config).inline(text, seg_id)
    mine = next((p for p in parts if isinstance(p, Segment)), None)
    if mine is not None and "".join(p if isinstance(p, str) else p.source for p in parts) == text:
        target = d._retemplate(
            Segment(
                seg_id, "".join(p if isinstance(p, str) else p.template for p in parts), mine.placeholders
            ),
            source_seg.placeholders,
        )
    else:
        target = text
    qa = run_qa(source_seg, target, ctx.config.translate.glossary.get(lang))
    refused = blocking(qa) if approve else []
    with ctx.store.begin() as conn:
        Memory(conn, rec["src_lang"], lang).put_human(s["src"], target, who, qa, approve and not refused)
    rewrite_draft(ctx, source_rel, lang)
    if refused:
        raise ReviewError(f"segment {seg_id} saved but not approved: {'; '.join(refused)}")
    return next(v for v in draft_segments(ctx, source_rel, lang, suggestions=False) if v.id == seg_id)


def approve_segment(ctx: Context, source_rel: str, lang: str, seg_id: str, who: str) -> None:
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    try:
        with ctx.store.begin() as conn:
            Memory(conn, rec["src_lang"], lang).approve(s["src"], who)
    except ApprovalBlocked as exc:
        raise ReviewError(f"segment {seg_id} cannot be approved: {exc}") from None
    rewrite_draft(ctx, source_rel, lang)


def approve_all(ctx: Context, source_rel: str, lang: str, who: str) -> int:
    """Approve every segment, or none while one of them fails a blocking QA rule (the message names them)."""
    rec = _record(ctx, source_rel, lang)
    with ctx.store.begin() as conn:
        memory = Memory(conn, rec["src_lang"], lang)
        entries = memory.get_many([s["src"] for s in rec["segments"]])
        refused = [s["id"] for s in rec["segments"] if s["key"] in entries and blocking(entries[s["key"]].qa)]
        if refused:
            raise ReviewError(
                f"nothing approved: segment(s) {', '.join(refused)} contain raw HTML or javascript:/data: links "
                "the source does not have; fix them first"
            )
        count = sum(1 for s in rec["segments"] if memory.approve(s["src"], who))
    rewrite_draft(ctx, source_rel, lang)
    return count


def _source_post(ctx: Context, source_rel: str) -> Post:
    for post in ctx.reload_content().posts:
        if post.rel == source_rel:
            return post
    raise ReviewError(f"source post {source_rel} no longer exists")


def rewrite_draft(ctx: Context, source_rel: str, lang: str) -> str:
    """Import any hand edits in the file, render the draft from memory, replace the file atomically."""
    from pipeline.translate.memory import save_draft_record

    rec = _record(ctx, source_rel, lang)
    post = _source_post(ctx, source_rel)
    plan = d.plan_post(post, lang, ctx.config)
    with ctx.store.begin() as conn:
        memory = Memory(conn, rec["src_lang"], lang)
        aligned, _ = d.import_hand_edits(plan, rec, memory, ctx.config)
        if not aligned:
            raise ReviewError(f"{plan.draft_rel} was restructured by hand; cannot rewrite it safely")
        entries = memory.get_many([s.template for s in plan.segments])
        missing = [s.id for s in plan.segments if key_of(s.template) not in entries]
        if missing:
            raise ReviewError(
                f"source changed since the last run ({len(missing)} new segments); run `pipeline translate --to {lang}`"
            )
        text, records, _ = d.render(plan, entries, ctx.config)
        atomic_write_text(plan.draft_path, text)
        save_draft_record(
            conn,
            plan.post.rel,
            plan.lang,
            plan.draft_rel,
            rec["src_lang"],
            plan.post.hash,
            d.text_hash(text),
            records,
        )
    return text

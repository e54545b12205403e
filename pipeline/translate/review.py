"""Review operations the web UI (and the exchange import) call: list drafts, show segments, save a human edit,
approve behind the QA gate, dismiss a warning, revert, comment, autosave, and rewrite the draft file.

Every function takes a `Context` and works on one (source post, language) draft at a time; writes go through
the memory (human edits are never overwritten by machine output, every write lands in the segment's history)
and then `rewrite_draft`, which renders the file from memory and replaces it atomically.

The rules a translator can rely on:
- an edit arrives as a template (`⟦n⟧` for the source's markup); one with a missing, extra, unknown or broken
  placeholder is refused whole (TQA003) and never reaches the memory or the draft;
- approval is a gate: a segment with an open issue (an error, or a warning nobody dismissed with a reason) is
  not approved, one at a time or all at once; "approve all" approves the others and says which it skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pipeline.content import Post
from pipeline.fsutil import atomic_write_text
from pipeline.schema.translate import tm_drafts
from pipeline.stages import Context
from pipeline.translate import drafts as d
from pipeline.translate import notes
from pipeline.translate.memory import ApprovalBlocked, Entry, Memory, key_of
from pipeline.translate.qa import BY_ID, placeholder_problems
from pipeline.translate.segment import Segment
from pipeline.translate.workspace import SegmentView, judge, machine_rows, memory_rows


class ReviewError(Exception):
    """The draft or segment does not exist, the edit is refused, or the draft cannot be rewritten."""


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
    qa_warnings: int  # open issues (errors + undismissed warnings), judged now
    qa_errors: int = 0
    machine: int = 0

    @property
    def progress(self) -> float:
        return self.approved / self.total if self.total else 1.0


def _records(ctx: Context, lang: str | None = None) -> list[dict[str, Any]]:
    query = select(tm_drafts).order_by(tm_drafts.c.lang, tm_drafts.c.source_rel)
    if lang:
        query = query.where(tm_drafts.c.lang == lang)
    with ctx.store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _record(ctx: Context, source_rel: str, lang: str) -> dict[str, Any]:
    with ctx.store.connect() as conn:
        row = conn.execute(
            select(tm_drafts).where(tm_drafts.c.source_rel == source_rel, tm_drafts.c.lang == lang)
        ).first()
    if row is None:
        raise ReviewError(f"no draft of {source_rel} in '{lang}'; run `pipeline translate --to {lang}` first")
    return dict(row._mapping)


def _segment(s: dict[str, Any]) -> Segment:
    return Segment(s["id"], s["src"], list(s.get("ph", [])), "meta" if s["id"].startswith("fm:") else "body")


def _glossary(ctx: Context, lang: str) -> dict[str, str]:
    return ctx.config.translate.glossary.get(lang, {})


def list_drafts(ctx: Context, lang: str | None = None) -> list[DraftSummary]:
    """Every draft (optionally of one language) with progress and QA counts, QA judged against today's config."""
    return [_summary(ctx, rec) for rec in _records(ctx, lang)]


def draft_paths(ctx: Context, lang: str) -> dict[str, str]:
    """Draft file (relative to the content folder) → its source post, for one language; no QA run."""
    return {rec["draft_rel"]: rec["source_rel"] for rec in _records(ctx, lang)}


def draft_summary(ctx: Context, source_rel: str, lang: str) -> DraftSummary:
    return _summary(ctx, _record(ctx, source_rel, lang))


def _summary(ctx: Context, rec: dict[str, Any]) -> DraftSummary:
    views = _views(ctx, rec, extras=False)
    status = d.status_of([Entry(v.key, "", "", v.origin, v.state) for v in views])[0]
    return DraftSummary(
        rec["source_rel"],
        rec["draft_rel"],
        rec["lang"],
        status,
        len(views),
        sum(1 for v in views if v.state == "approved"),
        sum(1 for v in views if v.state == "needs-review"),
        sum(1 for v in views if v.origin == "human"),
        sum(len(v.open_issues) for v in views),
        sum(len(v.errors) for v in views),
        sum(1 for v in views if v.state == "machine"),
    )


def _hints(ctx: Context, lang: str, source: str) -> list[tuple[str, str]]:
    """Glossary and do-not-translate terms in the source, as whole words (as the glossary check matches)."""

    def found(term: str) -> bool:
        return (
            bool(term.strip())
            and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", source, re.IGNORECASE) is not None
        )

    hints = [(t, r) for t, r in _glossary(ctx, lang).items() if found(t)]
    hints += [(t, t) for t in ctx.config.translate.do_not_translate if found(t)]
    return hints


def _views(
    ctx: Context, rec: dict[str, Any], extras: bool = True, who: str | None = None, only: str | None = None
) -> list[SegmentView]:
    """The draft's segments as the workspace shows them (`extras`: suggestions, history, comments)."""
    lang, src = rec["lang"], rec["src_lang"]
    segs = [s for s in rec["segments"] if only is None or s["id"] == only]
    glossary = _glossary(ctx, lang)
    views: list[SegmentView] = []
    with ctx.store.connect() as conn:
        memory = Memory(conn, src, lang)
        keys = [s["key"] for s in segs]
        entries = memory.get_many([s["src"] for s in segs])
        dismissed = notes.dismissals(conn, src, lang, keys)
        machine = memory.machine_outputs(keys) if extras else {}
        fuzzy = memory.suggestions_many([s["src"] for s in segs]) if extras else [[] for _ in segs]
        history = notes.history(conn, src, lang, keys) if extras else {}
        comments = notes.comments(conn, src, lang, keys) if extras else {}
        wip = notes.wip_for(conn, who, lang, rec["source_rel"]) if extras and who else {}
    for s, found in zip(segs, fuzzy, strict=True):
        seg = _segment(s)
        entry = entries.get(s["key"]) or Entry(s["key"], s["src"], s["src"])
        views.append(
            SegmentView(
                seg.id,
                seg.kind,
                seg.template,
                seg.placeholders,
                entry.target,
                entry.state,
                entry.origin,
                entry.engine,
                entry.confidence,
                entry.who,
                judge(seg, entry, glossary, dismissed.get(s["key"], {})),
                entry.fuzzy,
                _hints(ctx, lang, seg.source),
                machine_rows(sorted(machine.get(s["key"], []), key=lambda o: o.engine != entry.engine), seg),
                memory_rows(found, seg),
                history.get(s["key"], []),
                comments.get(s["key"], []),
                wip.get(seg.id),
                s["key"],
            )
        )
    return views


def draft_segments(
    ctx: Context, source_rel: str, lang: str, suggestions: bool = True, who: str | None = None
) -> list[SegmentView]:
    return _views(ctx, _record(ctx, source_rel, lang), extras=suggestions, who=who)


def segment_view(
    ctx: Context, source_rel: str, lang: str, seg_id: str, who: str | None = None
) -> SegmentView:
    views = _views(ctx, _record(ctx, source_rel, lang), extras=True, who=who, only=seg_id)
    if not views:
        raise ReviewError(f"draft of {source_rel} in '{lang}' has no segment '{seg_id}'")
    return views[0]


def _find_seg(rec: dict[str, Any], seg_id: str) -> dict[str, Any]:
    for s in rec["segments"]:
        if s["id"] == seg_id:
            return dict(s)
    raise ReviewError(f"draft {rec['draft_rel']} has no segment '{seg_id}'")


def check_template(seg: Segment, template: str) -> None:
    """Refuse an edit whose placeholders do not match the source's: it would break the post's markup."""
    problems = placeholder_problems(seg, template)
    if problems:
        raise ReviewError(
            f"segment {seg.id} not saved — placeholders: {'; '.join(problems)} (TQA003). Each ⟦n⟧ stands "
            "for the source's markup; keep every one exactly once"
        )


def _refusals(view: SegmentView) -> str:
    return "; ".join(f"{i.rule} {i.name}: {i.message}" for i in view.open_issues)


def save_edit(
    ctx: Context,
    source_rel: str,
    lang: str,
    seg_id: str,
    template: str,
    who: str,
    approve: bool = False,
    action: str = "edit",
    note: str = "",
) -> SegmentView:
    """Store a human translation (a template with ⟦n⟧ placeholders), rewrite the draft, drop the autosave.

    With `approve`, the segment is approved only when no issue stays open; otherwise it is saved and the
    ReviewError says what blocks the approval."""
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    seg = _segment(s)
    if not template.strip():
        raise ReviewError(f"segment {seg_id} not saved: a translation cannot be empty")
    check_template(seg, template)
    from pipeline.translate.qa import run_qa

    qa = run_qa(seg, template, _glossary(ctx, lang))
    with ctx.store.begin() as conn:
        memory = Memory(conn, rec["src_lang"], lang, where=source_rel)
        memory.put_human(s["src"], template, who, qa, False, action, note)
        notes.drop_wip(conn, who, lang, source_rel, seg_id)
    view = segment_view(ctx, source_rel, lang, seg_id, who)
    if approve:
        if not view.can_approve:
            rewrite_draft(ctx, source_rel, lang)
            raise ReviewError(f"segment {seg_id} saved but not approved: {_refusals(view)}")
        with ctx.store.begin() as conn:
            Memory(conn, rec["src_lang"], lang, where=source_rel).approve(s["src"], who, view.qa)
        view = segment_view(ctx, source_rel, lang, seg_id, who)
    rewrite_draft(ctx, source_rel, lang)
    return view


def approve_segment(ctx: Context, source_rel: str, lang: str, seg_id: str, who: str) -> None:
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    view = segment_view(ctx, source_rel, lang, seg_id)
    if not view.can_approve:
        raise ReviewError(
            f"segment {seg_id} cannot be approved: {_refusals(view)} — fix the text, or dismiss a warning with "
            "a reason"
        )
    try:
        with ctx.store.begin() as conn:
            Memory(conn, rec["src_lang"], lang, where=source_rel).approve(s["src"], who, view.qa)
    except ApprovalBlocked as exc:
        raise ReviewError(f"segment {seg_id} cannot be approved: {exc}") from None
    rewrite_draft(ctx, source_rel, lang)


@dataclass
class ApprovalPlan:
    """What "approve all" would do: approve `ready`, skip `skipped` (with their open issues)."""

    ready: list[SegmentView]
    skipped: list[SegmentView]
    already: int


def approval_plan(ctx: Context, source_rel: str, lang: str) -> ApprovalPlan:
    views = _views(ctx, _record(ctx, source_rel, lang), extras=False)
    todo = [v for v in views if v.state != "approved"]
    return ApprovalPlan(
        [v for v in todo if v.can_approve], [v for v in todo if not v.can_approve], len(views) - len(todo)
    )


def approve_all(ctx: Context, source_rel: str, lang: str, who: str) -> tuple[int, list[SegmentView]]:
    """Approve every segment with no open issue; returns (how many were approved, the segments skipped)."""
    rec = _record(ctx, source_rel, lang)
    plan = approval_plan(ctx, source_rel, lang)
    by_id = {s["id"]: s for s in rec["segments"]}
    with ctx.store.begin() as conn:
        memory = Memory(conn, rec["src_lang"], lang, where=source_rel)
        for view in plan.ready:
            memory.approve(by_id[view.id]["src"], who, view.qa)
    if plan.ready:
        rewrite_draft(ctx, source_rel, lang)
    return len(plan.ready), plan.skipped


def dismiss(ctx: Context, source_rel: str, lang: str, seg_id: str, rule: str, reason: str, who: str) -> None:
    """Record that a warning does not apply to this exact text, and why; an error cannot be dismissed."""
    reason = " ".join(reason.split())
    if not reason:
        raise ReviewError("say why the warning does not apply: a dismissal needs a reason")
    if rule in BY_ID and BY_ID[rule].severity == "error":
        raise ReviewError(f"{rule} is an error, not a warning: fix the text instead")
    rec = _record(ctx, source_rel, lang)
    view = segment_view(ctx, source_rel, lang, seg_id)
    if not any(i.rule == rule and i.open for i in view.issues):
        raise ReviewError(f"segment {seg_id} has no open {rule} warning")
    with ctx.store.begin() as conn:
        notes.dismiss(conn, rec["src_lang"], lang, view.key, rule, view.target_template, reason, who)
        Memory(conn, rec["src_lang"], lang, where=source_rel).log(
            view.key, who, "dismiss", None, view.state, f"{rule}: {reason}"
        )


def revert(ctx: Context, source_rel: str, lang: str, seg_id: str, event_id: int, who: str) -> SegmentView:
    """Make an earlier text of the segment (from its history) the current one, as a human edit."""
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    with ctx.store.connect() as conn:
        past = notes.event(conn, rec["src_lang"], lang, s["key"], event_id)
    if past is None or past.target is None:
        raise ReviewError(f"segment {seg_id} has no earlier text #{event_id} to go back to")
    return save_edit(ctx, source_rel, lang, seg_id, past.target, who, action="revert", note=f"to #{event_id}")


def comment(ctx: Context, source_rel: str, lang: str, seg_id: str, text: str, who: str) -> None:
    text = text.strip()
    if not text:
        raise ReviewError("a comment cannot be empty")
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    with ctx.store.begin() as conn:
        notes.add_comment(conn, rec["src_lang"], lang, s["key"], who, text, source_rel)


def autosave(ctx: Context, source_rel: str, lang: str, seg_id: str, text: str, who: str) -> None:
    """Keep what the user typed into a segment without saving it as a translation."""
    rec = _record(ctx, source_rel, lang)
    s = _find_seg(rec, seg_id)
    with ctx.store.begin() as conn:
        entry = Memory(conn, rec["src_lang"], lang).get(s["src"])
        saved = entry.target if entry else s["src"]
        if text == saved:
            notes.drop_wip(conn, who, lang, source_rel, seg_id)
        else:
            notes.save_wip(conn, who, lang, source_rel, seg_id, text, saved)


def discard(ctx: Context, source_rel: str, lang: str, seg_id: str, who: str) -> None:
    with ctx.store.begin() as conn:
        notes.drop_wip(conn, who, lang, source_rel, seg_id)


def stale_segments(ctx: Context, source_rel: str, lang: str) -> int:
    """Segments of the source post that changed since the draft was made (0 when the post is gone)."""
    rec = _record(ctx, source_rel, lang)
    post = next((p for p in ctx.content.posts if p.rel == source_rel), None)
    if post is None or post.hash == rec["source_hash"]:
        return 0
    plan = d.plan_post(post, lang, ctx.config)
    recorded = {s["key"] for s in rec["segments"]}
    return sum(1 for s in plan.segments if key_of(s.template) not in recorded) or 1


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
        memory = Memory(conn, rec["src_lang"], lang, where=source_rel)
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

"""Translator pages: drafts by language, one post's segments side by side, save/approve, and a preview.

All work goes through `pipeline.translate.review`, the same functions the XLIFF/PO import uses, so a save here
lands in the translation memory as a human edit and the draft file is rewritten atomically from the memory.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from pipeline.content import ContentError, parse_post
from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.translate import review
from pipeline.translate.memory import Memory
from pipeline.translate.segment import Segment
from pipeline.web.common import config, ctx, require, user
from pipeline.web.render import markdown_html

bp = Blueprint("translate", __name__, url_prefix="/translate")


def _allowed(lang: str) -> None:
    if not user().may_translate(lang):
        abort(403, description=f"You are not assigned to translate into '{lang}'.")


def _lang_name(lang: str) -> str:
    conf = config().site.languages.get(lang)
    return conf.name if conf and conf.name else lang


@bp.route("/")
@require("translate")
def index() -> Any:
    drafts = [d for d in review.list_drafts(ctx()) if user().may_translate(d.lang)]
    by_lang: dict[str, list[review.DraftSummary]] = defaultdict(list)
    for d in drafts:
        by_lang[d.lang].append(d)
    groups = [
        {
            "lang": lang,
            "name": _lang_name(lang),
            "drafts": items,
            "approved": sum(d.approved for d in items),
            "total": sum(d.total for d in items),
        }
        for lang, items in sorted(by_lang.items())
    ]
    return render_template("translate_index.html", groups=groups)


def _summary(source_rel: str, lang: str) -> review.DraftSummary:
    for d in review.list_drafts(ctx(), lang):
        if d.source_rel == source_rel:
            return d
    abort(404, description=f"No {lang} draft of {source_rel}. Run `pipeline translate --to {lang}` first.")


@bp.route("/<lang>/post/<path:source_rel>")
@require("translate")
def post(lang: str, source_rel: str) -> Any:
    _allowed(lang)
    summary = _summary(source_rel, lang)
    try:
        # Suggestions are fetched per segment on demand: a fuzzy scan of the memory for every segment of a
        # long post takes seconds, and most segments never need one.
        segments = review.draft_segments(ctx(), source_rel, lang, suggestions=False)
    except review.ReviewError as exc:
        abort(404, description=str(exc))
    return render_template(
        "translate_post.html",
        summary=summary,
        segments=segments,
        lang=lang,
        lang_name=_lang_name(lang),
        src_lang=config().site.default_language,
        direction=config().site.direction(lang),
    )


def _back(lang: str, source_rel: str, seg_id: str | None = None) -> Any:
    anchor = f"seg-{seg_id}" if seg_id else None
    return redirect(url_for("translate.post", lang=lang, source_rel=source_rel, _anchor=anchor))


@bp.route("/<lang>/save/<path:source_rel>", methods=["POST"])
@require("translate")
def save(lang: str, source_rel: str) -> Any:
    _allowed(lang)
    seg_id = request.form.get("segment", "")
    text = request.form.get("target", "")
    approve = request.form.get("action") == "approve"
    if not text.strip():
        flash("A translation cannot be empty; nothing was saved.", "error")
        return _back(lang, source_rel, seg_id)
    try:
        view = review.save_edit(
            ctx(), source_rel, lang, seg_id, text.replace("\r\n", "\n"), user().name, approve
        )
    except review.ReviewError as exc:
        flash(str(exc), "error")
        return _back(lang, source_rel, seg_id)
    note = " and approved" if approve else ""
    warn = f" QA: {'; '.join(view.qa)}" if view.qa else ""
    flash(f"Segment {seg_id} saved{note}.{warn}", "warning" if view.qa else "ok")
    return _back(lang, source_rel, seg_id)


@bp.route("/<lang>/approve/<path:source_rel>", methods=["POST"])
@require("translate")
def approve(lang: str, source_rel: str) -> Any:
    _allowed(lang)
    seg_id = request.form.get("segment", "")
    try:
        if seg_id:
            review.approve_segment(ctx(), source_rel, lang, seg_id, user().name)
            flash(f"Segment {seg_id} approved.", "ok")
        else:
            count = review.approve_all(ctx(), source_rel, lang, user().name)
            flash(f"{count} segment(s) approved.", "ok")
    except review.ReviewError as exc:
        flash(str(exc), "error")
    return _back(lang, source_rel, seg_id or None)


@bp.route("/<lang>/preview/<path:source_rel>")
@require("translate")
def preview(lang: str, source_rel: str) -> Any:
    _allowed(lang)
    summary = _summary(source_rel, lang)
    cfg = config()
    try:
        path = safe_join(cfg.content_root, summary.draft_rel)
        raw = path.read_bytes()
        draft = parse_post(raw, path, cfg.content_root, default_lang=lang)
    except (UnsafePathError, OSError, ContentError) as exc:
        abort(404, description=f"Cannot read the draft {summary.draft_rel}: {exc}")
    return render_template(
        "translate_preview.html",
        summary=summary,
        post=draft,
        body=markdown_html(draft.body),
        lang=lang,
        direction=cfg.site.direction(lang),
    )


@bp.route("/<lang>/suggest/<path:source_rel>")
@require("translate")
def suggest(lang: str, source_rel: str) -> Any:
    """Memory suggestions for one segment: JSON for the page's script, a small page without it."""
    _allowed(lang)
    seg_id = request.args.get("segment", "")
    try:
        views = review.draft_segments(ctx(), source_rel, lang, suggestions=False)
    except review.ReviewError as exc:
        abort(404, description=str(exc))
    view = next((v for v in views if v.id == seg_id), None)
    if view is None:
        abort(404, description=f"No segment '{seg_id}' in this draft.")
    with ctx().store.connect() as conn:
        found = Memory(conn, config().site.default_language, lang).suggestions(view.source_template)
    for sug in found:
        # Show suggestions with this segment's own markup (links, code) put back in place.
        sug["text"] = _render_with(view, str(sug["target"]))
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"segment": seg_id, "suggestions": found})
    return render_template(
        "translate_suggest.html", view=view, suggestions=found, lang=lang, source_rel=source_rel
    )


def _render_with(view: review.SegmentView, template: str) -> str:
    return Segment(view.id, view.source_template, view.placeholders).render(template)

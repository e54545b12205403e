"""Translator pages: drafts by language and the review workspace of one draft.

The workspace is one form for the whole page: every button posts every segment's text, so an edit in one
segment survives a save (or a refusal) in another — the server keeps whatever was typed and not saved as the
user's autosaved text (`tm_wip`), and the page shows it again. The page script makes the same requests with
`Accept: application/json`, replaces only the segment acted on, and autosaves while typing; without it
everything still works by plain form posts. All work goes through `pipeline.translate.review`, the same
functions the XLIFF/PO import uses.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from pipeline.translate import review
from pipeline.translate.qa import BY_ID, ENGINE_NOTES
from pipeline.translate.workspace import Filters, SegmentView
from pipeline.web.common import config, ctx, require, user

bp = Blueprint("translate", __name__, url_prefix="/translate")
ACTIONS = ("save", "next", "approve", "dismiss", "revert", "comment", "use", "discard", "keep")
SHORTCUTS = (
    ("Ctrl+S", "Save this segment"),
    ("Ctrl+Enter", "Save and go to the next segment"),
    ("Ctrl+Shift+Enter", "Save and approve (when no QA issue is open)"),
    ("Alt+↓ / Alt+↑", "Next / previous segment"),
    ("Alt+C", "Copy the source (with its placeholders) into the translation"),
    ("Alt+1 … Alt+9", "Take suggestion 1 … 9"),
    ("Alt+T", "Insert the next missing placeholder"),
)


def allowed(lang: str) -> None:
    if not user().may_translate(lang):
        abort(403, description=f"You are not assigned to translate into '{lang}'.")


def lang_name(lang: str) -> str:
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
            "name": lang_name(lang),
            "drafts": items,
            "approved": sum(d.approved for d in items),
            "total": sum(d.total for d in items),
        }
        for lang, items in sorted(by_lang.items())
    ]
    return render_template("translate_index.html", groups=groups)


def summary_of(source_rel: str, lang: str) -> review.DraftSummary:
    try:
        return review.draft_summary(ctx(), source_rel, lang)
    except review.ReviewError:
        abort(
            404, description=f"No {lang} draft of {source_rel}. Run `pipeline translate --to {lang}` first."
        )


def _page_context(lang: str, summary: review.DraftSummary) -> dict[str, Any]:
    return {
        "summary": summary,
        "lang": lang,
        "lang_name": lang_name(lang),
        "src_lang": config().site.default_language,
        "direction": config().site.direction(lang),
    }


def _rule_names() -> dict[str, str]:
    names = {rid: r.name for rid, r in BY_ID.items()}
    names.update({rid: name for rid, (name, _) in ENGINE_NOTES.items()})
    return names


@bp.route("/<lang>/post/<path:source_rel>")
@require("translate")
def post(lang: str, source_rel: str) -> Any:
    allowed(lang)
    summary = summary_of(source_rel, lang)
    try:
        views = review.draft_segments(ctx(), source_rel, lang, who=user().name)
        stale = review.stale_segments(ctx(), source_rel, lang)
    except review.ReviewError as exc:
        abort(404, description=str(exc))
    filters = Filters.parse(request.args)
    shown = filters.apply(views)
    counts = {
        state: sum(1 for v in views if v.state == state) for state in ("machine", "needs-review", "approved")
    }
    checks = sorted({i.rule for v in views for i in v.issues if i.open})
    return render_template(
        "translate_post.html",
        segments=shown,
        total=len(views),
        counts=counts,
        checks=checks,
        rule_names=_rule_names(),
        filters=filters,
        stale=stale,
        shortcuts=SHORTCUTS,
        next_of={v.id: (shown[i + 1].id if i + 1 < len(shown) else "") for i, v in enumerate(shown)},
        **_page_context(lang, summary),
    )


def _query() -> dict[str, str]:
    """The page's filters, carried through a form post so the page comes back as it was."""
    keys = ("state", "check", "glossary", "q", "sort")
    return {k: request.args[k] for k in keys if request.args.get(k)}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _keep_typed(form: MultiDict[str, str], lang: str, source_rel: str, skip: str) -> None:
    """Whatever the user typed into other segments and did not save becomes their autosaved text."""
    for name, text in form.items():
        if not name.startswith("t:"):
            continue
        seg_id = name[2:]
        if seg_id == skip or form.get(f"o:{seg_id}") == text:
            continue
        try:
            review.autosave(ctx(), source_rel, lang, seg_id, text.replace("\r\n", "\n"), user().name)
        except review.ReviewError:
            continue  # a segment of an older page (the source changed): nothing to keep it against


def _text(form: MultiDict[str, str], seg_id: str) -> str:
    return form.get(f"t:{seg_id}", "").replace("\r\n", "\n")


def _suggestion(view: SegmentView, index: int) -> str | None:
    found = [*view.machine, *view.suggestions]
    return str(found[index]["template"]) if 0 <= index < len(found) else None


def _act(
    lang: str, source_rel: str, action: str, arg: str, form: MultiDict[str, str]
) -> tuple[str, str, str]:
    """Do one action; (message, flash category, segment to show next)."""
    who = user().name
    seg_id, _, extra = arg.partition("|")
    text = _text(form, seg_id)
    if action in ("save", "next"):
        view = review.save_edit(ctx(), source_rel, lang, seg_id, text, who)
        warn = (
            f" Open QA: {'; '.join(f'{i.rule} {i.name}' for i in view.open_issues)}."
            if view.open_issues
            else ""
        )
        return f"Segment {seg_id} saved.{warn}", "warning" if warn else "ok", seg_id
    if action == "approve":
        current = review.segment_view(ctx(), source_rel, lang, seg_id)
        if text and text != current.target_template:
            review.save_edit(ctx(), source_rel, lang, seg_id, text, who, approve=True)
        else:
            review.approve_segment(ctx(), source_rel, lang, seg_id, who)
        review.discard(ctx(), source_rel, lang, seg_id, who)
        return f"Segment {seg_id} approved.", "ok", seg_id
    if action == "dismiss":
        review.dismiss(ctx(), source_rel, lang, seg_id, extra, form.get(f"reason:{seg_id}|{extra}", ""), who)
        return f"{extra} dismissed on segment {seg_id}.", "ok", seg_id
    if action == "revert":
        if not extra.isdigit() or len(extra) > 18:
            raise review.ReviewError("no such earlier text")
        review.revert(ctx(), source_rel, lang, seg_id, int(extra), who)
        return f"Segment {seg_id} reverted to #{extra}.", "ok", seg_id
    if action == "comment":
        review.comment(ctx(), source_rel, lang, seg_id, form.get(f"comment:{seg_id}", ""), who)
        return f"Comment added to segment {seg_id}.", "ok", seg_id
    if action == "use":
        view = review.segment_view(ctx(), source_rel, lang, seg_id, who)
        chosen = _suggestion(view, int(extra) if extra.isdigit() and len(extra) < 4 else -1)
        if chosen is None:
            raise review.ReviewError("no such suggestion")
        review.autosave(ctx(), source_rel, lang, seg_id, chosen, who)
        return f"Suggestion copied into segment {seg_id}; check it and save.", "ok", seg_id
    if action == "keep":
        return "Your unsaved text is kept; save each segment when it is ready.", "ok", ""
    review.discard(ctx(), source_rel, lang, seg_id, who)
    return f"Unsaved text of segment {seg_id} discarded.", "ok", seg_id


@bp.route("/<lang>/post/<path:source_rel>", methods=["POST"])
@require("translate")
def act(lang: str, source_rel: str) -> Any:
    allowed(lang)
    action, _, arg = request.form.get("do", "").partition(":")
    if action not in ACTIONS or not arg:
        abort(400, description="Unknown action; reload the page and try again.")
    seg_id = arg.partition("|")[0]
    form = request.form
    following = (
        _next_segment(lang, source_rel, seg_id) if action == "next" else ""
    )  # before the save moves it
    _keep_typed(form, lang, source_rel, seg_id if action in ("save", "next", "approve") else "")
    try:
        message, category, shown = _act(lang, source_rel, action, arg, form)
    except review.ReviewError as exc:
        if action in ("save", "next", "approve"):  # keep the refused text: nothing typed is lost
            typed = _text(form, seg_id)
            if typed and form.get(f"o:{seg_id}") != typed:
                with contextlib.suppress(review.ReviewError):
                    review.autosave(ctx(), source_rel, lang, seg_id, typed, user().name)
        message, category, shown = str(exc), "error", seg_id
        action = "error"
    target = following if action == "next" else shown
    if _wants_json():
        return _json_reply(lang, source_rel, seg_id, message, category, target)
    flash(message, category)
    back: dict[str, Any] = {"lang": lang, "source_rel": source_rel, **_query()}
    return redirect(url_for("translate.post", _anchor=f"seg-{target}" if target else None, **back))


def _next_segment(lang: str, source_rel: str, seg_id: str) -> str:
    """The segment after `seg_id` in the page's order (its filters); itself when it is the last."""
    try:
        views = review.draft_segments(ctx(), source_rel, lang, suggestions=False)
    except review.ReviewError:
        return seg_id
    ids = [v.id for v in Filters.parse(request.args).apply(views)]
    return ids[ids.index(seg_id) + 1] if seg_id in ids[:-1] else seg_id


def _json_reply(lang: str, source_rel: str, seg_id: str, message: str, category: str, focus: str) -> Any:
    html = ""
    try:
        view = review.segment_view(ctx(), source_rel, lang, seg_id, user().name)
        summary = summary_of(source_rel, lang)
        html = render_template(
            "_segment.html",
            s=view,
            rule_names=_rule_names(),
            next_id="",
            **_page_context(lang, summary),
        )
    except review.ReviewError:
        summary = summary_of(source_rel, lang)
    return jsonify(
        {
            "message": message,
            "category": category,
            "segment": seg_id,
            "focus": focus,
            "html": html,
            "summary": {
                "status": summary.status,
                "approved": summary.approved,
                "total": summary.total,
                "open": summary.qa_warnings,
            },
        }
    )


@bp.route("/<lang>/wip/<path:source_rel>", methods=["POST"])
@require("translate")
def wip(lang: str, source_rel: str) -> Any:
    """Autosave (JSON from the page script): {"segment", "text"} → 204."""
    allowed(lang)
    data = request.get_json(silent=True)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("segment"), str)
        or not isinstance(data.get("text"), str)
    ):
        abort(400, description='Send {"segment": ID, "text": TEXT}.')
    if "\x00" in data["segment"] + data["text"] or len(data["text"]) > 200_000:
        abort(400, description="That text cannot be kept.")
    try:
        review.autosave(
            ctx(), source_rel, lang, data["segment"], data["text"].replace("\r\n", "\n"), user().name
        )
    except review.ReviewError as exc:
        abort(404, description=str(exc))
    return "", 204


@bp.route("/<lang>/approve-all/<path:source_rel>", methods=["GET", "POST"])
@require("translate")
def approve_all(lang: str, source_rel: str) -> Any:
    """A page that asks first: what would be approved, what would be skipped and why; then does it."""
    allowed(lang)
    summary = summary_of(source_rel, lang)
    if request.method == "POST":
        try:
            count, skipped = review.approve_all(ctx(), source_rel, lang, user().name)
        except review.ReviewError as exc:
            flash(str(exc), "error")
            return redirect(url_for("translate.post", lang=lang, source_rel=source_rel))
        note = (
            f" Skipped {len(skipped)} segment(s) with open QA issues: {', '.join(v.id for v in skipped)}."
            if skipped
            else ""
        )
        flash(f"Approved {count} segment(s).{note}", "warning" if skipped else "ok")
        return redirect(url_for("translate.post", lang=lang, source_rel=source_rel))
    plan = review.approval_plan(ctx(), source_rel, lang)
    return render_template("translate_approve_all.html", plan=plan, **_page_context(lang, summary))


@bp.route("/<lang>/update/<path:source_rel>", methods=["POST"])
@require("translate")
def update(lang: str, source_rel: str) -> Any:
    """Translate what changed in the source post since the draft was made (the stage, for this post only)."""
    allowed(lang)
    from pipeline.stages import StageSkipped
    from pipeline.translate.stage import run_stage

    post_ = next((p for p in ctx().content.posts if p.rel == source_rel), None)
    if post_ is None:
        abort(404, description=f"The source post {source_rel} no longer exists.")
    try:
        result = run_stage(ctx(), paths=[post_.path], languages=[lang])
    except StageSkipped as exc:
        flash(str(exc), "error")
    else:
        problems = [f.message for f in result.findings if f.severity in ("error", "warning")]
        flash(
            "Draft updated from the source." + (f" {' '.join(problems)}" if problems else ""),
            "warning" if problems else "ok",
        )
    return redirect(url_for("translate.post", lang=lang, source_rel=source_rel))

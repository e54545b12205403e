"""One post's page: the post as each platform will show it, its send status with the action that fits, the
account's health, and the edit, move, approve and cancel forms.

A refused save never loses what was typed: the page comes back (422) with the typed text in the box and the
reason beside it. A send whose outcome is unknown says why in words and offers "check again" (looked up on the
platform now, or at the sender's next pass when this server holds no credentials — which it says, with what to
ask the admin) and "send again" only after the person confirms the post is not there.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from pipeline.content.assets import media_file
from pipeline.fsutil import UnsafePathError
from pipeline.platforms import PLATFORMS
from pipeline.social import health, ledger, lengths, manage
from pipeline.social import stage as social_stage
from pipeline.social.ledger import Item
from pipeline.social.platforms import credentials
from pipeline.social.thread import ThreadError, split
from pipeline.web import previews
from pipeline.web.calendar import at_zone, local_time, zone_of
from pipeline.web.common import config, require, store
from pipeline.web.social_bp import account, bp, limit_for, valid_zone, viewer_zone, who

CARD_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
PAST_DUE_S = 300.0


def _item(item_id: int) -> Item:
    item = ledger.get_item(store(), item_id)
    if item is None:
        abort(404, description=f"No social item {item_id}.")
    return item


def _card_exists(it: Item) -> bool:
    if not it.media_path:
        return False
    try:
        return media_file(it.media_path, config().static_root, config().content_root).is_file()
    except UnsafePathError:
        return False


def account_status(name: str) -> dict[str, Any]:
    """What the page says about the account: the senders' last view of it, and posts waiting past due."""
    acc = account(name)
    seen = health.all_health(store()).get(name)
    now = time.time()
    late = [
        i
        for i in ledger.list_items(store(), account=name, state=["approved"], until=now - PAST_DUE_S)
        if i.next_attempt_at <= now
    ]
    web_creds = credentials(acc, os.environ)[0] is not None if acc else False
    return {
        "name": name,
        "label": PLATFORMS[acc.platform].label if acc else name,
        "configured": acc is not None,
        "enabled": bool(acc and acc.enabled),
        "health": seen,
        "paused": bool(seen and seen.paused_until and seen.paused_until > now),
        "past_due": len(late),
        "web_has_credentials": web_creds,
    }


def _thread_parts(it: Item, text: str) -> int:
    """How many posts a too-long text makes as a thread, counted as the live counter counts (0: it cannot be
    one), so the page as first drawn says the same as the counter after a keystroke."""
    try:
        return len(split(it.platform, text, it.lang, limit_for(it.account), True).texts)
    except ThreadError:
        return 0


def render_item(
    it: Item,
    status: int = 200,
    typed: dict[str, Any] | None = None,
    error: str | None = None,
    conflicts: list[str] | None = None,
    move: dict[str, str] | None = None,
) -> Any:
    viewer = viewer_zone()
    local = local_time(config(), it)
    parts = ledger.parts_of(store(), it.id)
    sent_urls = {i: p.remote_url or "" for i, p in parts.items() if p.state == "sent"}
    acc = account(it.account)
    has_card = _card_exists(it)
    text = (typed or {}).get("text", it.text)
    measure = lengths.measure(it.platform, text, limit_for(it.account))
    thread_on = bool((typed or {}).get("thread", bool(it.thread)))
    thread_parts = _thread_parts(it, text) if thread_on and not measure.fits else 0
    lease = config().social.sending_lease_s
    return render_template(
        "social_item.html",
        item=it,
        preview=previews.build(config(), it, acc, has_card, sent_urls),
        measure=measure,
        typed=typed or {},
        text=text,
        first_comment=(typed or {}).get("first_comment", it.first_comment or ""),
        thread=thread_on,
        thread_parts=thread_parts,
        error=error,
        conflicts=conflicts,
        move=move or {},
        local=local,
        at=at_zone(it.due_at, viewer),
        viewer=viewer,
        zone=str(local.tzinfo),
        has_card=has_card,
        entry=PLATFORMS[it.platform],
        status=account_status(it.account),
        parts_out=len(sent_urls),
        stalled=it.state == "sending" and (it.claimed_at or 0) < time.time() - lease,
        events=ledger.events(store(), it.id),
        editable=it.state in manage.EDITABLE,
        reschedulable=it.state in manage.RESCHEDULABLE,
        can_approve=ledger.can_move(it.state, "approved") and it.state != "unknown",
        can_cancel=ledger.can_move(it.state, "cancelled"),
    ), status


@bp.route("/item/<int:item_id>")
@require("social")
def item(item_id: int) -> Any:
    return render_item(_item(item_id))


def _back(item_id: int) -> Any:
    return redirect(url_for("social.item", item_id=item_id))


def _run(item_id: int, fn: Any, done: str) -> Any:
    try:
        fn()
    except manage.SocialError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "ok")
    return _back(item_id)


@bp.route("/item/<int:item_id>/text", methods=["POST"])
@require("social")
def edit(item_id: int) -> Any:
    it = _item(item_id)
    typed: dict[str, Any] = {
        "text": request.form.get("text", "").replace("\r\n", "\n"),
        "first_comment": request.form.get("first_comment", "").replace("\r\n", "\n"),
        "thread": request.form.get("thread") == "1",
    }
    if not typed["text"].strip():
        return render_item(it, 422, typed, "The post text cannot be empty.")
    was = it.state
    try:
        saved = manage.edit_text(
            config(),
            store(),
            item_id,
            typed["text"],
            thread=typed["thread"],
            first_comment=typed["first_comment"] if "first_comment" in request.form else None,
            by=who(),
        )
    except manage.SocialError as exc:
        return render_item(it, 422, typed, str(exc))
    if was == "approved" and saved.state == "planned":
        flash("Text saved. It was approved, so it is back in review: approve it again to send it.", "warning")
    else:
        flash("Text saved.", "ok")
    return _back(item_id)


@bp.route("/item/<int:item_id>/approve", methods=["POST"])
@require("social")
def approve(item_id: int) -> Any:
    return _run(
        item_id, lambda: manage.approve(store(), item_id, who()), "Approved: it will be sent at its time."
    )


@bp.route("/item/<int:item_id>/cancel", methods=["POST"])
@require("social")
def cancel(item_id: int) -> Any:
    return _run(item_id, lambda: manage.cancel(store(), item_id, who()), "Cancelled: it will not be sent.")


def _wants_json() -> bool:
    return "application/json" in (request.headers.get("Accept") or "")


@bp.route("/item/<int:item_id>/reschedule", methods=["POST"])
@require("social")
def reschedule(item_id: int) -> Any:
    """Move a post: `when` is a wall-clock time in `tz` (the account's zone by default; the calendar sends the
    viewer's). A time against the account's slots, spacing or daily cap needs `confirm=1`; the calendar's
    drag-and-drop asks with JSON and gets 409 with the reasons."""
    it = _item(item_id)
    raw = request.form.get("when", "")
    zone = valid_zone(request.form.get("tz", "")) or zone_of(config(), it.account)
    move = {"when": raw, "tz": zone.key}
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        message = f"'{raw}' is not a date and time (use the picker, e.g. 2026-05-01 09:00)."
        if _wants_json():
            return jsonify({"error": message}), 400
        return render_item(it, 400, error=message, move=move)
    when = naive.replace(tzinfo=zone) if naive.tzinfo is None else naive
    confirm = request.form.get("confirm") == "1"
    try:
        moved = manage.reschedule(store(), item_id, when, config(), confirm, who())
    except manage.Conflict as exc:
        if _wants_json():
            return jsonify({"conflicts": exc.reasons, "when": when.isoformat()}), 409
        return render_item(it, 409, conflicts=exc.reasons, move=move)
    except manage.SocialError as exc:
        if _wants_json():
            return jsonify({"error": str(exc)}), 400
        return render_item(it, 400, error=str(exc), move=move)
    local = local_time(config(), moved)
    message = f"Moved to {local.strftime('%a %d %b %Y %H:%M')} ({local.tzinfo})."
    if _wants_json():
        return jsonify({"ok": True, "message": message, "due_at": moved.due_at})
    flash(message, "ok")
    return _back(item_id)


@bp.route("/item/<int:item_id>/reconcile", methods=["POST"])
@require("social")
def reconcile(item_id: int) -> Any:
    """ "Check again": on the platform now where this server can reach it, else queued for the sender."""
    try:
        settled, message = social_stage.check_again(config(), store(), item_id, who())
    except manage.SocialError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok" if settled.state != "unknown" else "warning")
    return _back(item_id)


@bp.route("/item/<int:item_id>/send-again", methods=["POST"])
@require("social")
def send_again(item_id: int) -> Any:
    if request.form.get("confirm") != "1":
        flash("Tick the box to confirm you looked and the post is not on the platform.", "error")
        return _back(item_id)
    return _run(
        item_id,
        lambda: manage.send_again(store(), item_id, who()),
        "Queued to be sent again at the next pass.",
    )


@bp.route("/item/<int:item_id>/card")
@require("social")
def card(item_id: int) -> Any:
    it = _item(item_id)
    if not it.media_path:
        abort(404)
    try:
        path = media_file(it.media_path, config().static_root, config().content_root)
    except UnsafePathError:
        abort(404)
    if path.suffix.lower() not in CARD_TYPES:
        # Served from our own origin: anything but an image (an .html or .svg dropped into static/) could run
        # script with the user's session.
        abort(404)
    if not path.is_file():
        abort(404, description="No card image yet; run `pipeline cards`.")
    return send_file(path, mimetype=CARD_TYPES[path.suffix.lower()], max_age=60)

"""Marketer pages: the ledger as a list and a week/month calendar, and one item shown as it will look.

Every change goes through `pipeline.social.stage` (edit_text, approve, cancel, reschedule, reconcile), the
same operations as `pipeline social ...`, so the ledger's state rules and its event log apply here too.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.platforms import PLATFORMS
from pipeline.social import ledger, lengths
from pipeline.social import stage as social
from pipeline.web import calendar as cal
from pipeline.web.common import config, require, store

CARD_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}

bp = Blueprint("social", __name__, url_prefix="/social")

SHOWN_STATES = ("planned", "approved", "sending", "sent", "failed", "unknown", "cancelled")


def _limit_for(account: str) -> int | None:
    acc = next((a for a in config().social.accounts if a.name == account), None)
    return acc.char_limit if acc else None


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip() for k in ("account", "lang", "state")}


def _query(
    filters: dict[str, str], since: float | None = None, until: float | None = None
) -> list[ledger.Item]:
    state = filters["state"] if filters["state"] in ledger.STATES else None
    return ledger.list_items(
        store(),
        account=filters["account"] or None,
        lang=filters["lang"] or None,
        state=state,
        since=since,
        until=until,
    )


def _choices() -> dict[str, list[str]]:
    items = ledger.list_items(store())
    accounts = sorted({a.name for a in config().social.accounts} | {i.account for i in items})
    langs = sorted({i.lang for i in items} | set(config().site.languages))
    return {"accounts": accounts, "langs": langs, "states": list(SHOWN_STATES)}


@bp.route("/")
@require("social")
def items() -> Any:
    filters = _filters()
    rows = _query(filters)
    counts = Counter((i.account, i.lang, i.state) for i in rows)
    groups = sorted({(a, lang) for a, lang, _ in counts})
    return render_template(
        "social_list.html",
        rows=[(cal.local_time(config(), i), i) for i in rows],
        counts=counts,
        groups=groups,
        states=SHOWN_STATES,
        filters=filters,
        choices=_choices(),
    )


@bp.route("/calendar")
@require("social")
def calendar() -> Any:
    view = "month" if request.args.get("view") == "month" else "week"
    try:
        anchor = dt.date.fromisoformat(request.args.get("date", "")) if request.args.get("date") else None
    except ValueError:
        anchor = None
    anchor = anchor or dt.datetime.now(dt.UTC).date()
    if not cal.FIRST_DAY <= anchor <= cal.LAST_DAY:
        abort(400, description=f"Pick a date between {cal.FIRST_DAY} and {cal.LAST_DAY}.")
    first, after, days = cal.window(view, anchor)
    # Pad a day each side: the grid is in each account's zone, the query in UTC.
    since = dt.datetime.combine(first, dt.time(), dt.UTC).timestamp() - 86400
    until = dt.datetime.combine(after, dt.time(), dt.UTC).timestamp() + 86400
    filters = _filters()
    cal.fill(config(), days, _query(filters, since, until))
    return render_template(
        "social_calendar.html",
        view=view,
        days=days,
        anchor=anchor,
        prev=cal.shift(view, anchor, -1),
        next=cal.shift(view, anchor, 1),
        today=dt.datetime.now(dt.UTC).date(),
        filters=filters,
        qs={k: v for k, v in filters.items() if v},
        choices=_choices(),
    )


def _item(item_id: int) -> ledger.Item:
    item = ledger.get_item(store(), item_id)
    if item is None:
        abort(404, description=f"No social item {item_id}.")
    return item


@bp.route("/item/<int:item_id>")
@require("social")
def item(item_id: int) -> Any:
    it = _item(item_id)
    measure = lengths.measure(it.platform, it.text, _limit_for(it.account))
    local = cal.local_time(config(), it)
    card = None
    if it.media_path:
        try:
            card = safe_join(config().static_root, it.media_path).is_file()
        except UnsafePathError:
            card = False
    account = next((a for a in config().social.accounts if a.name == it.account), None)
    return render_template(
        "social_item.html",
        item=it,
        measure=measure,
        local=local,
        zone=str(local.tzinfo),
        has_card=bool(card),
        handle=account.handle if account else it.account,
        events=ledger.events(store(), it.id),
        editable=it.state in social.EDITABLE,
        reschedulable=it.state in social.RESCHEDULABLE,
        can_approve=ledger.can_move(it.state, "approved") and it.state != "unknown",
        can_cancel=ledger.can_move(it.state, "cancelled"),
    )


def _back(item_id: int) -> Any:
    return redirect(url_for("social.item", item_id=item_id))


def _run(item_id: int, fn: Any, done: str) -> Any:
    try:
        fn()
    except social.SocialError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "ok")
    return _back(item_id)


@bp.route("/item/<int:item_id>/text", methods=["POST"])
@require("social")
def edit(item_id: int) -> Any:
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    if not text:
        flash("The post text cannot be empty.", "error")
        return _back(item_id)
    return _run(item_id, lambda: social.edit_text(config(), store(), item_id, text), "Text saved.")


@bp.route("/item/<int:item_id>/approve", methods=["POST"])
@require("social")
def approve(item_id: int) -> Any:
    return _run(item_id, lambda: social.approve(store(), item_id), "Approved: it will be sent at its time.")


@bp.route("/item/<int:item_id>/cancel", methods=["POST"])
@require("social")
def cancel(item_id: int) -> Any:
    return _run(item_id, lambda: social.cancel(store(), item_id), "Cancelled: it will not be sent.")


@bp.route("/item/<int:item_id>/reschedule", methods=["POST"])
@require("social")
def reschedule(item_id: int) -> Any:
    it = _item(item_id)
    raw = request.form.get("when", "")
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        flash(f"'{raw}' is not a date and time (use the picker, e.g. 2026-05-01 09:00).", "error")
        return _back(item_id)
    when = naive.replace(tzinfo=cal.zone_of(config(), it.account)) if naive.tzinfo is None else naive
    if when.timestamp() < time.time() - 60:
        flash("That time is in the past; pick a later one.", "error")
        return _back(item_id)
    return _run(
        item_id,
        lambda: social.reschedule(store(), item_id, when),
        f"Moved to {when.strftime('%Y-%m-%d %H:%M')} ({when.tzinfo}).",
    )


@bp.route("/item/<int:item_id>/reconcile", methods=["POST"])
@require("social")
def reconcile(item_id: int) -> Any:
    return _run(
        item_id,
        lambda: social.reconcile(config(), store(), item_id),
        "Reconciled with the platform; the state below is the outcome.",
    )


@bp.route("/item/<int:item_id>/card")
@require("social")
def card(item_id: int) -> Any:
    it = _item(item_id)
    if not it.media_path:
        abort(404)
    try:
        path = safe_join(config().static_root, it.media_path)
    except UnsafePathError:
        abort(404)
    if path.suffix.lower() not in CARD_TYPES:
        # Served from our own origin: anything but an image (an .html or .svg dropped into static/) could run
        # script with the user's session.
        abort(404)
    if not path.is_file():
        abort(404, description="No card image yet; run `pipeline cards`.")
    return send_file(path, mimetype=CARD_TYPES[path.suffix.lower()], max_age=60)


@bp.route("/length", methods=["POST"])
@require("social")
def length() -> Any:
    """The live counter asks the server, so the page counts exactly as `pipeline.social.lengths` does."""
    data = request.get_json(silent=True) or {}
    platform = str(data.get("platform", ""))
    text = str(data.get("text", ""))[:20_000]
    if platform not in PLATFORMS:
        return jsonify({"error": "unknown platform"}), 400
    m = lengths.measure(platform, text, _limit_for(str(data.get("account", ""))))
    return jsonify(
        {
            "length": m.length,
            "limit": m.limit,
            "bytes": m.byte_length,
            "byte_limit": m.byte_limit,
            "fits": m.fits,
        }
    )

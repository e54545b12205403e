"""Marketer pages: the ledger as a filtered, searched, sorted and paged list with bulk actions, a new post,
and the small JSON counter. A post's own page is views_social_item, the calendar views_calendar (same blueprint).

Every change goes through `pipeline.social.manage` (approve, cancel, reschedule, edit, create, bulk), the same
operations as `pipeline social ...`, so the ledger's state rules and its event log apply here too.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for

from pipeline.platforms import PLATFORMS
from pipeline.social import lengths, links, manage, queries
from pipeline.social.thread import ThreadError, split
from pipeline.web import views_calendar, views_social_item  # noqa: F401  (they add their routes to bp)
from pipeline.web.calendar import at_zone
from pipeline.web.common import config, require, store
from pipeline.web.social_bp import (
    PAGE_SIZE,
    SHOWN_STATES,
    bp,
    choices,
    filters_of,
    limit_for,
    query_from,
    valid_zone,
    viewer_zone,
    who,
)

__all__ = ["bp"]

SORTS = {
    "due": "due time",
    "-due": "latest first",
    "account": "account",
    "state": "state",
    "-updated": "last changed",
}
SHIFTS = {
    "1h": dt.timedelta(hours=1),
    "-1h": dt.timedelta(hours=-1),
    "1d": dt.timedelta(days=1),
    "-1d": dt.timedelta(days=-1),
    "7d": dt.timedelta(days=7),
    "-7d": dt.timedelta(days=-7),
}


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


@bp.route("/")
@require("social")
def items() -> Any:
    query = query_from(request.args)
    sort = request.args.get("sort", "due") if request.args.get("sort") in SORTS else "due"
    page = _page_number()
    rows, total = queries.search(store(), query, sort, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    counts = queries.counts(store(), query)
    groups = sorted({(a, lang) for a, lang, _ in counts})
    viewer = viewer_zone()
    args = {
        k: v for k, v in {**filters_of(query), "sort": sort}.items() if v and not (k == "sort" and v == "due")
    }
    return render_template(
        "social_list.html",
        rows=[(at_zone(i.due_at, viewer), i) for i in rows],
        total=total,
        page=page,
        pages=pages,
        sort=sort,
        sorts=SORTS,
        shifts=SHIFTS,
        counts=counts,
        groups=groups,
        states=SHOWN_STATES,
        filters=filters_of(query),
        args=args,
        choices=choices(),
        viewer=viewer,
    )


@bp.route("/bulk", methods=["POST"])
@require("social")
def bulk() -> Any:
    """Approve, cancel or move the ticked posts, or every post matching the list's filters."""
    form = request.form
    query = query_from(form)
    back_args: dict[str, Any] = {k: v for k, v in filters_of(query).items() if v}
    if form.get("all_matching") == "1":
        ids = queries.matching_ids(store(), query)
    else:
        ids = [int(v) for v in form.getlist("ids") if v.isdigit() and len(v) < 19]
    action = form.get("action", "")
    if not ids:
        flash("Tick the posts first (or “all matching”).", "error")
        return redirect(url_for("social.items", **back_args))
    shift = SHIFTS.get(form.get("shift", "")) if action == "shift" else None
    if action == "shift" and shift is None:
        flash("Pick how far to move them.", "error")
        return redirect(url_for("social.items", **back_args))
    result = manage.bulk(config(), store(), ids, action, who(), shift, form.get("confirm") == "1")
    verb = {"approve": "Approved", "cancel": "Cancelled", "shift": "Moved"}.get(action, action)
    if result.done:
        flash(f"{verb} {len(result.done)} post(s).", "ok")
    if result.skipped:
        reasons = "; ".join(f"#{i}: {why}" for i, why in result.skipped[:5])
        more = f" (and {len(result.skipped) - 5} more)" if len(result.skipped) > 5 else ""
        flash(f"Skipped {len(result.skipped)}: {reasons}{more}.", "warning")
    if result.conflicts:
        return render_template(
            "social_confirm.html",
            conflicts=result.conflicts,
            action=action,
            shift=form.get("shift", ""),
            ids=[i for i, _ in result.conflicts],
            back=url_for("social.items", **back_args),
        )
    return redirect(url_for("social.items", **back_args))


@bp.route("/new", methods=["GET", "POST"])
@require("social")
def new() -> Any:
    """A post written here (from the calendar's "+"), checked like any other: length, time, the account's rules."""
    viewer = viewer_zone()
    form = request.form if request.method == "POST" else request.args
    accounts = config().social.accounts
    values: dict[str, Any] = {
        "account": form.get("account") or (accounts[0].name if accounts else ""),
        "lang": form.get("lang", ""),
        "text": form.get("text", ""),
        "link_url": form.get("link_url", ""),
        "first_comment": form.get("first_comment", ""),
        "thread": form.get("thread") == "1",
        "when": form.get("when", ""),
        "tz": (valid_zone(form.get("tz", "")) or viewer).key,
    }
    if not values["lang"]:
        acc = next((a for a in accounts if a.name == values["account"]), None)
        values["lang"] = acc.languages[0] if acc and acc.languages else config().site.default_language
    if request.method == "GET":
        return render_template(
            "social_new.html", values=values, accounts=accounts, error=None, conflicts=None
        )
    error, found = None, None
    try:
        when = dt.datetime.fromisoformat(values["when"]).replace(tzinfo=valid_zone(values["tz"]))
        item = manage.create_item(
            config(),
            store(),
            values["account"],
            values["lang"],
            values["text"].replace("\r\n", "\n"),
            when,
            who(),
            link_url=values["link_url"],
            thread=values["thread"],
            first_comment=values["first_comment"],
            confirm=form.get("confirm") == "1",
        )
    except ValueError:
        error = f"'{values['when']}' is not a date and time (use the picker, e.g. 2026-05-01 09:00)."
    except manage.Conflict as exc:
        found = exc.reasons
    except manage.SocialError as exc:
        error = str(exc)
    else:
        flash(f"Post #{item.id} created ({item.state}).", "ok")
        return redirect(url_for("social.item", item_id=item.id))
    # Refused: the form comes back with everything typed, and says why.
    return render_template(
        "social_new.html", values=values, accounts=accounts, error=error, conflicts=found
    ), 422 if error else 409


@bp.route("/length", methods=["POST"])
@require("social")
def length() -> Any:
    """The live counter asks the server, so the page counts exactly as `pipeline.social.lengths` does; with
    `thread` it also says how many posts the text makes."""
    data = request.get_json(silent=True) or {}
    platform = str(data.get("platform", ""))
    text = str(data.get("text", ""))[:20_000]
    if platform not in PLATFORMS:
        return jsonify({"error": "unknown platform"}), 400
    limit = limit_for(str(data.get("account", "")))
    m = lengths.measure(platform, text, limit)
    out: dict[str, Any] = {
        "length": m.length,
        "limit": m.limit,
        "bytes": m.byte_length,
        "byte_limit": m.byte_limit,
        "fits": m.fits,
    }
    first = text
    if data.get("thread") and not m.fits:
        try:
            parts = split(platform, text, str(data.get("lang", "en"))[:16], limit, True)
        except ThreadError as exc:
            out["thread_error"] = str(exc)
        else:
            out["parts"] = len(parts.texts)
            out["fits"] = True
            first = parts.texts[0]
    display = PLATFORMS[platform].url_display
    out["preview"] = [{"text": s.text, "kind": s.kind, "href": s.href} for s in links.spans(first, display)]
    return jsonify(out)


@bp.app_template_filter("ago")
def ago(epoch: float | None) -> str:
    if not epoch:
        return "never"
    seconds = max(0, dt.datetime.now(dt.UTC).timestamp() - epoch)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"

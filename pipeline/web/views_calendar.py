"""The calendar: a week in hour slots or a month, in the viewer's time zone, with each account's local time
beside each post, the accounts' free slots as drop targets, drag-and-drop moves (checked against the account's
rules, a conflict confirmed in a dialog) and "+" to write a post at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from pipeline.social import queries
from pipeline.web import calendar as cal
from pipeline.web.common import config, require, store
from pipeline.web.social_bp import (
    all_zones,
    bp,
    choices,
    filters_of,
    has_saved_zone,
    query_from,
    save_viewer_zone,
    valid_zone,
    viewer_zone,
    zone_choices,
)


@bp.route("/calendar")
@require("social")
def calendar() -> Any:
    view = "month" if request.args.get("view") == "month" else "week"
    viewer = viewer_zone()
    today = dt.datetime.now(viewer).date()
    try:
        anchor = dt.date.fromisoformat(request.args.get("date", "")) if request.args.get("date") else today
    except ValueError:
        anchor = today
    if not cal.FIRST_DAY <= anchor <= cal.LAST_DAY:
        abort(400, description=f"Pick a date between {cal.FIRST_DAY} and {cal.LAST_DAY}.")
    first, after = cal.window(view, anchor)
    since, until = cal.bounds(first, after, viewer)
    query = query_from(request.args)
    found = queries.Query(query.account, query.lang, query.state, query.q, since, until)
    rows, _total = queries.search(store(), found, "due", limit=5000)
    accounts = [a for a in config().social.accounts if not query.account or a.name == query.account]
    qs = {k: v for k, v in filters_of(query).items() if v}
    if request.args.get("tz"):
        qs["tz"] = viewer.key
    context: dict[str, Any] = {
        "view": view,
        "anchor": anchor,
        "first": first,
        "prev": cal.shift(view, anchor, -1),
        "next": cal.shift(view, anchor, 1),
        "today": today,
        "filters": filters_of(query),
        "qs": qs,
        "choices": choices(),
        "viewer": viewer,
        "zones": zone_choices(),
        "all_zones": all_zones(),
        "saved_zone": has_saved_zone(),
        "count": len(rows),
    }
    if view == "month":
        context["days"] = cal.month(config(), anchor, rows, viewer)
    else:
        days, hours, cells = cal.week(config(), anchor, rows, viewer, accounts)
        context.update(days=days, hours=hours, cells=cells)
    return render_template("social_calendar.html", **context)


@bp.route("/viewer-zone", methods=["POST"])
@require("social")
def viewer_zone_set() -> Any:
    """Save the zone this user reads the calendar and lists in."""
    zone = valid_zone(request.form.get("tz", "").strip())
    back = request.form.get("next", "")
    target = back if back.startswith("/social/") and "//" not in back else url_for("social.calendar")
    if zone is None:
        flash(
            f"'{request.form.get('tz', '')}' is not a time zone (e.g. Europe/Berlin, America/New_York).",
            "error",
        )
    else:
        save_viewer_zone(zone)
        flash(f"Times are now shown in {zone.key}.", "ok")
    return redirect(target)

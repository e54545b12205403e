"""The marketer pages' blueprint and what its views share: the viewer's time zone, filters, choices.

The viewer's zone is a per-user setting kept in the store (`social_viewers`), so the calendar, the list and a
post's page all read in the same zone on every device; a page can be asked in another zone with `?tz=`.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, g, request
from sqlalchemy import select

from pipeline.config import SocialAccount
from pipeline.schema.social import social_viewers
from pipeline.social import ledger, queries
from pipeline.store import upsert
from pipeline.web.common import config, store, user

bp = Blueprint("social", __name__, url_prefix="/social")

SHOWN_STATES = ledger.STATES
PAGE_SIZE = 50


@cache
def all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def valid_zone(name: str) -> ZoneInfo | None:
    if name not in all_zones():
        return None
    return ZoneInfo(name)


def viewer_zone() -> ZoneInfo:
    """`?tz=` when given and valid, else the user's saved zone, else UTC."""
    asked = valid_zone(request.args.get("tz", ""))
    if asked is not None:
        return asked
    with store().connect() as conn:
        saved = conn.execute(
            select(social_viewers.c.timezone).where(social_viewers.c.user_name == user().name)
        ).scalar_one_or_none()
    return valid_zone(saved or "") or ZoneInfo("UTC")


@bp.app_template_filter("viewer_time")
def viewer_time(epoch: float | None) -> str:
    """An instant on the marketer pages (approved, paused until, sent, history) in the viewer's zone, as the
    calendar and due times are; the zone is looked up once per request."""
    if not epoch:
        return ""
    if "viewer_zone" not in g:
        g.viewer_zone = viewer_zone()
    return dt.datetime.fromtimestamp(epoch, g.viewer_zone).strftime("%Y-%m-%d %H:%M %Z")


def has_saved_zone() -> bool:
    with store().connect() as conn:
        return (
            conn.execute(
                select(social_viewers.c.user_name).where(social_viewers.c.user_name == user().name)
            ).first()
            is not None
        )


def save_viewer_zone(zone: ZoneInfo) -> None:
    with store().begin() as conn:
        upsert(
            conn,
            social_viewers,
            {"user_name": user().name, "timezone": zone.key, "updated_at": time.time()},
            ["user_name"],
        )


def zone_choices() -> list[str]:
    """The accounts' zones first (what a marketer compares against), then UTC."""
    seen: list[str] = []
    for acc in config().social.accounts:
        if acc.timezone not in seen:
            seen.append(acc.timezone)
    if "UTC" not in seen:
        seen.append("UTC")
    return seen


def account(name: str) -> SocialAccount | None:
    return next((a for a in config().social.accounts if a.name == name), None)


def limit_for(name: str) -> int | None:
    acc = account(name)
    return acc.char_limit if acc else None


def query_from(args: Any) -> queries.Query:
    return queries.Query(
        account=str(args.get("account", "")).strip(),
        lang=str(args.get("lang", "")).strip(),
        state=str(args.get("state", "")).strip(),
        q=str(args.get("q", "")).strip()[:200],
    )


def filters_of(query: queries.Query) -> dict[str, str]:
    return {"account": query.account, "lang": query.lang, "state": query.state, "q": query.q}


def choices() -> dict[str, list[str]]:
    accounts = sorted({a.name for a in config().social.accounts} | set(queries.distinct(store(), "account")))
    langs = sorted(set(queries.distinct(store(), "lang")) | set(config().site.languages))
    return {"accounts": accounts, "langs": langs, "states": list(SHOWN_STATES)}


def who() -> str:
    return user().name

"""Week and month grids for the marketer's calendar, in each account's own time zone.

An item sits on the local date of its account (a 09:00 Berlin post is on Monday even though it is Sunday night
in Los Angeles), which is what the marketer planned against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pipeline.config import Config
from pipeline.social.ledger import Item


@dataclass
class Day:
    date: dt.date
    in_month: bool = True
    items: list[tuple[str, Item]] = field(default_factory=list)  # (local HH:MM, item)


def zone_of(config: Config, account: str) -> ZoneInfo:
    for acc in config.social.accounts:
        if acc.name == account:
            return ZoneInfo(acc.timezone)
    return ZoneInfo("UTC")


def local_time(config: Config, item: Item) -> dt.datetime:
    zone = zone_of(config, item.account)
    try:
        return dt.datetime.fromtimestamp(item.due_at, zone)
    except (OverflowError, ValueError, OSError):  # stored before reschedule checked ranges: show it far off
        return dt.datetime(9999, 1, 1, tzinfo=zone)


# The calendar pads a grid and links a previous and next page: dates near date.min/max would overflow.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def window(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, list[Day]]:
    """(first day, day after the last, empty days) for a week or a six-row month grid starting on Monday."""
    if view == "month":
        first = anchor.replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        days = [Day(start + dt.timedelta(days=i)) for i in range(42)]
        for d in days:
            d.in_month = d.date.month == first.month
    else:
        start = anchor - dt.timedelta(days=anchor.weekday())
        days = [Day(start + dt.timedelta(days=i)) for i in range(7)]
    return days[0].date, days[-1].date + dt.timedelta(days=1), days


def fill(config: Config, days: list[Day], items: list[Item]) -> list[Day]:
    index = {d.date: d for d in days}
    for item in items:
        local = local_time(config, item)
        day = index.get(local.date())
        if day is not None:
            day.items.append((local.strftime("%H:%M"), item))
    for d in days:
        d.items.sort(key=lambda pair: pair[0])
    return days


def shift(view: str, anchor: dt.date, step: int) -> dt.date:
    if view == "month":
        month = anchor.month - 1 + step
        return dt.date(anchor.year + month // 12, month % 12 + 1, 1)
    return anchor + dt.timedelta(days=7 * step)

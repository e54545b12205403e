"""Week (hour slots) and month grids for the marketer's calendar, in the *viewer's* time zone.

Every post sits where it falls in the zone the viewer chose, so posts due at the same instant share a row and a
day reads in time order; each post also shows its account's own local time, the zone its slots are planned in.
(Each post in its own account's zone put three simultaneous posts at 01:15, 06:15 and 07:15, and out of order.)
The week shows the accounts' free slots too, as drop targets: a post dragged onto one moves to that exact time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pipeline.config import Config, SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.schedule import WEEKDAYS, parse_hhmm

# The calendar pads a grid and links a previous and next page: dates near date.min/max would overflow.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)
DAY_HOURS = (7, 21)  # a week shows at least these hours; earlier or later ones when posts or slots fall there


@dataclass
class Entry:
    """One post in the grid: its time for the viewer and for its account."""

    item: Item
    at: dt.datetime  # in the viewer's zone
    local: dt.datetime  # in the account's zone

    @property
    def same_zone(self) -> bool:
        return self.at.utcoffset() == self.local.utcoffset()


@dataclass
class Slot:
    """An account's slot as a drop target: a post dropped here moves to exactly this time."""

    account: str
    at: dt.datetime  # viewer zone
    local: dt.datetime  # account zone


@dataclass
class Cell:
    day: dt.date
    hour: int
    entries: list[Entry] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)


@dataclass
class Day:
    date: dt.date
    in_month: bool = True
    entries: list[Entry] = field(default_factory=list)


def zone_of(config: Config, account: str) -> ZoneInfo:
    for acc in config.social.accounts:
        if acc.name == account:
            return ZoneInfo(acc.timezone)
    return ZoneInfo("UTC")


def at_zone(epoch: float, zone: ZoneInfo) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(epoch, zone)
    except (OverflowError, ValueError, OSError):  # stored before reschedule checked ranges: show it far off
        return dt.datetime(9999, 1, 1, tzinfo=zone)


def local_time(config: Config, item: Item) -> dt.datetime:
    return at_zone(item.due_at, zone_of(config, item.account))


def entry(config: Config, item: Item, viewer: ZoneInfo) -> Entry:
    return Entry(item, at_zone(item.due_at, viewer), local_time(config, item))


def window(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, day after the last) of a week, or of a six-row month grid, starting on Monday."""
    if view == "month":
        first = anchor.replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        return start, start + dt.timedelta(days=42)
    start = anchor - dt.timedelta(days=anchor.weekday())
    return start, start + dt.timedelta(days=7)


def bounds(first: dt.date, after: dt.date, viewer: ZoneInfo) -> tuple[float, float]:
    """The UTC instants the grid covers in the viewer's zone (what to ask the ledger for)."""
    start = dt.datetime.combine(first, dt.time(), viewer).timestamp()
    end = dt.datetime.combine(after, dt.time(), viewer).timestamp()
    return start, end


def month(config: Config, anchor: dt.date, items: list[Item], viewer: ZoneInfo) -> list[Day]:
    first, _after = window("month", anchor)
    days = [Day(first + dt.timedelta(days=i)) for i in range(42)]
    for d in days:
        d.in_month = d.date.month == anchor.month
    index = {d.date: d for d in days}
    for item in items:
        e = entry(config, item, viewer)
        day = index.get(e.at.date())
        if day is not None:
            day.entries.append(e)
    for d in days:
        d.entries.sort(key=lambda e: (e.item.due_at, e.item.id))
    return days


def _slots(accounts: list[SocialAccount], first: dt.date, viewer: ZoneInfo) -> list[Slot]:
    out = []
    for acc in accounts:
        tz = ZoneInfo(acc.timezone)
        for offset in range(-1, 8):  # a day either side: the account's day may straddle the viewer's
            day = first + dt.timedelta(days=offset)
            for hhmm in acc.slots.get(WEEKDAYS[day.weekday()], []):
                local = dt.datetime.combine(day, parse_hhmm(hhmm), tz)
                out.append(Slot(acc.name, local.astimezone(viewer), local))
    return out


def week(
    config: Config, anchor: dt.date, items: list[Item], viewer: ZoneInfo, accounts: list[SocialAccount]
) -> tuple[list[dt.date], list[int], dict[tuple[dt.date, int], Cell]]:
    """(the seven days, the hours shown, (day, hour) → cell) with posts and free slots in the viewer's zone."""
    first, _after = window("week", anchor)
    days = [first + dt.timedelta(days=i) for i in range(7)]
    cells: dict[tuple[dt.date, int], Cell] = {(d, h): Cell(d, h) for d in days for h in range(24)}
    taken = set()
    for item in items:
        e = entry(config, item, viewer)
        cell = cells.get((e.at.date(), e.at.hour))
        if cell is not None:
            cell.entries.append(e)
            taken.add((item.account, e.at.replace(second=0, microsecond=0)))
    for slot in _slots(accounts, first, viewer):
        cell = cells.get((slot.at.date(), slot.at.hour))
        if cell is not None and (slot.account, slot.at) not in taken:
            cell.slots.append(slot)
    used = [h for (_d, h), c in cells.items() if c.entries or c.slots]
    lo, hi = min([DAY_HOURS[0], *used]), max([DAY_HOURS[1], *used])
    for cell in cells.values():
        cell.entries.sort(key=lambda e: (e.item.due_at, e.item.id))
        cell.slots.sort(key=lambda s: (s.at, s.account))
    return days, list(range(lo, hi + 1)), cells


def shift(view: str, anchor: dt.date, step: int) -> dt.date:
    if view == "month":
        month_index = anchor.month - 1 + step
        return dt.date(anchor.year + month_index // 12, month_index % 12 + 1, 1)
    return anchor + dt.timedelta(days=7 * step)

"""Slots: where on an account's calendar the next post goes.

Slots are wall-clock times in the account's own zone, so "09:00 on Mondays" stays 09:00 local across a DST
change (its UTC instant moves). A slot that does not exist on a spring-forward day (02:30 in a 02:00→03:00 gap)
lands at the same distance past the gap (03:30), as zoneinfo's fold=0 arithmetic gives; an ambiguous slot on a
fall-back day takes its first occurrence. Everything stored is UTC epoch seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from pipeline.config import SocialAccount

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 400


def parse_hhmm(value: str) -> dt.time:
    hours, _, minutes = value.partition(":")
    return dt.time(int(hours), int(minutes))


def slot_instants(
    account: SocialAccount, start: float, days: int = HORIZON_DAYS
) -> Iterator[tuple[float, dt.date]]:
    """(UTC epoch, local date) of each slot at or after `start`, in time order."""
    tz = ZoneInfo(account.timezone)
    first_day = dt.datetime.fromtimestamp(start, tz).date()
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        times = sorted(parse_hhmm(t) for t in account.slots.get(WEEKDAYS[day.weekday()], []))
        instants = sorted(dt.datetime.combine(day, t, tzinfo=tz).timestamp() for t in times)
        for instant in instants:
            if instant >= start:
                yield instant, day


@lru_cache(maxsize=1 << 16)
def _day_in(instant: float, timezone: str) -> dt.date:
    """The calendar day of an instant in a zone. Memoised: the daily-cap check asks it for every post already
    taken, for every candidate slot (quadratic in the plan; minutes of CPU for 1,700 posts on opentelemetry.io)."""
    return dt.datetime.fromtimestamp(instant, ZoneInfo(timezone)).date()


@dataclass
class Calendar:
    """One account's occupied instants; `place` finds the first slot meeting every spacing rule."""

    account: SocialAccount
    taken: list[tuple[float, str]] = field(default_factory=list)  # (epoch, translation_key)

    def _local_day(self, instant: float) -> dt.date:
        return _day_in(instant, self.account.timezone)

    def allows(self, instant: float, key: str) -> bool:
        day = self._local_day(instant)
        same_day = sum(1 for t, _ in self.taken if self._local_day(t) == day)
        if same_day >= self.account.max_per_day:
            return False
        spacing = self.account.min_spacing_minutes * 60
        variant_gap = self.account.variant_spacing_minutes * 60
        for t, k in self.taken:
            gap = abs(t - instant)
            if gap < spacing or (k == key and gap < variant_gap):
                return False
        return True

    def conflicts(self, instant: float, key: str) -> list[str]:
        """Why `instant` breaks this account's rules (outside its slots, too close to another post, over the daily
        cap), in words; empty when it fits. A marketer may still confirm a move against them."""
        tz = ZoneInfo(self.account.timezone)
        local = dt.datetime.fromtimestamp(instant, tz)
        out: list[str] = []
        weekday = WEEKDAYS[local.weekday()]
        slots = sorted(self.account.slots.get(weekday, []))
        if local.strftime("%H:%M") not in slots:
            where = (
                f"its {local.strftime('%A')} slots are {', '.join(slots)}"
                if slots
                else f"no slots on {local.strftime('%A')}s"
            )
            out.append(
                f"{local.strftime('%H:%M')} is not one of {self.account.name}'s slots ({where}, {tz.key})"
            )
        day = local.date()
        same_day = sum(1 for t, _ in self.taken if self._local_day(t) == day)
        if same_day >= self.account.max_per_day:
            out.append(
                f"{self.account.name} already has {same_day} post(s) on {day.isoformat()}; "
                f"its daily cap is {self.account.max_per_day}"
            )
        spacing = self.account.min_spacing_minutes * 60
        variant_gap = self.account.variant_spacing_minutes * 60
        for t, k in sorted(self.taken):
            gap = abs(t - instant)
            other = dt.datetime.fromtimestamp(t, tz).strftime("%a %d %b %H:%M")
            if gap < spacing:
                out.append(
                    f"{gap / 60:.0f} min from another post at {other}; "
                    f"{self.account.name} keeps {self.account.min_spacing_minutes} min between posts"
                )
            elif k == key and gap < variant_gap:
                out.append(
                    f"{gap / 60:.0f} min from another language of the same article at {other}; "
                    f"{self.account.name} keeps {self.account.variant_spacing_minutes} min between them"
                )
        return out

    def place(self, earliest: float, key: str) -> float | None:
        for instant, _day in slot_instants(self.account, earliest):
            if self.allows(instant, key):
                self.taken.append((instant, key))
                return instant
        return None

"""The planner as it was before issue 20's speed-up, kept as the brute-force reference the fast `Calendar` must
match slot for slot (tests/test_social_plan_fast.py) and is measured against (bench/bench_social.py).

Every check scans every placed post: O(n) per candidate slot, O(n²) and worse for a plan. Do not optimise it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.config import SocialAccount
from pipeline.social.schedule import _day_in, slot_instants


@dataclass
class ReferenceCalendar:
    account: SocialAccount
    taken: list[tuple[float, str]] = field(default_factory=list)

    def _local_day(self, instant: float) -> dt.date:
        return _day_in(instant, self.account.timezone)  # memoised, as it was

    def allows(self, instant: float, key: str) -> bool:
        day = self._local_day(instant)
        if sum(1 for t, _ in self.taken if self._local_day(t) == day) >= self.account.max_per_day:
            return False
        spacing = self.account.min_spacing_minutes * 60
        variant_gap = self.account.variant_spacing_minutes * 60
        for t, k in self.taken:
            gap = abs(t - instant)
            if gap < spacing or (k == key and gap < variant_gap):
                return False
        return True

    def place(self, earliest: float, key: str) -> float | None:
        for instant, _day in slot_instants(self.account, earliest):
            if self.allows(instant, key):
                self.taken.append((instant, key))
                return instant
        return None

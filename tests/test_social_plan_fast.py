"""The indexed planner (pipeline/social/schedule.py) places every post exactly where the brute-force reference
does: random zones (DST gaps and folds, half-hour offsets, a skipped day), slots, caps, spacings, variants,
posts already on the calendar and out-of-order earliest times."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import SocialAccount
from pipeline.social.schedule import WEEKDAYS, Calendar
from tests.social_plan_reference import ReferenceCalendar

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia"]
# Around DST changes in both hemispheres, and Samoa's skipped 2011-12-30.
STARTS = [
    dt.datetime(2026, 3, 6, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 27, tzinfo=dt.UTC),
    dt.datetime(2026, 10, 23, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 31, tzinfo=dt.UTC),
    dt.datetime(2011, 12, 27, tzinfo=dt.UTC),
]
TIMES = ["00:00", "00:30", "02:00", "02:30", "03:00", "08:45", "09:00", "09:30", "12:00", "17:00", "23:30"]
HOUR = 3600.0


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[SocialAccount, float, list[tuple[float, str]], list[tuple[float, str]]]:
    slots = {
        day: sorted(draw(st.sets(st.sampled_from(TIMES), max_size=5)))
        for day in draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    }
    account = SocialAccount(
        name="a",
        platform="x",
        timezone=draw(st.sampled_from(ZONES)),
        slots=slots,
        max_per_day=draw(st.integers(1, 4)),
        min_spacing_minutes=draw(st.sampled_from([0, 15, 30, 60, 150, 600])),
        variant_spacing_minutes=draw(st.sampled_from([0, 60, 180, 1440, 4000])),
    )
    start = draw(st.sampled_from(STARTS)).timestamp()
    keys = st.sampled_from(["a", "b", "c", "d"])
    offsets = st.floats(0, 20 * 24 * HOUR, allow_nan=False).map(lambda h: round(h / 900) * 900.0)
    taken = draw(st.lists(st.tuples(offsets.map(lambda o: start + o), keys), max_size=12))
    asks = draw(st.lists(st.tuples(offsets.map(lambda o: start + o), keys), min_size=1, max_size=40))
    return account, start, taken, asks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_fast_planner_matches_the_reference(
    case: tuple[SocialAccount, float, list[tuple[float, str]], list[tuple[float, str]]],
) -> None:
    account, start, taken, asks = case
    fast, reference = Calendar(account, list(taken)), ReferenceCalendar(account, list(taken))
    for earliest, key in asks:
        assert fast.place(earliest, key) == reference.place(earliest, key)
    for k in range(48):  # every half hour of the first day: same verdicts, same cap count in the words
        probe = start + k * 1800.0
        assert fast.allows(probe, "a") == reference.allows(probe, "a")
    assert fast.taken == reference.taken


def test_a_dead_day_stays_dead_but_a_variant_refusal_does_not_kill_it() -> None:
    """The skip over dead days is the only shortcut: a day refused for one article must stay open to another."""
    account = SocialAccount(
        name="a",
        platform="x",
        timezone="UTC",
        slots={d: ["09:00", "17:00"] for d in WEEKDAYS},
        max_per_day=2,
        min_spacing_minutes=60,
        variant_spacing_minutes=3 * 24 * 60,
    )
    monday = dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp()
    cal = Calendar(account)
    first = cal.place(monday, "k")
    variant = cal.place(monday, "k")  # three days later: Tue-Wed are refused for "k" only
    other = cal.place(monday, "other")  # Monday 17:00 is still free for another article
    assert [
        dt.datetime.fromtimestamp(t or 0, dt.UTC).strftime("%a %H:%M") for t in (first, variant, other)
    ] == [
        "Mon 09:00",
        "Thu 09:00",
        "Mon 17:00",
    ]

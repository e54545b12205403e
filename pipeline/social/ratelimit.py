"""When to try again after a 429: the platform's hint, read defensively and clamped to its documented window.

A reset header is an instant on the *platform's* clock. Read naively it misleads both ways: a reset that lies in
the past (skewed clocks, a stale header) was once taken as "seconds from now" and parked an item until 2083 with
its account paused until a restart; a reset years ahead would do the same. So: prefer `Retry-After` when it is
sane, measure a reset against the answer's own `Date` header when there is one (skew cancels out), never wait
longer than the platform's documented window, and when no hint is usable wait a few seconds, doubling with each
429 in a row on the account.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from datetime import datetime

MIN_WAIT_S = 1.0  # even a reset "now" gets a moment, so a busy platform is not hammered
FALLBACK_WAIT_S = 2.0  # no usable hint: wait this, doubled per 429 in a row, up to the window

# Longest documented rate-limit windows: X 15 minutes (24 hours for the per-user post limit), Mastodon 3 hours
# (300 statuses per 3 h; 5 minutes for the general API, 30 for media), Bluesky 24 hours (daily write points).
X_WINDOW_S = 15 * 60.0
X_DAY_S = 24 * 3600.0
MASTODON_STATUS_WINDOW_S = 3 * 3600.0
MASTODON_API_WINDOW_S = 5 * 60.0
MASTODON_MEDIA_WINDOW_S = 30 * 60.0
BLUESKY_WINDOW_S = 24 * 3600.0
BLUESKY_READ_WINDOW_S = 5 * 60.0


def parse_instant(value: str | None) -> float | None:
    """An instant from a header: epoch seconds, ISO 8601 (Mastodon) or an HTTP date; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            return parsed.timestamp()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def hinted_reset(
    headers: Mapping[str, str],
    reset_header: str,
    window_s: float,
    now: float | None = None,
) -> float | None:
    """The platform's idea of when to retry, on *our* clock, or None when it gave no usable hint.

    `Retry-After` wins when it is within the window; otherwise the reset header, measured against the answer's
    `Date` so that a skewed server clock does not matter. A reset in the past is no hint at all.
    """
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    server_now = parse_instant(lower.get("date"))
    retry_after = lower.get("retry-after")
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            when = parse_instant(retry_after)
            seconds = when - (server_now or now) if when is not None else -1.0
        if 0 <= seconds <= window_s:
            return now + seconds
    reset = parse_instant(lower.get(reset_header.lower()))
    if reset is None:
        return None
    wait = reset - (server_now if server_now is not None else now)
    return now + wait if wait > 0 else None


def retry_at(now: float, hint: float | None, window_s: float, strikes: int = 0) -> float:
    """When to try again: the hint clamped to [MIN_WAIT_S, window]; no hint → a short wait doubling per strike."""
    if hint is None or hint <= now:
        return now + min(FALLBACK_WAIT_S * (2 ** max(strikes, 0)), window_s)
    return now + min(max(hint - now, MIN_WAIT_S), window_s)

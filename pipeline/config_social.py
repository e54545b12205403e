"""Social settings: the accounts a plan fills and how the sender works (part of pipeline.config's one model).

Secrets never live here: an account names the *environment variables* that hold its credentials.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from pipeline.config_section import Section
from pipeline.platforms import PLATFORMS


class SocialAccount(Section):
    name: str = Field(..., max_length=64, description="Account id used in the ledger and the web UI.")
    platform: str = Field(
        ...,
        description=f"Which platform posts for this account: {', '.join(PLATFORMS)} (pipeline/platforms.py).",
    )
    handle: str = Field("", description="Public handle, for display and reconciliation.")
    languages: list[str] = Field(
        default_factory=lambda: ["en"], description="Languages this account publishes."
    )
    timezone: str = Field("UTC", description="IANA time zone of the slots.")
    slots: dict[str, list[str]] = Field(
        default_factory=lambda: {d: ["09:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        description="Weekday → local HH:MM slots.",
    )
    max_per_day: int = Field(4, ge=1, description="At most this many posts per local day.")
    min_spacing_minutes: int = Field(
        60, ge=0, description="Minimum minutes between two posts on this account."
    )
    approval_required: bool = Field(True, description="Planned items wait for approval before they are sent.")
    api_base_url: str | None = Field(None, description="Override the platform API origin (proxies, tests).")
    credentials_env: dict[str, str] = Field(
        default_factory=dict,
        description="Credential name → environment variable holding it (never the secret itself).",
    )
    char_limit: int | None = Field(None, description="Per-instance character limit (Mastodon).")
    variant_spacing_minutes: int = Field(
        180, ge=0, description="Minimum minutes between language variants of one article on this account."
    )
    enabled: bool = Field(True, description="Switch the account off without deleting it.")
    start: dt.date | None = Field(
        None, description="Plan posts dated from this day on; the archive before it is not announced."
    )
    author: str = Field("", description="LinkedIn author URN / Threads user id; empty: the token's own.")
    api_version: str = Field("", description="LinkedIn-Version header (YYYYMM); empty: the default.")
    threads: bool = Field(False, description="Plan long posts as a numbered thread, not shortened.")
    first_comment: Literal["", "link", "hashtags", "link+hashtags"] = Field(
        "", description="The link and/or hashtags go into the first reply (LinkedIn: the first comment)."
    )

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        if value not in PLATFORMS:
            raise ValueError(f"'{value}' is not a platform; choose from {', '.join(PLATFORMS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone (e.g. 'Europe/Berlin')") from None
        return value

    @field_validator("slots")
    @classmethod
    def _slot_shape(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        import re

        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        for day, times in value.items():
            if day not in days:
                raise ValueError(f"slot day '{day}' must be one of {', '.join(days)}")
            for t in times:
                if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t):
                    raise ValueError(f"slot time '{t}' on {day} must be HH:MM (24-hour)")
        return value


class SocialConfig(Section):
    accounts: list[SocialAccount] = Field(default_factory=list, description="Accounts the plan fills.")
    max_attempts: int = Field(5, ge=1, description="Attempts before an item is dead-lettered.")
    templates_dir: Path = Field(Path("templates/social"), description="Jinja2 templates per platform.")
    request_timeout_s: float = Field(
        15.0, gt=0, description="Read timeout for platform calls (connect: the smaller of this and 10 s)."
    )
    sending_lease_s: float = Field(
        120.0,
        gt=0,
        description="A `sending` item older than this was orphaned by a dead worker: reconcile it.",
    )
    reconcile_after_s: float = Field(
        30.0, ge=0, description="Wait this long after an unknown outcome before reading the platform back."
    )
    backoff_base_s: float = Field(
        30.0, ge=0, description="First retry delay (also after a failed read-back, at least 1 s); doubles."
    )
    backoff_max_s: float = Field(3600.0, ge=0, description="Longest retry delay.")
    poll_interval_s: float = Field(5.0, gt=0, description="How often `social run` looks for due items.")
    threads: int = Field(4, ge=1, le=64, description="Concurrent senders per worker process.")
    max_rate_wait_s: float = Field(
        900.0,
        ge=0,
        description="429 waits `run --once` sits out in-line, in total; longer ones reschedule the item.",
    )

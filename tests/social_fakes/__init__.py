"""Local HTTP fakes of X, Mastodon, Bluesky, Threads and LinkedIn on 127.0.0.1, spoken to by the real clients.

Each fake checks auth the way the platform does (OAuth 1.0a HMAC-SHA1 signature over the public URL, bearer
token, session JWT), enforces the limits and rules a sender must respect (lengths, duplicates, media sizes,
rate-limit windows and headers, Mastodon's one-hour Idempotency-Key, how far back and in what pages an account's
posts can be read), and can be told to misbehave: 429 with a reset (even one in the past), *store a post and then
stall* (the case that decides whether a sender is exactly-once), read a post request and never answer, fail
read-backs, run on a skewed clock. `SilentServer` and `Blackhole` stand in for a hung and an unreachable host.
"""

from __future__ import annotations

from tests.social_fakes.base import Blackhole, Fake, FakeState, SilentServer
from tests.social_fakes.bluesky import BlueskyFake
from tests.social_fakes.linkedin import LinkedInFake
from tests.social_fakes.mastodon import MastodonFake
from tests.social_fakes.threads import ThreadsFake
from tests.social_fakes.x import XFake

__all__ = [
    "X_SECRETS",
    "Blackhole",
    "BlueskyFake",
    "Fake",
    "FakeState",
    "LinkedInFake",
    "MastodonFake",
    "SilentServer",
    "ThreadsFake",
    "XFake",
    "start",
    "start_bluesky",
    "start_linkedin",
    "start_mastodon",
    "start_threads",
    "start_x",
]

X_SECRETS = {
    "consumer_key": "ck-fake-key",
    "consumer_secret": "cs-SECRET-1f2e3d",
    "token": "at-fake-token",
    "token_secret": "ats-SECRET-9a8b7c",
}


def start_x(**conf: object) -> XFake:
    return XFake(**X_SECRETS, **conf)


def start_mastodon(**conf: object) -> MastodonFake:
    return MastodonFake(token="masto-SECRET-token-55", **conf)


def start_bluesky(**conf: object) -> BlueskyFake:
    return BlueskyFake(handle="me.bsky.fake", password="bsky-SECRET-app-pw", **conf)


def start_threads(**conf: object) -> ThreadsFake:
    return ThreadsFake(token="threads-SECRET-token-77", **conf)


def start_linkedin(**conf: object) -> LinkedInFake:
    return LinkedInFake(token="linkedin-SECRET-token-88", **conf)


def start(platform: str, **conf: object) -> Fake:
    """The fake of one platform, by name."""
    starters = {
        "x": start_x,
        "mastodon": start_mastodon,
        "bluesky": start_bluesky,
        "threads": start_threads,
        "linkedin": start_linkedin,
    }
    fake: Fake = starters[platform](**conf)
    return fake

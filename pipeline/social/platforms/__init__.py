"""Platform adapters: one small class per platform over its well-kept client library.

Adapters translate every client's error zoo into five outcomes the worker can act on safely. The one that
matters most is the line between `NotSent` (the post request never left: retrying is safe) and `Unknown` (it
may have arrived: only reconciliation, never a blind retry, may decide).
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from pipeline.config import SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.lengths import URL_RE

# Credential names each platform needs, as keys of `credentials_env` (values name environment variables).
REQUIRED: dict[str, tuple[str, ...]] = {
    "x": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    "mastodon": ("access_token",),
    "bluesky": ("app_password",),
}


class PlatformError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotSent(PlatformError):
    """Failed before the post request went out (network, media upload, login): a retry cannot duplicate."""


class RateLimited(NotSent):
    def __init__(self, reason: str, reset_at: float) -> None:
        super().__init__(reason)
        self.reset_at = reset_at


class Rejected(PlatformError):
    """The platform refused the post for good (too long, bad auth, bad media): retrying will not help."""


class Duplicate(PlatformError):
    """X refused the text as a duplicate: it may be ours from an unknown earlier attempt, so reconcile."""


class Unknown(PlatformError):
    """The post request went out and no usable answer came back: it may or may not exist."""


@dataclass(frozen=True)
class Sent:
    remote_id: str
    url: str


@dataclass(frozen=True)
class Media:
    data: bytes
    mime: str
    alt: str
    filename: str


class Adapter(Protocol):
    platform: str

    def post(self, item: Item, media: Media | None) -> Sent: ...

    def reconcile(self, item: Item, media: Media | None) -> Sent | None: ...


def credentials(account: SocialAccount, environ: Mapping[str, str]) -> tuple[dict[str, str] | None, str]:
    """The account's secrets from the environment, or (None, one-line reason naming what to set)."""
    values: dict[str, str] = {}
    for name in REQUIRED[account.platform]:
        var = account.credentials_env.get(name)
        if not var:
            return None, (
                f"social account '{account.name}' is off: credentials_env.{name} is not configured "
                f"(name the environment variable holding it)"
            )
        value = environ.get(var, "")
        if not value:
            return None, f"social account '{account.name}' is off: environment variable {var} is not set"
        values[name] = value
    if account.platform == "bluesky" and not account.handle:
        return None, f"social account '{account.name}' is off: set handle (the Bluesky login)"
    return values, ""


def same_text(posted: str, ours: str) -> bool:
    """Compare a platform's copy with ours: X rewrites links to t.co and HTML-escapes &, < and >."""

    def norm(text: str) -> str:
        return " ".join(URL_RE.sub("<url>", html.unescape(text)).split())

    return norm(posted) == norm(ours)


def connect_failed(exc: BaseException) -> bool:
    """True when the chain of causes shows the TCP connection never opened (so nothing was sent)."""
    import urllib3.exceptions

    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError | urllib3.exceptions.NewConnectionError):
            return True
        if type(cur).__name__ in ("ConnectError", "ConnectTimeout", "ConnectTimeoutError"):
            return True
        stack.extend([cur.__cause__, cur.__context__])
        stack.extend(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException))
        reason = getattr(cur, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return False


def reset_from(value: str | None, default_wait: float = 60.0) -> float:
    """An absolute reset instant from a header that may be epoch seconds or missing."""
    now = time.time()
    if value:
        try:
            reset = float(value)
            return reset if reset > now - 1 else now + max(reset, 0.0)
        except ValueError:
            pass
    return now + default_wait


def make_adapter(account: SocialAccount, secrets: dict[str, str], timeout: float) -> Adapter:
    if account.platform == "x":
        from pipeline.social.platforms.x import XAdapter

        return XAdapter(account, secrets, timeout)
    if account.platform == "mastodon":
        from pipeline.social.platforms.mastodon import MastodonAdapter

        return MastodonAdapter(account, secrets, timeout)
    from pipeline.social.platforms.bluesky import BlueskyAdapter

    return BlueskyAdapter(account, secrets, timeout)

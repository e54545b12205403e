"""Platform adapters: one small class per platform over its well-kept client library (or `requests`).

Adapters translate every client's error zoo into five outcomes the worker can act on safely. The one that
matters most is the line between `NotSent` (the post request never left: retrying is safe) and `Unknown` (it
may have arrived: only reconciliation, never a blind retry, may decide).

An item goes out as one or more parts (a thread, the first comment), each posted by `post(item, part,
checkpoint)` as a reply to the part before and settled by `reconcile(item, part, since)`; the worker records each
part in the ledger before it moves on. A platform that publishes in two steps (Threads) hands what the first step
made to `checkpoint`, which records it while the worker still holds the item, before the second step runs.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.config import SocialAccount
from pipeline.platforms import PLATFORMS
from pipeline.social.ledger import Item
from pipeline.social.lengths import URL_RE
from pipeline.store import Store


class PlatformError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotSent(PlatformError):
    """Failed before the post request went out (network, media upload, login): a retry cannot duplicate."""


class RateLimited(NotSent):
    """429. `reset_at` is the platform's hint on our clock (None: no usable one); the worker clamps it to
    `window_s`, the longest window the platform documents for that call (pipeline/social/ratelimit.py)."""

    def __init__(self, reason: str, reset_at: float | None, window_s: float) -> None:
        super().__init__(reason)
        self.reset_at = reset_at
        self.window_s = window_s


class Rejected(PlatformError):
    """The platform refused the post for good (too long, bad auth, bad media): retrying will not help."""


class AuthRejected(NotSent):
    """The platform refused the credentials (401, an expired or revoked token): nothing was posted. The account
    waits (every post would be refused the same way) until someone renews the token."""


class ClaimLost(PlatformError):
    """This worker no longer holds the item (its lease ran out and another worker took over): stop, post nothing."""


class Duplicate(PlatformError):
    """X refused the text as a duplicate: it may be ours from an unknown earlier attempt, so reconcile."""


class Unknown(PlatformError):
    """The post request went out and no usable answer came back: it may or may not exist."""


@dataclass(frozen=True)
class Sent:
    remote_id: str
    url: str
    ref: dict[str, Any] = field(
        default_factory=dict
    )  # what a reply to it needs besides the id (Bluesky: cid)


@dataclass(frozen=True)
class Media:
    data: bytes
    mime: str
    alt: str
    filename: str


@dataclass(frozen=True)
class Part:
    """One post of an item: its text, where it goes in the thread, and what it replies to."""

    index: int
    count: int
    text: str
    parent: Sent | None = None  # the part this one replies to (None: the head post)
    root: Sent | None = None  # the head post of the thread
    prepared: dict[str, Any] = field(default_factory=dict)  # made by an earlier attempt (a Threads container)
    card: bool = False  # this part carries the article's link card
    media: Media | None = None  # the card image (X and Mastodon attach it to the head, Bluesky to the card)

    @property
    def label(self) -> str:
        return f"part {self.index + 1}/{self.count}: " if self.count > 1 else ""


Checkpoint = Callable[[dict[str, Any]], None]


def single(item: Item, media: Media | None = None) -> Part:
    """An item's one part, for a post that is not a thread."""
    return Part(0, 1, item.text, card=bool(item.link_url), media=media)


class Adapter(Protocol):
    platform: str

    def post(self, item: Item, part: Part, checkpoint: Checkpoint) -> Sent: ...

    def reconcile(self, item: Item, part: Part, since: float) -> Sent | None:
        """Found → Sent; proved absent (the read reached `since`, our first send) → None; else raise."""
        ...


def credentials(account: SocialAccount, environ: Mapping[str, str]) -> tuple[dict[str, str] | None, str]:
    """The account's secrets from the environment, or (None, one-line reason naming what to set)."""
    values: dict[str, str] = {}
    platform = PLATFORMS[account.platform]
    for name in platform.credentials:
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
    if platform.needs_handle and not account.handle:
        return None, f"social account '{account.name}' is off: set handle (the {platform.label} login)"
    return values, ""


def same_text(posted: str, ours: str) -> bool:
    """Compare a platform's copy with ours: X rewrites links to t.co and HTML-escapes &, < and >."""

    def norm(text: str) -> str:
        return " ".join(URL_RE.sub("<url>", html.unescape(text)).split())

    return norm(posted) == norm(ours)


def make_adapter(
    account: SocialAccount, secrets: dict[str, str], timeout: float, store: Store | None = None
) -> Adapter:
    """The adapter named by the platform's entry in pipeline.platforms, imported on first use. An adapter that
    keeps a session between runs (`keeps_session`: Bluesky's JWTs) gets the store to keep it in."""
    module_name, _, class_name = PLATFORMS[account.platform].adapter.partition(":")
    adapter_class = getattr(importlib.import_module(module_name), class_name)
    extra = {"store": store} if store is not None and getattr(adapter_class, "keeps_session", False) else {}
    adapter: Adapter = adapter_class(account, secrets, timeout, **extra)
    return adapter

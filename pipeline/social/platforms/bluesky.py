"""Bluesky through the atproto SDK.

Bluesky does not auto-link, so links and hashtags go out as byte-offset facets; the article link travels as an
external link card whose thumbnail must stay ≤ 1,000,000 bytes (a larger card is sent without its thumbnail
rather than failing). There is no idempotency key: an unknown outcome is settled by listing recent records.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx
from atproto import Client, models
from atproto_client import exceptions as atx
from atproto_client.request import Request

from pipeline.config import SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.lengths import bluesky_facets
from pipeline.social.platforms import (
    Media,
    NotSent,
    RateLimited,
    Rejected,
    Sent,
    Unknown,
    connect_failed,
    reset_from,
    same_text,
)

log = logging.getLogger(__name__)
THUMB_MAX_BYTES = 1_000_000
DEFAULT_BASE = "https://bsky.social"


def _status(exc: atx.AtProtocolError) -> int:
    response = getattr(exc, "response", None)
    return int(getattr(response, "status_code", 0) or 0)


def _headers(exc: atx.AtProtocolError) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    return dict(getattr(response, "headers", {}) or {})


class BlueskyAdapter:
    platform = "bluesky"

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        self.account = account
        self._password = secrets["app_password"]
        self.client = Client(base_url=account.api_base_url or DEFAULT_BASE, request=Request(timeout=timeout))
        self.did: str | None = None

    def _login(self) -> str:
        if self.did is None:
            try:
                profile = self.client.login(self.account.handle, self._password)
            except atx.UnauthorizedError:
                raise Rejected("login refused (check the handle and app password)") from None
            except atx.AtProtocolError as exc:
                raise NotSent(f"login failed: {type(exc).__name__}") from None
            self.did = profile.did if profile else self.account.handle
        return self.did

    def _map_send_error(self, exc: atx.AtProtocolError, before: bool) -> Exception:
        status = _status(exc)
        if isinstance(exc, atx.RateLimitExceededError) or status == 429:
            headers = _headers(exc)
            return RateLimited("rate limited (429)", reset_from(headers.get("ratelimit-reset")))
        if isinstance(exc, atx.UnauthorizedError | atx.BadRequestError) or (
            400 <= status < 500 and status != 409
        ):
            return Rejected(f"refused: HTTP {status} {type(exc).__name__}")
        if before or connect_failed(exc):
            return NotSent(f"{type(exc).__name__} before the post request")
        return Unknown(f"no usable answer to the post request: {type(exc).__name__} {status or ''}".strip())

    def _embed(self, item: Item, media: Media | None) -> Any:
        thumb = None
        if media is not None:
            if len(media.data) > THUMB_MAX_BYTES:
                log.warning(
                    "item %s: card image is %d bytes (> 1,000,000); sending the card without it",
                    item.id,
                    len(media.data),
                )
            else:
                try:
                    thumb = self.client.upload_blob(media.data).blob
                except atx.AtProtocolError as exc:
                    raise self._map_send_error(exc, before=True) from None
        external = models.AppBskyEmbedExternal.External(
            uri=item.link_url, title=item.card_title, description=item.card_description, thumb=thumb
        )
        return models.AppBskyEmbedExternal.Main(external=external)

    def post(self, item: Item, media: Media | None) -> Sent:
        did = self._login()
        facets = []
        for f in bluesky_facets(item.text):
            feature: Any = (
                models.AppBskyRichtextFacet.Link(uri=f.value)
                if f.kind == "link"
                else models.AppBskyRichtextFacet.Tag(tag=f.value)
            )
            facets.append(
                models.AppBskyRichtextFacet.Main(
                    index=models.AppBskyRichtextFacet.ByteSlice(byte_start=f.byte_start, byte_end=f.byte_end),
                    features=[feature],
                )
            )
        embed = self._embed(item, media) if item.link_url else None
        record = models.AppBskyFeedPost.Record(
            created_at=dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            text=item.text,
            facets=facets or None,
            embed=embed,
            langs=[item.lang],
        )
        try:
            ref = self.client.app.bsky.feed.post.create(did, record)
        except atx.AtProtocolError as exc:
            raise self._map_send_error(exc, before=False) from None
        except httpx.HTTPError as exc:
            raise Unknown(f"no answer to the post request: {type(exc).__name__}") from None
        return Sent(ref.uri, self.web_url(ref.uri))

    def web_url(self, uri: str) -> str:
        rkey = uri.rstrip("/").rsplit("/", 1)[-1]
        return f"https://bsky.app/profile/{self.account.handle}/post/{rkey}"

    def reconcile(self, item: Item, media: Media | None) -> Sent | None:
        """List the account's recent post records and look for our exact text created after planning."""
        did = self._login()
        try:
            page = self.client.com.atproto.repo.list_records(
                {"repo": did, "collection": "app.bsky.feed.post", "limit": 100}
            )
        except atx.AtProtocolError as exc:
            mapped = self._map_send_error(exc, before=True)
            if isinstance(mapped, RateLimited):
                raise mapped from None
            raise Unknown(f"could not list recent records: {type(exc).__name__}") from None
        for record in page.records:
            value: Any = record.value
            text = getattr(value, "text", None)
            if text is None and isinstance(value, dict):
                text = value.get("text")
            if isinstance(text, str) and same_text(text, item.text):
                return Sent(record.uri, self.web_url(record.uri))
        return None

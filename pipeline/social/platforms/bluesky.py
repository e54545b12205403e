"""Bluesky through the atproto SDK.

Bluesky does not auto-link, so links and hashtags go out as byte-offset facets, each link written in its short
form as the Bluesky app writes it (pipeline/social/links.py); the article link travels as an external link card
whose thumbnail must stay ≤ 1,000,000 bytes (a larger card is sent without its thumbnail rather than failing).
A reply names its thread's root and its parent by uri and cid. There is no idempotency key: an unknown outcome is
settled by listing the account's post records back to our first send (record keys are TIDs, so each carries its
creation time).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from atproto import Client, Session, models
from atproto_client import exceptions as atx
from atproto_client.client.session import get_session_pds_endpoint
from atproto_client.request import Request

from pipeline.config import SocialAccount
from pipeline.langtags import bcp47
from pipeline.social import ratelimit
from pipeline.social.ledger import Item
from pipeline.social.links import bluesky_post
from pipeline.social.platforms import (
    AuthRejected,
    Checkpoint,
    Media,
    NotSent,
    Part,
    RateLimited,
    Rejected,
    Sent,
    Unknown,
    same_text,
)
from pipeline.social.platforms.net import Timeouts, describe
from pipeline.social.sessions import SessionVault, Tokens, fresh, jwt_times
from pipeline.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")
THUMB_MAX_BYTES = 1_000_000
DEFAULT_BASE = "https://bsky.social"
PAGE_SIZE = 100  # the largest listRecords page
SKEW_MARGIN_S = 15 * 60.0  # read back from this long before our first send (record keys carry the PDS clock)
S32 = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, the TID alphabet


def _status(exc: atx.AtProtocolError) -> int:
    response = getattr(exc, "response", None)
    return int(getattr(response, "status_code", 0) or 0)


def _headers(exc: atx.AtProtocolError) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    return dict(getattr(response, "headers", {}) or {})


def _rate_limited(what: str, exc: atx.AtProtocolError, window_s: float) -> RateLimited:
    hint = ratelimit.hinted_reset(_headers(exc), "ratelimit-reset", window_s)
    return RateLimited(f"{what} rate limited (429)", hint, window_s)


def _network(exc: BaseException) -> bool:
    return isinstance(exc, atx.NetworkError) and not getattr(exc, "response", None)


def record_time(uri: str, value: Any) -> float | None:
    """When a post record was created: from its TID key (the PDS's clock), else its `createdAt`; None if neither."""
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    if len(rkey) == 13 and all(c in S32 for c in rkey) and rkey[0] in S32[:16]:
        number = 0
        for c in rkey:
            number = number * 32 + S32.index(c)
        return (number >> 10) / 1_000_000
    created = getattr(value, "created_at", None)
    if created is None and isinstance(value, dict):
        created = value.get("createdAt")
    try:
        return dt.datetime.fromisoformat(str(created).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class _Client(Client):
    """atproto's Client, minus its own session refresh.

    The Client refreshes a session 15 minutes before it expires, on its own and inside one process; the adapter
    refreshes through the store instead (one sender at a time, the rotated refresh token kept for the next run),
    so the Client must never spend the refresh token behind the store's back.
    """

    def _should_refresh_session(self) -> bool:
        return False


class _TokenRefused(Exception):
    """The PDS refused our access token (expired early, revoked): nothing was done; renew and try once more.
    `fallback` is what the call raises if the renewed session is refused too."""

    def __init__(self, fallback: Exception) -> None:
        super().__init__("access token refused")
        self.fallback = fallback


def _token_refused(exc: atx.AtProtocolError) -> bool:
    if _status(exc) == 401:
        return True
    content = getattr(getattr(exc, "response", None), "content", None)
    return _status(exc) == 400 and getattr(content, "error", None) in ("ExpiredToken", "InvalidToken")


class BlueskyAdapter:
    platform = "bluesky"
    max_pages = 30  # 3,000 records since the send: more than the hourly write limit allows (1,666)
    keeps_session = True  # make_adapter hands it the store (pipeline/social/sessions.py)

    def __init__(
        self, account: SocialAccount, secrets: dict[str, str], timeout: float, store: Store | None = None
    ) -> None:
        self.account = account
        self._password = secrets["app_password"]
        self.timeouts = Timeouts.of(timeout)
        self.base_url = base = account.api_base_url or DEFAULT_BASE
        self.client = _Client(base_url=base, request=Request(timeout=self.timeouts.for_httpx()))
        self.did: str | None = None
        self._tokens: Tokens | None = None
        self.vault = SessionVault(store, account.name, f"{account.handle} {base}") if store else None
        # Long enough for a refresh and a login that both run into their read timeouts.
        self.lease_s = 2 * (self.timeouts.connect + self.timeouts.read) + 5.0

    # --- the session ---------------------------------------------------------------------------------------

    def _login(self, rejected: str | None = None) -> str:
        """The account's DID, with a usable session in the client: ours while it is fresh, else the stored one,
        else one renewed by this sender while it holds the store's lease (refresh, or log in when the refresh
        is refused), else the one another sender is renewing. `rejected`: an access token the PDS just refused.
        """
        if self._tokens and self._tokens.access != rejected and fresh(self._tokens.access):
            return self.did or ""
        if self.vault is None:
            return self._use(self._renew(self._tokens))
        deadline = time.monotonic() + self.lease_s + 5.0
        while True:
            stored = self.vault.read()
            tokens = stored.tokens
            if tokens and tokens.access != rejected and fresh(tokens.access):
                return self._use(tokens)
            if self.vault.take_lease(stored.version, self.lease_s):
                try:
                    renewed = self._renew(tokens)
                except BaseException:
                    self.vault.release()
                    raise
                self.vault.save(renewed)
                return self._use(renewed)
            if time.monotonic() > deadline:
                raise NotSent(f"another sender has been renewing the session for over {self.lease_s:.0f} s")
            time.sleep(0.1)

    def _use(self, tokens: Tokens) -> str:
        session = Session(
            tokens.data.get("handle", self.account.handle),
            tokens.data["did"],
            tokens.access,
            tokens.refresh,
            tokens.data.get("pds") or self.base_url,
        )
        self.client.login(session_string=session.encode(), fetch_bsky_profile=False)  # no request
        self._tokens = tokens
        self.did = str(tokens.data["did"])
        return self.did

    def _renew(self, tokens: Tokens | None) -> Tokens:
        """A new session: refreshed from `tokens` while its refresh token lasts and the PDS accepts it, else a
        login (createSession, the rate-limited call this all exists to spare)."""
        if tokens is not None and jwt_times(tokens.refresh)[1] > time.time():
            try:
                answer: Any = self.client.com.atproto.server.refresh_session(
                    headers={"Authorization": f"Bearer {tokens.refresh}"}
                )
            except atx.AtProtocolError as exc:
                if isinstance(exc, atx.RateLimitExceededError) or _status(exc) == 429:
                    raise _rate_limited("session refresh", exc, ratelimit.BLUESKY_WINDOW_S) from None
                if not (isinstance(exc, atx.UnauthorizedError | atx.BadRequestError)):
                    words = describe(exc, self.timeouts)[1] if _network(exc) else type(exc).__name__
                    raise NotSent(f"session refresh failed: {words}") from None
                log.info("account %s: the session refresh was refused; logging in again", self.account.name)
            else:
                pds = get_session_pds_endpoint(answer) or tokens.data.get("pds", "")
                data = {"did": answer.did, "handle": answer.handle, "pds": pds}
                return Tokens(answer.access_jwt, answer.refresh_jwt, data)
        try:
            self.client.login(self.account.handle, self._password, fetch_bsky_profile=False)
        except atx.UnauthorizedError:
            raise AuthRejected("login refused (check the handle and app password)") from None
        except atx.AtProtocolError as exc:
            if isinstance(exc, atx.RateLimitExceededError) or _status(exc) == 429:
                raise _rate_limited("login", exc, ratelimit.BLUESKY_WINDOW_S) from None
            words = describe(exc, self.timeouts)[1] if _network(exc) else type(exc).__name__
            raise NotSent(f"login failed: {words}") from None
        session = Session.decode(self.client.export_session_string())
        data = {"did": session.did, "handle": session.handle, "pds": session.pds_endpoint or ""}
        return Tokens(session.access_jwt, session.refresh_jwt, data)

    def _authed(self, call: Callable[[str], T]) -> T:
        """Run `call(did)` with a session; when the PDS refuses the access token, renew it and run it once more."""
        try:
            return call(self._login())
        except _TokenRefused:
            rejected = self._tokens.access if self._tokens else None
        try:
            return call(self._login(rejected=rejected))
        except _TokenRefused as again:
            raise again.fallback from None

    # --- posting -------------------------------------------------------------------------------------------

    def _map_send_error(self, exc: atx.AtProtocolError, before: bool) -> Exception:
        mapped = self._map_error(exc, before)
        return _TokenRefused(mapped) if _token_refused(exc) else mapped

    def _map_error(self, exc: atx.AtProtocolError, before: bool) -> Exception:
        status = _status(exc)
        if isinstance(exc, atx.RateLimitExceededError) or status == 429:
            return _rate_limited("post", exc, ratelimit.BLUESKY_WINDOW_S)
        if isinstance(exc, atx.UnauthorizedError | atx.BadRequestError) or (
            400 <= status < 500 and status != 409
        ):
            return Rejected(f"refused: HTTP {status} {type(exc).__name__}")
        if _network(exc):
            arrived, words = describe(exc, self.timeouts)
            if before or not arrived:
                return NotSent(f"before the post request: {words}" if before else words)
            return Unknown(f"post request: {words}")
        if before:
            return NotSent(f"{type(exc).__name__} before the post request")
        detail = f"{type(exc).__name__} {status}" if status else type(exc).__name__
        return Unknown(f"post request: no usable answer ({detail})")

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

    @staticmethod
    def _strong(sent: Sent) -> Any:
        return models.ComAtprotoRepoStrongRef.Main(uri=sent.remote_id, cid=str(sent.ref.get("cid", "")))

    def post(self, item: Item, part: Part, checkpoint: Checkpoint | None = None) -> Sent:
        return self._authed(lambda did: self._post(did, item, part))

    def _post(self, did: str, item: Item, part: Part) -> Sent:
        text, found = bluesky_post(part.text)
        facets = []
        for f in found:
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
        embed = self._embed(item, part.media) if item.link_url and part.card else None
        reply = None
        if part.parent is not None:
            root = part.root or part.parent
            reply = models.AppBskyFeedPost.ReplyRef(root=self._strong(root), parent=self._strong(part.parent))
        record = models.AppBskyFeedPost.Record(
            created_at=dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            text=text,
            facets=facets or None,
            embed=embed,
            langs=[bcp47(item.lang)],  # the lexicon's `language` format is BCP 47: `zh_tw` is refused
            reply=reply,
        )
        try:
            ref = self.client.app.bsky.feed.post.create(did, record)
        except atx.AtProtocolError as exc:
            raise self._map_send_error(exc, before=False) from None
        except httpx.HTTPError as exc:
            arrived, words = describe(exc, self.timeouts)
            raise (Unknown(f"post request: {words}") if arrived else NotSent(words)) from None
        return Sent(ref.uri, self.web_url(ref.uri), {"cid": ref.cid})

    def web_url(self, uri: str) -> str:
        rkey = uri.rstrip("/").rsplit("/", 1)[-1]
        return f"https://bsky.app/profile/{self.account.handle}/post/{rkey}"

    def reconcile(self, item: Item, part: Part, since: float) -> Sent | None:
        """Page the account's post records (newest first) back to our first send, looking for our exact text.

        None only when the read reached a record older than the send or the end of the collection; `max_pages`
        pages without getting there prove nothing and raise `Unknown`.
        """
        return self._authed(lambda did: self._reconcile(did, part, since))

    def _reconcile(self, did: str, part: Part, since: float) -> Sent | None:
        stored = bluesky_post(part.text)[0]
        floor = since - SKEW_MARGIN_S
        cursor: str | None = None
        for _ in range(self.max_pages):
            params: dict[str, Any] = {"repo": did, "collection": "app.bsky.feed.post", "limit": PAGE_SIZE}
            if cursor:
                params["cursor"] = cursor
            try:
                page = self.client.com.atproto.repo.list_records(params)
            except atx.AtProtocolError as exc:
                if isinstance(exc, atx.RateLimitExceededError) or _status(exc) == 429:
                    raise _rate_limited("read-back", exc, ratelimit.BLUESKY_READ_WINDOW_S) from None
                words = describe(exc, self.timeouts)[1] if _network(exc) else type(exc).__name__
                failed = Unknown(f"read-back: {words}")
                raise (_TokenRefused(failed) if _token_refused(exc) else failed) from None
            for record in page.records:
                value: Any = record.value
                created = record_time(record.uri, value)
                if created is not None and created < floor:
                    return None  # older than our first send: ours would have come before this
                text = getattr(value, "text", None)
                if text is None and isinstance(value, dict):
                    text = value.get("text")
                # A post sent before links went out in their short form holds the text as written.
                if isinstance(text, str) and (text == stored or same_text(text, part.text)):
                    return Sent(record.uri, self.web_url(record.uri), {"cid": record.cid})
            cursor = page.cursor
            if not page.records or not cursor:
                return None  # the whole collection was read
        raise Unknown(
            f"read-back: ours is not among the {self.max_pages * PAGE_SIZE} latest records, which do not reach "
            "back to the send; cannot tell whether it was posted"
        )

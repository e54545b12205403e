"""X through tweepy's v2 `Client` with OAuth 1.0a user context.

Two gaps in tweepy 4.17 are closed here rather than with another client. Its `Client.request` hard-codes
`https://api.twitter.com`, so a transport adapter mounted on `client.session` rewrites that origin to the
configured base URL (and applies our timeout, which tweepy never passes). The OAuth 1.0a signature is still
computed over the public URL, which is what X (or a signing proxy) verifies. And tweepy has no v2 media upload
(tweepy issue 2217), so `/2/media/upload` and `/2/media/metadata` go through the *same* authenticated session
with tweepy's own `OAuth1UserHandler`: one HTTP stack, one set of credentials, one base-URL rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from pipeline.config import SocialAccount
from pipeline.social import ratelimit
from pipeline.social.ledger import Item
from pipeline.social.platforms import (
    AuthRejected,
    Checkpoint,
    Duplicate,
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

PUBLIC_ORIGIN = "https://api.twitter.com"
TIMELINE_DEPTH = 3200  # GET /2/users/:id/tweets reaches back this many posts, no further
PAGE_SIZE = 100  # its largest page
SKEW_MARGIN_S = 15 * 60.0  # read back from this long before our first send (clocks differ)


class RebaseAdapter(HTTPAdapter):
    """Send requests for `PUBLIC_ORIGIN` to `base` instead, with a default (connect, read) timeout."""

    def __init__(self, base: str, timeout: float | tuple[float, float]) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = request.url or ""
        if url.startswith(PUBLIC_ORIGIN):
            request.url = self.base + url[len(PUBLIC_ORIGIN) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def rate_limited(what: str, response: Any) -> RateLimited:
    """A 429 from X: the 24-hour per-user post limit when that is what ran out, else the 15-minute window."""
    headers = dict(getattr(response, "headers", None) or {})
    lower = {k.lower(): v for k, v in headers.items()}
    if lower.get("x-user-limit-24hour-remaining") == "0":
        hint = ratelimit.hinted_reset(headers, "x-user-limit-24hour-reset", ratelimit.X_DAY_S)
        return RateLimited(f"{what} rate limited (429, 24-hour post limit)", hint, ratelimit.X_DAY_S)
    hint = ratelimit.hinted_reset(headers, "x-rate-limit-reset", ratelimit.X_WINDOW_S)
    return RateLimited(f"{what} rate limited (429)", hint, ratelimit.X_WINDOW_S)


class XAdapter:
    platform = "x"
    max_pages = TIMELINE_DEPTH // PAGE_SIZE

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        self.account = account
        self.timeouts = Timeouts.of(timeout)
        self.client = tweepy.Client(
            consumer_key=secrets["consumer_key"],
            consumer_secret=secrets["consumer_secret"],
            access_token=secrets["access_token"],
            access_token_secret=secrets["access_token_secret"],
            wait_on_rate_limit=False,
        )
        self.client.session.mount(
            PUBLIC_ORIGIN + "/",
            RebaseAdapter(account.api_base_url or PUBLIC_ORIGIN, self.timeouts.for_requests()),
        )
        self._user_id: str | None = None

    def _auth(self) -> Any:
        c = self.client
        return tweepy.OAuth1UserHandler(
            c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret
        ).apply_auth()

    def upload(self, media: Media) -> str:
        """v2 media upload (one-shot; images only) then alt text; every failure here is before the post."""
        try:
            resp = self.client.session.post(
                PUBLIC_ORIGIN + "/2/media/upload",
                files={"media": (media.filename, media.data, media.mime)},
                data={"media_category": "tweet_image"},
                auth=self._auth(),
            )
        except requests.RequestException as exc:
            raise NotSent(f"media upload: {describe(exc, self.timeouts)[1]}") from None
        if resp.status_code == 429:
            raise rate_limited("media upload", resp)
        if resp.status_code == 401:
            raise AuthRejected("media upload: the credentials were refused (401)")
        if resp.status_code >= 500:
            raise NotSent(f"media upload: HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise Rejected(f"media upload refused: HTTP {resp.status_code} {resp.text[:200]}")
        media_id = str(resp.json()["data"]["id"])
        if media.alt:
            try:
                self.client.session.post(
                    PUBLIC_ORIGIN + "/2/media/metadata",
                    json={"id": media_id, "metadata": {"alt_text": {"text": media.alt[:1000]}}},
                    auth=self._auth(),
                )
            except requests.RequestException as exc:
                raise NotSent(f"media alt text: {describe(exc, self.timeouts)[1]}") from None
        return media_id

    def post(self, item: Item, part: Part, checkpoint: Checkpoint | None = None) -> Sent:
        media_ids = [self.upload(part.media)] if part.media and part.index == 0 else None
        try:
            resp = self.client.create_tweet(
                text=part.text,
                media_ids=media_ids,
                in_reply_to_tweet_id=part.parent.remote_id if part.parent else None,
                user_auth=True,
            )
        except tweepy.TooManyRequests as exc:
            raise rate_limited("post", exc.response) from None
        except tweepy.Unauthorized:
            raise AuthRejected("the credentials were refused (401)") from None
        except tweepy.Forbidden as exc:
            if "duplicate" in str(exc).lower():
                raise Duplicate("X refused duplicate content") from None
            raise Rejected(f"forbidden: {exc}") from None
        except tweepy.TwitterServerError as exc:
            raise Unknown(f"post request: server error {exc.response.status_code}") from None
        except tweepy.HTTPException as exc:
            raise Rejected(f"refused: {exc}") from None
        except requests.RequestException as exc:
            arrived, words = describe(exc, self.timeouts)
            raise (Unknown(f"post request: {words}") if arrived else NotSent(words)) from None
        data: Any = getattr(resp, "data", None) or {}
        tweet_id = str(data["id"])
        return Sent(tweet_id, self.status_url(tweet_id))

    def status_url(self, tweet_id: str) -> str:
        handle = self.account.handle.lstrip("@") or "i/web"
        return f"https://x.com/{handle}/status/{tweet_id}"

    def reconcile(self, item: Item, part: Part, since: float) -> Sent | None:
        """Page the account's posts back to our first send for our exact text (links compared as links).

        None only when the read reached the send time; a timeline cut off by X's 3,200-post depth, or longer
        than `max_pages`, proves nothing and raises `Unknown`.
        """
        start = dt.datetime.fromtimestamp(since - SKEW_MARGIN_S, dt.UTC)
        token: str | None = None
        seen = 0
        try:
            if self._user_id is None:
                me: Any = self.client.get_me(user_auth=True)
                self._user_id = str(me.data.id)
            for _ in range(self.max_pages):
                page: Any = self.client.get_users_tweets(
                    self._user_id,
                    max_results=PAGE_SIZE,
                    pagination_token=token,
                    start_time=start,
                    tweet_fields=["created_at"],
                    user_auth=True,
                )
                for tweet in page.data or []:
                    if same_text(tweet.text, part.text):
                        return Sent(str(tweet.id), self.status_url(str(tweet.id)))
                seen += len(page.data or [])
                token = (page.meta or {}).get("next_token")
                if not token:
                    if seen >= TIMELINE_DEPTH:
                        break
                    return None
        except tweepy.TooManyRequests as exc:
            raise rate_limited("read-back", exc.response) from None
        except tweepy.HTTPException as exc:
            raise Unknown(f"read-back: HTTP {exc.response.status_code}") from None
        except requests.RequestException as exc:
            raise Unknown(f"read-back: {describe(exc, self.timeouts)[1]}") from None
        except tweepy.TweepyException as exc:
            raise Unknown(f"read-back: {type(exc).__name__}") from None
        limit = (
            f"stopped after {self.max_pages} pages"
            if token
            else f"X shows only the {TIMELINE_DEPTH} latest posts"
        )
        raise Unknown(
            f"read-back: ours is not among the {seen} posts since the send, but the read did not reach the send "
            f"time ({limit}); cannot tell whether it was posted"
        )

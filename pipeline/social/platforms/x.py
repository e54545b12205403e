"""X through tweepy's v2 `Client` with OAuth 1.0a user context.

Two gaps in tweepy 4.17 are closed here rather than with another client. Its `Client.request` hard-codes
`https://api.twitter.com`, so a transport adapter mounted on `client.session` rewrites that origin to the
configured base URL (and applies our timeout, which tweepy never passes). The OAuth 1.0a signature is still
computed over the public URL, which is what X (or a signing proxy) verifies. And tweepy has no v2 media upload
(tweepy issue 2217), so `/2/media/upload` and `/2/media/metadata` go through the *same* authenticated session
with tweepy's own `OAuth1UserHandler`: one HTTP stack, one set of credentials, one base-URL rule.
"""

from __future__ import annotations

from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from pipeline.config import SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.platforms import (
    Duplicate,
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

PUBLIC_ORIGIN = "https://api.twitter.com"


class RebaseAdapter(HTTPAdapter):
    """Send requests for `PUBLIC_ORIGIN` to `base` instead, with a default timeout."""

    def __init__(self, base: str, timeout: float) -> None:
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


class XAdapter:
    platform = "x"

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        self.account = account
        self.client = tweepy.Client(
            consumer_key=secrets["consumer_key"],
            consumer_secret=secrets["consumer_secret"],
            access_token=secrets["access_token"],
            access_token_secret=secrets["access_token_secret"],
            wait_on_rate_limit=False,
        )
        self.client.session.mount(
            PUBLIC_ORIGIN + "/", RebaseAdapter(account.api_base_url or PUBLIC_ORIGIN, timeout)
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
            raise NotSent(f"media upload: {type(exc).__name__}") from None
        if resp.status_code == 429:
            raise RateLimited("media upload rate limited", reset_from(resp.headers.get("x-rate-limit-reset")))
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
                raise NotSent(f"media alt text: {type(exc).__name__}") from None
        return media_id

    def post(self, item: Item, media: Media | None) -> Sent:
        media_ids = [self.upload(media)] if media else None
        try:
            resp = self.client.create_tweet(text=item.text, media_ids=media_ids, user_auth=True)
        except tweepy.TooManyRequests as exc:
            reset = exc.response.headers.get("x-rate-limit-reset")
            raise RateLimited("rate limited (429)", reset_from(reset)) from None
        except tweepy.Forbidden as exc:
            if "duplicate" in str(exc).lower():
                raise Duplicate("X refused duplicate content") from None
            raise Rejected(f"forbidden: {exc}") from None
        except tweepy.TwitterServerError as exc:
            raise Unknown(f"server error after the post request: {exc.response.status_code}") from None
        except tweepy.HTTPException as exc:
            raise Rejected(f"refused: {exc}") from None
        except requests.ConnectTimeout:
            raise NotSent("connect timeout") from None
        except requests.RequestException as exc:
            if connect_failed(exc):
                raise NotSent(f"could not connect: {type(exc).__name__}") from None
            raise Unknown(f"no answer to the post request: {type(exc).__name__}") from None
        data: Any = getattr(resp, "data", None) or {}
        tweet_id = str(data["id"])
        return Sent(tweet_id, self.status_url(tweet_id))

    def status_url(self, tweet_id: str) -> str:
        handle = self.account.handle.lstrip("@") or "i/web"
        return f"https://x.com/{handle}/status/{tweet_id}"

    def reconcile(self, item: Item, media: Media | None) -> Sent | None:
        """Read the account's recent posts for our exact text (links compared as links, not as t.co)."""
        try:
            if self._user_id is None:
                me: Any = self.client.get_me(user_auth=True)
                self._user_id = str(me.data.id)
            page: Any = self.client.get_users_tweets(self._user_id, max_results=100, user_auth=True)
        except tweepy.TooManyRequests as exc:
            raise RateLimited(
                "rate limited (429)", reset_from(exc.response.headers.get("x-rate-limit-reset"))
            ) from None
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise Unknown(f"could not read recent posts: {type(exc).__name__}") from None
        for tweet in page.data or []:
            if same_text(tweet.text, item.text):
                return Sent(str(tweet.id), self.status_url(str(tweet.id)))
        return None

"""A fake X API v2 for tweepy: OAuth 1.0a signatures, weighted 280, duplicate 403, rate-limit windows, timelines.

Rules of the real API kept here because a sender's correctness depends on them: every answer carries
`x-rate-limit-limit/-remaining/-reset` (15-minute windows; creating posts also has the 24-hour user limit and its
`x-user-limit-24hour-*` headers); post ids are snowflakes in time order; the user timeline
(`GET /2/users/:id/tweets`) pages with `pagination_token`, accepts `max_results` 5..100 only, filters by
`start_time`, and reaches back to the 3,200 most recent posts and no further; texts come back with recognised
links rewritten to t.co and `&<>` escaped; a reply must name a post that exists (`reply.in_reply_to_tweet_id`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import twitter_text
from oauthlib.oauth1.rfc5849 import signature, utils

from tests.social_fakes.base import Fake, Handler

X_PUBLIC = "https://api.twitter.com"
TWEPOCH_MS = 1288834974657
TIMELINE_DEPTH = 3200
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z")
WINDOW_S = 900.0
DAY_S = 86400.0


def snowflake(at: float, seq: int) -> int:
    return ((int(at * 1000) - TWEPOCH_MS) << 22) | (seq & 0x3FFFFF)


def shown(text: str) -> str:
    """A post's text as X returns it: recognised links become t.co links, then &, < and > are escaped."""
    for found in sorted(twitter_text.extract_urls_with_indices(text), key=lambda u: -u["indices"][0]):
        start, end = found["indices"]
        tco = "https://t.co/" + hashlib.sha1(found["url"].encode()).hexdigest()[:10]
        text = text[:start] + tco + text[end:]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _iso(at: float) -> str:
    return (
        dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(at * 1000) % 1000:03d}Z"
    )


def _invalid(parameter: str, value: str, message: str) -> dict[str, Any]:
    return {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


class XHandler(Handler):
    def oauth_ok(self, body: bytes) -> bool:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("OAuth "):
            return False
        conf = self.server.conf
        parts = urlsplit(self.path)
        form = body if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or "") else b""
        params = signature.collect_parameters(
            uri_query=parts.query, body=form.decode() or None, headers={"Authorization": auth}
        )
        oauth = dict(utils.parse_authorization_header(auth))
        base = signature.signature_base_string(
            self.command,
            signature.base_string_uri(X_PUBLIC + parts.path),
            signature.normalize_parameters(params),
        )
        expected = signature.sign_hmac_sha1(base, conf["consumer_secret"], conf["token_secret"])
        return (
            oauth.get("oauth_consumer_key") == conf["consumer_key"]
            and oauth.get("oauth_token") == conf["token"]
            and hmac.compare_digest(expected, unquote(oauth.get("oauth_signature", "")))
        )

    def limited(self, endpoint: str) -> dict[str, str] | None:
        """Count the request in its 15-minute window: the headers to send, or None after a 429 was sent."""
        limit = int(self.server.conf.get("limits", {}).get(endpoint, 10_000))
        allowed, remaining, reset = self.window(endpoint, limit, WINDOW_S)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(reset)),
        }
        if not allowed:
            self.reply(
                429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}, headers
            )
            return None
        return headers

    def do_GET(self) -> None:
        if not self.oauth_ok(b""):
            return self.reply(401, {"title": "Unauthorized"})
        parts = urlsplit(self.path)
        if parts.path == "/2/users/me":
            headers = self.limited("GET /2/users/me")
            if headers is not None:
                self.reply(200, {"data": {"id": "42", "name": "Fake", "username": "fake"}}, headers)
            return None
        if parts.path == "/2/users/42/tweets":
            return self.timeline(parse_qs(parts.query))
        return self.reply(404, {"title": "Not Found"})

    def timeline(self, query: dict[str, list[str]]) -> None:
        headers = self.limited("GET /2/users/:id/tweets")
        if headers is None:
            return None
        with self.state.lock:
            self.state.read_requests += 1
        if self.state.take("fail_reads"):
            return self.reply(503, {"title": "Service Unavailable", "status": 503}, headers)
        raw_max = query.get("max_results", ["10"])[0]
        if not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
            return self.reply(
                400,
                _invalid(
                    "max_results",
                    raw_max,
                    f"The `max_results` query parameter value [{raw_max}] is not between 5 and 100",
                ),
                headers,
            )
        start = query.get("start_time", [None])[0]
        if start is not None and not RFC3339.fullmatch(start):
            return self.reply(
                400, _invalid("start_time", start, "Invalid start_time: RFC3339 required"), headers
            )
        with self.state.lock:
            newest_first = sorted(self.state.posts, key=lambda p: -int(p["id"]))[:TIMELINE_DEPTH]
        if start is not None:
            floor = dt.datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp()
            newest_first = [p for p in newest_first if p["at"] >= floor]
        token = query.get("pagination_token", [None])[0]
        if token is not None:
            try:
                before = int(json.loads(base64.urlsafe_b64decode(token.encode()))["before"])
            except (ValueError, KeyError, TypeError):
                return self.reply(
                    400, _invalid("pagination_token", token, "Invalid pagination_token"), headers
                )
            newest_first = [p for p in newest_first if int(p["id"]) < before]
        page, rest = newest_first[: int(raw_max)], newest_first[int(raw_max) :]
        fields = ",".join(query.get("tweet.fields", [])).split(",")
        data = []
        for p in page:
            tweet = {"id": p["id"], "text": shown(p["text"]), "edit_history_tweet_ids": [p["id"]]}
            if "created_at" in fields:
                tweet["created_at"] = _iso(p["at"])
            data.append(tweet)
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if page and rest:
            meta["next_token"] = base64.urlsafe_b64encode(
                json.dumps({"before": page[-1]["id"]}).encode()
            ).decode()
        payload: dict[str, Any] = {"meta": meta}
        if data:
            payload["data"] = data
        return self.reply(200, payload, headers)

    def do_POST(self) -> None:
        raw = self.body()  # a body the client never finished (kill -9) aborts the request here
        if not self.oauth_ok(raw):
            return self.reply(401, {"title": "Unauthorized", "detail": "bad OAuth 1.0a signature"})
        path = urlsplit(self.path).path
        if path == "/2/media/upload":
            size = len(raw)
            if size > self.server.conf.get("media_max", 5_000_000):
                return self.reply(413, {"title": "Payload Too Large"})
            with self.state.lock:
                media_id = str(1000 + len(self.state.media))
                self.state.media[media_id] = size
            return self.reply(200, {"data": {"id": media_id, "media_key": f"3_{media_id}"}})
        if path == "/2/media/metadata":
            return self.reply(200, {"data": {"associated_metadata": True}})
        if path != "/2/tweets":
            return self.reply(404, {"title": "Not Found"})
        return self.create(raw)

    def create(self, raw: bytes) -> None:
        with self.state.lock:
            self.state.post_requests += 1
        if self.hang():
            return None
        headers = self.limited("POST /2/tweets")
        if headers is None:
            return None
        daily = int(self.server.conf.get("limits", {}).get("POST /2/tweets 24h", 100_000))
        allowed, remaining, reset = self.window("POST /2/tweets 24h", daily, DAY_S)
        headers.update(
            {
                "x-user-limit-24hour-limit": str(daily),
                "x-user-limit-24hour-remaining": str(remaining),
                "x-user-limit-24hour-reset": str(int(reset)),
            }
        )
        forced = self.forced_429()
        if forced is not None or not allowed:
            if forced is not None:
                headers["x-rate-limit-remaining"] = "0"
                headers["x-rate-limit-reset"] = str(int(forced + 0.999))
            headers.update(self.retry_after_header())
            return self.reply(429, {"title": "Too Many Requests", "status": 429}, headers)
        payload = json.loads(raw or b"{}")
        text = payload.get("text", "")
        with self.state.lock:
            self.state.requested.append((time.time(), text))
        if not text.strip() and not payload.get("media"):
            return self.reply(
                400, {"title": "Invalid Request", "detail": "text or media is required"}, headers
            )
        if not twitter_text.parse_tweet(text).valid:
            return self.reply(400, {"title": "Invalid Request", "detail": "text too long"}, headers)
        parent = str((payload.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        with self.state.lock:
            missing = bool(parent) and not any(p["id"] == parent for p in self.state.posts)
        if missing:
            return self.reply(
                403,
                {
                    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    "status": 403,
                },
                headers,
            )
        self.slow()
        with self.state.lock:
            dup = any(p["text"] == text for p in self.state.posts)
            if dup:
                self.state.duplicates_refused += 1
                self.state.refused_texts.append(text)
            else:
                tweet_id = self.server.store(text, self.state.now(), payload.get("media"), parent or None)  # type: ignore[attr-defined]
        if dup:
            return self.reply(
                403,
                {"detail": "You are not allowed to create a Tweet with duplicate content.", "status": 403},
                headers,
            )
        self.stall()
        return self.reply(201, {"data": {"id": tweet_id, "text": shown(text)}}, headers)


class XFake(Fake):
    def __init__(self, **conf: Any) -> None:
        super().__init__(XHandler, **conf)
        self.server.store = self._store  # type: ignore[attr-defined]
        self._seq = 0

    def _store(self, text: str, at: float, media: Any = None, reply_to: str | None = None) -> str:
        """Store one post (caller holds the state lock); ids grow with time, as snowflakes do."""
        self._seq += 1
        tweet_id = str(snowflake(at, self._seq))
        self.state.posts.append(
            {
                "id": tweet_id,
                "text": text,
                "expanded": text,
                "media": media,
                "at": at,
                "in_reply_to": reply_to,
            }
        )
        return tweet_id

    def add_post(self, text: str, at: float | None = None) -> str:
        """A post made outside our sender (another app, a person), `at` on the fake's clock."""
        with self.state.lock:
            return self._store(text, self.state.now() if at is None else at)

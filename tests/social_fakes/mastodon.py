"""A fake Mastodon instance for Mastodon.py: bearer auth, 500 graphemes, Idempotency-Key, rate limits, timelines.

Rules of the real server kept here: an `Idempotency-Key` is remembered for one hour after the status it created
(Mastodon keeps `idempotency:status:<account>:<key>` in Redis with a 3,600 s expiry) and a re-send after that hour
creates a second status; identical texts are not refused; posting is limited to 300 statuses per 3 hours and
every API call to 300 per 5 minutes, with `X-RateLimit-*` headers (reset as an ISO 8601 time) and a `Date`
header; status ids are snowflakes (milliseconds << 16); an account's statuses come newest first, at most 40 per
page (`limit` is clamped), paged with `max_id` / `since_id` / `min_id` and a `Link` header; content comes back as
HTML (escaped, links and hashtags wrapped, line breaks as `<br />`); a reply's `in_reply_to_id` must exist (404).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import regex

from tests.social_fakes.base import Fake, Handler

KEY_TTL_S = 3600.0
ACCOUNT = {"id": "1", "username": "me", "acct": "me", "display_name": "Me", "url": "https://fake.social/@me"}
TOKEN_RE = regex.compile(r"(https?://[^\s<>\"]+)|(?<![\w#])#([\p{L}\p{M}\p{N}_]+)")
LIMITS = {"statuses": (300, 3 * 3600.0), "api": (300, 300.0), "media": (30, 1800.0)}


def snowflake(at: float, seq: int) -> int:
    return (int(at * 1000) << 16) | (seq & 0xFFFF)


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def render(text: str) -> str:
    """Status text → the HTML Mastodon stores and returns in `content`."""

    def inline(part: str) -> str:
        out, last = [], 0
        for m in TOKEN_RE.finditer(part):
            out.append(html.escape(part[last : m.start()], quote=False))
            if m.group(1):
                url = m.group(1)
                scheme, _, rest = url.partition("://")
                shown, hidden = rest[:30], rest[30:]
                out.append(
                    f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
                    f'<span class="invisible">{scheme}://</span>'
                    f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                    f'<span class="invisible">{html.escape(hidden)}</span></a>'
                )
            else:
                tag = m.group(2)
                out.append(
                    f'<a href="https://fake.social/tags/{tag.lower()}" class="mention hashtag" rel="tag">'
                    f"#<span>{html.escape(tag)}</span></a>"
                )
            last = m.end()
        out.append(html.escape(part[last:], quote=False))
        return "".join(out).replace("\n", "<br />")

    return "".join(f"<p>{inline(p)}</p>" for p in regex.split(r"\n{2,}", text.strip()))


class MastodonHandler(Handler):
    def bearer_ok(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {self.server.conf['token']}"

    def limited(self, family: str) -> dict[str, str] | None:
        limit, period = self.server.conf.get("limits", {}).get(family, LIMITS[family])
        allowed, remaining, reset = self.window(family, limit, period)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": _iso(reset),
        }
        if not allowed:
            self.reply(429, {"error": "Too many requests"}, headers)
            return None
        return headers

    def status(self, post: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": post["id"],
            "created_at": _iso(post["at"]),
            "url": post["url"],
            "uri": post["url"],
            "content": render(post["text"]),
            "visibility": "public",
            "language": post.get("language"),
            "in_reply_to_id": post.get("in_reply_to"),
            "account": ACCOUNT,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
        }

    def do_GET(self) -> None:
        if urlsplit(self.path).path.rstrip("/") in ("/api/v1/instance", "/api/v2/instance"):
            # Public, as on a real instance. Mastodon.py asks before a media upload; without an answer it
            # recursed in its version check and every upload died (no test had sent media here before).
            return self.reply(200, {"uri": "fake", "version": "4.3.0", "api_versions": {"mastodon": 2}})
        if not self.bearer_ok():
            return self.reply(401, {"error": "The access token is invalid"})
        headers = self.limited("api")
        if headers is None:
            return None
        parts = urlsplit(self.path)
        if parts.path == "/api/v1/accounts/verify_credentials":
            return self.reply(200, {**ACCOUNT, "source": {"privacy": "public"}}, headers)
        if parts.path == f"/api/v1/accounts/{ACCOUNT['id']}/statuses":
            return self.statuses(parse_qs(parts.query), headers)
        return self.reply(404, {"error": "Record not found"}, headers)

    def statuses(self, query: dict[str, list[str]], headers: dict[str, str]) -> None:
        with self.state.lock:
            self.state.read_requests += 1
        if self.state.take("fail_reads"):
            return self.reply(503, {"error": "Service Unavailable"}, headers)

        def num(name: str) -> int | None:
            value = query.get(name, [None])[0]
            return int(value) if value is not None and value.lstrip("-").isdigit() else None

        limit = min(abs(num("limit") or 20), 40) or 20
        max_id, since_id, min_id = num("max_id"), num("since_id"), num("min_id")
        with self.state.lock:
            rows = sorted(self.state.posts, key=lambda p: int(p["id"]))
        if max_id is not None:
            rows = [p for p in rows if int(p["id"]) < max_id]
        if since_id is not None:
            rows = [p for p in rows if int(p["id"]) > since_id]
        if min_id is not None:
            page = [p for p in rows if int(p["id"]) > min_id][:limit][::-1]
        else:
            page = rows[::-1][:limit]
        if page:
            base = f"http://{self.headers.get('Host')}/api/v1/accounts/{ACCOUNT['id']}/statuses"
            headers = {
                **headers,
                "Link": f'<{base}?max_id={page[-1]["id"]}>; rel="next", <{base}?min_id={page[0]["id"]}>; rel="prev"',
            }
        return self.reply(200, [self.status(p) for p in page], headers)

    def do_POST(self) -> None:
        raw = self.body()
        if not self.bearer_ok():
            return self.reply(401, {"error": "The access token is invalid"})
        path = urlsplit(self.path).path
        if path == "/api/v2/media":
            headers = self.limited("media")
            if headers is None:
                return None
            if len(raw) > self.server.conf.get("media_max", 16_000_000):
                return self.reply(413, {"error": "File is too large"}, headers)
            with self.state.lock:
                media_id = str(500 + len(self.state.media))
                self.state.media[media_id] = len(raw)
            return self.reply(
                200, {"id": media_id, "type": "image", "url": f"http://fake/{media_id}"}, headers
            )
        if path != "/api/v1/statuses":
            return self.reply(404, {"error": "Not found"})
        return self.create(raw)

    def create(self, raw: bytes) -> None:
        with self.state.lock:
            self.state.post_requests += 1
        if self.hang():
            return None
        if self.limited("api") is None:
            return None
        forced = self.forced_429()
        if forced is not None:
            headers = {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": _iso(forced),
            }
            return self.reply(429, {"error": "Too many requests"}, {**headers, **self.retry_after_header()})
        ctype = self.headers.get("Content-Type") or ""
        form = json.loads(raw) if "json" in ctype else dict(parse_qsl(raw.decode()))
        text = str(form.get("status", ""))
        if not text.strip() and not form.get("media_ids") and not form.get("media_ids[]"):
            return self.reply(422, {"error": "Validation failed: Text can't be blank"})
        counted = regex.sub(r"https?://\S+", "x" * 23, text)
        if len(regex.findall(r"\X", counted)) > self.server.conf.get("limit", 500):
            return self.reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        parent = str(form.get("in_reply_to_id") or "")
        with self.state.lock:
            missing = bool(parent) and not any(p["id"] == parent for p in self.state.posts)
        if missing:
            return self.reply(404, {"error": "Record not found"})
        key = self.headers.get("Idempotency-Key")
        now = self.state.now()
        with self.state.lock:
            remembered = self.server.conf.setdefault("keys", {}).get(key) if key else None
            existing = None
            if remembered is not None and remembered[1] > now:
                existing = next((p for p in self.state.posts if p["id"] == remembered[0]), None)
        if existing is not None:
            return self.reply(200, self.status(existing))
        self.slow()
        family = self.limited("statuses")
        if family is None:
            return None
        with self.state.lock:
            post = self.server.store(text, now, form.get("language"), parent or None)  # type: ignore[attr-defined]
            if key:
                self.server.conf["keys"][key] = (post["id"], now + KEY_TTL_S)
        self.stall()
        return self.reply(200, self.status(post), family)


class MastodonFake(Fake):
    def __init__(self, **conf: Any) -> None:
        super().__init__(MastodonHandler, **conf)
        self.server.store = self._store  # type: ignore[attr-defined]
        self._seq = 0

    def _store(
        self, text: str, at: float, language: str | None = None, reply_to: str | None = None
    ) -> dict[str, Any]:
        self._seq += 1
        sid = str(snowflake(at, self._seq))
        post = {
            "id": sid,
            "text": text,
            "expanded": text,
            "at": at,
            "language": language,
            "url": f"https://fake.social/@me/{sid}",
            "in_reply_to": reply_to,
        }
        self.state.posts.append(post)
        return post

    def add_post(self, text: str, at: float | None = None) -> str:
        """A status made outside our sender, `at` on the fake's clock."""
        with self.state.lock:
            return str(self._store(text, self.state.now() if at is None else at)["id"])

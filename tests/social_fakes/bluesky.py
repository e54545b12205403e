"""A fake Bluesky PDS for the atproto SDK: sessions, 300 graphemes / 3,000 bytes, blobs ≤ 1 MB, rate limits, TIDs.

Rules of the real PDS kept here: record keys are TIDs (microseconds since the epoch, base32-sortable, so newer
records sort after older ones); `listRecords` returns newest first, `limit` 1..100, pages with the `cursor` it
returns (the last record's key: a page is followed by a cursor whenever it is not empty); writes cost points
(create 3) against 5,000 per hour and 35,000 per day, `createSession` is limited to 30 per 5 minutes and 300 per
day per handle, every answer carries `ratelimit-limit/-remaining/-reset` (epoch seconds) and `ratelimit-policy`;
each record has its own CID, and a reply's `root` and `parent` must name existing records by uri *and* cid; link
facets must cover exactly the bytes of their text (a facet past the end, or off a UTF-8 boundary, is refused).

Sessions as the reference PDS keeps them: `createSession` answers an access JWT (2 hours) and a refresh JWT (90
days), each with `iat`/`exp` on the fake's clock; an expired access token is answered 400 `ExpiredToken`, a token
of the wrong kind or one never issued 400 `InvalidToken`; `refreshSession` (Bearer the refresh JWT) answers a new
pair and revokes the refresh token it used (strict single use: the reference PDS tolerates a reuse for 2 hours,
which would hide a stampede), so a second refresh with the same token is refused. `sessions` counts logins,
refreshes and refusals for the tests; `expire_access()` and `revoke_refresh()` make time pass or the user revoke.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from tests.social_fakes.base import Fake, Handler

S32 = "234567abcdefghijklmnopqrstuvwxyz"
CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
DID = "did:plc:fakefakefakefakefakefake"
LIMITS = {
    "session-5m": (30, 300.0),
    "session-day": (300, 86400.0),
    "write-hour": (5000, 3600.0),
    "write-day": (35000, 86400.0),
}


def _s32(n: int) -> str:
    out = ""
    while n:
        out = S32[n % 32] + out
        n //= 32
    return out or "2"


def tid(micros: int, clock_id: int = 7) -> str:
    return _s32(micros) + _s32(clock_id).rjust(2, "2")


def expand(text: str, facets: list[dict[str, Any]]) -> str:
    """The text with each link facet's short text replaced by its full address: what the sender wrote."""
    data = text.encode("utf-8")
    out, pos = [], 0
    links = []
    for facet in facets:
        for feature in facet.get("features") or []:
            if feature.get("$type") == "app.bsky.richtext.facet#link" or "uri" in feature:
                index = facet["index"]
                links.append((int(index["byteStart"]), int(index["byteEnd"]), str(feature["uri"])))
    for start, end, uri in sorted(links):
        out.append(data[pos:start].decode("utf-8", "replace"))
        out.append(uri)
        pos = end
    out.append(data[pos:].decode("utf-8", "replace"))
    return "".join(out)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(did: str, scope: str, now: float, ttl: float) -> str:
    payload = {
        "scope": scope,
        "sub": did,
        "iat": int(now),
        "exp": int(now + ttl),
        "aud": "did:web:fake",
        "jti": uuid.uuid4().hex,
    }
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(payload)}.c2ln"


# A well-formed BCP 47 tag (language, script, region, variants, extensions), as the PDS checks `langs`.
BCP47 = re.compile(
    r"[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-[A-Za-z0-9]{5,8}|-\d[A-Za-z0-9]{3})*(?:-[A-Za-z0-9]-[A-Za-z0-9]{2,8})*"
)


class Sessions:
    """The PDS's tokens (expiry on the fake's clock) and what happened to them."""

    def __init__(self, access_ttl_s: float = 7200.0, refresh_ttl_s: float = 90 * 86400.0) -> None:
        self.lock = threading.Lock()
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self.access: dict[str, float] = {}  # token → expiry
        self.refresh: dict[str, float] = {}  # live refresh tokens → expiry; used or revoked ones are removed
        self.creates = 0  # sessions created (createSession answered 200)
        self.refreshes = 0  # refreshSession answered 200
        self.refused_refreshes = 0
        self.expired_rejections = 0  # requests refused with ExpiredToken

    def issue(self, now: float) -> tuple[str, str]:
        access = fake_jwt(DID, "com.atproto.access", now, self.access_ttl_s)
        refresh = fake_jwt(DID, "com.atproto.refresh", now, self.refresh_ttl_s)
        self.access[access] = now + self.access_ttl_s
        self.refresh[refresh] = now + self.refresh_ttl_s
        return access, refresh

    def expire_access(self) -> None:
        """Every access token issued so far has run out (two hours passed on the PDS)."""
        with self.lock:
            self.access = dict.fromkeys(self.access, 0.0)

    def revoke_refresh(self) -> None:
        """Every refresh token issued so far is revoked (the app password was revoked, the session deleted)."""
        with self.lock:
            self.refresh.clear()


class BlueskyHandler(Handler):
    @property
    def sessions(self) -> Sessions:
        book: Sessions = self.server.sessions  # type: ignore[attr-defined]
        return book

    def _bearer(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None

    def session_refused(self) -> bool:
        """Answer 401/400 unless the request carries a live access token (an access token stays valid until it
        expires, even after its session was refreshed: the PDS checks its signature and expiry only)."""
        token = self._bearer()
        if token is None:
            self.reply(401, {"error": "AuthMissing", "message": "Authentication Required"})
            return True
        with self.sessions.lock:
            expiry = self.sessions.access.get(token)
            if expiry is not None and expiry <= self.state.now():
                self.sessions.expired_rejections += 1
        if expiry is None:
            self.reply(400, {"error": "InvalidToken", "message": "Token could not be verified"})
            return True
        if expiry <= self.state.now():
            self.reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
            return True
        return False

    def refresh_session(self) -> None:
        token = self._bearer() or ""
        time.sleep(float(self.server.conf.get("refresh_delay_s", 0.0)))  # a busy PDS: widens a race
        now = self.state.now()
        with self.sessions.lock:
            expiry = self.sessions.refresh.pop(token, None)  # single use
            if expiry is None or expiry <= now:
                self.sessions.refused_refreshes += 1
                refused = True
            else:
                refused = False
                access, refresh = self.sessions.issue(now)
                self.sessions.refreshes += 1
        if refused:
            return self.reply(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
        body = {"accessJwt": access, "refreshJwt": refresh, "handle": self.server.conf["handle"], "did": DID}
        return self.reply(200, body)

    def limited(self, *families: str, cost: int = 1) -> dict[str, str] | None:
        """Charge `cost` against each window; headers of the tightest, or None after a 429 was sent."""
        limits = self.server.conf.get("limits", {})
        windows = [(f, *limits.get(f, LIMITS[f])) for f in families]
        allowed, states = self.charge(windows, cost, from_first=True)
        limit, remaining, reset, period = min(states, key=lambda s: s[1])
        headers = {
            "ratelimit-limit": str(limit),
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(int(reset)),
            "ratelimit-policy": f"{limit};w={int(period)}",
        }
        if not allowed:
            self.reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers)
            return None
        return headers

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if self.session_refused():
            return None
        if parts.path == "/xrpc/app.bsky.actor.getProfile":
            return self.reply(200, {"did": DID, "handle": self.server.conf["handle"]})
        if parts.path == "/xrpc/com.atproto.repo.listRecords":
            return self.list_records(parse_qs(parts.query))
        return self.reply(404, {"error": "MethodNotImplemented"})

    def list_records(self, query: dict[str, list[str]]) -> None:
        with self.state.lock:
            self.state.read_requests += 1
        if self.state.take("fail_reads"):
            return self.reply(503, {"error": "InternalServerError", "message": "Internal Server Error"})
        raw_limit = query.get("limit", ["50"])[0]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            return self.reply(400, {"error": "InvalidRequest", "message": "limit must be 1..100"})
        cursor = query.get("cursor", [None])[0]
        with self.state.lock:
            rows = sorted(self.state.posts, key=lambda p: p["rkey"], reverse=True)
        if cursor is not None:
            rows = [p for p in rows if p["rkey"] < cursor]
        page = rows[: int(raw_limit)]
        body: dict[str, Any] = {
            "records": [{"uri": p["uri"], "cid": p["cid"], "value": p["record"]} for p in page]
        }
        if page:
            body["cursor"] = page[-1]["rkey"]
        return self.reply(200, body)

    def do_POST(self) -> None:
        raw = self.body()
        path = urlsplit(self.path).path
        conf = self.server.conf
        if path == "/xrpc/com.atproto.server.createSession":
            data = json.loads(raw or b"{}")
            headers = self.limited("session-5m", "session-day")
            if headers is None:
                return None
            if data.get("identifier") != conf["handle"] or data.get("password") != conf["password"]:
                return self.reply(
                    401,
                    {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                    headers,
                )
            with self.sessions.lock:
                access, refresh = self.sessions.issue(self.state.now())
                self.sessions.creates += 1
            body = {"accessJwt": access, "refreshJwt": refresh, "handle": conf["handle"], "did": DID}
            return self.reply(200, body, headers)
        if path == "/xrpc/com.atproto.server.refreshSession":
            return self.refresh_session()
        if self.session_refused():
            return None
        if path == "/xrpc/com.atproto.repo.uploadBlob":
            if len(raw) > 1_000_000:
                return self.reply(400, {"error": "BlobTooLarge", "message": "blob over 1000000 bytes"})
            with self.state.lock:
                self.state.media[str(len(self.state.media))] = len(raw)
            blob = {"$type": "blob", "ref": {"$link": CID}, "mimeType": "image/jpeg", "size": len(raw)}
            return self.reply(200, {"blob": blob})
        if path != "/xrpc/com.atproto.repo.createRecord":
            return self.reply(404, {"error": "MethodNotImplemented"})
        return self.create(raw)

    def create(self, raw: bytes) -> None:
        with self.state.lock:
            self.state.post_requests += 1
        if self.hang():
            return None
        forced = self.forced_429()
        if forced is not None:
            headers = {
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(forced)),
            }
            headers["ratelimit-policy"] = "5000;w=3600"
            return self.reply(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {**headers, **self.retry_after_header()},
            )
        points = self.limited("write-hour", "write-day", cost=3)
        if points is None:
            return None
        data = json.loads(raw or b"{}")
        record = data.get("record", {})
        text = record.get("text", "")
        if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
            return self.reply(400, {"error": "InvalidRecord", "message": "text too long"}, points)
        problem = self.bad_facets(text, record.get("facets") or []) or self.bad_reply(record.get("reply"))
        if problem:
            return self.reply(400, {"error": "InvalidRequest", "message": problem}, points)
        for i, lang in enumerate(record.get("langs") or []):  # the lexicon's `language` format
            if not isinstance(lang, str) or not BCP47.fullmatch(lang):
                message = f"Record/langs/{i} must be a well-formatted BCP 47 language"
                return self.reply(400, {"error": "InvalidRecord", "message": message}, points)
        self.slow()
        with self.state.lock:
            uri, cid = self.server.store(text, record, self.state.now())  # type: ignore[attr-defined]
        self.stall()
        return self.reply(200, {"uri": uri, "cid": cid}, points)

    @staticmethod
    def bad_facets(text: str, facets: list[dict[str, Any]]) -> str:
        data = text.encode("utf-8")
        for facet in facets:
            index = facet.get("index") or {}
            start, end = int(index.get("byteStart", -1)), int(index.get("byteEnd", -1))
            if not 0 <= start < end <= len(data):
                return f"facet {start}..{end} is outside the text"
            try:
                data[start:end].decode("utf-8")
            except UnicodeDecodeError:
                return f"facet {start}..{end} cuts a character"
        return ""

    def bad_reply(self, reply: Any) -> str:
        if not reply:
            return ""
        with self.state.lock:
            known = {p["uri"]: p["cid"] for p in self.state.posts}
        for role in ("root", "parent"):
            ref = reply.get(role) or {}
            if known.get(ref.get("uri")) != ref.get("cid") or not ref.get("cid"):
                return f"Could not locate record: {ref.get('uri')} ({role})"
        return ""


class BlueskyFake(Fake):
    def __init__(self, **conf: Any) -> None:
        super().__init__(BlueskyHandler, **conf)
        self.server.store = self._store  # type: ignore[attr-defined]
        self.sessions = Sessions(
            float(conf.get("access_ttl_s", 7200.0)), float(conf.get("refresh_ttl_s", 90 * 86400.0))
        )
        self.server.sessions = self.sessions  # type: ignore[attr-defined]
        self._last_us = 0

    def _store(self, text: str, record: dict[str, Any], at: float) -> tuple[str, str]:
        us = int(at * 1_000_000)
        if us <= self._last_us and at >= self.state.now() - 1:  # keys of new records only ever grow
            us = self._last_us + 1
        self._last_us = max(self._last_us, us)
        rkey = tid(us)
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        digest = base64.b32encode(hashlib.sha256(uri.encode() + text.encode()).digest()).decode().lower()
        cid = "bafyrei" + digest.rstrip("=")[:52]
        reply = record.get("reply") or {}
        self.state.posts.append(
            {
                "uri": uri,
                "cid": cid,
                "rkey": rkey,
                "text": text,
                "expanded": expand(text, record.get("facets") or []),
                "langs": record.get("langs"),
                "record": record,
                "at": at,
                "in_reply_to": (reply.get("parent") or {}).get("uri"),
            }
        )
        return uri, cid

    def add_post(self, text: str, at: float | None = None) -> str:
        """A post made outside our sender (the app, another tool), `at` on the fake's clock."""
        with self.state.lock:
            at = self.state.now() if at is None else at
            created = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at))
            record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created}
            return self._store(text, record, at)[0]

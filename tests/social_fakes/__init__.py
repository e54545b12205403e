"""Local HTTP fakes of X, Mastodon and Bluesky on 127.0.0.1, spoken to by the real client libraries.

Each fake checks auth the way the platform does (OAuth 1.0a HMAC-SHA1 signature over the public URL, bearer
token, session JWT), enforces the limits we must respect (X weighted 280 and duplicate 403, Mastodon 500,
Bluesky 300 graphemes / 3,000 bytes, media sizes), can answer 429 with a reset header, and can be told to
*store a post and then stall* so the client times out with the post already made — the case that decides
whether a sender is exactly-once.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import regex
import twitter_text
from oauthlib.oauth1.rfc5849 import signature, utils

X_PUBLIC = "https://api.twitter.com"


class FakeState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: list[dict[str, Any]] = []
        self.post_requests = 0
        self.requested: list[tuple[float, str]] = []  # X: (time, text) of every complete post request
        self.rate_limit_next = 0  # answer this many post requests with 429
        self.reset_after_s = 1.0
        self.stall_after_store_s = 0.0  # store the post, then sleep this long before answering
        self.fail_auth = 0
        self.media: dict[str, int] = {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], state: FakeState, **conf: Any) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.state = state
        self.conf = conf


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per response: avoids a 40 ms delayed-ACK stall per request

    def log_message(self, format: str, *args: Any) -> None:
        return

    @property
    def state(self) -> FakeState:
        return self.server.state

    def body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def rate_limited(self, header: str, value: str) -> bool:
        with self.state.lock:
            if self.state.rate_limit_next <= 0:
                return False
            self.state.rate_limit_next -= 1
        self.reply(429, {"title": "Too Many Requests"}, {header: value})
        return True

    def stall(self) -> None:
        if self.state.stall_after_store_s:
            time.sleep(self.state.stall_after_store_s)


# --- X ------------------------------------------------------------------------------------------------------


class XHandler(_Handler):
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

    def do_GET(self) -> None:
        if not self.oauth_ok(b""):
            return self.reply(401, {"title": "Unauthorized"})
        path = urlsplit(self.path).path
        if path == "/2/users/me":
            return self.reply(200, {"data": {"id": "42", "name": "Fake", "username": "fake"}})
        if path == "/2/users/42/tweets":
            with self.state.lock:
                recent = [
                    {"id": p["id"], "text": p["text"], "edit_history_tweet_ids": [p["id"]]}
                    for p in self.state.posts[-100:]
                ][::-1]
            return self.reply(200, {"data": recent, "meta": {"result_count": len(recent)}})
        return self.reply(404, {"title": "Not Found"})

    def do_POST(self) -> None:
        raw = self.body()
        if len(raw) < int(self.headers.get("Content-Length") or 0):
            self.close_connection = (
                True  # the client died mid-request (kill -9): nothing arrived, nothing posts
            )
            return None
        if not self.oauth_ok(raw):
            return self.reply(401, {"title": "Unauthorized", "detail": "bad OAuth 1.0a signature"})
        path = urlsplit(self.path).path
        if path == "/2/media/upload":
            size = len(raw)
            if size > self.server.conf.get("media_max", 5_000_000):
                return self.reply(413, {"title": "Payload Too Large"})
            media_id = str(1000 + len(self.state.media))
            with self.state.lock:
                self.state.media[media_id] = size
            return self.reply(200, {"data": {"id": media_id, "media_key": f"3_{media_id}"}})
        if path == "/2/media/metadata":
            return self.reply(200, {"data": {"associated_metadata": True}})
        if path != "/2/tweets":
            return self.reply(404, {"title": "Not Found"})
        with self.state.lock:
            self.state.post_requests += 1
        if self.rate_limited("x-rate-limit-reset", str(int(time.time() + self.state.reset_after_s + 0.999))):
            return None
        payload = json.loads(raw or b"{}")
        text = payload.get("text", "")
        with self.state.lock:
            self.state.requested.append((time.time(), text))
        if not twitter_text.parse_tweet(text).valid:
            return self.reply(400, {"title": "Invalid Request", "detail": "text too long"})
        with self.state.lock:
            if any(p["text"] == text for p in self.state.posts):
                dup = True
            else:
                dup = False
                tweet_id = str(10_000 + len(self.state.posts))
                self.state.posts.append({"id": tweet_id, "text": text, "media": payload.get("media")})
        if dup:
            return self.reply(
                403,
                {"detail": "You are not allowed to create a Tweet with duplicate content.", "status": 403},
            )
        self.stall()
        return self.reply(201, {"data": {"id": tweet_id, "text": text}})


# --- Mastodon -----------------------------------------------------------------------------------------------


class MastodonHandler(_Handler):
    def bearer_ok(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {self.server.conf['token']}"

    def do_POST(self) -> None:
        raw = self.body()
        if not self.bearer_ok():
            return self.reply(401, {"error": "The access token is invalid"})
        path = urlsplit(self.path).path
        if path == "/api/v2/media":
            if len(raw) > self.server.conf.get("media_max", 16_000_000):
                return self.reply(413, {"error": "File is too large"})
            media_id = str(500 + len(self.state.media))
            with self.state.lock:
                self.state.media[media_id] = len(raw)
            return self.reply(200, {"id": media_id, "type": "image", "url": f"http://fake/{media_id}"})
        if path != "/api/v1/statuses":
            return self.reply(404, {"error": "Not found"})
        with self.state.lock:
            self.state.post_requests += 1
        reset = time.strftime(
            "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + self.state.reset_after_s + 1)
        )
        if self.rate_limited("X-RateLimit-Reset", reset):
            return None
        ctype = self.headers.get("Content-Type") or ""
        form = json.loads(raw) if "json" in ctype else dict(parse_qsl(raw.decode()))
        text = str(form.get("status", ""))
        counted = regex.sub(r"https?://\S+", "x" * 23, text)
        if len(regex.findall(r"\X", counted)) > self.server.conf.get("limit", 500):
            return self.reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        key = self.headers.get("Idempotency-Key")
        with self.state.lock:
            existing = next((p for p in self.state.posts if key and p.get("key") == key), None)
            if existing is None:
                sid = str(200_000 + len(self.state.posts))
                existing = {"id": sid, "text": text, "key": key, "url": f"https://fake.social/@me/{sid}"}
                self.state.posts.append(existing)
                fresh = True
            else:
                fresh = False
        if fresh:
            self.stall()
        status = {
            "id": existing["id"],
            "url": existing["url"],
            "uri": existing["url"],
            "content": f"<p>{existing['text']}</p>",
            "created_at": "2026-01-01T00:00:00.000Z",
            "visibility": "public",
        }
        return self.reply(200, status)


# --- Bluesky ------------------------------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(did: str, scope: str) -> str:
    payload = {
        "scope": scope,
        "sub": did,
        "iat": int(time.time()),
        "exp": int(time.time()) + 7200,
        "aud": "did:web:fake",
    }
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(payload)}.c2ln"


CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
DID = "did:plc:fakefakefakefakefakefake"


class BlueskyHandler(_Handler):
    def session_ok(self) -> bool:
        # Every session created stays valid (as on Bluesky): concurrent workers each log in.
        auth = self.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.server.conf.get("sessions", set())

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if not self.session_ok():
            return self.reply(401, {"error": "AuthMissing", "message": "Authentication Required"})
        if parts.path == "/xrpc/app.bsky.actor.getProfile":
            return self.reply(200, {"did": DID, "handle": self.server.conf["handle"]})
        if parts.path == "/xrpc/com.atproto.repo.listRecords":
            with self.state.lock:
                records = [
                    {"uri": p["uri"], "cid": CID, "value": p["record"]} for p in self.state.posts[-100:]
                ][::-1]
            return self.reply(200, {"records": records})
        return self.reply(404, {"error": "MethodNotImplemented"})

    def do_POST(self) -> None:
        raw = self.body()
        path = urlsplit(self.path).path
        conf = self.server.conf
        if path == "/xrpc/com.atproto.server.createSession":
            data = json.loads(raw or b"{}")
            if data.get("identifier") != conf["handle"] or data.get("password") != conf["password"]:
                return self.reply(
                    401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
                )
            conf["access"] = fake_jwt(DID, "com.atproto.access")
            conf.setdefault("sessions", set()).add(conf["access"])
            return self.reply(
                200,
                {
                    "accessJwt": conf["access"],
                    "refreshJwt": fake_jwt(DID, "com.atproto.refresh"),
                    "handle": conf["handle"],
                    "did": DID,
                },
            )
        if not self.session_ok():
            return self.reply(401, {"error": "AuthMissing", "message": "Authentication Required"})
        if path == "/xrpc/com.atproto.repo.uploadBlob":
            if len(raw) > 1_000_000:
                return self.reply(400, {"error": "BlobTooLarge", "message": "blob over 1000000 bytes"})
            with self.state.lock:
                self.state.media[str(len(self.state.media))] = len(raw)
            blob = {"$type": "blob", "ref": {"$link": CID}, "mimeType": "image/jpeg", "size": len(raw)}
            return self.reply(200, {"blob": blob})
        if path != "/xrpc/com.atproto.repo.createRecord":
            return self.reply(404, {"error": "MethodNotImplemented"})
        with self.state.lock:
            self.state.post_requests += 1
        if self.rate_limited("ratelimit-reset", str(int(time.time() + self.state.reset_after_s + 0.999))):
            return None
        data = json.loads(raw or b"{}")
        record = data.get("record", {})
        text = record.get("text", "")
        if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
            return self.reply(400, {"error": "InvalidRecord", "message": "text too long"})
        with self.state.lock:
            rkey = f"3k{len(self.state.posts):010d}"
            uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
            self.state.posts.append({"uri": uri, "text": text, "record": record})
        self.stall()
        return self.reply(200, {"uri": uri, "cid": CID})


class Fake:
    """A running fake: `url` for config, `state` to inspect and steer, `close()` when done."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], **conf: Any) -> None:
        self.state = FakeState()
        self.server = _Server(handler, self.state, **conf)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


X_SECRETS = {
    "consumer_key": "ck-fake-key",
    "consumer_secret": "cs-SECRET-1f2e3d",
    "token": "at-fake-token",
    "token_secret": "ats-SECRET-9a8b7c",
}


def start_x() -> Fake:
    return Fake(XHandler, **X_SECRETS)


def start_mastodon() -> Fake:
    return Fake(MastodonHandler, token="masto-SECRET-token-55")


def start_bluesky() -> Fake:
    return Fake(BlueskyHandler, handle="me.bsky.fake", password="bsky-SECRET-app-pw")

"""A fake LinkedIn REST API (Posts, Images, comments) for our `requests` adapter: the rules a sender depends on.

Kept from the real API: every call needs `Authorization: Bearer`, `LinkedIn-Version: YYYYMM` (an unknown version
is 426 NONEXISTENT_VERSION) and `X-Restli-Protocol-Version: 2.0.0`; a post is created with 201 and its URN in
`x-restli-id` (no body); the author must be the token's member or an organization the member may post for
(403 otherwise); commentary is the "little" text format, in which an unescaped reserved character outside a link
or hashtag silently cuts the published text there (the post still "succeeds"); 3,000 characters (UTF-16 units)
for a post, 1,250 for a comment; a repeated text by the same author is refused with 422 DUPLICATE_POST naming the
earlier post; images are uploaded with initializeUpload then PUT to the returned URL; posts per member per day are
limited (a 429 without any reset header); the author's posts are read newest first, paged by `start`/`count`
(count ≤ 100); errors come as `{"status", "serviceErrorCode", "code", "message"}`.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.social_fakes.base import Fake, Handler

MEMBER = "urn:li:person:fakeMember01"
VERSIONS = {"202505", "202506", "202510", "202601", "202604"}
RESERVED = set("\\|{}@[]()<>#*_~")
URL = re.compile(r"https?://[^\s<>\"\\]+[^\s<>\".,;:!?)\]'’”\\]")  # a backslash is an escape, never a link
TAG = re.compile(r"#\w+")
DAY_S = 86400.0


def visible(little: str) -> str:
    """What LinkedIn publishes for a commentary: escapes resolved, the text cut at the first stray reserved
    character (an unescaped one outside a link or hashtag), as the real service does without an error."""
    links = [m.span() for m in URL.finditer(little)]
    out: list[str] = []
    i = 0
    while i < len(little):
        c = little[i]
        if any(start <= i < end for start, end in links):
            out.append(c)
            i += 1
            continue
        if c == "\\" and i + 1 < len(little):
            out.append(little[i + 1])
            i += 2
            continue
        tag = TAG.match(little, i) if c == "#" else None
        if tag is not None:
            out.append(tag.group())
            i = tag.end()
            continue
        if c in RESERVED:
            break
        out.append(c)
        i += 1
    return "".join(out)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def error(status: int, message: str, code: str = "", service: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service:
        body["serviceErrorCode"] = service
    return body


class LinkedInHandler(Handler):
    def reply_empty(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()

    def checked(self) -> bool:
        """Auth and the protocol headers, as LinkedIn checks them; False after an error was sent."""
        if self.headers.get("Authorization") != f"Bearer {self.server.conf['token']}":
            self.reply(401, error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600))
            return False
        if self.path.startswith("/rest/"):
            version = self.headers.get("LinkedIn-Version") or ""
            if version not in VERSIONS:
                self.reply(
                    426, error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
                )
                return False
            if self.headers.get("X-Restli-Protocol-Version") != "2.0.0":
                self.reply(400, error(400, "X-Restli-Protocol-Version 2.0.0 is required"))
                return False
        return True

    def may_post_as(self, author: str) -> bool:
        return author == MEMBER or author in self.server.conf.get("organizations", set())

    # --- reads --------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self.checked():
            return None
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/v2/userinfo":
            return self.reply(200, {"sub": MEMBER.rsplit(":", 1)[1], "name": "Fake Member"})
        with self.state.lock:
            self.state.read_requests += 1
        if self.state.take("fail_reads"):
            return self.reply(503, error(503, "Service Unavailable"))
        if parts.path == "/rest/posts":
            return self.list_posts(query)
        if parts.path.startswith("/rest/posts/"):
            urn = unquote(parts.path[len("/rest/posts/") :])
            with self.state.lock:
                post = next((p for p in self.state.posts if p["id"] == urn and not p.get("comment")), None)
            if post is None:
                return self.reply(404, error(404, f"Post {urn} not found", "NOT_FOUND"))
            return self.reply(200, self.shown(post))
        match = re.fullmatch(r"/rest/socialActions/([^/]+)/comments", parts.path)
        if match:
            return self.list_comments(unquote(match.group(1)), query)
        return self.reply(404, error(404, "Resource not found"))

    def shown(self, post: dict[str, Any]) -> dict[str, Any]:
        ms = int(post["at"] * 1000)
        return {
            "id": post["id"],
            "author": post["author"],
            "commentary": post["commentary"],
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "createdAt": ms,
            "publishedAt": ms,
            "lastModifiedAt": ms,
            "content": post.get("content") or {},
        }

    def _page(self, query: dict[str, list[str]]) -> tuple[int, int] | None:
        start, count = query.get("start", ["0"])[0], query.get("count", ["10"])[0]
        if not start.isdigit() or not count.isdigit() or not 1 <= int(count) <= 100:
            self.reply(400, error(400, "count must be 1..100 and start ≥ 0", "INVALID_PARAM"))
            return None
        return int(start), int(count)

    def list_posts(self, query: dict[str, list[str]]) -> None:
        if query.get("q") != ["author"] or not query.get("author"):
            return self.reply(400, error(400, "q=author and author are required", "MISSING_PARAM"))
        paging = self._page(query)
        if paging is None:
            return None
        start, count = paging
        author = query["author"][0]
        with self.state.lock:
            rows = [p for p in self.state.posts if p["author"] == author and not p.get("comment")]
        rows.sort(key=lambda p: p["at"], reverse=True)
        page = rows[start : start + count]
        return self.reply(
            200,
            {
                "elements": [self.shown(p) for p in page],
                "paging": {"start": start, "count": count, "links": []},
            },
        )

    def list_comments(self, urn: str, query: dict[str, list[str]]) -> None:
        paging = self._page(query)
        if paging is None:
            return None
        start, count = paging
        with self.state.lock:
            rows = sorted(
                (p for p in self.state.posts if p.get("comment") and p["object"] == urn),
                key=lambda p: p["at"],
            )
        elements = [
            {
                "id": p["id"].rsplit(",", 1)[-1].rstrip(")"),
                "$URN": p["id"],
                "actor": p["author"],
                "object": p["object"],
                "message": {"text": p["commentary"]},
                "created": {"time": int(p["at"] * 1000)},
            }
            for p in rows[start : start + count]
        ]
        return self.reply(200, {"elements": elements, "paging": {"start": start, "count": count}})

    # --- writes -------------------------------------------------------------------------------------------

    def do_PUT(self) -> None:
        raw = self.body()
        if not self.checked():
            return None
        image = self.path.rsplit("/", 1)[-1]
        with self.state.lock:
            expected = self.server.conf.setdefault("uploads", {}).get(image)
        if expected is None:
            return self.reply(404, error(404, "Upload URL not found"))
        if len(raw) > self.server.conf.get("image_max", 5_000_000):
            return self.reply(413, error(413, "Image too large"))
        with self.state.lock:
            self.state.media[expected] = len(raw)
        return self.reply_empty(201, {})

    def do_POST(self) -> None:
        raw = self.body()
        if not self.checked():
            return None
        parts = urlsplit(self.path)
        if parts.path == "/rest/images" and parse_qs(parts.query).get("action") == ["initializeUpload"]:
            owner = (json.loads(raw or b"{}").get("initializeUploadRequest") or {}).get("owner", "")
            if not self.may_post_as(owner):
                return self.reply(403, error(403, f"Not enough permissions to upload for {owner}"))
            with self.state.lock:
                n = len(self.server.conf.setdefault("uploads", {})) + 1
                image = f"urn:li:image:C4E10AQFake{n:06d}"
                self.server.conf["uploads"][f"up{n}"] = image
            host = self.headers.get("Host")
            value = {
                "uploadUrlExpiresAt": int((time.time() + 3600) * 1000),
                "uploadUrl": f"http://{host}/dms-uploads/up{n}",
                "image": image,
            }
            return self.reply(200, {"value": value})
        if parts.path == "/rest/posts":
            return self.create(raw)
        match = re.fullmatch(r"/rest/socialActions/([^/]+)/comments", parts.path)
        if match:
            return self.comment(unquote(match.group(1)), raw)
        return self.reply(404, error(404, "Resource not found"))

    def daily(self, name: str, default: int) -> dict[str, str] | None:
        limit = int(self.server.conf.get("limits", {}).get(name, default))
        allowed, _remaining, _reset = self.window(name, limit, DAY_S)
        if not allowed:
            level = "MEMBER" if "member" in name else "APPLICATION"
            self.reply(
                429,
                error(
                    429, f"Resource level throttle {level} DAY limit for calls to this resource is reached."
                ),
            )
            return None
        return {}

    def create(self, raw: bytes) -> None:
        with self.state.lock:
            self.state.post_requests += 1
        if self.hang():
            return None
        if self.forced_429() is not None:
            return self.reply(429, error(429, "Resource level throttle MEMBER DAY limit is reached."))
        if self.daily("posts member day", 150) is None:
            return None
        body = json.loads(raw or b"{}")
        author = str(body.get("author") or "")
        if not self.may_post_as(author):
            return self.reply(403, error(403, f"Not enough permissions to post as {author}", "ACCESS_DENIED"))
        problems = [
            k for k in ("commentary", "visibility", "distribution", "lifecycleState") if k not in body
        ]
        if problems:
            return self.reply(
                422, error(422, f"ERROR :: /{problems[0]} :: field is required", "FIELD_MISSING")
            )
        if (
            body["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN")
            or body["lifecycleState"] != "PUBLISHED"
        ):
            return self.reply(422, error(422, "ERROR :: /visibility :: invalid value"))
        content = body.get("content") or {}
        for urn in [(content.get("article") or {}).get("thumbnail"), (content.get("media") or {}).get("id")]:
            if urn and urn not in self.state.media:
                return self.reply(422, error(422, f"ERROR :: /content :: {urn} was not uploaded"))
        source = (content.get("article") or {}).get("source")
        if source is not None and not URL.fullmatch(str(source)):
            return self.reply(422, error(422, "ERROR :: /content/article/source :: not a URL"))
        text = visible(str(body["commentary"]))
        if utf16(text) > 3000:
            return self.reply(422, error(422, "ERROR :: /commentary :: length exceeds 3000", "TOO_LONG"))
        with self.state.lock:
            earlier = next(
                (
                    p
                    for p in self.state.posts
                    if p["author"] == author and not p.get("comment") and p["text"] == text
                ),
                None,
            )
        if earlier is not None:
            with self.state.lock:
                self.state.duplicates_refused += 1
                self.state.refused_texts.append(text)
            return self.reply(
                422,
                {
                    "errorDetailType": "com.linkedin.common.error.BadRequest",
                    "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
                    f"Content is a duplicate of {earlier['id']}",
                    "errorDetails": {
                        "inputErrors": [
                            {
                                "description": "Duplicate post is detected",
                                "input": {},
                                "code": "DUPLICATE_POST",
                            }
                        ]
                    },
                    "status": 422,
                },
            )
        self.slow()
        with self.state.lock:
            urn = self.server.store(author, body["commentary"], text, self.state.now(), content)  # type: ignore[attr-defined]
        self.stall()
        return self.reply_empty(201, {"x-restli-id": urn, "x-linkedin-id": urn.rsplit(":", 1)[1]})

    def comment(self, urn: str, raw: bytes) -> None:
        with self.state.lock:
            self.state.post_requests += 1
        if self.hang():
            return None
        body = json.loads(raw or b"{}")
        actor = str(body.get("actor") or "")
        if not self.may_post_as(actor):
            return self.reply(
                403, error(403, f"Not enough permissions to comment as {actor}", "ACCESS_DENIED")
            )
        with self.state.lock:
            target = any(p["id"] == urn and not p.get("comment") for p in self.state.posts)
        if not target or body.get("object") != urn:
            return self.reply(404, error(404, f"{urn} not found", "NOT_FOUND"))
        little = str((body.get("message") or {}).get("text") or "")
        text = visible(little)
        if not text.strip() or utf16(text) > 1250:
            return self.reply(422, error(422, "ERROR :: /message/text :: 1 to 1250 characters"))
        self.slow()
        with self.state.lock:
            comment_urn = self.server.store(actor, little, text, self.state.now(), {}, urn)  # type: ignore[attr-defined]
        self.stall()
        created = {"$URN": comment_urn, "actor": actor, "object": urn, "message": {"text": little}}
        return self.reply(201, created, {"x-restli-id": comment_urn})


class LinkedInFake(Fake):
    def __init__(self, **conf: Any) -> None:
        super().__init__(LinkedInHandler, **conf)
        self.server.store = self._store  # type: ignore[attr-defined]
        self._seq = 7_100_000_000_000_000_000

    def _store(
        self, author: str, little: str, text: str, at: float, content: dict[str, Any], on: str | None = None
    ) -> str:
        self._seq += 1
        if on is None:
            urn = f"urn:li:share:{self._seq}"
        else:
            urn = f"urn:li:comment:(urn:li:activity:{on.rsplit(':', 1)[1]},{self._seq})"
        self.state.posts.append(
            {
                "id": urn,
                "author": author,
                "commentary": little,
                "text": text,
                "expanded": text,
                "at": at,
                "content": content,
                "comment": on is not None,
                "object": on,
                "in_reply_to": on,
            }
        )
        return urn

    def add_post(self, text: str, at: float | None = None) -> str:
        """A post made outside our sender (the LinkedIn app), `at` on the fake's clock."""
        with self.state.lock:
            return self._store(MEMBER, text, text, self.state.now() if at is None else at, {})

"""A fake Threads Graph API for our `requests` adapter: containers, publishing, quotas, read-backs.

Kept from the real API: a post is a media container (`POST /{user}/threads`) that appears only once it is
published (`POST /{user}/threads_publish?creation_id=`); a container's `status` is IN_PROGRESS, FINISHED,
PUBLISHED, EXPIRED (24 hours unpublished) or ERROR, and a container publishes once (a second publish is refused);
text is at most 500 characters with each emoji counting its UTF-8 bytes, at most 5 links; a reply names an
existing post in `reply_to_id`; a profile publishes at most 250 posts and 1,000 replies in any 24 hours (checked
at publish; `/{user}/threads_publishing_limit` reports usage); errors come as
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}` — code 190 for a bad token, 100 for a
bad parameter, 4 for throttling; the user's posts (`/threads`) and replies (`/replies`) are read newest first,
filtered by `since` (unix time), paged with `paging.cursors.after`. Extra misbehaviour for the crash tests:
`container_delay_s` keeps new containers IN_PROGRESS that long, and a publish can be stored then stalled or hung.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from tests.social_fakes.base import Fake, Handler

USER = "17841400000000001"
EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\uFE0F")
LINK = re.compile(r"https?://\S+")
EXPIRE_S = 24 * 3600.0
DAY_S = 86400.0


def length(text: str) -> int:
    return sum(len(g.encode()) if EMOJI.search(g) else 1 for g in regex.findall(r"\X", text))


def graph_error(
    message: str, code: int, kind: str = "OAuthException", subcode: int | None = None
) -> dict[str, Any]:
    err: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfFake"}
    if subcode is not None:
        err["error_subcode"] = subcode
    return {"error": err}


class ThreadsHandler(Handler):
    def params(self, raw: bytes = b"") -> dict[str, str]:
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()} if raw else {}
        return {**query, **form}

    def authorized(self, params: dict[str, str]) -> bool:
        token = self.server.conf["token"]
        if self.headers.get("Authorization") == f"Bearer {token}" or params.get("access_token") == token:
            return True
        self.reply(400, graph_error("Invalid OAuth access token - Cannot parse access token", 190))
        return False

    def user_path(self, path: str) -> str | None:
        """The edge under the user (`threads`, `threads_publish`, ...) or None for another node."""
        match = re.fullmatch(rf"/v1\.0/(?:me|{USER})/(\w+)", path)
        return match.group(1) if match else None

    # --- reads --------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        params = self.params()
        if not self.authorized(params):
            return None
        path = urlsplit(self.path).path
        edge = self.user_path(path)
        if edge in ("threads", "replies"):
            return self.list_media(edge, params)
        if edge == "threads_publishing_limit":
            return self.quota()
        node = re.fullmatch(r"/v1\.0/(\d+)", path)
        if node:
            return self.node(node.group(1), params)
        return self.reply(400, graph_error("Unsupported get request.", 100, "GraphMethodException", 33))

    def node(self, node_id: str, params: dict[str, str]) -> None:
        with self.state.lock:
            container = self.server.conf["containers"].get(node_id)
            media = next((p for p in self.state.posts if p["id"] == node_id), None)
        if container is not None:
            with self.state.lock:
                self.state.read_requests += 1
            if self.state.take("fail_reads"):
                return self.reply(500, graph_error("An unknown error occurred", 1, "OAuthException"))
            return self.reply(200, {"id": node_id, "status": self.status(container)})
        if media is not None:
            return self.reply(200, {"id": node_id, "permalink": media["url"], "text": media["text"]})
        return self.reply(400, graph_error(f"Object with ID '{node_id}' does not exist", 100, subcode=33))

    def status(self, container: dict[str, Any]) -> str:
        now = self.state.now()
        if container.get("published"):
            return "PUBLISHED"
        if now - container["at"] > EXPIRE_S:
            return "EXPIRED"
        if now - container["at"] < self.server.conf.get("container_delay_s", 0.0):
            return "IN_PROGRESS"
        return "FINISHED"

    def list_media(self, edge: str, params: dict[str, str]) -> None:
        with self.state.lock:
            self.state.read_requests += 1
        if self.state.take("fail_reads"):
            return self.reply(500, graph_error("An unknown error occurred", 1))
        limit = int(params.get("limit", "25"))
        if not 1 <= limit <= 100:
            return self.reply(400, graph_error("(#100) limit must be 1..100", 100))
        since = float(params.get("since", "0"))
        replies = edge == "replies"
        with self.state.lock:
            rows = [p for p in self.state.posts if bool(p["in_reply_to"]) == replies and p["at"] >= since]
        rows.sort(key=lambda p: p["at"], reverse=True)
        after = params.get("after")
        if after:
            before = float(base64.urlsafe_b64decode(after.encode()).decode())
            rows = [p for p in rows if p["at"] < before]
        page = rows[:limit]
        body: dict[str, Any] = {
            "data": [
                {"id": p["id"], "text": p["text"], "timestamp": p["timestamp"], "permalink": p["url"]}
                for p in page
            ]
        }
        if page and len(rows) > limit:
            cursor = base64.urlsafe_b64encode(repr(page[-1]["at"]).encode()).decode()
            body["paging"] = {"cursors": {"before": "", "after": cursor}}
        return self.reply(200, body)

    def quota(self) -> None:
        used = self.used(replies=False)
        replies = self.used(replies=True)
        total, reply_total = self.limits()
        return self.reply(
            200,
            {
                "data": [
                    {
                        "quota_usage": used,
                        "config": {"quota_total": total, "quota_duration": int(DAY_S)},
                        "reply_quota_usage": replies,
                        "reply_config": {"quota_total": reply_total, "quota_duration": int(DAY_S)},
                    }
                ]
            },
        )

    def limits(self) -> tuple[int, int]:
        limits = self.server.conf.get("limits", {})
        return int(limits.get("posts", 250)), int(limits.get("replies", 1000))

    def used(self, replies: bool) -> int:
        floor = self.state.now() - DAY_S
        with self.state.lock:
            return sum(1 for p in self.state.posts if bool(p["in_reply_to"]) == replies and p["at"] > floor)

    # --- writes -------------------------------------------------------------------------------------------

    def do_POST(self) -> None:
        raw = self.body()
        params = self.params(raw)
        if not self.authorized(params):
            return None
        edge = self.user_path(urlsplit(self.path).path)
        if edge == "threads":
            return self.create(params)
        if edge == "threads_publish":
            return self.publish(params)
        return self.reply(400, graph_error("Unsupported post request.", 100, "GraphMethodException", 33))

    def create(self, params: dict[str, str]) -> None:
        if params.get("media_type") != "TEXT":
            return self.reply(400, graph_error("(#100) media_type must be TEXT here", 100))
        text = params.get("text", "")
        if not text.strip():
            return self.reply(400, graph_error("(#100) The parameter text is required", 100))
        if length(text) > 500:
            return self.reply(400, graph_error("(#100) Param text must be at most 500 characters long.", 100))
        links = set(LINK.findall(text)) | (
            {params["link_attachment"]} if params.get("link_attachment") else set()
        )
        if len(links) > 5:
            return self.reply(400, graph_error("THREADS_API__LINK_LIMIT_EXCEEDED", 100))
        reply_to = params.get("reply_to_id")
        with self.state.lock:
            missing = bool(reply_to) and not any(p["id"] == reply_to for p in self.state.posts)
        if missing:
            return self.reply(
                400, graph_error(f"Object with ID '{reply_to}' does not exist", 100, subcode=33)
            )
        with self.state.lock:
            containers = self.server.conf["containers"]
            container_id = str(18_000_000_000_000_000 + len(containers) + 1)
            containers[container_id] = {
                "text": text,
                "reply_to": reply_to,
                "link": params.get("link_attachment"),
                "at": self.state.now(),
                "published": None,
            }
        return self.reply(200, {"id": container_id})

    def publish(self, params: dict[str, str]) -> None:
        with self.state.lock:
            self.state.post_requests += 1
        if self.hang():
            return None
        forced = self.forced_429()
        if forced is not None:
            return self.reply(400, graph_error("Application request limit reached", 4))
        container_id = params.get("creation_id", "")
        with self.state.lock:
            container = self.server.conf["containers"].get(container_id)
        if container is None:
            return self.reply(
                400, graph_error(f"Object with ID '{container_id}' does not exist", 100, subcode=33)
            )
        state = self.status(container)
        if state == "PUBLISHED":
            with self.state.lock:
                self.state.duplicates_refused += 1
                self.state.refused_texts.append(container["text"])
            return self.reply(400, graph_error("The media has already been published", 100, subcode=2207026))
        if state == "EXPIRED":
            return self.reply(400, graph_error("The media container has expired", 100, subcode=2207052))
        if state == "IN_PROGRESS":
            return self.reply(400, graph_error("Media ID is not available", 9007, subcode=2207027))
        posts, replies = self.limits()
        if self.used(replies=bool(container["reply_to"])) >= (replies if container["reply_to"] else posts):
            return self.reply(
                400, graph_error("Threads API publishing limit reached for this profile (24 hours)", 4)
            )
        self.slow()
        with self.state.lock:
            media_id = self.server.store(container, self.state.now())  # type: ignore[attr-defined]
            container["published"] = media_id
        self.stall()
        return self.reply(200, {"id": media_id})


class ThreadsFake(Fake):
    def __init__(self, **conf: Any) -> None:
        conf.setdefault("containers", {})
        super().__init__(ThreadsHandler, **conf)
        self.server.store = self._store  # type: ignore[attr-defined]
        self._seq = 0

    def _store(self, container: dict[str, Any], at: float) -> str:
        self._seq += 1
        media_id = str(17_900_000_000_000_000 + self._seq)
        self.state.posts.append(
            {
                "id": media_id,
                "text": container["text"],
                "expanded": container["text"],
                "at": at,
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(at)),
                "url": f"https://www.threads.net/@me/post/F{self._seq:09d}",
                "in_reply_to": container["reply_to"],
                "link": container["link"],
            }
        )
        return media_id

    @property
    def containers(self) -> dict[str, dict[str, Any]]:
        return dict(self.server.conf["containers"])

    def add_post(self, text: str, at: float | None = None) -> str:
        """A post made outside our sender (the Threads app), `at` on the fake's clock."""
        with self.state.lock:
            container = {"text": text, "reply_to": None, "link": None}
            return self._store(container, self.state.now() if at is None else at)

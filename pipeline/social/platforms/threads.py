"""Threads (Meta) through its Graph API: a media container first, then publishing it.

`POST /{user-id}/threads` makes a container (text, `reply_to_id` for a reply, `link_attachment` for the article,
whose page's og:image — our rendered card — becomes the preview); `POST /{user-id}/threads_publish` with
`creation_id` publishes it. The two steps are what make Threads exactly-once without an idempotency key: a
container on its own never appears, so its id is recorded in the ledger (the worker's checkpoint) *before* it is
published, and only a recorded container is ever published. After a crash or a lost answer the recorded
container's status says what happened: FINISHED (or IN_PROGRESS) — not published, safe to publish once; PUBLISHED
— the publish went through and the post is read back (`/{user-id}/threads` or `/replies`) for its id; EXPIRED
(24 h unpublished) or ERROR — never published, a new container is made. No recorded container: nothing was
published.

Limits: 500 characters (an emoji counts its UTF-8 bytes), at most 5 links, 250 published posts and 1,000 replies
per profile in any 24 hours (enforced at publish). Meta answers throttling with error codes 4, 17, 32 or 613
(or HTTP 429) and no reset time; the publishing quota frees up as the 24-hour window moves, so a quota refusal
waits an hour before the next try. Auth failures are code 190 (HTTP 401).
"""

from __future__ import annotations

import time
from typing import Any

import requests

from pipeline.config import SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.platforms import (
    AuthRejected,
    Checkpoint,
    NotSent,
    Part,
    RateLimited,
    Rejected,
    Sent,
    Unknown,
    same_text,
)
from pipeline.social.platforms.net import Timeouts, describe

DEFAULT_BASE = "https://graph.threads.net"
VERSION = "v1.0"
THROTTLE_CODES = {4, 17, 32, 613}
QUOTA_WAIT_S = 3600.0
DAY_S = 24 * 3600.0
PAGE_SIZE = 100
SKEW_MARGIN_S = 15 * 60.0
READY_WAIT_S = 5.0  # how long a publish waits for a container still IN_PROGRESS before trying later


def _error(resp: requests.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {"message": resp.text[:200]}
    err = data.get("error") if isinstance(data, dict) else None
    return err if isinstance(err, dict) else {"message": str(data)[:200]}


class ThreadsAdapter:
    platform = "threads"
    max_pages = 20

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        self.account = account
        self.base = f"{(account.api_base_url or DEFAULT_BASE).rstrip('/')}/{VERSION}"
        self.user = account.author or "me"
        self.timeouts = Timeouts.of(timeout)
        self.session = requests.Session()
        # The token goes in a header, never the query string, so no URL in a log or an error carries it.
        self.session.headers["Authorization"] = f"Bearer {secrets['access_token']}"

    # --- plumbing -----------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, what: str, posted: bool, **params: Any) -> dict[str, Any]:
        """One Graph call; a refusal or network failure becomes the outcome the worker acts on."""
        try:
            resp = self.session.request(
                method,
                f"{self.base}/{path}",
                data=params if method == "POST" else None,
                params=params if method == "GET" else None,
                timeout=self.timeouts.for_requests(),
            )
        except requests.RequestException as exc:
            arrived, words = describe(exc, self.timeouts)
            raise (
                Unknown(f"{what}: {words}") if arrived and posted else NotSent(f"{what}: {words}")
            ) from None
        if resp.status_code == 200:
            return dict(resp.json())
        err = _error(resp)
        code = int(err.get("code") or 0)
        message = str(err.get("message") or "")[:300]
        if code == 190 or resp.status_code == 401:
            raise AuthRejected(f"{what}: the access token was refused ({message})")
        if code in THROTTLE_CODES or resp.status_code == 429:
            quota = "limit" in message.lower() and "publish" in message.lower()
            hint = time.time() + QUOTA_WAIT_S if quota else None
            raise RateLimited(f"{what} rate limited (code {code}: {message})", hint, DAY_S)
        if resp.status_code >= 500:
            words = f"{what}: server error {resp.status_code}"
            raise Unknown(words) if posted else NotSent(words)
        raise Rejected(f"{what} refused: {message or resp.status_code}")

    def status(self, container: str, what: str, posted: bool) -> str:
        return str(
            self._call("GET", container, what, posted, fields="status,error_message").get("status") or ""
        )

    def _create(self, item: Item, part: Part) -> str:
        params: dict[str, Any] = {"media_type": "TEXT", "text": part.text}
        if part.parent is not None:
            params["reply_to_id"] = part.parent.remote_id
        if part.card and item.link_url:
            params["link_attachment"] = item.link_url
        data = self._call("POST", f"{self.user}/threads", "container", posted=False, **params)
        return str(data["id"])

    def _permalink(self, media_id: str) -> str:
        try:
            return str(
                self._call("GET", media_id, "permalink", False, fields="permalink").get("permalink") or ""
            )
        except (NotSent, Rejected, Unknown, RateLimited):
            return ""  # the post exists; its link is only for people

    # --- posting ------------------------------------------------------------------------------------------

    def post(self, item: Item, part: Part, checkpoint: Checkpoint | None = None) -> Sent:
        container = str(part.prepared.get("container") or "")
        if container:
            state = self.status(container, "container status", posted=False)
            if state == "PUBLISHED":
                found = self._find(part, float(part.prepared.get("at") or time.time()))
                if found is None:
                    raise Unknown("the container is published but the post is not in the read-back yet")
                return found
            if state in ("EXPIRED", "ERROR"):
                container = ""
        if not container:
            container = self._create(item, part)
            if checkpoint is not None:
                checkpoint({"container": container, "at": time.time()})
        self._wait_ready(container)
        data = self._call(
            "POST", f"{self.user}/threads_publish", "publish request", True, creation_id=container
        )
        media_id = str(data["id"])
        return Sent(media_id, self._permalink(media_id))

    def _wait_ready(self, container: str) -> None:
        deadline = time.monotonic() + READY_WAIT_S
        while True:
            state = self.status(container, "container status", posted=False)
            if state in ("FINISHED", "PUBLISHED", ""):
                return
            if state in ("EXPIRED", "ERROR"):
                raise NotSent(
                    f"the container {state.lower()} before it was published; a new one is made next time"
                )
            if time.monotonic() > deadline:
                raise NotSent("the container is still processing; it is published at the next try")
            time.sleep(0.5)

    # --- reading back -------------------------------------------------------------------------------------

    def reconcile(self, item: Item, part: Part, since: float) -> Sent | None:
        container = str(part.prepared.get("container") or "")
        if not container:
            return None  # only a recorded container is ever published: none recorded, nothing published
        state = self.status(container, "read-back: container status", posted=True)
        if state == "PUBLISHED":
            found = self._find(part, since)
            if found is None:
                raise Unknown("read-back: the container is published but the post is not listed yet")
            return found
        return None  # FINISHED / IN_PROGRESS: safe to publish once; EXPIRED / ERROR: never published

    def _find(self, part: Part, since: float) -> Sent | None:
        edge = "replies" if part.parent is not None else "threads"
        floor = int(since - SKEW_MARGIN_S)
        after = ""
        for _ in range(self.max_pages):
            params: dict[str, Any] = {
                "fields": "id,text,timestamp,permalink",
                "since": floor,
                "limit": PAGE_SIZE,
            }
            if after:
                params["after"] = after
            try:
                data = self._call("GET", f"{self.user}/{edge}", "read-back", True, **params)
            except (NotSent, Rejected) as exc:
                raise Unknown(f"read-back: {exc.reason}") from None
            for media in data.get("data") or []:
                if same_text(str(media.get("text") or ""), part.text):
                    return Sent(str(media["id"]), str(media.get("permalink") or ""))
            after = str(((data.get("paging") or {}).get("cursors") or {}).get("after") or "")
            if not data.get("data") or not after:
                return None
        raise Unknown("read-back: too many posts since the send to look through; cannot tell")

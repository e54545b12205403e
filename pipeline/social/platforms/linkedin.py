"""LinkedIn through its REST Posts API with an OAuth 2.0 bearer token (LinkedIn has no official Python SDK).

A post is `POST /rest/posts` with the `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0` headers;
a 201 names the new post's URN in its `x-restli-id` header. The author is an organization
(`urn:li:organization:…`, needs `w_organization_social`) or the member who owns the token (`urn:li:person:…`,
from `/v2/userinfo`, needs `w_member_social`).

The commentary is LinkedIn's "little" text format, in which `\\ | { } @ [ ] ( ) < > # * _ ~` are reserved: an
unreserved one is taken as markup and LinkedIn silently cuts the published text at it, so every reserved
character is backslash-escaped except in links and hashtags, which then still link. The article travels as
`content.article` with the card uploaded through the Images API (initializeUpload, then PUT) as its thumbnail.
LinkedIn has no threads: the first comment is a comment on the post (`/rest/socialActions/{urn}/comments`).

There is no idempotency key. An unknown outcome is settled by reading the author's posts back (`q=author`,
newest first, paged by `start`/`count`) to our first send, or the post's comments for a first comment. LinkedIn
refuses a repeated text with 422 DUPLICATE_POST naming the earlier post's URN, which is then read to see whether it
is ours. Rate limits are per day (member and application) and reset at midnight UTC; a 429 carries no reset
header, so the wait is until then.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from urllib.parse import quote

import requests

from pipeline.config import SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.links import HASHTAG_RE, URL_RE
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

DEFAULT_BASE = "https://api.linkedin.com"
DEFAULT_VERSION = "202601"
RESERVED = set("\\|{}@[]()<>#*_~")
PAGE_SIZE = 50
SKEW_MARGIN_S = 15 * 60.0
DAY_S = 24 * 3600.0
DUPLICATE_RE = re.compile(r"duplicate of (urn:li:[a-zA-Z]+:\d+)")


def escape(text: str) -> str:
    """Plain text → little text: reserved characters escaped, links and hashtags left to link."""
    keep = sorted([m.span() for m in URL_RE.finditer(text)] + [m.span() for m in HASHTAG_RE.finditer(text)])
    out: list[str] = []
    pos = 0
    for start, end in keep:
        if start < pos:
            continue
        out.append("".join("\\" + c if c in RESERVED else c for c in text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append("".join("\\" + c if c in RESERVED else c for c in text[pos:]))
    return "".join(out)


def unescape(little: str) -> str:
    return re.sub(r"\\(.)", r"\1", little, flags=re.DOTALL)


def next_midnight_utc(now: float) -> float:
    day = dt.datetime.fromtimestamp(now, dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()


def _message(resp: requests.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:200]
    return str(data.get("message") or data)[:300] if isinstance(data, dict) else str(data)[:300]


class LinkedInAdapter:
    platform = "linkedin"
    max_pages = 40  # 2,000 posts since the send: far more than LinkedIn's daily posting limits allow

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        self.account = account
        self.base = (account.api_base_url or DEFAULT_BASE).rstrip("/")
        self.timeouts = Timeouts.of(timeout)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {secrets['access_token']}",
                "LinkedIn-Version": account.api_version or DEFAULT_VERSION,
                "X-Restli-Protocol-Version": "2.0.0",
            }
        )
        self._author: str | None = account.author or None
        self.duplicate_of: dict[tuple[int, int], str] = {}  # (item, part) → the URN LinkedIn named

    # --- plumbing -----------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        return self.session.request(method, url, timeout=self.timeouts.for_requests(), **kwargs)

    def _refused(self, what: str, resp: requests.Response, posted: bool) -> Exception:
        """A non-2xx answer as the outcome the worker acts on; `posted`: the request could have made a post."""
        status = resp.status_code
        if status == 401:
            return AuthRejected(f"{what}: the access token was refused (401: {_message(resp)})")
        if status == 429:
            now = time.time()
            return RateLimited(f"{what} rate limited (429, daily limit)", next_midnight_utc(now), DAY_S)
        if status >= 500:
            words = f"{what}: server error {status}"
            return Unknown(words) if posted else NotSent(words)
        return Rejected(f"{what} refused: {status} {_message(resp)}")

    def _network(self, what: str, exc: requests.RequestException, posted: bool) -> Exception:
        arrived, words = describe(exc, self.timeouts)
        return Unknown(f"{what}: {words}") if arrived and posted else NotSent(f"{what}: {words}")

    def author(self) -> str:
        if self._author is None:
            try:
                resp = self._request("GET", "/v2/userinfo")
            except requests.RequestException as exc:
                raise self._network("who am I (userinfo)", exc, posted=False) from None
            if resp.status_code != 200:
                raise self._refused("who am I (userinfo)", resp, posted=False)
            self._author = f"urn:li:person:{resp.json()['sub']}"
        return self._author

    # --- posting ------------------------------------------------------------------------------------------

    def upload(self, media: Media) -> str:
        """Images API: initializeUpload, then PUT the bytes; every failure here is before the post."""
        try:
            init = self._request(
                "POST",
                "/rest/images?action=initializeUpload",
                json={"initializeUploadRequest": {"owner": self.author()}},
            )
            if init.status_code != 200:
                raise self._refused("image upload", init, posted=False)
            value = init.json()["value"]
            put = self._request(
                "PUT", value["uploadUrl"], data=media.data, headers={"Content-Type": media.mime}
            )
        except requests.RequestException as exc:
            raise self._network("image upload", exc, posted=False) from None
        if put.status_code not in (200, 201):
            raise self._refused("image upload", put, posted=False)
        return str(value["image"])

    def post_url(self, urn: str) -> str:
        return f"https://www.linkedin.com/feed/update/{urn}/"

    def post(self, item: Item, part: Part, checkpoint: Checkpoint | None = None) -> Sent:
        if part.index > 0:
            return self._comment(item, part)
        body: dict[str, Any] = {
            "author": self.author(),
            "commentary": escape(part.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        thumbnail = self.upload(part.media) if part.media else None
        if part.card and item.link_url:
            article: dict[str, Any] = {"source": item.link_url, "title": item.card_title[:400]}
            if item.card_description:
                article["description"] = item.card_description[:4086]
            if thumbnail:
                article["thumbnail"] = thumbnail
            body["content"] = {"article": article}
        elif thumbnail and part.media is not None:
            body["content"] = {"media": {"id": thumbnail, "altText": part.media.alt[:4086]}}
        try:
            resp = self._request("POST", "/rest/posts", json=body)
        except requests.RequestException as exc:
            raise self._network("post request", exc, posted=True) from None
        if resp.status_code == 422 and "DUPLICATE_POST" in resp.text:
            found = DUPLICATE_RE.search(resp.text)
            if found:
                self.duplicate_of[(item.id, part.index)] = found.group(1)
            raise Duplicate("LinkedIn refused the text as a duplicate")
        if resp.status_code != 201:
            raise self._refused("post request", resp, posted=True)
        urn = resp.headers.get("x-restli-id", "")
        if not urn:
            raise Unknown("post request: LinkedIn answered 201 without the post's id")
        return Sent(urn, self.post_url(urn))

    def _comment(self, item: Item, part: Part) -> Sent:
        root = part.root or part.parent
        if root is None:
            raise NotSent("the first comment has no post to go on yet")
        body = {"actor": self.author(), "object": root.remote_id, "message": {"text": escape(part.text)}}
        try:
            resp = self._request(
                "POST", f"/rest/socialActions/{quote(root.remote_id, safe='')}/comments", json=body
            )
        except requests.RequestException as exc:
            raise self._network("comment request", exc, posted=True) from None
        if resp.status_code != 201:
            raise self._refused("comment request", resp, posted=True)
        data = resp.json() if resp.content else {}
        urn = resp.headers.get("x-restli-id") or str(data.get("$URN") or data.get("id") or "")
        return Sent(urn, root.url)

    # --- reading back -------------------------------------------------------------------------------------

    def reconcile(self, item: Item, part: Part, since: float) -> Sent | None:
        """Found → Sent; the read reached the send (or the end) without ours → None; anything else raises."""
        floor = (since - SKEW_MARGIN_S) * 1000
        if part.index > 0:
            return self._find_comment(part, floor)
        named = self.duplicate_of.pop((item.id, part.index), None)
        if named:
            found = self._own(named, part)
            if found is not None:
                return found
        author = self.author()
        for page in range(self.max_pages):
            elements = self._read(
                f"/rest/posts?author={quote(author, safe='')}&q=author&count={PAGE_SIZE}"
                f"&start={page * PAGE_SIZE}&sortBy=CREATED"
            )
            for post in elements:
                if same_text(unescape(str(post.get("commentary") or "")), part.text):
                    urn = str(post["id"])
                    return Sent(urn, self.post_url(urn))
                if float(post.get("createdAt") or 0) < floor:
                    return None
            if len(elements) < PAGE_SIZE:
                return None
        raise Unknown(
            f"read-back: ours is not among the {self.max_pages * PAGE_SIZE} latest posts, which do not reach "
            "back to the send; cannot tell whether it was posted"
        )

    def _own(self, urn: str, part: Part) -> Sent | None:
        """The post LinkedIn called ours a duplicate of: ours if it is by this author with this text."""
        try:
            resp = self._request("GET", f"/rest/posts/{quote(urn, safe='')}")
        except requests.RequestException as exc:
            raise Unknown(f"read-back: {describe(exc, self.timeouts)[1]}") from None
        if resp.status_code != 200:
            return None
        post = resp.json()
        if post.get("author") == self.author() and same_text(
            unescape(str(post.get("commentary") or "")), part.text
        ):
            return Sent(urn, self.post_url(urn))
        return None

    def _find_comment(self, part: Part, floor: float) -> Sent | None:
        root = part.root or part.parent
        if root is None:
            return None
        author = self.author()
        path = f"/rest/socialActions/{quote(root.remote_id, safe='')}/comments"
        for page in range(self.max_pages):
            elements = self._read(f"{path}?count={PAGE_SIZE}&start={page * PAGE_SIZE}")
            for comment in elements:
                text = str((comment.get("message") or {}).get("text") or "")
                if comment.get("actor") == author and same_text(unescape(text), part.text):
                    return Sent(str(comment.get("$URN") or comment.get("id")), root.url)
            if len(elements) < PAGE_SIZE:
                return None
        raise Unknown("read-back: too many comments to look through; cannot tell whether ours was posted")

    def _read(self, path: str) -> list[dict[str, Any]]:
        try:
            resp = self._request("GET", path)
        except requests.RequestException as exc:
            raise Unknown(f"read-back: {describe(exc, self.timeouts)[1]}") from None
        if resp.status_code == 429:
            raise RateLimited("read-back rate limited (429)", next_midnight_utc(time.time()), DAY_S)
        if resp.status_code != 200:
            raise Unknown(f"read-back: HTTP {resp.status_code} {_message(resp)}")
        return list(resp.json().get("elements") or [])

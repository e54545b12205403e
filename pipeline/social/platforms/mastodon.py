"""Mastodon through Mastodon.py.

Every send of one ledger item carries the item's own `Idempotency-Key`. Mastodon remembers a key for one hour
after the status it created, so while that hour surely holds, settling an unknown outcome is simply sending again:
the server answers with the status it already has. After it, a re-send would post a second copy; so once the
hour may have passed we read the account's statuses back to our first send instead, and only a read that
reaches that far and misses ours counts as proof that it was never posted.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from html.parser import HTMLParser
from typing import Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from pipeline.config import SocialAccount
from pipeline.langtags import bcp47
from pipeline.social import ratelimit
from pipeline.social.ledger import Item
from pipeline.social.platforms import (
    AuthRejected,
    Checkpoint,
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

KEY_HOUR_S = 3600.0  # how long Mastodon honours an Idempotency-Key after the status it created
KEY_TRUST_S = KEY_HOUR_S - 10 * 60.0  # re-send with the key only this long after the first send
SKEW_MARGIN_S = 15 * 60.0  # read back from this long before our first send (ids carry the server's clock)
PAGE_SIZE = 40  # the largest page Mastodon serves


class _Text(HTMLParser):
    """Status HTML → the text that was posted: tags dropped, <br> and paragraphs back to line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def status_text(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


class MastodonAdapter:
    platform = "mastodon"
    max_pages = 50  # 2,000 statuses since the send: more than Mastodon lets one account post in that time

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        if not account.api_base_url:
            raise Rejected(f"social account '{account.name}': set api_base_url to the instance origin")
        self.timeouts = Timeouts.of(timeout)
        self.api = Mastodon(
            access_token=secrets["access_token"],
            api_base_url=account.api_base_url,
            request_timeout=self.timeouts.for_requests(),  # type: ignore[arg-type]  # requests takes the pair
            ratelimit_method="throw",
            version_check_mode="none",
        )
        self._account_id: str | None = None

    def _rate_limited(self, what: str, window_s: float) -> RateLimited:
        # Mastodon.py has already read X-RateLimit-Reset against the answer's Date (None when in the past).
        reset = getattr(self.api, "ratelimit_reset", None)
        hint = float(reset) if reset else None
        return RateLimited(
            f"{what} rate limited (429)", hint if hint and hint > time.time() else None, window_s
        )

    def upload(self, media: Media) -> Any:
        try:
            return self.api.media_post(
                io.BytesIO(media.data), mime_type=media.mime, description=media.alt, file_name=media.filename
            )
        except MastodonRatelimitError:
            raise self._rate_limited("media upload", ratelimit.MASTODON_MEDIA_WINDOW_S) from None
        except MastodonNetworkError as exc:
            raise NotSent(f"media upload: {describe(exc, self.timeouts)[1]}") from None
        except MastodonServerError as exc:
            raise NotSent(f"media upload: {type(exc).__name__}") from None
        except MastodonUnauthorizedError:
            raise AuthRejected("the access token was refused (401)") from None
        except MastodonAPIError as exc:
            raise Rejected(f"media upload refused: {exc}") from None

    @staticmethod
    def key(item: Item, part: Part) -> str:
        """Each part of a thread has its own key (the head keeps the item's, as before threads)."""
        return item.idempotency_key if part.index == 0 else f"{item.idempotency_key}-{part.index}"

    def post(self, item: Item, part: Part, checkpoint: Checkpoint | None = None) -> Sent:
        media_ids = [self.upload(part.media)] if part.media and part.index == 0 else None
        try:
            status: Any = self.api.status_post(
                part.text,
                media_ids=media_ids,
                idempotency_key=self.key(item, part),
                language=bcp47(item.lang),  # `zh_tw` is no language to Mastodon; `zh-TW` is
                visibility="public",
                in_reply_to_id=part.parent.remote_id if part.parent else None,
            )
        except MastodonUnauthorizedError:
            raise AuthRejected("the access token was refused (401)") from None
        except MastodonRatelimitError:
            raise self._rate_limited("post", ratelimit.MASTODON_STATUS_WINDOW_S) from None
        except MastodonServerError as exc:
            raise Unknown(f"post request: server error ({type(exc).__name__})") from None
        except MastodonNetworkError as exc:
            arrived, words = describe(exc, self.timeouts)
            raise (Unknown(f"post request: {words}") if arrived else NotSent(words)) from None
        except MastodonAPIError as exc:
            raise Rejected(f"refused: {exc}") from None
        return Sent(str(status["id"]), str(status.get("url") or status.get("uri") or ""))

    def reconcile(self, item: Item, part: Part, since: float) -> Sent | None:
        """Within the key's hour: send again under the same key. After it: read back, never re-send from here."""
        if time.time() - since < KEY_TRUST_S:
            return self.post(item, part)
        return self.read_back(part, since)

    def read_back(self, part: Part, since: float) -> Sent | None:
        """Our status among the account's statuses since the first send; None only when the read got there."""
        floor = dt.datetime.fromtimestamp(since - SKEW_MARGIN_S, dt.UTC)
        max_id: Any = None
        try:
            if self._account_id is None:
                self._account_id = str(self.api.me()["id"])
            for _ in range(self.max_pages):
                page: Any = self.api.account_statuses(
                    self._account_id, since_id=floor, max_id=max_id, limit=PAGE_SIZE, exclude_reblogs=True
                )
                if not page:
                    return None
                for status in page:
                    if same_text(status_text(str(status.get("content") or "")), part.text):
                        return Sent(str(status["id"]), str(status.get("url") or status.get("uri") or ""))
                max_id = page[-1]["id"]
        except MastodonRatelimitError:
            raise self._rate_limited("read-back", ratelimit.MASTODON_API_WINDOW_S) from None
        except MastodonNetworkError as exc:
            raise Unknown(f"read-back: {describe(exc, self.timeouts)[1]}") from None
        except (MastodonServerError, MastodonAPIError) as exc:
            raise Unknown(f"read-back: {type(exc).__name__}") from None
        raise Unknown(
            f"read-back: ours is not among the {self.max_pages * PAGE_SIZE} latest statuses, which do not reach "
            "back to the send; cannot tell whether it was posted"
        )

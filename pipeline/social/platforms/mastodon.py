"""Mastodon through Mastodon.py.

Mastodon honours `Idempotency-Key` for an hour, so every send of one ledger item carries the item's own key:
reconciling an unknown outcome is simply sending again, and the server answers with the status it already has.
"""

from __future__ import annotations

import io
import time
from typing import Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
)

from pipeline.config import SocialAccount
from pipeline.social.ledger import Item
from pipeline.social.platforms import Media, NotSent, RateLimited, Rejected, Sent, Unknown, connect_failed


class MastodonAdapter:
    platform = "mastodon"

    def __init__(self, account: SocialAccount, secrets: dict[str, str], timeout: float) -> None:
        if not account.api_base_url:
            raise Rejected(f"social account '{account.name}': set api_base_url to the instance origin")
        self.api = Mastodon(
            access_token=secrets["access_token"],
            api_base_url=account.api_base_url,
            request_timeout=timeout,
            ratelimit_method="throw",
            version_check_mode="none",
        )

    def _rate_limited(self) -> RateLimited:
        reset = getattr(self.api, "ratelimit_reset", None)
        return RateLimited("rate limited (429)", float(reset) if reset else time.time() + 60)

    def upload(self, media: Media) -> Any:
        try:
            return self.api.media_post(
                io.BytesIO(media.data), mime_type=media.mime, description=media.alt, file_name=media.filename
            )
        except MastodonRatelimitError:
            raise self._rate_limited() from None
        except (MastodonNetworkError, MastodonServerError) as exc:
            raise NotSent(f"media upload: {type(exc).__name__}") from None
        except MastodonAPIError as exc:
            raise Rejected(f"media upload refused: {exc}") from None

    def post(self, item: Item, media: Media | None) -> Sent:
        media_ids = [self.upload(media)] if media else None
        try:
            status: Any = self.api.status_post(
                item.text,
                media_ids=media_ids,
                idempotency_key=item.idempotency_key,
                language=item.lang,
                visibility="public",
            )
        except MastodonRatelimitError:
            raise self._rate_limited() from None
        except MastodonServerError as exc:
            raise Unknown(f"server error after the post request: {type(exc).__name__}") from None
        except MastodonNetworkError as exc:
            if connect_failed(exc):
                raise NotSent("could not connect") from None
            raise Unknown(f"no answer to the post request: {type(exc).__name__}") from None
        except MastodonAPIError as exc:
            raise Rejected(f"refused: {exc}") from None
        return Sent(str(status["id"]), str(status.get("url") or status.get("uri") or ""))

    def reconcile(self, item: Item, media: Media | None) -> Sent | None:
        """Re-send with the same Idempotency-Key: the server returns the existing status, or creates it once."""
        return self.post(item, media)

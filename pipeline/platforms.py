"""Every social platform the pipeline posts to, as data: the one table config, compose, lengths and the web UI's
length counter look up, so a platform's name is spelled once.

Ground floor: data only, nothing of the pipeline imported. The adapter is named as `module:Class` and imported
only when an account of that platform sends (the client libraries are heavy), the way scrapy lists its
components in `*_BASE` tables.

Adding a platform (LinkedIn, Threads, ...): one adapter module in pipeline/social/platforms/ (a class with
`platform`, `post()` and `reconcile()`, see `pipeline.social.platforms.Adapter`), one entry below, and one
template templates/social/<name>.txt.j2. A platform that counts length in a new way also adds its counter
to `pipeline.social.lengths.COUNTERS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    name: str
    label: str
    credentials: tuple[str, ...]  # keys of an account's credentials_env; each names an environment variable
    adapter: str  # "module:Class", imported when an account of this platform sends
    limit: int  # longest post, in the platform's own unit (an account's char_limit overrides it)
    counting: str  # how the server counts that unit: a key of pipeline.social.lengths.COUNTERS
    template: str  # file in templates/social/
    image_keys: tuple[str, ...] = ("ogImage", "image")  # front-matter keys for the attached image, first wins
    byte_limit: int | None = None  # a second limit in UTF-8 bytes, where the platform has one
    needs_handle: bool = False  # the account's handle is its login


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            name="x",
            label="X",
            credentials=("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
            adapter="pipeline.social.platforms.x:XAdapter",
            limit=280,
            counting="twitter",  # weighted code points (CJK and emoji 2), every URL 23
            template="x.txt.j2",
            image_keys=("twitterImage", "ogImage", "image"),
        ),
        Platform(
            name="mastodon",
            label="Mastodon",
            credentials=("access_token",),
            adapter="pipeline.social.platforms.mastodon:MastodonAdapter",
            limit=500,
            counting="mastodon",  # graphemes, every URL 23, @user@domain as @user
            template="mastodon.txt.j2",
        ),
        Platform(
            name="bluesky",
            label="Bluesky",
            credentials=("app_password",),
            adapter="pipeline.social.platforms.bluesky:BlueskyAdapter",
            limit=300,
            counting="graphemes",  # graphemes, URLs at full length
            template="bluesky.txt.j2",
            byte_limit=3000,
            needs_handle=True,
        ),
    )
}

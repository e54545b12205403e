"""Every social platform the pipeline posts to, as data: the one table config, compose, lengths and the web UI's
length counter look up, so a platform's name is spelled once.

Ground floor: data only, nothing of the pipeline imported. The adapter is named as `module:Class` and imported
only when an account of that platform sends (the client libraries are heavy), the way scrapy lists its
components in `*_BASE` tables.

Adding a platform: one adapter module in pipeline/social/platforms/ (a class with `platform`, `post()` and
`reconcile()`, see `pipeline.social.platforms.Adapter`), one entry below, and one template
templates/social/<name>.txt.j2. A platform that counts length in a new way also adds its counter to
`pipeline.social.lengths.COUNTERS`; one that shows links in a new way adds to `pipeline.social.links.DISPLAY`.
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
    # "thread": replies chain, so long text may become a numbered thread and a first comment is a reply;
    # "comment": no threads, but a first comment (LinkedIn); "none": neither.
    replies: str = "thread"
    max_parts: int = 25  # longest thread we send
    reply_limit: int | None = None  # a reply or comment's own limit, where it differs from a post's
    url_display: str = "as_written"  # how a link reads in the post: a key of pipeline.social.links.DISPLAY
    posted: str = "as_written"  # the text as the platform stores it: a key of pipeline.social.links.POSTED
    feed_chars: int | None = None  # the feed shows this many characters, then "…see more"
    handle_prefix: str = "@"  # how the preview writes the handle
    # "media": the card image goes out attached to the head post (a picture, no title); "card": a link card
    # (image, title, domain) on the part that carries the link
    card_style: str = "card"


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
            url_display="tco",
            card_style="media",
        ),
        Platform(
            name="mastodon",
            label="Mastodon",
            credentials=("access_token",),
            adapter="pipeline.social.platforms.mastodon:MastodonAdapter",
            limit=500,
            counting="mastodon",  # graphemes, every URL 23, @user@domain as @user
            template="mastodon.txt.j2",
            url_display="mastodon",
            card_style="media",
        ),
        Platform(
            name="bluesky",
            label="Bluesky",
            credentials=("app_password",),
            adapter="pipeline.social.platforms.bluesky:BlueskyAdapter",
            limit=300,
            counting="bluesky",  # graphemes of the stored text (links in their short form)
            template="bluesky.txt.j2",
            byte_limit=3000,
            needs_handle=True,
            url_display="bluesky",
            posted="bluesky",
        ),
        Platform(
            name="threads",
            label="Threads",
            credentials=("access_token",),
            adapter="pipeline.social.platforms.threads:ThreadsAdapter",
            limit=500,
            counting="threads",  # characters, an emoji as its UTF-8 bytes
            template="threads.txt.j2",
        ),
        Platform(
            name="linkedin",
            label="LinkedIn",
            credentials=("access_token",),
            adapter="pipeline.social.platforms.linkedin:LinkedInAdapter",
            limit=3000,
            counting="utf16",  # UTF-16 code units
            template="linkedin.txt.j2",
            replies="comment",
            max_parts=2,
            reply_limit=1250,  # a comment's limit
            feed_chars=210,
            handle_prefix="",
            url_display="lnkd",
        ),
    )
}

"""Pages a generator holds back when it builds: written, but not on the site now.

- Hugo leaves out a page whose publish date is still to come (unless `buildFuture`) and a page past its
  `expiryDate` (unless `buildExpired`). The publish date is the first of `publishDate`, `pubdate`, `published`,
  else `date` (Hugo's default `[frontmatter] publishDate`); the expiry date `expiryDate`, else
  `unpublishdate`. https://gohugo.io/methods/page/publishdate/, https://gohugo.io/configuration/all/#buildfuture
- Jekyll leaves out a post (a file under `_posts`) dated in the future unless `_config.yml` sets
  `future: true`. https://jekyllrb.com/docs/configuration/options/ (`future`, default false)
- Eleventy builds whatever it finds.

A post dated next week is how Hugo and Jekyll sites schedule a post, not a mistake: the crawl must not expect
its page yet, the social stage must not announce a page that is not there, and a Hugo announcement that expired
in March is no page at all (validate leaves it out and says so once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pipeline.content.frontmatter import parse_date
from pipeline.content.post import Post

_HUGO_PUBLISH = ("publishdate", "pubdate", "published")
_HUGO_EXPIRY = ("expirydate", "unpublishdate")
SCHEDULED = "scheduled"
EXPIRED = "expired"


def _first_date(lower: Mapping[str, Any], keys: tuple[str, ...]) -> dt.datetime | None:
    """The first of `keys` the front matter (`lower`: its keys lowercased) sets as a date."""
    for key in keys:
        value = lower.get(key)
        if value is not None and not isinstance(value, bool):
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def held_back(
    post: Post, generator: str, build_future: bool | None, build_expired: bool, now: dt.datetime
) -> tuple[str, dt.datetime | None]:
    """Why the generator writes no page for `post` at `now` ("" when it writes one) — `scheduled <date>` or
    `expired <date>` — and the instant that date names. `build_future` None: the generator's default (Hugo and
    Jekyll hold future posts)."""
    if generator == "hugo":
        lower = {str(k).lower(): v for k, v in post.meta.items()}  # Hugo's front-matter keys ignore case
        if not build_expired:
            expiry = _first_date(lower, _HUGO_EXPIRY)
            if expiry is not None and expiry <= now:
                return f"{EXPIRED} {expiry:%Y-%m-%d}", expiry
        if not build_future:
            publish = _first_date(lower, _HUGO_PUBLISH) or post.date
            if publish is not None and publish > now:
                return f"{SCHEDULED} {publish:%Y-%m-%d}", publish
    elif generator == "jekyll" and not build_future and "_posts" in post.path.parts:
        date = post.date
        if date is not None and date > now:
            return f"{SCHEDULED} {date:%Y-%m-%d}", date
    return "", None


def mark_held(posts: list[Post], generator: str, build_future: bool | None, build_expired: bool) -> None:
    """Set each post's `held`; an expired page writes no page at all (`renders` False)."""
    if generator not in ("hugo", "jekyll"):
        return
    now = dt.datetime.now(dt.UTC)
    for post in posts:
        post.held, post.held_until = held_back(post, generator, build_future, build_expired, now)
        if post.held.startswith(EXPIRED):
            post.renders = False

"""Images that live beside their page: `blog/foo/index.md` with `hero: hero.png` in the same folder.

Eleventy page folders and Hugo page bundles keep a post's images next to its `index.md`; a relative path on
such a page names that file, and the site serves it under the page's URL (web.dev's layout writes
`page.url + hero`; Hugo publishes bundle resources beside the page). The stages used to look for `hero.png` at
the static root only: validate said the hero did not exist (IMG002), cards rendered without it, and the page's
og:image pointed at `/hero.png`. A relative path with no such file beside the page is read from the static
root as before.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.content.post import Post
from pipeline.fsutil import UnsafePathError, safe_join

_FOLDER_PAGES = ("index", "_index")


def page_resource(post: Post, value: str | None) -> Path | None:
    """The file a relative image path names beside a folder page, when it is there (never outside it)."""
    if not value or not value.strip() or post.path.stem not in _FOLDER_PAGES:
        return None
    value = value.strip()
    if value.startswith(("/", "http://", "https://", "//", "data:")):
        return None
    try:
        path = safe_join(post.path.parent, value)
    except UnsafePathError:
        return None
    return path if path.is_file() else None


def image_site_path(post: Post, value: str | None) -> str | None:
    """The site path an image is served at: a page's own file under the page's URL, anything else as written."""
    if value and post.path_url and page_resource(post, value) is not None:
        return post.path_url.rstrip("/") + "/" + value.strip().removeprefix("./")
    return value

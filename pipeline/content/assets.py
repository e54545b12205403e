"""Images that live beside their page: `blog/foo/index.md` with `hero: hero.png` in the same folder.

Eleventy page folders and Hugo page bundles keep a post's images next to its `index.md`; a relative path on
such a page names that file, and the site serves it under the page's URL (web.dev's layout writes
`page.url + hero`; Hugo publishes bundle resources beside the page). The stages used to look for `hero.png` at
the static root only: validate said the hero did not exist (IMG002), cards rendered without it, and the page's
og:image pointed at `/hero.png`. A relative path with no such file beside the page is read from the static
root as before.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.content.post import Post
from pipeline.fsutil import UnsafePathError, safe_join

_FOLDER_PAGES = ("index", "_index")
# How the social ledger names an image that lives beside its page (its path under the content root), so the
# worker, which sends long after planning and knows no post, reads the same file: `content:blog/a/hero.png`.
CONTENT_MEDIA = "content:"


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


def media_reference(post: Post, value: str | None, content_root: Path) -> str | None:
    """What a social post stores for the image it attaches: a page's own file as `content:<path under the
    content root>`, anything else (a static path, a rendered card) as written."""
    beside = page_resource(post, value)
    if beside is None or value is None:
        return value
    try:
        return CONTENT_MEDIA + beside.relative_to(content_root.resolve()).as_posix()
    except ValueError:  # a page outside the content root (mounted from elsewhere): not one we may read later
        return value


def media_file(stored: str, static_root: Path, content_root: Path) -> Path:
    """The file a stored media path names, inside its root; raises UnsafePathError for one that leaves it (a
    ledger row is data: it may have been edited)."""
    if stored.startswith(CONTENT_MEDIA):
        return safe_join(content_root, stored[len(CONTENT_MEDIA) :])
    return safe_join(static_root, stored)


def local_image(
    post: Post, src: str, static_root: Path, page_at: Callable[[str], Post | None] | None = None
) -> Path | UnsafePathError | None:
    """The file an image in the body names (`<img src>`, `![](src)`), as the site serves it: beside a folder
    page, else under the static root at the page-relative URL, else beside the page whose folder URL it names
    (`page_at`: a page by its path URL). None where the src names no local file this can know: remote,
    `data:`, a template, or a relative path on a page that is not a folder page (its URL, not its file,
    decides). The path may not exist (a missing image); an UnsafePathError is a path that leaves its root."""
    src = src.strip()
    if not src or "{{" in src or "{%" in src or src.startswith(("//", "#")):
        return None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return None
    beside = page_resource(post, path)
    if beside is not None:
        return beside
    if not path.startswith("/"):
        if post.path.stem not in _FOLDER_PAGES or not post.path_url:
            return None
        path = posixpath.normpath(posixpath.join(post.path_url, path))
    try:
        found = safe_join(static_root, path)
    except UnsafePathError as exc:
        return exc
    if found.is_file() or page_at is None:
        return found
    folder, _, name = path.rpartition("/")
    owner = page_at(folder + "/")
    if owner is not None and (resource := page_resource(owner, name)) is not None:
        return resource
    return found

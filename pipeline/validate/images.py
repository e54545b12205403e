"""Image rules checked on disk — what no SERP plugin does: the hero must exist inside the static root, decode,
be big enough for a 1200×630 card and fit the byte budget. Front-matter paths are user input: `..`, absolute
paths outside the root and symlinks leaving it are errors, never opened.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from pipeline.content import Post, display_path
from pipeline.content.assets import local_image, page_resource
from pipeline.content.body_images import body_images
from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.validate.prose import analyse
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
rule = registrar(CHECKS, "images")
IMAGE_KEYS = ("image", "ogImage", "twitterImage")
MAX_HERO_PIXELS = 80_000_000  # the cards stage refuses larger heroes too (pipeline.cards.crop)


def _resolve(post: Post, env: Env, key: str) -> Path | UnsafePathError | None:
    value = post.meta.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    if value.startswith(("http://", "https://")):
        return None
    beside = page_resource(post, value)
    if beside is not None:
        return beside
    try:
        return safe_join(env.static_root, value.strip())
    except UnsafePathError as exc:
        return exc


def _pages(env: Env) -> tuple[dict[str, Post], dict[str, list[Post]]]:
    """Every page by its path URL, and the translations of each translation key (from the site's link index)."""
    memo = env.memo.get("pages_for_images")
    if memo is None:
        index = env.site.links
        posts = list({id(p): p for p in index.by_rel.values()}.values()) if index is not None else []
        by_key: dict[str, list[Post]] = {}
        for p in posts:
            by_key.setdefault(p.translation_key, []).append(p)
        memo = env.memo["pages_for_images"] = ({p.path_url: p for p in posts if p.path_url}, by_key)
    return memo


def _body_files(post: Post, env: Env) -> list[tuple[str, int, Path | UnsafePathError]]:
    """(src, line, file) of each local image the body shows: Markdown, raw `<img>`, Hugo shortcodes. Eleventy
    image shortcodes name a CDN path, not a file of the site; remote images are the crawl's to fetch.

    Hugo (since 0.123) shares a bundle's resources with its translations instead of copying them: a translated
    page's `![](x.png)` or `{{< figure src="x.png" >}}` (both looked up as page resources) finds the file in the
    default language's bundle. A raw `<img src="x.png">` is no lookup, so it needs the file in its own bundle."""
    cached = post.extra.get("body_image_files")
    if cached is not None:
        return list(cached)
    srcs = [(i.url, i.line, True) for i in analyse(post).images if not i.shortcode]
    srcs += [(i.src, i.line, i.kind == "shortcode") for i in body_images(post)]
    by_url, by_key = _pages(env)
    out = []
    for src, line, shared in srcs:
        got = local_image(post, src, env.static_root, by_url.get, shared)
        if isinstance(got, Path) and shared and not got.is_file():
            for other in by_key.get(post.translation_key, ()):
                beside = page_resource(other, src) if other is not post else None
                if beside is not None:
                    got = beside
                    break
        if got is not None:
            out.append((src, line, got))
    post.extra["body_image_files"] = tuple(out)
    return out


@rule("IMG001")
def unsafe_paths(post: Post, env: Env) -> Iterator[Hit]:
    for key in IMAGE_KEYS:
        got = _resolve(post, env, key)
        if isinstance(got, UnsafePathError):
            yield Hit(
                post.line_of(key), f"{key}: {got}; use a path under the static root such as /images/…", key
            )
    for src, line, found in _body_files(post, env):
        if isinstance(found, UnsafePathError):
            yield Hit(
                line, f"image '{src}': {found}; use a path under the static root such as /images/…", src
            )


@rule("IMG002")
def hero_exists(post: Post, env: Env) -> Iterator[Hit]:
    got = _resolve(post, env, "image")
    if isinstance(got, Path) and not got.is_file():
        yield Hit(post.line_of("image"), f"hero '{post.image}' not found under {env.static_root}", "image")
    for src, line, found in _body_files(post, env):
        if isinstance(found, Path) and not found.is_file():
            yield Hit(
                line,
                f"image '{src}' not found (looked for {display_path(found)}); add the file or fix the path",
                src,
            )


def _hero_info(post: Post, env: Env) -> tuple[int, int, int] | str | None:
    """(width, height, bytes), an error text, or None when there is no hero to look at."""
    cached = post.extra.get("hero_info")
    if cached is not None:
        return cached
    got = _resolve(post, env, "image")
    if not isinstance(got, Path) or not got.is_file():
        return None
    from PIL import Image, UnidentifiedImageError

    info: tuple[int, int, int] | str
    try:
        with warnings.catch_warnings():
            # Pillow warns on stderr between its two pixel limits; the size check below says it as a finding.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(got)
        with im:
            size = im.size
            if size[0] * size[1] > MAX_HERO_PIXELS:
                raise Image.DecompressionBombError(
                    f"{size[0]}×{size[1]} is {size[0] * size[1] / 1e6:.0f} megapixels, over the "
                    f"{MAX_HERO_PIXELS // 1_000_000} a card can use; export it smaller"
                )
            if im.format == "JPEG":
                im.draft(
                    "RGB", (max(1, size[0] // 8), max(1, size[1] // 8))
                )  # decode at 1/8: fast, still catches corruption
            im.load()
        info = (size[0], size[1], got.stat().st_size)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        info = f"cannot decode hero '{post.image}': {exc}"
    post.extra["hero_info"] = info
    return info


@rule("IMG003")
def hero_decodes(post: Post, env: Env) -> Iterator[Hit]:
    info = _hero_info(post, env)
    if isinstance(info, str):
        yield Hit(post.line_of("image"), info + "; re-export it as JPEG or PNG", "image")


@rule("IMG004")
def hero_size(post: Post, env: Env) -> Iterator[Hit]:
    info = _hero_info(post, env)
    if isinstance(info, tuple):
        w, h, _ = info
        mw, mh = env.t(post.lang, "hero_min_width"), env.t(post.lang, "hero_min_height")
        if w < mw or h < mh:
            yield Hit(
                post.line_of("image"),
                f"hero is {w}×{h}; social cards need at least {mw}×{mh} — use a larger photo",
                "image",
                data={"width": w, "height": h},
            )


@rule("IMG005")
def hero_bytes(post: Post, env: Env) -> Iterator[Hit]:
    info = _hero_info(post, env)
    budget = env.config.validate_.max_hero_bytes
    if isinstance(info, tuple) and info[2] > budget:
        yield Hit(
            post.line_of("image"), f"hero is {info[2]:,} bytes (budget {budget:,}); compress it", "image"
        )


@rule("IMG006")
def cards_pending(post: Post, env: Env) -> Iterator[Hit]:
    for key in ("ogImage", "twitterImage"):
        got = _resolve(post, env, key)
        if isinstance(got, Path) and not got.is_file():
            yield Hit(
                post.line_of(key),
                f"{key} '{post.meta[key]}' does not exist yet; it is rendered by the cards stage (`pipeline cards`)",
                key,
            )

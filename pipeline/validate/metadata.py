"""Front-matter rules: required fields, title/description/preview, permalink and tags (Yoast/Rank Math parity)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import regex

from pipeline.content import Post, parse_date
from pipeline.content.files import path_matcher
from pipeline.content.links import link_key
from pipeline.content.schedule import SCHEDULED
from pipeline.content.urls import DATED_NAME, slugify
from pipeline.conventions import TOKEN_RE
from pipeline.text import graphemes
from pipeline.validate.pixels import text_width_px, width_note
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
rule = registrar(CHECKS, "metadata")

TYPES: dict[str, type | tuple[type, ...]] = {
    "title": (str, int, float),  # `title: 2024` (a year section) is text to every generator
    "description": (str, int, float),
    "date": object,
    "permalink": (str, bool),  # Eleventy's `permalink: false`: no page
    "image": (str, list, dict),  # Hugo's `images: [...]`, Jekyll SEO's `image: {path: ...}`
    "tags": (list, str),
}
# Lowercase words of any script joined by hyphens: a Bengali or Japanese tag is a slug too, and a Persian word keeps
# the zero-width non-joiner inside it (پیاده‌روی is one word: a hyphen there would split it).
_WORD = r"[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]+(?:[\u200c\u200d][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]+)*"
SLUG = regex.compile(rf"^{_WORD}(?:-{_WORD})*$")
URL_DERIVED = ("permalink", "url", "slug")  # the URL model gives every page a URL


def required_keys(post: Post, env: Env) -> list[str]:
    """`validate.required_fields`, or the first `validate.required_fields_for` glob the post's path matches."""
    cfg = env.config.validate_
    matchers = env.memo.get("required_for")
    if matchers is None:
        matchers = env.memo["required_for"] = [
            (path_matcher([glob]), keys) for glob, keys in cfg.required_fields_for.items()
        ]
    return next((keys for match, keys in matchers if match(post.rel)), cfg.required_fields)


def _present(post: Post, key: str) -> bool:
    """Whether the post has the field, counting what the URL model and the conventions derive."""
    if key in URL_DERIVED:
        return bool(post.path_url)
    if key == "date":
        return post.date is not None or post.meta.get("date") is not None  # SEO003 judges a bad date
    if key == "tags":
        return bool(post.tags) or "tags" in post.meta  # SEO030 judges an empty list
    if key == "image":
        return post.image is not None
    value = post.meta.get(key)
    return value is not None and not (isinstance(value, str) and not value.strip())


@rule("SEO001")
def required_fields(post: Post, env: Env) -> Iterator[Hit]:
    for key in required_keys(post, env):
        if not _present(post, key):
            yield Hit(
                post.line_of(key) if key in post.key_lines else 1,
                f"'{key}' is missing; add `{key}:` to the front matter",
                key,
            )


@rule("SEO002")
def field_types(post: Post, env: Env) -> Iterator[Hit]:
    for key, kind in TYPES.items():
        value = post.meta.get(key)
        if value is not None and not isinstance(value, kind):
            yield Hit(
                post.line_of(key), f"'{key}' should be {_kind_name(kind)}, not {type(value).__name__}", key
            )
    draft = post.meta.get("draft")
    if draft is not None and not isinstance(draft, bool):
        state = "a draft" if post.draft else "published"
        yield Hit(
            post.line_of("draft"),
            f"'draft' should be true or false, not {draft!r} (read as {state}); write it without quotes",
            "draft",
        )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(_kind_name(k) for k in kind)
    return {"str": "text", "list": "a list", "object": "a value"}.get(kind.__name__, kind.__name__)


@rule("SEO003")
def date_parses(post: Post, env: Env) -> Iterator[Hit]:
    value = post.meta.get("date")
    if value is not None and parse_date(value) is None:
        yield Hit(post.line_of("date"), f"date {value!r} is not an ISO date; write it as YYYY-MM-DD", "date")


@rule("SEO004")
def future_date(post: Post, env: Env) -> Iterator[Hit]:
    date = post.date
    if date is not None and date > env.now and not post.draft and post.held.startswith(SCHEDULED):
        # Hugo and Jekyll publish a future-dated post from its date on: that is how their sites schedule posts.
        generator = env.config.site.generator.capitalize()
        yield Hit(
            post.line_of("date"),
            f"date {date:%Y-%m-%d} is in the future: {generator} publishes the page from then on (scheduled); "
            "fix the date if it should be live now",
            "date",
            severity="info",
        )
    elif date is not None and date > env.now and not post.draft:
        yield Hit(
            post.line_of("date"),
            f"date {date:%Y-%m-%d} is in the future; set `draft: true` or fix the date",
            "date",
        )


def _estimated(text: str, lang: str) -> str:
    """A note when part of the width was estimated because a script's font is not installed."""
    note = width_note(text, lang)
    return f" (estimated: {note})" if note else ""


@rule("SEO010")
def title_width(post: Post, env: Env) -> Iterator[Hit]:
    if not post.title:
        return
    full = env.config.site.title_with_suffix(post.title, post.lang)
    limit = env.t(post.lang, "title_max_px")
    width = text_width_px(full, env.t(post.lang, "title_font_px"), post.lang)
    if width > limit:
        yield Hit(
            post.line_of("title"),
            f"title with suffix is {width:.0f} px wide (limit {limit} px); search results will truncate it — shorten the title"
            + _estimated(full, post.lang),
            "title",
            data={"px": round(width)},
        )


@rule("SEO011")
def title_unique(post: Post, env: Env) -> Iterator[Hit]:
    if post.title:
        others = [
            p
            for p in env.site.titles.get(f"{post.lang}\x00{post.title.strip().lower()}", [])
            if p != post.rel
        ]
        if others:
            yield Hit(
                post.line_of("title"),
                f"title is also used by {', '.join(others[:3])}; make each title unique",
                "title",
            )


@rule("SEO012")
def description_length(post: Post, env: Env) -> Iterator[Hit]:
    desc = post.description
    if not desc:
        return
    lo, hi = env.t(post.lang, "description_min_chars"), env.t(post.lang, "description_max_chars")
    n = graphemes(desc.strip())  # user-perceived characters: combining marks are not characters of their own
    if n > hi:
        yield Hit(
            post.line_of("description"),
            f"description is {n} characters (over {hi}); search results cut it off",
            "description",
            data={"chars": n},
        )
    elif n < lo:
        yield Hit(
            post.line_of("description"),
            f"description is {n} characters (under {lo}); say more about the article",
            "description",
            data={"chars": n},
        )


@rule("SEO013")
def description_width(post: Post, env: Env) -> Iterator[Hit]:
    if post.description:
        desc = post.description.strip()
        width = text_width_px(desc, env.t(post.lang, "description_font_px"), post.lang)
        limit = env.t(post.lang, "description_max_px")
        if width > limit:
            yield Hit(
                post.line_of("description"),
                f"description is {width:.0f} px wide (limit {limit} px)" + _estimated(desc, post.lang),
                "description",
            )


@rule("SEO014")
def description_unique(post: Post, env: Env) -> Iterator[Hit]:
    if post.description:
        key = f"{post.lang}\x00{post.description.strip().lower()}"
        others = [p for p in env.site.descriptions.get(key, []) if p != post.rel]
        if others:
            yield Hit(
                post.line_of("description"),
                f"description is also used by {', '.join(others[:3])}",
                "description",
            )


@rule("SEO015")
def description_differs(post: Post, env: Env) -> Iterator[Hit]:
    desc = (post.description or "").strip().lower()
    if not desc:
        return
    if desc == (post.title or "").strip().lower():
        yield Hit(
            post.line_of("description"),
            "description is the same as the title; summarise the article instead",
            "description",
        )
    if desc == (post.preview or "").strip().lower():
        yield Hit(
            post.line_of("description"),
            "description is the same as the preview; give each its own job",
            "description",
        )


@rule("SEO016")
def preview_present(post: Post, env: Env) -> Iterator[Hit]:
    """Only on sites that write previews at all: elsewhere social posts use the description by design."""
    if env.site.uses_preview and not (post.preview or "").strip():
        yield Hit(
            1,
            "no `preview:`; social posts fall back to the description — add a 2–3 sentence preview",
            "preview",
        )


@rule("SEO017")
def preview_length(post: Post, env: Env) -> Iterator[Hit]:
    preview = (post.preview or "").strip()
    if preview:
        lo, hi = env.t(post.lang, "preview_min_chars"), env.t(post.lang, "preview_max_chars")
        n = graphemes(preview)
        if not lo <= n <= hi:
            yield Hit(
                post.line_of("preview"),
                f"preview is {n} characters (aim for {lo}–{hi})",
                "preview",
            )


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in TOKEN_RE.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        name = m.group(1) or m.group(2)
        out.append(
            r"(?P<slug>[^/]+)"
            if name == "slug" and "(?P<slug>" not in "".join(out)
            else (".*" if name in ("categories", "sections", "path") else "[^/]*")
        )
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile(rf"^(?:/[a-z]{{2,3}}(?:-[A-Za-z]+)?)?{''.join(out)}$")


def _site_pattern(env: Env) -> str | None:
    """The pattern front-matter permalinks must match: site.permalink_pattern where it applies."""
    links = env.site.links
    return links.urls.conv.site_pattern if links is not None else env.config.site.permalink_pattern or None


def _explicit(post: Post) -> bool:
    """The URL was written out by hand (`permalink`, `url` or `slug`; not a template), not derived."""
    return any(
        isinstance(v := post.meta.get(k), str) and "{{" not in v and "{%" not in v for k in URL_DERIVED
    )


@rule("SEO020")
def permalink_pattern(post: Post, env: Env) -> Iterator[Hit]:
    link = post.permalink
    pattern = _site_pattern(env)
    if link and pattern and _explicit(post) and not _pattern_regex(pattern).match(link):
        yield Hit(
            post.line_of("permalink"),
            f"permalink '{link}' does not match the pattern '{pattern}'",
            "permalink",
        )


@rule("SEO021")
def permalink_slug(post: Post, env: Env) -> Iterator[Hit]:
    if _explicit(post) and post.path_url and post.slug and not SLUG.match(post.slug):
        suggestion = slugify(post.slug)
        key = next((k for k in URL_DERIVED if k in post.meta), "permalink")
        yield Hit(
            post.line_of(key),
            f"slug '{post.slug}' should be lowercase words joined by hyphens, e.g. '{suggestion}'",
            "permalink",
        )


@rule("SEO022")
def permalink_unique(post: Post, env: Env) -> Iterator[Hit]:
    if post.path_url:
        others = [p for p in env.site.permalinks.get(link_key(post.path_url), []) if p != post.rel]
        if others:
            key = next((k for k in URL_DERIVED if k in post.meta), "permalink")
            yield Hit(
                post.line_of(key),
                f"URL '{post.path_url}' is also the URL of {', '.join(others[:3])}; only one page can be there",
                "permalink",
            )


@rule("SEO023")
def permalink_filename(post: Post, env: Env) -> Iterator[Hit]:
    if post.permalink and _explicit(post) and post.meta.get("slug") is None:
        stem = PurePosixPath(post.rel).stem
        stem = stem.removesuffix(f".{post.lang}")
        dated = DATED_NAME.match(stem)
        stem = dated[4] if dated else stem
        if stem not in ("index", "_index") and stem != post.slug and not post.is_translation:
            yield Hit(
                post.line_of("permalink"),
                f"slug '{post.slug}' differs from the file name '{stem}'; rename one so they match",
                "permalink",
            )


@rule("SEO030")
def tags_present(post: Post, env: Env) -> Iterator[Hit]:
    if "tags" in post.meta and not post.tags:
        yield Hit(post.line_of("tags"), "tags list is empty; add at least one tag", "tags")


@rule("SEO031")
def tags_slugs(post: Post, env: Env) -> Iterator[Hit]:
    for tag in post.tags:
        # `tags: ["a", "b", ""]`, as a glossary's term template leaves it: there is no slug to suggest.
        if not tag.strip():
            yield Hit(post.line_of("tags"), "an empty tag; remove it from `tags`", "tags:")
        elif not SLUG.match(tag):
            yield Hit(
                post.line_of("tags"),
                f"tag '{tag}' is not a slug; use lowercase words joined by hyphens (e.g. '{slugify(tag)}')",
                f"tags:{tag}",
            )


@rule("SEO032")
def tags_allowed(post: Post, env: Env) -> Iterator[Hit]:
    allowed = env.config.validate_.allowed_tags
    if allowed:
        for tag in post.tags:
            if tag not in allowed:
                yield Hit(
                    post.line_of("tags"),
                    f"tag '{tag}' is not in the allowed list (validate.allowed_tags)",
                    f"tags:{tag}",
                )

"""Compose one platform's post for one article in one language, fitted to that platform's exact limit.

Templates decide the shape; this module decides what to give up when the shape is too long, in a fixed order
so a reader always gets the most useful part: first the preview is shortened at a word boundary, then dropped,
then hashtags go from the last, and only then is the title itself shortened. The link is never touched.

Two account options change that: `threads = true` sends a long text as a numbered thread instead of shortening
it (where the platform threads), and `first_comment` moves the link and/or the hashtags out of the post into its
first reply (LinkedIn: its first comment).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.config import Config, SocialAccount
from pipeline.content import Post
from pipeline.content.assets import media_reference
from pipeline.content.urls import card_image
from pipeline.platforms import PLATFORMS
from pipeline.social import lengths
from pipeline.social.links import JOINERS
from pipeline.social.thread import ThreadError, split


@dataclass
class Composed:
    text: str
    link_url: str
    campaign: str
    card_title: str
    card_description: str
    media_path: str | None
    media_alt: str
    truncated: list[str] = field(default_factory=list)
    parts: list[str] | None = None  # a thread and/or the first comment, in sending order
    first_comment: str = ""
    thread: bool = False


@cache
def _env(templates_dir: str) -> Environment:
    # Plain-text posts, not HTML: the platforms escape on display, and an escaped "&amp;" would be posted as-is.
    return Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def templates_dir(config: Config) -> Path:
    configured = config.social.templates_dir
    if configured.is_absolute():
        return configured
    local = config.root / configured
    if local.is_dir():
        return local
    return config.templates_root / "social"


# Georgian Mkhedruli letters have capitals in Unicode (Mtavruli) that Georgian uses only for all-caps headings:
# "#Ჯანმრთელობა" reads like a stray capital. Its words keep their letters as written.
_UNICAMERAL = regex.compile(r"[\u10d0-\u10ff]")


# Scripts whose writers run a hashtag's words together (#매일걷기, #健康生活, #สุขภาพดี).
_RUN_TOGETHER = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"
)


def _caseless(ch: str) -> bool:
    """A letter of a script without capitals (Arabic, Hebrew, Devanagari, Ethiopic, Georgian…) and written with
    spaces: run together, its words read as one unknown word (#لياقةبدنية), so writers join them with `_`
    (#لياقة_بدنية). Capitals mark the words of Latin, Greek or Cyrillic (#BoneHealth); digits join anything."""
    return (
        ch.isalpha()
        and (_UNICAMERAL.match(ch) is not None or ch.upper() == ch.lower())
        and _RUN_TOGETHER.match(ch) is None
    )


def _letter(word: str, last: bool) -> str:
    """The first or last character that is not a combining mark (NFD Vietnamese and Hindi end in marks)."""
    chars = reversed(word) if last else iter(word)
    return next((c for c in chars if not unicodedata.category(c).startswith("M")), "")


def hashtag(tag: str) -> str:
    """'bone-health' → '#BoneHealth'; letters and digits of any script survive, everything else splits words.

    ZWNJ and ZWJ inside a word are part of its spelling (Persian پیاده‌روی, Hindi and Malayalam half forms) and
    X and Mastodon take them in hashtags: without the ZWNJ the Persian tag read پیادهروی, another shape.
    Georgian words are not capitalised (see _UNICAMERAL)."""
    words = [w.strip(JOINERS) for w in regex.split(rf"[^\p{{L}}\p{{M}}\p{{N}}{JOINERS}]+", tag)]
    words = [w for w in words if w]
    if not words:
        return ""
    out = ""
    for word in words:
        if out and (_caseless(_letter(out, True)) or _caseless(_letter(word, False))):
            out += "_"
        out += word if _UNICAMERAL.match(word) else word[:1].upper() + word[1:]
    return "#" + out


def campaign_of(translation_key: str) -> str:
    """The page's own name: its file's, or its folder's for a Hugo section or bundle (`docs/concepts/_index`,
    `posts/trip/index`), so that every section of a site is not one campaign called "index"."""
    parts = [p for p in translation_key.split("/") if p]
    if parts and parts[-1].lower() in ("index", "_index"):
        parts = parts[:-1] or ["home"]
    last = parts[-1] if parts else ""
    # Marks stay: Devanagari/Bengali vowel signs are \p{M} ("समाचार" was "सम-च-र").
    return regex.sub(r"[^\p{L}\p{M}\p{N}]+", "-", last.lower()).strip("-") or "post"


def with_utm(url: str, platform: str, campaign: str, lang: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [
        ("utm_source", platform),
        ("utm_medium", "social"),
        ("utm_campaign", campaign),
        ("utm_content", lang),
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def permalink_url(config: Config, post: Post) -> str:
    """The page's public URL from the one URL model (pipeline.content.urls): language prefix and pattern
    included, so a translation links to its own page."""
    return config.site.base_url + (post.path_url or "/")


def attached_image(config: Config, platform: str, post: Post) -> str | None:
    """The image a platform attaches: its card (named in front matter, else the one the cards stage rendered
    for this page and language), else the hero — the platform's `image_keys` say in which order."""
    for key in PLATFORMS[platform].image_keys:
        kind = {"ogImage": "og", "twitterImage": "twitter"}.get(key)
        value = (
            card_image(post, kind, config) if kind else post.image if key == "image" else post.meta.get(key)
        )
        if isinstance(value, str) and value.strip():
            # A hero beside its page (a Hugo bundle's `hero.png`) is that file, not /hero.png: the one resolver.
            return media_reference(post, value.strip(), config.content_root)
    return None


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out = "\n".join(lines)
    return regex.sub(r"\n{3,}", "\n\n", out).strip()


def limit_for(account: SocialAccount) -> int | None:
    return account.char_limit


def compose(config: Config, account: SocialAccount, post: Post) -> Composed:
    platform = account.platform
    campaign = campaign_of(post.translation_key)
    url = with_utm(permalink_url(config, post), platform, campaign, post.lang)
    site_name = config.site.name_for(post.lang)
    title = post.shown_title(site_name).strip()
    body = " ".join((post.preview or post.description or "").split())
    tags = [t for t in (hashtag(tag) for tag in post.tags) if t]
    entry = PLATFORMS[platform]
    template = _env(str(templates_dir(config))).get_template(entry.template)
    limit = limit_for(account)

    moved = account.first_comment if entry.replies != "none" else ""
    comment = " ".join(
        ([url] if "link" in moved else []) + ([" ".join(tags)] if "hashtags" in moved and tags else [])
    )
    in_post_url = "" if "link" in moved else url
    tags = [] if "hashtags" in moved else tags

    def render(title_: str, body_: str, tags_: list[str]) -> str:
        return _tidy(
            template.render(
                title=title_,
                body=body_,
                url=in_post_url,
                hashtags=" ".join(tags_),
                lang=post.lang,
                site=site_name,
            )
        )

    image = attached_image(config, platform, post)
    alt = str(post.meta.get("ogImageAlt") or post.meta.get("imageAlt") or title)
    result = Composed(
        text="",
        link_url=url,
        campaign=campaign,
        card_title=title,
        card_description=" ".join((post.description or post.preview or "").split()),
        media_path=image,
        media_alt=alt,
        first_comment=comment,
        thread=account.threads and entry.replies == "thread",
    )
    if result.thread or comment:
        try:
            parts = split(platform, render(title, body, tags), post.lang, limit, result.thread, comment)
        except ThreadError:
            pass  # too long even as a thread: shortened below, as without the option
        else:
            result.text = render(title, body, tags)
            result.parts = parts.texts if len(parts.texts) > 1 else None
            return result

    def ok(text: str) -> bool:
        return lengths.fits(platform, text, limit)

    truncated: list[str] = []
    text = render(title, body, tags)
    if not ok(text):
        short_body, cut = lengths.truncate(body, lambda b: ok(render(title, b, tags)))
        if cut:
            truncated.append("preview shortened" if short_body else "preview dropped")
        body = short_body
        text = render(title, body, tags)
    while not ok(text) and tags:
        truncated.append(f"hashtag {tags[-1]} dropped")
        tags = tags[:-1]
        text = render(title, body, tags)
    if not ok(text):
        short_title, _ = lengths.truncate(title, lambda t: ok(render(t, body, tags)))
        truncated.append("title shortened")
        text = render(short_title, body, tags)
    result.text, result.truncated = text, truncated
    if comment:
        try:
            result.parts = split(platform, text, post.lang, limit, False, comment).texts
        except ThreadError:
            result.first_comment, result.truncated = "", [*truncated, "first comment dropped (too long)"]
    return result

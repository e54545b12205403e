"""A post as each platform will show it: the view model behind the preview on a post's page.

What differs per platform comes from the platform table (pipeline.platforms) and pipeline.social.links: how a link
reads in the text (X's t.co display URL, Mastodon's 30 characters, Bluesky's short form, LinkedIn's lnkd.in, Threads
as written), how much of the text the feed shows before "…see more" (LinkedIn), how the handle is written, and which
part of a thread carries the link card. Right-to-left languages read right to left: the direction comes from the
site's language settings and the language's script (pipeline.web.bidi, as everywhere in the UI), else, for a
language the site does not list, from the text's script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipeline.config import Config, SocialAccount
from pipeline.platforms import PLATFORMS
from pipeline.social.ledger import Item
from pipeline.social.links import Span, spans
from pipeline.social.thread import card_part
from pipeline.typeset.scripts import detect_script, is_rtl
from pipeline.web import bidi


@dataclass
class Card:
    title: str
    description: str
    domain: str
    href: str
    image: bool  # our rendered card image is there to show
    kind: str = "card"  # "card": a link card; "media": the picture attached to the post


@dataclass
class PreviewPart:
    index: int
    shown: list[Span]
    more: list[Span] = field(default_factory=list)  # behind "…see more"
    card: Card | None = None
    comment: bool = False  # the first comment (LinkedIn shows it under the post)
    remote_url: str = ""


@dataclass
class Preview:
    platform: str
    label: str
    name: str
    handle: str
    initials: str
    direction: str  # rtl | ltr | auto
    lang: str
    parts: list[PreviewPart]

    @property
    def is_thread(self) -> bool:
        return len(self.parts) > 1


def direction(config: Config, lang: str, text: str) -> str:
    by_language = bidi.direction(config.site, lang)
    if by_language == "rtl" or lang in config.site.languages:
        return by_language
    return "rtl" if is_rtl(detect_script(text, lang)) else "auto"


def _initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _handle(platform: str, account: SocialAccount | None, fallback: str) -> str:
    entry = PLATFORMS[platform]
    handle = (account.handle if account and account.handle else fallback).strip()
    if not entry.handle_prefix:
        return ""
    return handle if handle.startswith(entry.handle_prefix) else entry.handle_prefix + handle


def _see_more(text: str, limit: int | None, display: str) -> tuple[list[Span], list[Span]]:
    """The part of the text the feed shows, and the rest: cut at a space before `limit`, never inside a link."""
    if limit is None or len(text) <= limit:
        return spans(text, display), []
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > 0 else limit
    pos = 0
    for s in spans(text, "as_written"):  # a link that straddles the cut moves behind it entirely
        end = pos + len(s.text)
        if s.kind != "text" and pos < cut < end:
            cut = pos
            break
        pos = end
    return spans(text[:cut].rstrip(), display), spans(text[cut:], display)


def build(
    config: Config, item: Item, account: SocialAccount | None, has_card: bool, sent_urls: dict[int, str]
) -> Preview:
    entry = PLATFORMS[item.platform]
    name = config.site.name_for(item.lang) or (account.name if account else item.account)
    texts = item.texts
    card_at = card_part(texts, item.link_url) if item.link_url else -1
    comment_at = 1 if item.first_comment and len(texts) > 1 else -1
    link_card = Card(
        title=item.card_title,
        description=item.card_description,
        domain=urlsplit(item.link_url).hostname or "" if item.link_url else "",
        href=item.link_url,
        image=has_card,
    )
    picture = Card("", "", "", item.link_url, True, "media")
    cards: dict[int, Card] = {}
    if has_card and entry.card_style == "media":
        cards[0] = picture  # attached to the head post: the platform shows the picture, not a link card
    elif item.link_url and card_at == comment_at and entry.replies == "comment":
        if has_card:
            cards[0] = picture  # a comment carries no card: the post goes out with the picture
    elif item.link_url:
        cards[card_at] = link_card  # a link card, from the page's own tags where nothing is attached
    parts = []
    for i, text in enumerate(texts):
        shown, more = _see_more(text, entry.feed_chars, entry.url_display)
        parts.append(PreviewPart(i, shown, more, cards.get(i), i == comment_at, sent_urls.get(i, "")))
    return Preview(
        platform=item.platform,
        label=entry.label,
        name=name,
        handle=_handle(item.platform, account, item.account),
        initials=_initials(name),
        direction=direction(config, item.lang, item.text),
        lang=item.lang,
        parts=parts,
    )

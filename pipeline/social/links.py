"""Links as each platform shows them, and Bluesky's short link text with facets.

A post's preview must show the link the way the reader will see it, or the marketer judges a different post:
X wraps every link in t.co (counted as 23) and shows `display_url`, the link without `https://` and `www.` cut
after 26 characters with "…"; Mastodon hides the scheme and `www.` and shows 30 characters, then "…"; the
Bluesky app writes a link as `host` + path, the path cut to 13 characters and "..." when it is longer than 15
(social-app's `toShortUrl`), with the full address in a link facet — and since Bluesky stores the text as
sent, we send that short form too (what its own composer does), so the post counts and reads as in the app.
LinkedIn replaces a link longer than 26 characters with its own `https://lnkd.in/<code>` once posted (its help
says so), in posts and comments; the code is only known afterwards, so a preview shows `https://lnkd.in/…`.
Threads shows a link as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import regex

# A URL as the platforms see it (scheme required): runs to the next whitespace, minus trailing punctuation.
URL_RE = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")
JOINERS = "\u200c\u200d"  # ZWNJ and ZWJ: inside a word of Persian or an Indic script they belong to it
HASHTAG_RE = regex.compile(
    r"(?<![\w#])#[\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_\u200c\u200d]*[\p{L}\p{M}\p{N}_])?"
)
X_DISPLAY_CHARS = 26
MASTODON_DISPLAY_CHARS = 30
BLUESKY_PATH_CHARS = 15


def _without_scheme(url: str, www: bool) -> str:
    rest = regex.sub(r"^https?://", "", url)
    return rest[4:] if www and rest.startswith("www.") else rest


def x_display(url: str) -> str:
    shown = _without_scheme(url, www=True)
    return shown if len(shown) <= X_DISPLAY_CHARS else shown[:X_DISPLAY_CHARS] + "…"


def mastodon_display(url: str) -> str:
    shown = _without_scheme(url, www=True)
    return shown if len(shown) <= MASTODON_DISPLAY_CHARS else shown[:MASTODON_DISPLAY_CHARS] + "…"


def bluesky_display(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    path = ("" if parts.path in ("", "/") else parts.path) + (f"?{parts.query}" if parts.query else "")
    path += f"#{parts.fragment}" if parts.fragment else ""
    host = parts.netloc.rsplit("@", 1)[-1]
    if len(path) > BLUESKY_PATH_CHARS:
        return host + path[:13] + "..."
    return host + path


LINKEDIN_KEEPS_CHARS = 26
LINKEDIN_SHORT = "https://lnkd.in/…"


def linkedin_display(url: str) -> str:
    return url if len(url) <= LINKEDIN_KEEPS_CHARS else LINKEDIN_SHORT


def as_written(url: str) -> str:
    return url


# How each platform shows a link in a post (pipeline.platforms names one per platform).
DISPLAY: dict[str, Callable[[str], str]] = {
    "tco": x_display,
    "mastodon": mastodon_display,
    "bluesky": bluesky_display,
    "lnkd": linkedin_display,
    "as_written": as_written,
}


@dataclass(frozen=True)
class Span:
    """A stretch of a post's text: plain, or a link (shown text, full address) or a hashtag."""

    text: str
    kind: str = "text"  # "text" | "link" | "tag"
    href: str = ""


def spans(text: str, display: str = "as_written") -> list[Span]:
    """The text cut into plain runs, links (shown the platform's way) and hashtags, for previews."""
    shown = DISPLAY[display]
    tokens = sorted(
        [(m.start(), m.end(), "link") for m in URL_RE.finditer(text)]
        + [(m.start(), m.end(), "tag") for m in HASHTAG_RE.finditer(text)]
    )
    out: list[Span] = []
    pos = 0
    for start, end, kind in tokens:
        if start < pos:
            continue  # a hashtag inside a link (`#fragment`)
        if start > pos:
            out.append(Span(text[pos:start]))
        value = text[start:end]
        out.append(Span(shown(value), "link", value) if kind == "link" else Span(value, "tag", value[1:]))
        pos = end
    if pos < len(text):
        out.append(Span(text[pos:]))
    return out


def shortened(text: str, display: str) -> str:
    """The text with every link written the platform's way (what the reader sees, or Bluesky stores)."""
    return "".join(s.text for s in spans(text, display))


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet: byte offsets into the UTF-8 text and what the span means."""

    byte_start: int
    byte_end: int
    kind: str  # "link" | "tag"
    value: str


def bluesky_post(text: str) -> tuple[str, list[Facet]]:
    """The text Bluesky stores (links in their short form) and its facets, at UTF-8 byte offsets.

    Bluesky does not auto-link: without a facet a link is plain text, and a facet's offsets count bytes.
    """
    out: list[str] = []
    facets: list[Facet] = []
    size = 0
    for span in spans(text, "bluesky"):
        encoded = len(span.text.encode("utf-8"))
        if span.kind != "text":
            facets.append(Facet(size, size + encoded, span.kind, span.href))
        out.append(span.text)
        size += encoded
    return "".join(out), facets


def bluesky_posted(text: str) -> str:
    return bluesky_post(text)[0]


# The text as the platform stores it, for lengths and read-backs (pipeline.platforms names one per platform).
POSTED: dict[str, Callable[[str], str]] = {"as_written": lambda text: text, "bluesky": bluesky_posted}

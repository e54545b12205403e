"""Exact per-platform length rules, and truncation that never breaks a URL, hashtag or grapheme.

Each platform counts differently, and a post that is one unit too long is rejected outright, so we count the way
the server does: X weighs code points (CJK and emoji 2, URLs always 23) through twitter-text's own tables;
Mastodon counts grapheme clusters with every URL as 23; Bluesky counts graphemes *and* UTF-8 bytes with URLs at
full length, and needs links as byte-offset facets because it does not auto-link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex
import twitter_text

from pipeline.platforms import PLATFORMS

MASTODON_URL_WEIGHT = 23
ELLIPSIS = "…"

# A URL as the platforms see it (scheme required): runs to the next whitespace, minus trailing punctuation.
URL_RE = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")
HASHTAG_RE = regex.compile(r"(?<![\w#])#[\p{L}\p{M}\p{N}_]+")
MENTION_RE = regex.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")


def graphemes(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def grapheme_len(text: str) -> int:
    return len(graphemes(text))


@dataclass(frozen=True)
class Measure:
    """How one platform measures a text: `length` in its own unit, and whether the text fits."""

    platform: str
    limit: int
    length: int
    byte_length: int
    byte_limit: int | None = None

    @property
    def fits(self) -> bool:
        return self.length <= self.limit and (self.byte_limit is None or self.byte_length <= self.byte_limit)


def x_length(text: str) -> int:
    return int(twitter_text.parse_tweet(text).weightedLength)


def mastodon_length(text: str) -> int:
    """Graphemes, with each URL counted as 23 and `@user@domain` counted as `@user` (Mastodon's validator)."""
    counted = URL_RE.sub("x" * MASTODON_URL_WEIGHT, text)
    counted = regex.sub(r"(?<![\w@])(@[\w.-]+)@[\w.-]+", r"\1", counted)
    return grapheme_len(counted)


def bluesky_length(text: str) -> int:
    return grapheme_len(text)


# How each platform's server counts (pipeline.platforms names one per platform).
COUNTERS: dict[str, Callable[[str], int]] = {
    "twitter": x_length,
    "mastodon": mastodon_length,
    "graphemes": bluesky_length,
}


def measure(platform: str, text: str, limit: int | None = None) -> Measure:
    entry = PLATFORMS.get(platform)
    if entry is None:
        raise ValueError(f"unknown platform {platform!r}")
    length = COUNTERS[entry.counting](text)
    return Measure(platform, limit or entry.limit, length, len(text.encode("utf-8")), entry.byte_limit)


def fits(platform: str, text: str, limit: int | None = None) -> bool:
    return measure(platform, text, limit).fits


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans a cut must never fall inside: URLs, hashtags, mentions."""
    spans = [m.span() for rx in (URL_RE, HASHTAG_RE, MENTION_RE) for m in rx.finditer(text)]
    return sorted(spans)


def cut_points(text: str) -> list[int]:
    """Indices where a cut is allowed: word boundaries (before whitespace) outside protected spans.

    Text without spaces (CJK) also allows cuts between graphemes outside protected spans, since a word
    boundary may be hundreds of characters away.
    """
    spans = protected_spans(text)

    def inside(i: int) -> bool:
        return any(start < i < end for start, end in spans)

    points: set[int] = set()
    for m in regex.finditer(r"\s+", text):
        if m.start() > 0 and not inside(m.start()):
            points.add(m.start())
    spaced = bool(regex.search(r"\s", text.strip()))
    if not spaced:
        pos = 0
        for g in graphemes(text):
            pos += len(g)
            if not inside(pos):
                points.add(pos)
    return sorted(p for p in points if 0 < p < len(text))


def truncate(text: str, ok: Callable[[str], bool]) -> tuple[str, bool]:
    """Longest prefix (cut at an allowed point, ellipsis appended) for which `ok` holds; ('', True) if none.

    Returns (text, truncated). `ok` is monotone in practice (shorter always fits better), so a binary
    search over the allowed cut points finds the longest fitting prefix in O(log n) measurements.
    """
    if ok(text):
        return text, False
    points = cut_points(text)
    lo, hi, best = 0, len(points) - 1, ""
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = text[: points[mid]].rstrip(" \t\n,;:-–—") + ELLIPSIS
        if ok(candidate):
            best = candidate
            lo = mid + 1
        else:
            hi = mid - 1
    return best, True


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet: byte offsets into the UTF-8 text and what the span means."""

    byte_start: int
    byte_end: int
    kind: str  # "link" | "tag"
    value: str


def bluesky_facets(text: str) -> list[Facet]:
    """Links and hashtags as byte-offset facets: Bluesky indexes UTF-8 bytes, not characters."""

    def byte_offset(i: int) -> int:
        return len(text[:i].encode("utf-8"))

    out = [
        Facet(byte_offset(m.start()), byte_offset(m.end()), "link", m.group()) for m in URL_RE.finditer(text)
    ]
    for m in HASHTAG_RE.finditer(text):
        out.append(Facet(byte_offset(m.start()), byte_offset(m.end()), "tag", m.group()[1:]))
    return sorted(out, key=lambda f: f.byte_start)

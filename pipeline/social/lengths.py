"""Exact per-platform length rules, and truncation that never breaks a URL, hashtag or grapheme.

Each platform counts differently, and a post that is one unit too long is rejected outright, so we count the way
the server does: X weighs code points (CJK and emoji 2, URLs always 23) through twitter-text's own tables;
Mastodon counts grapheme clusters with every URL as 23; Bluesky counts graphemes *and* UTF-8 bytes of the text it
stores (links in their short form, pipeline/social/links.py); Threads counts characters with every emoji as its
UTF-8 bytes; LinkedIn counts UTF-16 code units (its servers are Java).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex
import twitter_text

from pipeline.platforms import PLATFORMS
from pipeline.social.links import HASHTAG_RE, POSTED, URL_RE, Facet, bluesky_post
from pipeline.wordbreak import icu_located

MASTODON_URL_WEIGHT = 23
ELLIPSIS = "…"
EMOJI_RE = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\uFE0F")
MENTION_RE = regex.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
# Scripts written without spaces between words: ICU finds their words with dictionaries (Thai, Lao, Khmer,
# Myanmar), or any character boundary may end a line (Chinese, Japanese).
DICTIONARY = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
UNSPACED = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Han}\p{Hiragana}\p{Katakana}]")


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
    """Graphemes of the text Bluesky stores: links in their short form (links.bluesky_post)."""
    return grapheme_len(bluesky_post(text)[0])


def threads_length(text: str) -> int:
    """Characters, except that an emoji counts as its UTF-8 bytes (Threads' documented rule; 😀 is 4)."""
    return sum(len(g.encode("utf-8")) if EMOJI_RE.search(g) else 1 for g in graphemes(text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# How each platform's server counts (pipeline.platforms names one per platform).
COUNTERS: dict[str, Callable[[str], int]] = {
    "twitter": x_length,
    "mastodon": mastodon_length,
    "bluesky": bluesky_length,
    "graphemes": grapheme_len,
    "threads": threads_length,
    "utf16": utf16_length,
}


def measure(platform: str, text: str, limit: int | None = None) -> Measure:
    entry = PLATFORMS.get(platform)
    if entry is None:
        raise ValueError(f"unknown platform {platform!r}")
    length = COUNTERS[entry.counting](text)
    stored = POSTED[entry.posted](text)
    return Measure(platform, limit or entry.limit, length, len(stored.encode("utf-8")), entry.byte_limit)


def fits(platform: str, text: str, limit: int | None = None) -> bool:
    return measure(platform, text, limit).fits


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans a cut must never fall inside: URLs, hashtags, mentions."""
    spans = [m.span() for rx in (URL_RE, HASHTAG_RE, MENTION_RE) for m in rx.finditer(text)]
    return sorted(spans)


def cut_points(text: str) -> list[int]:
    """Indices where a cut is allowed: word boundaries (before whitespace) outside protected spans.

    Words of Thai, Lao, Khmer, Myanmar, Chinese and Japanese end at ICU's word boundaries. Text without any
    space also allows cuts between graphemes outside protected spans (a Chinese or Japanese line may end between
    any two characters), except inside a word of the dictionary scripts, where a cut would split a word.
    """
    spans = protected_spans(text)

    def inside(i: int) -> bool:
        return any(start < i < end for start, end in spans)

    points: set[int] = set()
    for m in regex.finditer(r"\s+", text):
        if m.start() > 0 and not inside(m.start()):
            points.add(m.start())
    if UNSPACED.search(text):
        # Words of scripts written without spaces end where ICU's dictionaries say: a Thai, Khmer or Myanmar
        # preview with one space (between two sentences) could only be cut there, or dropped whole.
        for start, end, _ in icu_located(text):
            for pos in (start, end):
                if not inside(pos) and (UNSPACED.match(text, pos) or UNSPACED.match(text, pos - 1)):
                    points.add(pos)
    spaced = bool(regex.search(r"\s", text.strip()))
    if not spaced:
        pos = 0
        for g in graphemes(text):
            pos += len(g)
            # never inside a Thai/Lao/Khmer/Myanmar word: there only ICU's boundaries (above) are cuts
            if not inside(pos) and not (DICTIONARY.match(text, pos - 1) and DICTIONARY.match(text, pos)):
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


def bluesky_facets(text: str) -> list[Facet]:
    """Facets of the text Bluesky stores (see links.bluesky_post, which also gives that text)."""
    return bluesky_post(text)[1]

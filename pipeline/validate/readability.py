"""Readability rules, per section and per post, in the post's own language.

The formulas and their per-language constants are textstat's (Flesch Reading Ease variants from textstat's
LANG_CONFIGS, its easy-word lists for Gunning Fog); the counting underneath is ours (pipeline.text) because
textstat's counters download data at first use, drop short sentences, split on "Dr." and "2.5", and re-count
every word for every formula — 40+ ms per post, which would make a 1,775-post site take over a minute.
Health defaults: Flesch–Kincaid grade over 8 warns and over 10 errors (NIH/CDC aim for grade 8 or below).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.content import Post
from pipeline.text import Syllables, split_sentences, words
from pipeline.validate.prose import Unit, analyse
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
rule = registrar(CHECKS, "readability")
FORMULA_LANGS = frozenset({"en", "de", "es", "fr", "it", "nl", "ru", "hu"})
# Flesch–Kincaid grade is calibrated on English syllable counts: applied to Spanish or German it reports grades
# several years too high. Other languages are held to their own Flesch Reading Ease variant (READ003).
GRADE_LANGS = frozenset({"en"})

PLAIN_LANGUAGE: dict[str, str] = {
    "utilize": "use",
    "utilise": "use",
    "utilization": "use",
    "commence": "start",
    "facilitate": "help",
    "ameliorate": "improve",
    "approximately": "about",
    "subsequently": "later",
    "individuals": "people",
    "prior to": "before",
    "in order to": "to",
    "a number of": "some",
    "demonstrate": "show",
    "indispensable": "needed",
    "paramount": "most important",
    "osteoblasts": "bone-building cells",
    "osteoclasts": "bone-removing cells",
    "hypertension": "high blood pressure",
    "myocardial infarction": "heart attack",
    "sarcopenia": "age-related muscle loss",
    "proprioception": "sense of body position",
    "cardiovascular": "heart and blood vessel",
    "bone mineral density": "bone strength (density)",
    "regimen": "plan",
}
TRANSITIONS_EN = frozenset(
    "also again besides finally first second third furthermore however instead likewise meanwhile moreover "
    "nevertheless next nonetheless otherwise similarly still then therefore thus consequently hence accordingly "
    "additionally although because but so yet while whereas since unless overall indeed specifically notably".split()
)
TRANSITION_PHRASES_EN = (
    "for example",
    "for instance",
    "in addition",
    "as a result",
    "in fact",
    "on the other hand",
    "in contrast",
    "in other words",
    "in short",
    "to sum up",
    "as well as",
    "even though",
    "in the same way",
    "above all",
)
_BE = r"(?:am|is|are|was|were|be|been|being|get|gets|got|gotten)"
_PASSIVE = re.compile(
    rf"\b{_BE}\s+(?:\w+ly\s+)?(?:\w+ed|known|shown|given|seen|made|done|taken|found|built|written|held|"
    r"thought|brought|kept|left|lost|told|understood|worn|driven|chosen|broken|spoken|born|grown|drawn)\b",
    re.IGNORECASE,
)


@dataclass
class Sentence:
    text: str
    line: int
    words: list[str]


@dataclass
class Stats:
    sentences: int
    words: int
    syllables: int
    polysyllables: int
    difficult: int

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
def _textstat_constants() -> dict[str, dict[str, float]]:
    """textstat's per-language formula constants, read from its constants module without importing the
    `textstat` package (whose __init__ pulls in NLTK and costs ~1.7 s per process)."""
    import importlib.util
    from importlib import resources

    path = resources.files("textstat").joinpath("backend/utils/constants.py")
    spec = importlib.util.spec_from_file_location("_textstat_constants", str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    configs: dict[str, dict[str, float]] = module.LANG_CONFIGS
    return configs


def lang_cfg(lang: str, key: str) -> float:
    """Same lookup as textstat's get_lang_cfg: the language's value, else English's."""
    configs = _textstat_constants()
    return configs.get(lang.split("_")[0].split("-")[0], {}).get(key, configs["en"][key])


@lru_cache(maxsize=16)
def _easy_words(lang: str) -> frozenset[str]:
    """textstat's easy-word list for Gunning Fog (English's when the language has none, as textstat does)."""
    from importlib import resources

    for root in (lang.split("-")[0], "en"):
        ref = resources.files("textstat").joinpath(f"resources/{root}/easy_words.txt")
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


def syllable_counter(lang: str, env: Env) -> Syllables:
    extra = tuple(sorted(env.config.validate_.syllables.items()))
    key = (lang, extra)
    counter = _SYLLABLES.get(key)
    if counter is None:
        counter = _SYLLABLES[key] = Syllables(lang, dict(extra))
    return counter


def sentences_of(units: Sequence[Unit], lang: str) -> list[Sentence]:
    out: list[Sentence] = []
    for unit in units:
        if unit.kind in ("heading", "item", "cell"):
            spans = [(0, len(unit.text))] if unit.kind == "heading" else split_sentences(unit.text, lang)
        else:
            spans = split_sentences(unit.text, lang)
        for start, end in spans:
            text = unit.text[start:end]
            ws = words(text)
            if ws:
                out.append(Sentence(text, unit.line, ws))
    return out


def stats_of(sentences: Sequence[Sentence], lang: str, env: Env) -> Stats:
    count = syllable_counter(lang, env)
    memo = count.memo
    easy = _easy_words(lang)
    n_words = syll = poly = difficult = 0
    for sentence in sentences:
        n_words += len(sentence.words)
        for w in sentence.words:
            s = memo.get(w)
            if s is None:
                s = memo[w] = count(w)
            syll += s
            if s >= 3:
                poly += 1
                if w.lower() not in easy:
                    difficult += 1
    return Stats(len(sentences), n_words, syll, poly, difficult)


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
    lang = post.lang.split("-")[0]
    sections = []
    all_sentences: list[Sentence] = []
    for section in doc.sections:
        sents = sentences_of(section.units, lang)
        all_sentences.extend(sents)
        sections.append((section.title, section.line, stats_of(sents, lang, env), sents))
    result = Analysis(lang, all_sentences, stats_of(all_sentences, lang, env), sections)
    post.extra["readability"] = result
    return result


def _grade_hit(
    env: Env, post: Post, grade: float, line: int, where: str, extra: dict[str, float], key: str
) -> Hit | None:
    warn, err = env.t(post.lang, "grade_warning"), env.t(post.lang, "grade_error")
    if grade <= warn:
        return None
    severity = "error" if grade > err else "warning"
    detail = ", ".join(f"{k} {v}" for k, v in extra.items() if k != "grade")
    return Hit(
        line,
        f"{where} reads at grade {grade} (Flesch–Kincaid; target ≤ {warn:g}) — {detail}; use shorter sentences and plainer words",
        key,
        severity=severity,  # type: ignore[arg-type]
        data=extra,
    )


@rule(
    "READ001",
    "warning",
    "Whole-post Flesch–Kincaid grade above the health target (8 warns, 10 errors; English).",
    GRADE_LANGS,
)
def post_grade(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    if a.post.words >= 100:
        scores = a.post.formulas(a.lang)
        hit = _grade_hit(env, post, scores["grade"], post.body_line, "post", scores, "post")
        if hit:
            yield hit


@rule(
    "READ002",
    "warning",
    "Section Flesch–Kincaid grade above the health target (reported at the section's first line; English).",
    GRADE_LANGS,
)
def section_grade(post: Post, env: Env) -> Iterator[Hit]:
    for title, line, stats, _ in analysis(post, env).sections:
        if stats.words >= 60:
            scores = stats.formulas(post.lang.split("-")[0])
            name = f"section '{title[:50]}'" if title else "introduction"
            hit = _grade_hit(env, post, scores["grade"], line, name, scores, f"section:{title}")
            if hit:
                yield hit


@rule(
    "READ003",
    "warning",
    "Flesch Reading Ease (the language's variant) below the configured minimum.",
    FORMULA_LANGS,
)
def reading_ease(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    if a.post.words >= 100:
        fre = a.post.formulas(a.lang)["fre"]
        want = env.t(post.lang, "reading_ease_min")
        if fre < want:
            yield Hit(
                post.body_line,
                f"Flesch Reading Ease is {fre} (aim for {want:g} or more; higher is easier)",
                "fre",
                data={"fre": fre},
            )


@rule(
    "READ010",
    "warning",
    "More than 25 % of sentences are longer than the language's word limit (20 in English).",
)
def long_sentences(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    limit, share_max = env.t(post.lang, "long_sentence_words"), env.t(post.lang, "long_sentence_share")
    if len(a.sentences) >= 5:
        long = [s for s in a.sentences if len(s.words) > limit]
        share = len(long) / len(a.sentences)
        if share > share_max:
            first = long[0]
            yield Hit(
                first.line,
                f"{share:.0%} of sentences have more than {limit} words (max {share_max:.0%}); first at this line",
                "long",
            )


@rule("READ011", "warning", "Paragraph longer than 150 words.")
def long_paragraphs(post: Post, env: Env) -> Iterator[Hit]:
    limit = env.t(post.lang, "paragraph_max_words")
    for unit in analyse(post).units:
        if unit.kind == "paragraph":
            n = len(words(unit.text))
            if n > limit:
                yield Hit(
                    unit.line, f"paragraph has {n} words (max {limit}); split it", f"para:{unit.text[:40]}"
                )


@rule("READ012", "warning", "Section between headings longer than 300 words.")
def long_sections(post: Post, env: Env) -> Iterator[Hit]:
    limit = env.t(post.lang, "section_max_words")
    for title, line, stats, _ in analysis(post, env).sections:
        if stats.words > limit:
            name = f"section '{title[:50]}'" if title else "introduction"
            yield Hit(
                line, f"{name} has {stats.words} words (max {limit}); add a subheading", f"section:{title}"
            )


@rule("READ013", "warning", "More than 10 % of sentences use the passive voice (English).", {"en"})
def passive_voice(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    if len(a.sentences) >= 5:
        passive = [s for s in a.sentences if _PASSIVE.search(s.text)]
        share = len(passive) / len(a.sentences)
        limit = env.t(post.lang, "passive_max_share")
        if share > limit:
            yield Hit(
                passive[0].line,
                f"{share:.0%} of sentences are passive (max {limit:.0%}); first at this line",
                "passive",
            )


@rule("READ014", "warning", "Three or more sentences in a row start with the same word.")
def repeated_starts(post: Post, env: Env) -> Iterator[Hit]:
    run_len = env.t(post.lang, "repeated_start_run")
    sents = analysis(post, env).sentences
    i = 0
    while i < len(sents):
        first = sents[i].words[0].lower()
        j = i
        while j + 1 < len(sents) and sents[j + 1].words[0].lower() == first:
            j += 1
        if j - i + 1 >= run_len:
            yield Hit(
                sents[i].line,
                f"{j - i + 1} sentences in a row start with '{sents[i].words[0]}'; vary the openings",
                f"start:{sents[i].line}",
            )
        i = j + 1


@rule("READ015", "info", "Fewer than 30 % of sentences contain a transition word (English).", {"en"})
def transitions(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    if a.post.words < 200 or not a.sentences:
        return
    with_transition = 0
    for s in a.sentences:
        lower = s.text.lower()
        if any(w.lower() in TRANSITIONS_EN for w in s.words) or any(
            p in lower for p in TRANSITION_PHRASES_EN
        ):
            with_transition += 1
    share = with_transition / len(a.sentences)
    want = env.t(post.lang, "transition_min_share")
    if share < want:
        yield Hit(
            post.body_line,
            f"{share:.0%} of sentences contain a transition word (aim for {want:.0%})",
            "transitions",
        )


@rule(
    "READ020",
    "info",
    "Jargon with a plain-language alternative (validate.plain_language extends the list).",
    {"en"},
)
def plain_language(post: Post, env: Env) -> Iterator[Hit]:
    table = {**PLAIN_LANGUAGE, **{k.lower(): v for k, v in env.config.validate_.plain_language.items()}}
    pattern = _plain_pattern(tuple(sorted(table)))
    for unit in analyse(post).units:
        for match in pattern.finditer(unit.text):
            term = match.group(0)
            yield Hit(
                unit.line, f"'{term}' → consider '{table[term.lower()]}'", f"plain:{term.lower()}:{unit.line}"
            )


@lru_cache(maxsize=8)
def _plain_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted(terms, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in alts) + r")\b", re.IGNORECASE)

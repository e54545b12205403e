"""Readability rules, per section and per post, in the post's own language.

The counts and formulas live in pipeline.validate.counts (textstat's formulas and constants over our own
offline counting, computed once per post). Defaults fit any site (Flesch–Kincaid grade over 12 warns, over 16
errors); a site for the general public sets its own (the example health site: 8 and 10, as NIH/CDC advise).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from pipeline.content import Post
from pipeline.langtags import primary
from pipeline.text import char_count
from pipeline.validate.counts import analysis
from pipeline.validate.langsupport import languages
from pipeline.validate.prose import Unit, analyse, unit_words
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
rule = registrar(CHECKS, "readability")
# Which languages each rule runs for is data in pipeline.validate.langsupport (with the reason for the others).

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
    "regimen": "plan",
}  # a site's own jargon goes in [validate.plain_language] (the example health site lists its medical terms)
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
_PASSIVE = re.compile(  # the look-ahead on the first letters lets the scan skip most positions (2× faster)
    rf"(?=[abgiw])\b{_BE}\s+(?:\w+ly\s+)?(?:\w+ed|known|shown|given|seen|made|done|taken|found|built|written|held|"
    r"thought|brought|kept|left|lost|told|understood|worn|driven|chosen|broken|spoken|born|grown|drawn)\b",
    re.IGNORECASE,
)


def _section_name(title: str, width: int = 50) -> str:
    """How a finding names a section: long headings cut at a word, with an ellipsis (not mid-word at 50)."""
    if not title:
        return "introduction"
    if len(title) > width:
        cut = title[: width + 1].rsplit(" ", 1)[0] if " " in title[:width] else title[:width]
        title = cut.rstrip(" ,;:–—-") + "…"
    return f"section '{title}'"


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


@rule("READ001", languages("READ001"))
def post_grade(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    if a.post.words >= 100:
        scores = a.post.formulas(a.lang)
        hit = _grade_hit(env, post, scores["grade"], post.body_line, "post", scores, "post")
        if hit:
            yield hit


@rule("READ002", languages("READ002"))
def section_grade(post: Post, env: Env) -> Iterator[Hit]:
    for title, line, stats, _ in analysis(post, env).sections:
        if stats.words >= 60:
            scores = stats.formulas(primary(post.lang))
            name = _section_name(title)
            hit = _grade_hit(env, post, scores["grade"], line, name, scores, f"section:{title}")
            if hit:
                yield hit


@rule("READ003", languages("READ003"))
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


def counts_chars(env: Env, lang: str) -> bool:
    """Lengths in characters (Chinese, Japanese: `length_unit = "chars"`) rather than words."""
    return bool(env.t(lang, "length_unit") == "chars")


@rule("READ010")
def long_sentences(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    chars = counts_chars(env, post.lang)
    limit = env.t(post.lang, "long_sentence_chars" if chars else "long_sentence_words")
    share_max = env.t(post.lang, "long_sentence_share")
    if len(a.sentences) >= 5:
        if chars:
            long = [s for s in a.sentences if char_count(s.text) > limit]
        else:
            long = [s for s in a.sentences if len(s.words) > limit]
        share = len(long) / len(a.sentences)
        if share > share_max:
            first = long[0]
            unit = "characters" if chars else "words"
            yield Hit(
                first.line,
                f"{share:.0%} of sentences have more than {limit} {unit} (max {share_max:.0%}); first at this line",
                "long",
            )


@rule("READ011")
def long_paragraphs(post: Post, env: Env) -> Iterator[Hit]:
    chars = counts_chars(env, post.lang)
    limit = env.t(post.lang, "paragraph_max_chars" if chars else "paragraph_max_words")
    unit = "characters" if chars else "words"
    for u in analyse(post).units:
        if u.kind == "paragraph":
            n = char_count(u.text) if chars else unit_words(u)
            if n > limit:
                yield Hit(u.line, f"paragraph has {n} {unit} (max {limit}); split it", f"para:{u.text[:40]}")


@rule("READ012")
def long_sections(post: Post, env: Env) -> Iterator[Hit]:
    chars = counts_chars(env, post.lang)
    limit = env.t(post.lang, "section_max_chars" if chars else "section_max_words")
    unit = "characters" if chars else "words"
    for title, line, stats, sents in analysis(post, env).sections:
        n = sum(char_count(s.text) for s in sents) if chars else stats.words
        if n > limit:
            name = _section_name(title)
            yield Hit(line, f"{name} has {n} {unit} (max {limit}); add a subheading", f"section:{title}")


@rule("READ013", languages("READ013"))
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


@rule("READ014")
def repeated_starts(post: Post, env: Env) -> Iterator[Hit]:
    """Compares first *words* (Unicode word segmentation), so one consonant or kana never counts as a word.
    Running text only: table cells and headings are not sentences in a row, and a Hugo shortcode ({{< tab >}})
    is markup, not an opening word. A heading ends a run: each section of a glossary's term page may open with
    the term, and the last sentence before a heading and the first after it are not read in a row."""
    run_len = env.t(post.lang, "repeated_start_run")
    articles = frozenset(env.t(post.lang, "opening_articles"))
    for *_, section in analysis(post, env).sections:
        sents = [s for s in section if s.kind in _RUNNING and not s.text.startswith("{{")]
        # A sentence that opens with inline code has no comparable first word: it ends a run and starts none.
        openings = [None if s.after_markup else _opening(s.words, articles) for s in sents]
        i = 0
        while i < len(sents):
            first = openings[i]
            if first is None:
                i += 1
                continue
            j = i
            while j + 1 < len(sents) and openings[j + 1] == first:
                j += 1
            if j - i + 1 >= run_len:
                yield Hit(
                    sents[i].line,
                    f"{j - i + 1} sentences in a row start with "
                    f"'{' '.join(sents[i].words[: first.count(' ') + 1])}'; vary the openings",
                    f"start:{sents[i].line}",
                )
            i = j + 1


_RUNNING = frozenset({"paragraph", "item"})


def _opening(words: list[str], articles: frozenset[str]) -> str:
    """A sentence's first word, lowercased; after an article the article and the next word ("a plataforma")."""
    first = words[0].lower()
    return f"{first} {words[1].lower()}" if first in articles and len(words) > 1 else first


@rule("READ015", languages("READ015"))
def transitions(post: Post, env: Env) -> Iterator[Hit]:
    a = analysis(post, env)
    if a.post.words < 200 or not a.sentences:
        return
    # Only phrases that occur somewhere in the post can occur in one of its sentences (lower() works character
    # by character, and an ASCII phrase cannot come from Greek final-sigma context).
    prose = analyse(post).lower_prose
    phrases = [p for p in TRANSITION_PHRASES_EN if p in prose]
    with_transition = 0
    for s in a.sentences:
        if not TRANSITIONS_EN.isdisjoint(map(str.lower, s.words)):
            with_transition += 1
        elif phrases:
            lower = s.text.lower()
            if any(p in lower for p in phrases):
                with_transition += 1
    share = with_transition / len(a.sentences)
    want = env.t(post.lang, "transition_min_share")
    if share < want:
        yield Hit(
            post.body_line,
            f"{share:.0%} of sentences contain a transition word (aim for {want:.0%})",
            "transitions",
        )


@rule("READ020", languages("READ020"))
def plain_language(post: Post, env: Env) -> Iterator[Hit]:
    table, terms, pattern, folded = _plain_table(env)
    doc = analyse(post)
    for unit in _plain_candidates(doc.units, terms, doc.prose, lambda: doc.lower_prose):
        for match in pattern.finditer(unit.text):
            term = match.group(0)
            entry = folded.get(_term_key(term))
            if entry is None:  # a case-insensitive match no folding explains: find the term that matched
                entry = next(
                    ((k, v) for k, v in table.items() if re.fullmatch(re.escape(k), term, re.IGNORECASE)),
                    (term.lower(), ""),
                )
            key, plain = entry
            if plain:
                yield Hit(unit.line, f"'{term}' → consider '{plain}'", f"plain:{key}:{unit.line}")


def _plain_table(
    env: Env,
) -> tuple[dict[str, str], tuple[str, ...], re.Pattern[str], dict[str, tuple[str, str]]]:
    """The jargon table (built-in plus the site's), its sorted terms, their regex and folded keys: once per run,
    not once per post."""
    got = env.memo.get("plain_language")
    if got is None:
        table = {**PLAIN_LANGUAGE, **{k.lower(): v for k, v in env.config.validate_.plain_language.items()}}
        terms = tuple(sorted(table))
        folded = {_term_key(k): (k, v) for k, v in table.items()}
        got = env.memo["plain_language"] = (table, terms, _plain_pattern(terms), folded)
    return got


# The only characters that match an ASCII letter case-insensitively in `re` while str.lower() does not turn
# them into that letter (or changes their length): İ, ı, ſ. tests/test_validate_fastpaths.py re-derives this set.
CASE_TRAPS = frozenset("\u0130\u0131\u017f")
_UNTRAP = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _term_key(text: str) -> str:
    """One spelling for every way `re` matches a term case-insensitively: "utiliſe", "ındividuals" and "µg"
    match "utilise", "individuals" and "μg", but lower() keeps ſ, ı and the micro sign, so a lower() lookup
    raised KeyError and the rule crashed. casefold() joins µ/μ, ς/σ and friends; ı and İ need a hand."""
    return text.translate(_UNTRAP).casefold()


def _plain_candidates(
    units: Sequence[Unit],
    terms: tuple[str, ...],
    prose: str | None = None,
    lower_prose: Callable[[], str] | None = None,
) -> Sequence[Unit]:
    """The units the jargon regex can match in; the regex is slow and matches are rare.

    An ASCII term matches (case-insensitively) only where it occurs in the lower-cased text, unless the text
    holds one of the CASE_TRAPS; so plain substring search over the post's prose finds every unit that needs
    the regex.
    """
    if not terms or not all(t and t.isascii() for t in terms):
        return units
    if prose is None:
        prose = "\n".join(u.text for u in units)
    if any(trap in prose for trap in CASE_TRAPS):  # three substring scans, not a set lookup per character
        return units
    # Same length as prose: no character outside CASE_TRAPS changes length when lower-cased.
    lower = lower_prose() if lower_prose is not None else prose.lower()
    starts: list[int] = []
    pos = 0
    for unit in units:
        starts.append(pos)
        pos += len(unit.text) + 1
    hit: set[int] = set()
    for term in terms:
        i = lower.find(term)
        while i >= 0:
            hit.add(bisect_right(starts, i) - 1)
            i = lower.find(term, i + 1)
    return [units[k] for k in sorted(hit)]


@lru_cache(maxsize=8)
def _plain_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted(terms, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in alts) + r")\b", re.IGNORECASE)

"""The validate stage's speed shortcuts give exactly what the plain code they replace gives.

Each shortcut (windowed regex search, direct sentence spans, URL host cut, jargon pre-filter, look-ahead regex,
word counts shared with the sentence pass) is compared with the straightforward computation on edge cases.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.config import Config, load_config, with_overrides
from pipeline.stages import Context
from pipeline.text import _WORD_BEFORE, _word_before, sentence_pairs, split_sentences, words
from pipeline.validate import counts, readability
from pipeline.validate.prose import Unit, analyse, sentences_of
from pipeline.validate.registry import Env, SiteIndex
from pipeline.validate.structure import _netloc
from tests.validate_support import GOOD_BODY, GOOD_META, make_site, yaml_post


def _env(config: Config) -> Env:
    return Env(config, SiteIndex(), dt.datetime.now(dt.UTC), config.static_root)


TEXTS = [
    "",
    "   ",
    "One sentence without an end",
    "Dr. Smith walks 2.5 km a day. Then he rests! Does it help? Yes… mostly.",
    "Use e.g. walking. Approx. ten minutes. Mr. X. Y went home.",
    "word\n. Next one starts here. And here",
    "a.b.c.d." * 20 + " Next sentence here. " + "x" * 100 + ". After a long word.",
    "1. 2. 3. Steps. 4. Done.",
    "你好。再见！好的？ok. Fine.",
    "  leading space. trailing space.   ",
    'He said "stop." Then left. (Really.) [Yes.] «Oui.» Done',
    "Ends with dots... Next. ... . . Last",
    "Mixed z.B. Text. Und bzw. mehr. Ende.",
]


def _spans_via_pairs(text: str, lang: str) -> list[tuple[int, int]]:
    """The original definition: spans derived from sentence_pairs."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence, sep in sentence_pairs(text, lang):
        stripped = sentence.lstrip()
        if stripped:
            start = pos + len(sentence) - len(stripped)
            spans.append((start, pos + len(sentence)))
        pos += len(sentence) + len(sep)
    return spans


@pytest.mark.parametrize("lang", ["en", "de", "es-MX", "fr"])
def test_split_sentences_matches_sentence_pairs(lang: str) -> None:
    for text in TEXTS:
        assert split_sentences(text, lang) == _spans_via_pairs(text, lang), text
        assert "".join(s + sep for s, sep in sentence_pairs(text, lang)) == text


def test_windowed_word_before_matches_full_search() -> None:
    for text in [*TEXTS, "ab" * 70 + ".", "q " + "w" * 63 + ".", "x" * 64 + ".", "abc\n.", "é" * 80 + "."]:
        for end in range(len(text) + 1):
            want = _WORD_BEFORE.search(text, 0, end)
            got = _word_before(text, end)
            assert (got and (got.start(), got.group(1))) == (want and (want.start(), want.group(1))), (
                text,
                end,
            )


def test_unit_word_counts_equal_sentence_words() -> None:
    units = [Unit("paragraph" if i % 3 else "item", t, i + 1) for i, t in enumerate(TEXTS)]
    units.append(Unit("heading", "A heading. With dots.", 99))
    sentences = sentences_of(units, "en")
    for unit in units:
        assert unit.n_words == len(words(unit.text)), unit.text
    assert sum(len(s.words) for s in sentences) == sum(len(words(u.text)) for u in units)


URLS = [
    "https://a.example/c",
    "http://x.example?q",
    "https://h#f",
    "https://user:pw@h:80/p",
    "https://",
    "http:///x",
    "https://h/p?x=//y",
    "https://[::1]/x",
    "https://a\tb/c",
    "http://ünï.example/x",
    "https://h/ü[]\t",
    "https://h\n",
    "HTTPS://Upper.Example/",
    "mailto:someone@example.com",
    "//cdn.example/x",
    "ftp://files.example/x",
]


def test_netloc_matches_urlsplit() -> None:
    env = _env(load_config(None))
    for url in [*URLS, "https://h]/"]:
        try:
            want: object = urlsplit(url).netloc
        except ValueError as exc:
            want = str(exc)
        try:
            got: object = _netloc(url, env)
        except ValueError as exc:
            got = str(exc)
        assert got == want, url


def test_case_traps_are_all_the_traps() -> None:
    """Characters that match ASCII case-insensitively in `re` but do not lower() to ASCII (or change length)."""
    ascii_ci = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    traps = set()
    for cp in range(0x80, sys.maxunicode + 1):
        ch = chr(cp)
        low = ch.lower()
        if len(low) != 1 or (ascii_ci.fullmatch(ch) and not low.isascii()):
            traps.add(ch)
    assert traps == set(readability.CASE_TRAPS)


def test_plain_language_prefilter_finds_every_regex_match() -> None:
    terms = tuple(sorted(readability.PLAIN_LANGUAGE))
    pattern = readability._plain_pattern(terms)
    texts = [
        "We UTILIZE tools.",
        "Utiliſe it — then walk.",  # long s matches "s" case-insensitively
        "ıNDIVIDUALS and İndividuals count too.",
        "Nothing here at all.",
        "A number of\npeople; in order to help. Regimens and regimen.",
        "Sarcopenia’s cause: sarcopenia.",
    ]
    for picked in (texts, texts[3:4], [t for t in texts if t.isascii()]):
        units = [Unit("paragraph", t, i) for i, t in enumerate(picked)]
        want = [(u.line, m.group(0)) for u in units for m in pattern.finditer(u.text)]
        got = [
            (u.line, m.group(0))
            for u in readability._plain_candidates(units, terms)
            for m in pattern.finditer(u.text)
        ]
        assert got == want
        if picked is texts:
            found = {term.lower() for _, term in got}
            assert {"utiliſe", "ındividuals", "i̇ndividuals", "a number of"} <= found, found
            folded = {readability._term_key(k) for k in readability.PLAIN_LANGUAGE}
            assert {readability._term_key(term) for _, term in got} <= folded


def test_passive_lookahead_changes_nothing() -> None:
    plain = re.compile(readability._PASSIVE.pattern.replace("(?=[abgiw])", "", 1), re.IGNORECASE)
    assert plain.pattern != readability._PASSIVE.pattern
    for text in [
        "The bone is made stronger.",
        "İs made by hand.",
        "ıs made by hand.",
        "It WAS quickly Shown.",
        "They get tired.",
        "Being driven home.",
        "This is fine.",
        "x-is made",
    ]:
        assert bool(plain.search(text)) == bool(readability._PASSIVE.search(text)), text


@pytest.mark.parametrize("extra", [{}, {"walking": -3, "bones": 2**41}])
def test_section_and_post_counts_agree(tmp_path: Path, extra: dict[str, int]) -> None:
    """Post-wide readability counts are the sum of the sections' (READ001 and READ002 see the same words),
    and the packed per-word counts give the plain sums, even with odd configured syllable counts."""
    counts._WORD_INFO.clear()
    config = make_site(
        tmp_path, {"walk.md": yaml_post(GOOD_META, GOOD_BODY + "\n## Extra\n\nOne more. Two more.\n")}
    )
    config = with_overrides(config, {"validate": {"syllables": extra}})
    post = Context(config=config).content.posts[0]
    env = _env(config)
    a = counts.analysis(post, env)
    counter = counts.syllable_counter("en", env)
    all_words = [w for s in a.sentences for w in s.words]
    assert a.post.words == len(all_words) == len(words("\n".join(u.text for u in analyse(post).units)))
    assert a.post.syllables == sum(counter(w) for w in all_words)
    easy = counts._easy_words("en")
    poly = [w for w in all_words if counter(w) >= 3]
    assert a.post.polysyllables == len(poly)
    assert a.post.difficult == sum(1 for w in poly if w.lower() not in easy)
    if extra:
        assert {"walking", "bones"} <= {w.lower() for w in all_words}
    assert a.post.sentences == sum(st.sentences for _, _, st, _ in a.sections) == len(a.sentences)


def test_rewritten_regexes_match_the_originals() -> None:
    """The sentence-end regex gained a look-ahead and more scripts' terminators; on text with only the original
    terminators it finds exactly what the original found. (Words are compared with ICU in test_text_scripts.)"""
    from pipeline import text

    end_orig = re.compile(
        r"""(?P<end>[.!?…]+|[。！？]+)(?P<close>["'”’)\]»]*)(?P<sep>\s+|(?<=[。！？])(?=\S))"""
    )
    samples = [
        *TEXTS,
        "don't-stop rock'n'roll re-entry ’quoted’ - x- -y a'-b l’été naïve_1 x2y 3d _under",
        "Ends.” Next?» Then!) More… 再见。好 “Quoted.” 'Single.' [Bracket.] end.",
    ]
    for sample in samples:
        end = text._end_pattern("en")
        assert [m.span() for m in end.finditer(sample)] == [m.span() for m in end_orig.finditer(sample)]
        assert [m.groupdict() for m in end.finditer(sample)] == [
            m.groupdict() for m in end_orig.finditer(sample)
        ]


def test_cache_key_follows_the_rule_table_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new or changed rule changes every cache key: a hand-bumped version was forgotten once, and unchanged
    posts kept their old findings without the new rule's."""
    from pipeline.validate import registry

    registry.rules_digest.cache_clear()
    before = registry.rules_digest()
    real = Path.read_bytes
    target = Path(registry.__file__).resolve().parent / "structure.py"

    def edited(path: Path) -> bytes:
        return real(path) + (b"\n# a new check\n" if path == target else b"")

    monkeypatch.setattr(Path, "read_bytes", edited)
    registry.rules_digest.cache_clear()
    after_code = registry.rules_digest()
    monkeypatch.setattr(Path, "read_bytes", real)
    monkeypatch.setitem(registry.LANGUAGE_DEFAULTS, "pt", {"long_sentence_words": 30})
    registry.rules_digest.cache_clear()
    after_table = registry.rules_digest()
    registry.rules_digest.cache_clear()
    assert len({before, after_code, after_table}) == 3

"""Words and sentences in every script: hand-counted samples, and the fast path proven equal to ICU.

The samples in tests/samples/scripts/ are real sentences; each file lists its words one by one in comments.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import text, wordbreak
from pipeline.text import sentence_pairs, split_sentences, words

SAMPLES = Path(__file__).parent / "samples" / "scripts"
SAMPLE_LANGS = sorted(p.stem for p in SAMPLES.glob("*.toml"))


def _sample(lang: str) -> dict[str, object]:
    return tomllib.loads((SAMPLES / f"{lang}.toml").read_text("utf-8"))


def test_every_script_the_issue_names_has_a_sample() -> None:
    wanted = "hi bn ta fa ar ur he th ja zh ko vi el hy ka am km lo my".split()
    assert sorted(wanted) == SAMPLE_LANGS


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_hand_counted_words_and_sentences(lang: str) -> None:
    sample = _sample(lang)
    body = str(sample["text"])
    spans = split_sentences(body, lang)
    found = words(body, lang)
    assert len(found) == sample["words"], found
    assert len(spans) == sample["sentences"], [body[a:b] for a, b in spans]
    # a sentence's words are the text's words, in order: no word spans a sentence boundary
    assert [w for a, b in spans for w in words(body[a:b], lang)] == found
    assert "".join(s + sep for s, sep in sentence_pairs(body, lang)) == body
    if "chars" in sample:
        assert sum(map(len, found)) == sample["chars"]


def test_vietnamese_nfd_counts_like_nfc() -> None:
    sample = _sample("vi")
    nfc = str(sample["text"])
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc  # the tone marks really are separate code points now
    assert len(words(nfd, "vi")) == sample["words"]
    assert len(split_sentences(nfd, "vi")) == sample["sentences"]
    assert [unicodedata.normalize("NFC", w) for w in words(nfd, "vi")] == words(nfc, "vi")


def test_issue_examples() -> None:
    assert words("उम्मीदाएँ संवाद करें") == ["उम्मीदाएँ", "संवाद", "करें"]
    hindi = "यह पहला वाक्य है। यह दूसरा वाक्य है। यह तीसरा वाक्य है।"
    assert len(split_sentences(hindi, "hi")) == 3


def test_katakana_loanwords_stay_one_word() -> None:
    """ICU's dictionary splits katakana it does not know (エクステンション → エ|クス|テンション on opentelemetry.io,
    so READ014 saw sentences "starting with 'エ'"); a katakana run is one word, ・ still separates."""
    assert words("エクステンションはコレクターを拡張します。", "ja")[:2] == ["エクステンション", "は"]
    assert words("データ・モデル", "ja") == ["データ", "モデル"]
    assert words("ｴｸｽﾃﾝｼｮﾝ", "ja") == ["ｴｸｽﾃﾝｼｮﾝ"]


def test_greek_semicolon_is_a_question_mark_only_in_greek() -> None:
    assert len(split_sentences("Τι κάνεις; Καλά.", "el")) == 2
    assert len(split_sentences("First part; Second part.", "en")) == 1
    assert len(split_sentences("Τι κάνεις\u037e Καλά.", "en")) == 2  # U+037E is Greek wherever it appears


def test_script_stops_need_no_space_but_decimals_and_quotes_hold() -> None:
    assert len(split_sentences("ናት።አዲስ", "am")) == 2
    assert (
        len(split_sentences("値は１．５です．次の文です．", "ja")) == 2
    )  # fullwidth stop; １．５ is a number
    assert len(split_sentences("「行きます。」と彼は言った。", "ja")) == 1
    assert len(split_sentences("「はい。」\n次です。", "ja")) == 2
    assert len(split_sentences("ต่างๆ นานา", "th")) == 1  # a space after the repetition mark is not a break
    assert len(split_sentences("संवाद. अगला वाक्य", "hi")) == 2  # "द" after a vowel sign is not an initial


# --- the fast path gives ICU's words ------------------------------------------------------------------------


def _fast_chars() -> list[str]:
    chars = [chr(c) for lo, hi in wordbreak._FAST_BLOCKS for c in range(lo, hi)]
    return [c for c in chars if wordbreak.is_fast(c)]


def test_every_fast_character_segments_as_icu_does() -> None:
    """Each character the fast path accepts, alone and between letters, digits, connectors and hyphens."""
    fast = _fast_chars()
    assert (
        len(fast) > 2000
    )  # Latin, Greek, Cyrillic and punctuation are in; marks and format characters are out
    assert (
        not wordbreak.is_fast("e\u0301") and not wordbreak.is_fast("a\u200cb") and not wordbreak.is_fast("x²")
    )
    contexts = ("{c}", "a{c}b", "1{c}2", "a{c}1", "_{c}_", "a-{c}", "{c}-b", "a{c}{c}b", "x.{c}", "{c}'s")
    for c in fast:
        for ctx in contexts:
            sample = ctx.format(c=c)
            assert wordbreak.fast_words(sample) == wordbreak.icu_words(sample, "en"), (
                f"U+{ord(c):04X}",
                sample,
            )


_TRICKY = [*"aZéßΩжy09_'’‘.,;:·-‐‑ \n\t\u00a0/\"()!?", "well", "e.g", "2.5", "U.S.", "don't", "3D"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TRICKY), max_size=30).map("".join))
def test_fast_path_equals_icu_on_generated_latin(sample: str) -> None:
    assert wordbreak.is_fast(sample)
    assert wordbreak.fast_words(sample) == wordbreak.icu_words(sample, "en")


_ASCII = [*(chr(c) for c in range(128)), "well", "e.g", "2.5", "U.S.", "don't", "3D", "a-b", "x--y", "1,000"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ASCII), max_size=30).map("".join))
def test_ascii_pattern_finds_the_full_patterns_words(sample: str) -> None:
    """ASCII text takes a pattern built from the classes' ASCII members: same words as the full pattern."""
    fast = wordbreak._fast()
    assert fast.ascii_fast and wordbreak.is_fast(sample)
    assert fast.ascii_word.findall(sample) == fast.word.findall(sample)
    spans = [(0, len(sample) // 2), (len(sample) // 2, len(sample))]
    assert wordbreak.words_in_spans(sample, spans) == [fast.word.findall(sample, a, b) for a, b in spans]


_MIXED = [
    *_TRICKY,
    "\u0301",
    "\u200c",
    "\u200d",
    "²",
    "हिं",
    "দী",
    "日本",
    "ภาษา",
    "中文",
    "۔",
    "😀",
    "\u00ad",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MIXED), max_size=30).map("".join), st.sampled_from(["en", "hi", "ja", "th"]))
def test_words_is_icu_whatever_the_path(sample: str, lang: str) -> None:
    assert words(sample, lang) == wordbreak.icu_words(sample, lang)


# --- sentences: the old splitter's answers on Latin text are unchanged -------------------------------------

_OLD_END = re.compile(
    r"""(?=[.!?…。！？])(?P<end>[.!?…]+|[。！？]+)(?P<close>["'”’)\]»]*)(?P<sep>\s+|(?<=[。！？])(?=\S))"""
)


def _old_split(body: str, lang: str) -> list[tuple[int, int]]:
    """split_sentences as it was before scripts other than Latin and CJK got their terminators."""
    abbrevs = text._abbreviations(lang)
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _OLD_END.finditer(body):
        end, after = match.group("end"), match.end()
        if after >= len(body):
            continue
        if end[0] not in "。！？":
            nxt = body[after]
            if nxt.islower():
                continue
            if end == ".":
                word = text._word_before(body, match.start())
                if word:
                    token = word.group(1).lower().rstrip(".")
                    if token in abbrevs or (len(token) == 1 and token.isalpha()):
                        continue
                    if token.isdigit() and nxt.isdigit():
                        continue
        sep_start = match.start("sep")
        rest = body[start:sep_start].lstrip()
        if rest:
            spans.append((sep_start - len(rest), sep_start))
        start = after
    if start < len(body):
        stripped = body[start:].rstrip()
        rest = stripped.lstrip()
        if rest:
            stop = start + len(stripped)
            spans.append((stop - len(rest), stop))
    return spans


_SENTENCE_BITS = [
    *"aBx. !?…\n\"'”’)]»;:,0",
    "Dr",
    "e.g",
    "2.5",
    "Word",
    "word",
    "z.B",
    " Then",
    "approx",
    "U.S",
    "ok",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(_SENTENCE_BITS), max_size=25).map("".join), st.sampled_from(["en", "de", "fr"])
)
def test_latin_sentences_unchanged(sample: str, lang: str) -> None:
    assert split_sentences(sample, lang) == _old_split(sample, lang)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*_MIXED, "。", "। ", ". ", "! ", " ", "ภาษา ไทย"]), max_size=40).map("".join)
)
def test_words_in_spans_equal_words_per_sentence(sample: str) -> None:
    """sentences_of takes each sentence's words from one pass over the paragraph; they are the words each
    sentence has on its own."""
    for lang in ("en", "hi", "th"):
        spans = split_sentences(sample, lang)
        assert wordbreak.words_in_spans(sample, spans, lang) == [words(sample[a:b], lang) for a, b in spans]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([*_MIXED, "。", "। ", ". ", " ", "-", "エクス", "テンション", "ภาษา ไทย"]),
            max_size=12,
        ).map("".join),
        max_size=6,
    ),
    st.sampled_from(["en", "ja", "th"]),
)
def test_words_in_texts_equal_words_per_text(texts: list[str], lang: str) -> None:
    """One ICU pass over a post's paragraphs joined with newlines finds each paragraph's own words: none joins
    across the newline (a hyphen or katakana at a paragraph's end, a word at the next one's start)."""
    items = [(t, split_sentences(t, lang)) for t in texts]
    assert wordbreak.words_in_texts(items, lang) == [wordbreak.words_in_spans(t, s, lang) for t, s in items]
    assert wordbreak.words_in_texts(items, lang) == [[words(t[a:b], lang) for a, b in s] for t, s in items]


def test_bare_urls_are_not_words() -> None:
    """A URL typed as plain text is not prose (autolinks never were): its pieces padded release notes with
    one-syllable "words" (https, org, dist) and made 644 nodejs.org posts "paragraphs over 150 words"."""
    from pipeline.validate.prose import Unit, sentences_of, unit_words

    body = "Windows Installer: https://nodejs.org/dist/v0.10.41/node-v0.10.41-x86.msi and www.example.com/x today."
    assert text.blank_urls(body).split() == ["Windows", "Installer:", "and", "today."]
    (sentence,) = sentences_of([Unit("paragraph", body, 1)], "en")
    assert sentence.words == ["Windows", "Installer", "and", "today"]
    assert unit_words(Unit("paragraph", body, 1)) == 4

"""Links and emphasis keep to their words when Apertium reorders them (Transfuse's word-bound blanks).

Apertium's classic deformatter leaves every tag where it was while the words move: `a [red](…) car` became
`un [coche](…) rojo`. Through Transfuse the pair travels with `red`. Real `apertium eng-spa` runs; the decoding
rules (split pairs joined, crossing pairs refused) are also checked on Apertium-shaped output directly."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest

from pipeline.translate import apertium
from pipeline.translate.apertium import ApertiumEngine, find_mode
from pipeline.translate.apertium_markup import Pairs, decode, encode, literals_back, pairs
from pipeline.translate.segment import segment_body, segments_of

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None or find_mode("en", "es")[0] == "",
    reason="apt-get install apertium apertium-eng-spa",
)


@pytest.fixture
def with_transfuse(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if shutil.which("tf-extract") is None:
        pytest.skip("apt-get install transfuse (the Makefile's APT_PACKAGES)")
    monkeypatch.delenv("APERTIUM_TRANSFUSE", raising=False)
    apertium.clear_cache()
    yield
    apertium.clear_cache()


BODY = """A [red](https://example.org/red) car waits outside.

Read the [World Health Organization site](https://example.org/who) before you start.

A *very red* car and a [big dog](https://example.org/dog) walk by.

The [fast walking](https://example.org/study) study used `pedometers` every day.
"""


def _links(text: str) -> list[str]:
    return re.findall(r"\[([^\]]*)\]\(", text)


@needs_apertium
def test_links_and_emphasis_move_with_the_words_they_mark(with_transfuse: None) -> None:
    segments = list(segments_of(segment_body(BODY)))
    out = ApertiumEngine("eng-spa").translate_batch(segments)
    assert not out.errors and not out.fallbacks
    red, who, dog, study = (s.render(t) for s, t in zip(segments, out.texts, strict=True))
    assert _links(red) == ["rojo"] and "coche [rojo](https://example.org/red)" in red, red
    # Apertium splits the phrase around `de`; the link is put back as one, over the whole phrase.
    assert len(_links(who)) == 1 and _links(who)[0].startswith("sitio") and "Salud" in _links(who)[0], who
    assert "*muy rojo*" in dog and _links(dog) == ["perro grande"], dog
    assert _links(study) == ["excursionismo rápido"] and "`pedometers`" in study, study


@needs_apertium
def test_a_placeholder_between_two_words_keeps_both(with_transfuse: None) -> None:
    """A soft line break is a placeholder touching the words on both sides (`or⟦1⟧see`). Sent as a one-word
    element, Transfuse made `orxsee` one word inside it, and the placeholder that replaced the element took
    `or` and `see` with it, silently."""
    body = "Call the [big dog](https://example.org/dog) or\nsee the red car.\n"
    segment = next(iter(segments_of(segment_body(body))))
    assert "\n" in segment.placeholders
    out = ApertiumEngine("eng-spa").translate_batch([segment])
    text = segment.render(out.texts[0])
    assert not out.fallbacks and _links(text) == ["perro grande"], text
    assert "o\nver" in text and "coche rojo" in text, text


@needs_apertium
def test_the_classic_deformatter_leaves_the_link_on_the_wrong_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why Transfuse: without it (APERTIUM_TRANSFUSE=no) the same segment links `coche`, the car, not red."""
    monkeypatch.setenv("APERTIUM_TRANSFUSE", "no")
    apertium.clear_cache()
    try:
        segment = next(
            iter(segments_of(segment_body("A [red](https://example.org/red) car waits outside.\n")))
        )
        out = ApertiumEngine("eng-spa").translate_batch([segment])
        assert _links(segment.render(out.texts[0])) == ["coche"]
    finally:
        apertium.clear_cache()


def test_pairs_are_links_emphasis_and_inline_elements_with_both_halves() -> None:
    found = pairs(["[", "](https://x.org)", "**", "<b>", "</b>", "**", "_", "![", "](i.png)", "<br>", "</i>"])
    assert found.close == {1: 2, 3: 6, 4: 5, 8: 9}
    assert found.links == {1}  # an image may sit inside a link; only links may not nest


def test_encode_sends_pairs_as_elements_and_the_rest_as_private_use_characters() -> None:
    literals: list[str] = []
    html = encode("Use C# with ⟦1⟧red⟦2⟧ and ⟦3⟧ <now>.", Pairs({1: 2}, frozenset({1})), literals)
    assert html == 'Use C\ue100 with <tt data-o="1" data-c="2">red</tt> and \ue101 &lt;now&gt;.'
    assert literals == ["#", "⟦3⟧"] and literals_back("C\ue100 \ue101", literals) == "C# ⟦3⟧"


def test_a_split_pair_is_joined_over_its_words_and_spaces_go_outside() -> None:
    link = Pairs({1: 2}, frozenset({1}))
    html = 'Ver el <tt data-o="1" data-c="2">sitio </tt>de <tt data-o="1" data-c="2">OMS</tt> hoy.'
    assert decode(html, link) == "Ver el ⟦1⟧sitio de OMS⟦2⟧ hoy."
    nested = '<tt data-o="1" data-c="4">coche muy</tt> <tt data-o="1" data-c="4"><tt data-o="2" data-c="3">rojo</tt></tt>'
    assert decode(nested, Pairs({1: 4, 2: 3}, frozenset({1}))) == "⟦1⟧coche muy ⟦2⟧rojo⟦3⟧⟦4⟧"


def test_pairs_that_would_cross_or_put_a_link_in_a_link_are_refused() -> None:
    """Such output cannot be written as Markdown: the engine then translates the pieces between the
    placeholders on their own (the existing fallback), which keeps every placeholder."""
    crossing = (
        '<tt data-o="1" data-c="2">a</tt> <tt data-o="3" data-c="4">b</tt> '
        '<tt data-o="1" data-c="2">c</tt> <tt data-o="3" data-c="4">d</tt>'
    )
    assert decode(crossing, Pairs({1: 2, 3: 4}, frozenset())) is None
    link_in_link = (
        '<tt data-o="1" data-c="2">a</tt> <tt data-o="3" data-c="4">b</tt> <tt data-o="1" data-c="2">c</tt>'
    )
    assert decode(link_in_link, Pairs({1: 2, 3: 4}, frozenset({1, 3}))) is None
    assert decode(link_in_link, Pairs({1: 2, 3: 4}, frozenset({1}))) == "⟦1⟧a ⟦3⟧b⟦4⟧ c⟦2⟧"
    assert decode('<tt data-o="1" data-c="2">a', Pairs({1: 2}, frozenset())) is None  # an element left open

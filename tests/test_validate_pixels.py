"""SERP pixel widths from shaped real fonts: Arimo (Arial metrics) for Latin, Noto for every other script."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import fontpkg
import pytest
from fontTools.ttLib import TTFont

from pipeline.typeset.fonts import Family, FontFile, FontSet
from pipeline.typeset.runs import Setter
from pipeline.validate.pixels import text_width_px, width_note


def test_latin_keeps_arial_metrics() -> None:
    text = "Best Exercises for Osteoporosis: Build Stronger Bones"
    font = TTFont(str(fontpkg.path("Arimo")), lazy=True)
    cmap, hmtx, upem = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
    advances = sum(hmtx[cmap[ord(c)]][0] for c in text) * 20 / upem
    assert text_width_px(text, 20, "en") == pytest.approx(advances, rel=0.01)  # kerning moves it a little


def test_a_conjunct_is_one_glyph_and_marks_add_no_width() -> None:
    # Guessed as one 'x' per code point, क्ष was three letters wide and every vowel sign added a letter.
    assert text_width_px("क्ष", 20, "hi") < 1.2 * text_width_px("क", 20, "hi")
    assert text_width_px("कं", 20, "hi") == pytest.approx(text_width_px("क", 20, "hi"), abs=1)
    assert text_width_px("ที่", 20, "th") == pytest.approx(text_width_px("ท", 20, "th"), abs=1)


def test_hindi_title_that_fits_is_not_reported_as_too_wide() -> None:
    title = "ऑस्टियोपोरोसिस के लिए सर्वोत्तम व्यायाम: 50 के बाद मजबूत हड्डियाँ"
    # The old guess (Arimo's 'x' per code point Arial lacks, marks included) said 608 px: a false SEO010.
    assert 400 < text_width_px(title, 20, "hi") < 560


def test_a_title_with_a_line_break_is_measured_as_one_line() -> None:
    """Front matter folds long titles; raqm refuses a newline (raqm_layout() failed), a SERP shows a space."""
    folded = "Trace-Based Testing with OpenTelemetry: Meet Open Source Malabi (Medium)\n | My Site"
    assert text_width_px(folded, 20, "en") == pytest.approx(
        text_width_px(folded.replace("\n", " "), 20, "en")
    )
    assert width_note(folded, "en") == ""


def test_arabic_is_measured_joined() -> None:
    word = "عربي"
    joined = text_width_px(word, 20, "ar")
    isolated = sum(text_width_px(ch, 20, "ar") for ch in word)
    assert joined < 0.85 * isolated  # joining forms are narrower than the isolated letters


def test_decomposed_vietnamese_measures_like_composed() -> None:
    text = "Những bài tập tốt nhất cho bệnh loãng xương"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert text_width_px(nfd, 20, "vi") == pytest.approx(text_width_px(text, 20, "vi"), rel=0.01)


def test_cjk_is_one_em_per_ideograph_and_emoji_are_measured() -> None:
    assert text_width_px("骨密度", 20, "ja") == pytest.approx(60, abs=0.5)
    assert text_width_px("骨密度", 20, "zh-TW") == pytest.approx(60, abs=0.5)
    assert 20 <= text_width_px("😀", 20, "en") <= 30
    assert width_note("骨密度 😀 and এবং", "bn") == ""


def test_width_is_estimated_per_cluster_when_a_font_is_absent(tmp_path: Path) -> None:
    absent = Family(
        "Noto Sans Bengali", (FontFile(tmp_path / "none.ttf"),), "the Debian package fonts-noto-core"
    )
    ts = Setter(FontSet("bn", "SC", (("bengali", absent),)), 400, "bn", "bengali")
    runs = ts.segment("হাড় হাড়")[0]
    assert runs[0].family is absent
    # 2 clusters + space + 2 clusters; the nukta and vowel sign add nothing.
    assert ts.width("হাড় হাড়", 20) == pytest.approx((4 * 0.55 + 0.28) * 20)

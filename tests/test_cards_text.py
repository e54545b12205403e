"""Line breaking, script detection, font coverage and layouts — the parts of a card that are not pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pipeline.cards.fonts import FONT_ROLES, CardError, coverage, detect_script, font_path, load_font
from pipeline.cards.layout import load_layout, parse_layout
from pipeline.cards.text import NO_LINE_END, NO_LINE_START, fit, join_tokens, tokenize
from pipeline.config import project_templates_dir


@pytest.mark.parametrize(
    ("text", "lang", "script"),
    [
        ("Best Exercises", "en", "latin"),
        ("Лучшие упражнения", "ru", "latin"),
        ("Ασκήσεις για οστά", "el", "latin"),
        ("أفضل التمارين 2025", "ar", "arabic"),
        ("بهترین تمرین‌ها", "fa", "arabic"),
        ("התרגילים הטובים", "he", "hebrew"),
        ("सर्वोत्तम व्यायाम", "hi", "devanagari"),
        ("சிறந்த பயிற்சிகள்", "ta", "tamil"),
        ("การออกกำลังกาย", "th", "thai"),
        ("骨粗しょう症 BMD", "ja", "cjk"),
        ("2025", "ar", "arabic"),
    ],
)
def test_detect_script(text: str, lang: str, script: str) -> None:
    assert detect_script(text, lang) == script


def test_latin_breaks_only_at_spaces() -> None:
    tokens = tokenize("  Die  besten Übungen\tbei Osteoporose ", "latin")
    assert [t.text for t in tokens] == ["Die", "besten", "Übungen", "bei", "Osteoporose"]
    assert join_tokens(tokens) == "Die besten Übungen bei Osteoporose"


def test_cjk_breaks_between_characters_with_kinsoku() -> None:
    text = "骨密度（BMD）を高める、「科学的」な方法。ちょっと2025年版"
    tokens = tokenize(text, "cjk")
    assert join_tokens(tokens) == text
    for token in tokens:
        assert token.text[0] not in NO_LINE_START or token is tokens[0], token
        assert token.text[-1] not in NO_LINE_END, token
    texts = [t.text for t in tokens]
    assert "（BMD）" in texts  # brackets glued to what they enclose, Latin run kept whole
    assert "2025" in texts
    assert not any(t.startswith(("ょ", "っ", "、", "。", "）", "」")) for t in texts)


def test_thai_is_split_into_dictionary_words_not_inside_them() -> None:
    text = "การออกกำลังกายที่ดีที่สุดสำหรับโรคกระดูกพรุน"
    tokens = [t.text for t in tokenize(text, "thai")]
    assert "".join(tokens) == text
    assert "กระดูกพรุน" in tokens or ("กระดูก" in tokens and "พรุน" in tokens)
    assert "ออกกำลังกาย" in "".join(tokens[:2])
    assert len(tokens) >= 5


def _measure_at(size: int) -> object:
    font = load_font(font_path("latin"), size, 700)
    return lambda text: font.getlength(text)


def test_fit_picks_largest_size_and_respects_lines() -> None:
    common = {"max_width": 600, "max_height": 400, "min_size": 20, "max_size": 90, "line_height": 1.2}
    short = fit("Sleep", "latin", max_lines=3, measure_at=_measure_at, **common)  # type: ignore[arg-type]
    assert short.size == 90 and short.lines == ["Sleep"] and not short.truncated
    long_text = "Strength training after fifty keeps bones and muscles young"
    fitted = fit(long_text, "latin", max_lines=2, measure_at=_measure_at, **common)  # type: ignore[arg-type]
    assert len(fitted.lines) <= 2
    measure = _measure_at(fitted.size)
    assert all(measure(line) <= 600 for line in fitted.lines)  # type: ignore[operator]
    # Starting one size up nothing fits any more: the search really found the maximum.
    larger = {**common, "min_size": fitted.size + 1}
    over = fit(long_text, "latin", max_lines=2, measure_at=_measure_at, **larger)  # type: ignore[arg-type]
    assert over.truncated


def test_fast_cmap_reader_agrees_with_fonttools() -> None:
    for script in ("latin", "arabic", "hebrew", "devanagari", "thai"):
        path = font_path(script)  # type: ignore[arg-type]
        assert coverage(path) == frozenset(TTFont(str(path), lazy=True).getBestCmap()), script


def test_fonts_come_from_python_packages() -> None:
    for script, role in FONT_ROLES.items():
        path = font_path(script)
        assert "site-packages" in str(path) or "dist-packages" in str(path), path
        assert role.package.lower() in str(path).lower()


def test_shipped_default_layout_is_valid() -> None:
    layout = load_layout("default", [project_templates_dir() / "cards"])
    assert layout.title.max_lines >= 2
    assert layout.canonical() == load_layout("default", [project_templates_dir() / "cards"]).canonical()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[layers]]\ntype = "title"\nbox = [0, 0, 2, 1]\n', "box"),
        ('[[layers]]\ntype = "gradient"\n', "exactly one layer"),
        ('[[layers]]\ntype = "title"\nbox = [0, 0, 1, 1]\ncolor = "white"\n', "#rrggbb"),
        ('colour = "#000000"\n[[layers]]\ntype = "title"\nbox = [0, 0, 1, 1]\n', "colour"),
        ("layers = [", "invalid TOML"),
    ],
)
def test_bad_layouts_name_the_problem(text: str, needle: str) -> None:
    with pytest.raises(CardError) as info:
        parse_layout(text, "bad.toml")
    assert info.value.rule == "CARD013"
    assert needle in str(info.value)


def test_unknown_layout_lists_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(CardError, match="not found"):
        load_layout("nope", [tmp_path])
    with pytest.raises(CardError, match="lowercase"):
        load_layout("../etc/passwd", [tmp_path])


def test_korean_breaks_at_spaces_not_inside_words() -> None:
    tokens = [t.text for t in tokenize("골다공증에 좋은 운동 가이드", "cjk")]
    assert tokens == ["골다공증에", "좋은", "운동", "가이드"]
    assert detect_script("골다공증에 좋은 운동", "ko") == "cjk"
    assert 0xACE8 in coverage(font_path("cjk"))  # the CJK font carries Hangul

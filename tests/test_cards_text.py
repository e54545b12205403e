"""Scripts, fonts, font runs and line breaks — the parts of a card that are not pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pipeline.cards.fonts import CardError, card_setter, check_text
from pipeline.cards.layout import load_layout, parse_layout
from pipeline.cards.text import Box, fit
from pipeline.config import project_templates_dir
from pipeline.typeset.breaks import join_tokens, tokens
from pipeline.typeset.fonts import CATALOGUE, DEFAULT_FAMILY, Family, FontFile, FontSet, coverage
from pipeline.typeset.runs import visual_order
from pipeline.typeset.scripts import cjk_region, detect_script
from tests.cards_support import SAMPLES

# Kinsoku shori (JIS X 4051, basic set): these never start / end a line.
NO_LINE_START = frozenset(
    ")]}〕〉》」』】’”»ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々?!‼・:;/。.、,，．：；？！）］｝＞"
)
NO_LINE_END = frozenset("([{〔〈《「『【‘“«（［｛＜")


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
        ("OpenTelemetry কী?", "bn", "bengali"),  # the language's script wins when the title has it
        ("Best عربي word", "en", "latin"),  # ...and an English title with one Arabic word stays LTR
        ("ઑસ્ટિઓપોરોસિસ", "gu", "gujarati"),
        ("ਕਸਰਤਾਂ", "pa", "gurmukhi"),
        ("சிறந்த பயிற்சிகள்", "ta", "tamil"),
        ("ఉత్తమ", "te", "telugu"),
        ("ಮೂಳೆಗಳು", "kn", "kannada"),
        ("എല്ലുകൾ", "ml", "malayalam"),
        ("ව්‍යායාම", "si", "sinhala"),
        ("การออกกำลังกาย", "th", "thai"),
        ("ສຸຂະພາບ", "lo", "lao"),
        ("សុខភាព", "km", "khmer"),
        ("ကျန်းမာရေး", "my", "myanmar"),
        ("ძვლები", "ka", "georgian"),
        ("ոսկորներ", "hy", "armenian"),
        ("አጥንቶች", "am", "ethiopic"),
        ("骨粗しょう症 BMD", "ja", "cjk"),
        ("2025", "ar", "arabic"),
    ],
)
def test_detect_script(text: str, lang: str, script: str) -> None:
    assert detect_script(text, lang) == script


def test_every_script_has_an_installed_family_with_a_bold_weight() -> None:
    for script, name in DEFAULT_FAMILY.items():
        family = CATALOGUE[name]
        family.check_installed()
        regular, bold = family.file(400), family.file(700)
        assert bold.path != regular.path and "Bold" in bold.path.name, script
    for region in ("JP", "KR", "SC", "TC", "HK"):
        family = CATALOGUE[f"Noto Sans CJK {region}"]
        family.check_installed()
        assert family.file(700).path.name == "NotoSansCJK-Bold.ttc"
        assert region in TTFont(str(family.file(700).path), fontNumber=family.file(700).index)[
            "name"
        ].getDebugName(1)


def test_weight_matching_follows_css() -> None:
    noto = CATALOGUE["Noto Sans"]
    assert noto.file(600).weight == 700  # at or above 500: the next heavier
    assert noto.file(500).weight == 400  # below: the next lighter
    assert noto.file(900).weight == 700 and noto.file(100).weight == 400


def test_cjk_region_follows_the_language() -> None:
    assert [cjk_region(lang) for lang in ("ja", "ko", "zh", "zh-Hans", "zh-TW", "zh-Hant", "zh-HK")] == [
        "JP",
        "KR",
        "SC",
        "SC",
        "TC",
        "TC",
        "HK",
    ]
    assert cjk_region("en", "カタカナ") == "JP" and cjk_region("en", "한국어") == "KR"


def test_every_sample_title_has_a_font_for_every_character() -> None:
    for name, (lang, title) in SAMPLES.items():
        ts = card_setter(title, lang, 700)
        check_text(title, ts, name)  # raises CardError on a missing font, glyph or raqm
        assert ts.width(title, 50) > 0


def test_a_mixed_title_is_cut_into_font_runs() -> None:
    ts = card_setter("OpenTelemetry কী?", "bn", 700)
    runs, missing = ts.segment("OpenTelemetry কী?")
    assert not missing
    assert [(r.text, r.family.name) for r in runs] == [
        ("OpenTelemetry ", "Noto Sans"),
        ("কী?", "Noto Sans Bengali"),
    ]


def test_right_to_left_runs_are_ordered_by_the_bidi_rules() -> None:
    title = "دليل Kubernetes 1.29 للمبتدئين"
    ts = card_setter(title, "ar", 700)
    shown = [r.text.strip() for r in visual_order(ts.segment(title)[0]) if r.text.strip()]
    # Displayed left to right: the last Arabic word, the LTR island with its version number, the first word.
    assert shown == ["للمبتدئين", "Kubernetes 1.29", "دليل"]
    hebrew = "אחרי גיל 50!"
    shown = [r.text.strip() for r in visual_order(card_setter(hebrew, "he", 700).segment(hebrew)[0])]
    assert shown == ["!", "50", "אחרי גיל"]  # the '!' ends the sentence: at its left end


def test_emoji_sequences_use_the_emoji_font_and_never_its_spaces() -> None:
    title = "Walk 🚶‍♀️ and 🇩🇪 now"
    runs, missing = card_setter(title, "en", 700).segment(title)
    assert not missing
    emoji = [r.text for r in runs if r.family.name == "Noto Color Emoji"]
    assert emoji == ["🚶‍♀️", "🇩🇪"]


def test_missing_glyph_names_the_script() -> None:
    title = "Hello བཀྲ་ཤིས"
    with pytest.raises(CardError) as info:
        check_text(title, card_setter(title, "en", 700), "title")
    assert info.value.rule == "CARD004"
    assert "U+0F56" in str(info.value) and "Tibetan" in str(info.value)


def test_missing_font_file_names_the_debian_package(tmp_path: Path) -> None:
    absent = Family(
        "Noto Sans Bengali",
        (FontFile(tmp_path / "NotoSansBengali-Bold.ttf", 0, 700),),
        "the Debian package fonts-noto-core",
    )
    title = "অস্টিওপোরোসিস"
    with pytest.raises(CardError) as info:
        check_text(title, card_setter(title, "bn", 700, (("bengali", absent),)), "title")
    assert info.value.rule == "CARD005"
    assert "fonts-noto-core" in str(info.value) and "make install" in str(info.value)


def test_latin_breaks_only_at_spaces() -> None:
    pieces = tokens("  Die  besten Übungen\tbei Osteoporose ", "de", "latin")
    assert [t.text for t in pieces] == ["Die", "besten", "Übungen", "bei", "Osteoporose"]
    assert join_tokens(pieces) == "Die besten Übungen bei Osteoporose"


def test_japanese_breaks_between_phrases_not_inside_words() -> None:
    text = (
        "ユーザーガイド（2025年版）を読む。コントリビュート組織向け OpenTelemetry マーケティングガイドライン"
    )
    pieces = [t.text for t in tokens(text, "ja", "cjk")]
    assert join_tokens(tokens(text, "ja", "cjk")) == text
    assert "ユーザーガイド" in pieces  # not ユー|ザー, the example
    assert any("（2025年版）" in p for p in pieces)  # BudouX's 202|5 is refused: ICU never breaks a number
    assert "OpenTelemetry" in pieces
    for piece in pieces[1:]:
        assert piece[0] not in NO_LINE_START, pieces
    for piece in pieces[:-1]:
        assert piece[-1] not in NO_LINE_END, pieces


def test_chinese_uses_its_own_phrase_model() -> None:
    simplified = [t.text for t in tokens("骨质疏松症的最佳运动：五十岁后如何科学地增强骨密度", "zh", "cjk")]
    assert "骨质疏松症" in "".join(simplified[:2]) and len(simplified) >= 5
    assert all(len(p) <= 6 for p in simplified)
    traditional = tokens("骨質疏鬆症的最佳運動：五十歲後", "zh-Hant", "cjk")
    assert join_tokens(traditional) == "骨質疏鬆症的最佳運動：五十歲後" and len(traditional) >= 4


def test_korean_breaks_at_spaces_not_inside_words() -> None:
    assert [t.text for t in tokens("골다공증에 좋은 운동 가이드", "ko", "cjk")] == [
        "골다공증에",
        "좋은",
        "운동",
        "가이드",
    ]
    assert [t.text for t in tokens("운동: 50세 이후", "ko", "cjk")] == ["운동:", "50세", "이후"]


@pytest.mark.parametrize(
    ("lang", "text", "word"),
    [
        ("th", "การออกกำลังกายที่ดีที่สุดสำหรับโรคกระดูกพรุน", "กระดูก"),
        ("km", "ការហាត់ប្រាណល្អបំផុតសម្រាប់ឆ្អឹង", "សម្រាប់"),
        ("lo", "ຂໍ້ມູນກ່ຽວກັບສຸຂະພາບກະດູກ", "ສຸຂະພາບ"),
        ("my", "ကျန်းမာရေးအတွက်အကောင်းဆုံးလေ့ကျင့်ခန်းများ", "အတွက်"),
    ],
)
def test_scripts_without_spaces_break_between_dictionary_words(lang: str, text: str, word: str) -> None:
    pieces = [t.text for t in tokens(text, lang, detect_script(text, lang))]
    assert "".join(pieces) == text
    assert len(pieces) >= 4
    assert word in pieces


def test_indic_words_stay_whole_and_marks_stay_with_their_letters() -> None:
    text = "ऑस्टियोपोरोसिस के लिए सर्वोत्तम व्यायाम"
    assert [t.text for t in tokens(text, "hi", "devanagari")] == text.split()


def _box(**kw: object) -> Box:
    fields: dict[str, object] = {
        "max_width": 600,
        "max_height": 400,
        "min_size": 20,
        "max_size": 90,
        "max_lines": 3,
        "line_height": 1.2,
    }
    fields.update(kw)
    return Box(**fields)  # type: ignore[arg-type]


def _measure(lang: str, text: str) -> object:
    ts = card_setter(text, lang, 700)
    return lambda size: lambda t: ts.width(t, size)


def test_fit_picks_largest_size_and_respects_lines() -> None:
    short = fit("Sleep", "en", "latin", _box(), _measure("en", "Sleep"))  # type: ignore[arg-type]
    assert short.size == 90 and short.lines == ["Sleep"] and not short.truncated
    long_text = "Strength training after fifty keeps bones and muscles young"
    measure = _measure("en", long_text)
    fitted = fit(long_text, "en", "latin", _box(max_lines=2), measure)  # type: ignore[arg-type]
    assert len(fitted.lines) <= 2
    assert all(measure(fitted.size)(line) <= 600 for line in fitted.lines)  # type: ignore[operator]
    over = fit(long_text, "en", "latin", _box(max_lines=2, min_size=fitted.size + 1), measure)  # type: ignore[arg-type]
    assert over.truncated  # one size up nothing fits: the search really found the maximum


def test_balanced_lines_leave_no_lone_last_word() -> None:
    text = "Οι καλύτερες ασκήσεις για την οστεοπόρωση μετά τα 50"
    measure = _measure("el", text)
    plain = fit(text, "el", "latin", _box(max_width=1056, max_size=76, min_size=60), measure)  # type: ignore[arg-type]
    even = fit(text, "el", "latin", _box(max_width=1056, max_size=76, min_size=60, balance=True), measure)  # type: ignore[arg-type]
    assert plain.size == even.size and len(plain.lines) == len(even.lines) == 3
    assert plain.lines[-1] == "50"
    widths = [measure(even.size)(line) for line in even.lines]  # type: ignore[operator]
    assert len(even.lines[-1].split()) >= 2 and min(widths) > 0.4 * max(widths), even.lines
    assert max(widths) < max(measure(plain.size)(line) for line in plain.lines)  # type: ignore[operator]


def test_japanese_title_wraps_at_phrases_in_a_narrow_box() -> None:
    text = "ユーザーガイドを読んでからコントリビュートしてください"
    fitted = fit(text, "ja", "cjk", _box(max_width=600, max_size=40, min_size=40), _measure("ja", text))  # type: ignore[arg-type]
    assert len(fitted.lines) >= 2 and "".join(fitted.lines) == text
    joined = "|".join(fitted.lines)
    for word in ("ユーザー", "ガイド", "コントリビュート"):
        assert word in joined, fitted.lines


def test_fast_cmap_reader_agrees_with_fonttools() -> None:
    for name in (
        "Noto Sans",
        "Noto Sans Arabic",
        "Noto Sans Bengali",
        "Noto Sans Myanmar",
        "Noto Color Emoji",
    ):
        file = CATALOGUE[name].file(700)
        assert coverage(file) == frozenset(TTFont(str(file.path), lazy=True).getBestCmap()), name
    kr = CATALOGUE["Noto Sans CJK KR"].file(700)
    assert 0xACE8 in coverage(kr) and 0x3042 in coverage(kr)  # Hangul and kana in the collection's KR face


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
        ('fonts = { klingon = "x.ttf" }\n[[layers]]\ntype = "title"\nbox = [0, 0, 1, 1]\n', "not a script"),
        ('fonts = { arabic = "Comic Sans" }\n[[layers]]\ntype = "title"\nbox = [0, 0, 1, 1]\n', "Noto Naskh"),
        (
            'fonts = { latin = { heavy = "a.ttf" } }\n[[layers]]\ntype = "title"\nbox = [0, 0, 1, 1]\n',
            "weight",
        ),
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


_LAYERS = '[[layers]]\ntype = "title"\nbox = [0.1, 0.1, 0.8, 0.8]\n'


def _layout_with_fonts(tmp_path: Path, fonts: str) -> Path:
    folder = tmp_path / "templates" / "cards"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brand.toml").write_text(f"fonts = {fonts}\n{_LAYERS}", "utf-8")
    return folder


def test_layout_fonts_name_a_family_or_a_file_inside_the_project(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    serif = CATALOGUE["Noto Serif"]
    (tmp_path / "fonts" / "Brand-Bold.ttf").write_bytes(serif.file(700).path.read_bytes())
    (tmp_path / "fonts" / "Brand.ttf").write_bytes(serif.file(400).path.read_bytes())
    folder = _layout_with_fonts(
        tmp_path,
        '{ arabic = "Noto Naskh Arabic", latin = { regular = "fonts/Brand.ttf", bold = "fonts/Brand-Bold.ttf" } }',
    )
    layout = load_layout("brand", [folder], tmp_path)
    chosen = dict(layout.families)
    assert chosen["arabic"].name == "Noto Naskh Arabic"
    assert chosen["latin"].file(700).path == (tmp_path / "fonts" / "Brand-Bold.ttf").resolve()
    ts = card_setter("Bones", "en", 700, layout.families)
    assert ts.segment("Bones")[0][0].family == chosen["latin"]
    assert card_setter("عظام", "ar", 700, layout.families).family.name == "Noto Naskh Arabic"


@pytest.mark.parametrize(
    ("fonts", "needle"),
    [
        ('{ latin = "../outside.ttf" }', ".."),
        ('{ latin = "ABSOLUTE" }', "outside"),
        ('{ latin = "fonts/none.ttf" }', "not found"),
        ('{ latin = "fonts/fake.ttf" }', "not a font"),
    ],
)
def test_layout_font_files_stay_inside_the_project_and_are_fonts(
    tmp_path: Path, fonts: str, needle: str
) -> None:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "fake.ttf").write_text("not a font", "utf-8")
    outside = tmp_path.parent / "outside.ttf"
    outside.write_bytes(CATALOGUE["Noto Serif"].file(400).path.read_bytes())
    folder = _layout_with_fonts(tmp_path, fonts.replace("ABSOLUTE", str(outside)))
    with pytest.raises(CardError) as info:
        load_layout("brand", [folder], tmp_path)
    assert info.value.rule == "CARD013"
    assert needle in str(info.value), str(info.value)


def test_font_set_is_hashable_and_keyed_by_choices() -> None:
    a = FontSet("en", "SC")
    b = FontSet("en", "SC", (("latin", CATALOGUE["Noto Serif"]),))
    assert a != b and hash(a) != hash(b)
    assert b.family("latin").name == "Noto Serif" and a.family("latin").name == "Noto Sans"
    assert FontSet("ur", "SC").family("arabic").name == "Noto Nastaliq Urdu"

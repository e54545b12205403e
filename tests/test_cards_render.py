"""Card rendering: golden images per script, RTL geometry, CJK wrapping, weights, emoji, contrast, encoding.

Golden images (one Open Graph card per sample in tests.cards_support.SAMPLES: every script, CJK region, mixed
and emoji titles) live in tests/golden/cards/ at half size; `PIPELINE_UPDATE_GOLDEN=1` (make update-golden)
rewrites them. `make contact-sheet` (bench/contact_sheet.py) lays out every OG and X card for a person to look at.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from pipeline.cards.layout import load_layout, pixel_box
from pipeline.cards.render import CARD_MARKER, SIZES, CardOutcome, CardSpec, render_card
from pipeline.config import project_templates_dir
from tests.cards_support import SAMPLES, TITLES, hero_bytes
from tests.test_cards_text import NO_LINE_END, NO_LINE_START

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "cards"
ARTIFACTS = REPO / "test-artifacts"
TOLERANCE = 3.0  # mean absolute difference per channel (0..255) at half size
LAYOUT = load_layout("default", [project_templates_dir() / "cards"])


def _spec(tmp: Path, lang: str, title: str, *, hero: bytes | None = None, **extra: object) -> CardSpec:
    path: Path | None = None
    if hero is not None:
        path = tmp / f"hero-{abs(hash(hero)) % 10**8}.jpg"
        path.write_bytes(hero)
    fields: dict[str, object] = {
        "post_rel": f"{lang}/post.md",
        "lang": lang,
        "kind": "og",
        "out": tmp / f"{lang}.jpg",
        "fmt": "jpeg",
        "title": title,
        "site": "Longevity Notes",
        "tag": "bones",
        "layout": LAYOUT,
        "hero": path,
        "focus": None,
        "max_bytes": 1_000_000,
    }
    fields.update(extra)
    return CardSpec(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CardOutcome]:
    tmp = tmp_path_factory.mktemp("cards")
    hero = hero_bytes()
    return {name: render_card(_spec(tmp, lang, title, hero=hero)) for name, (lang, title) in SAMPLES.items()}


def _image(outcome: CardOutcome) -> Image.Image:
    assert outcome.error is None, outcome.error
    assert outcome.data is not None
    return Image.open(io.BytesIO(outcome.data)).convert("RGB")


def _ink(img: Image.Image, outcome: CardOutcome) -> np.ndarray:
    """Mask of white title pixels inside the layout's title band (the badge and site name are excluded)."""
    arr = np.asarray(img, dtype=np.int16)
    _, top, _, bottom = pixel_box(LAYOUT.title.box, *img.size)
    mask = np.zeros(arr.shape[:2], dtype=bool)
    y0 = min(top, outcome.title_box[1])
    mask[y0:bottom] = (arr[y0:bottom] >= 235).all(axis=-1)
    return mask


@pytest.mark.parametrize("name", list(SAMPLES))
def test_golden_card_matches(rendered: dict[str, CardOutcome], name: str) -> None:
    img = _image(rendered[name]).reduce(2)
    golden = GOLDEN / f"{name}.png"
    if os.environ.get("PIPELINE_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        img.quantize(256, Image.Quantize.MEDIANCUT).save(golden, optimize=True)
    assert golden.is_file(), f"{golden} missing; run `make update-golden`"
    expected = np.asarray(Image.open(golden).convert("RGB"), dtype=np.float32)
    actual = np.asarray(img, dtype=np.float32)
    assert actual.shape == expected.shape
    diff = float(np.abs(actual - expected).mean())
    assert diff <= TOLERANCE, f"{name}: mean abs difference {diff:.2f} > {TOLERANCE} (see {golden})"


def test_every_sample_renders_without_a_finding_but_contrast(rendered: dict[str, CardOutcome]) -> None:
    for name, outcome in rendered.items():
        assert outcome.error is None, (name, outcome.error)
        assert {rule for rule, _, _ in outcome.notes} <= {"CARD007"}, (name, outcome.notes)


def test_contact_sheet_script_lays_out_og_and_x_cards(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "sheet.png"
    script = REPO / "bench" / "contact_sheet.py"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(out), "--only", "ar,bn-mixed"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sheet = Image.open(out)
    assert sheet.width > 1200 and sheet.height > 2 * 315


@pytest.mark.parametrize("lang", ["ar", "he", "fa", "ur", "ar-mixed"])
def test_rtl_title_hugs_the_right_margin(rendered: dict[str, CardOutcome], lang: str) -> None:
    outcome = rendered[lang]
    img = _image(outcome)
    ink = _ink(img, outcome)
    right_margin = pixel_box(LAYOUT.title.box, *img.size)[2]  # the mirrored box ends where the LTR one began
    left_margin = img.size[0] - right_margin
    rows = np.flatnonzero(ink.any(axis=1))
    assert rows.size > 0
    if lang == "ur":  # Nastaliq lines interlock (no blank rows between them): check the block's right edge
        assert len(outcome.lines) >= 2
        assert abs(int(np.flatnonzero(ink.any(axis=0)).max()) - right_margin) <= 8
        return
    # Split ink rows into text lines at gaps, then look at each line's horizontal extent.
    lines = np.split(rows, np.flatnonzero(np.diff(rows) > 6) + 1)
    rights, lefts = [], []
    for band in lines:
        if band.size < 8:  # dots and marks above a line
            continue
        cols = np.flatnonzero(ink[band].any(axis=0))
        lefts.append(int(cols.min()))
        rights.append(int(cols.max()))
    assert len(rights) >= 2, "expected a wrapped title"
    assert all(abs(r - right_margin) <= 8 for r in rights), (rights, right_margin)
    assert max(lefts) > left_margin + 40, "some line should end short of the left margin (right aligned)"


def test_ltr_title_hugs_the_left_margin(rendered: dict[str, CardOutcome]) -> None:
    outcome = rendered["en"]
    img = _image(outcome)
    cols = np.flatnonzero(_ink(img, outcome).any(axis=0))
    left_margin = pixel_box(LAYOUT.title.box, *img.size)[0]
    assert abs(int(cols.min()) - left_margin) <= 8


@pytest.mark.parametrize("name", ["ja", "zh", "zh-Hant", "ja-mixed"])
def test_cjk_title_wraps_inside_its_box(rendered: dict[str, CardOutcome], name: str) -> None:
    outcome = rendered[name]
    assert len(outcome.lines) >= 2
    img = _image(outcome)
    left, _, right, _ = pixel_box(LAYOUT.title.box, *img.size)
    cols = np.flatnonzero(_ink(img, outcome).any(axis=0))
    assert cols.min() >= left - 4 and cols.max() <= right + 4
    for i, line in enumerate(outcome.lines):
        assert i == 0 or line[0] not in NO_LINE_START, outcome.lines
        assert i == len(outcome.lines) - 1 or line[-1] not in NO_LINE_END, outcome.lines
    assert "".join(outcome.lines).replace(" ", "") == SAMPLES[name][1].replace(" ", "")


def test_japanese_lines_break_between_phrases(rendered: dict[str, CardOutcome]) -> None:
    lines = rendered["ja-mixed"].lines
    assert lines == ["コントリビュート組織向け", "OpenTelemetry", "マーケティングガイドライン"], lines


def _ink_count(tmp: Path, lang: str, title: str, weight: int) -> int:
    layout = LAYOUT.model_copy(
        update={
            "layers": [
                x.model_copy(update={"weight": weight}) if x.type == "title" else x for x in LAYOUT.layers
            ]
        }
    )
    outcome = render_card(_spec(tmp, lang, title, layout=layout))
    return int(_ink(_image(outcome), outcome).sum())


@pytest.mark.parametrize(
    ("lang", "title"), [("ja", "骨密度を高める方法"), ("bn", "মজবুত হাড়"), ("en", "Strong Bones")]
)
def test_bold_titles_are_drawn_bold_in_every_script(tmp_path: Path, lang: str, title: str) -> None:
    """CJK used to have one weight; now every script's title is as heavy as bold Latin next to it."""
    regular, bold = _ink_count(tmp_path, lang, title, 400), _ink_count(tmp_path, lang, title, 700)
    assert bold > regular * 1.2, (lang, regular, bold)


def test_regional_cjk_faces_differ(tmp_path: Path) -> None:
    """The same code points drawn for Japanese and for Traditional Chinese use their own glyph shapes."""
    title = "骨質直角"
    ja = np.asarray(_image(render_card(_spec(tmp_path, "ja", title))), dtype=np.int16)
    tw = np.asarray(_image(render_card(_spec(tmp_path, "zh-TW", title))), dtype=np.int16)
    assert float(np.abs(ja - tw).mean()) > 0.5


def test_emoji_are_drawn_in_colour(rendered: dict[str, CardOutcome]) -> None:
    outcome = rendered["emoji"]
    arr = np.asarray(_image(outcome), dtype=np.int16)
    x0, y0, x1, y1 = outcome.title_box
    region = arr[y0:y1, x0:x1]
    # The flag's red and gold: strongly saturated pixels no white title or dark scrim has.
    saturated = (region.max(axis=-1) - region.min(axis=-1)) > 150
    assert int(saturated.sum()) > 200


def test_long_unbroken_cjk_title_is_cut_with_ellipsis(tmp_path: Path) -> None:
    title = "骨質疏鬆症" * 40
    outcome = render_card(_spec(tmp_path, "zh", title))
    assert outcome.error is None
    assert len(outcome.lines) == LAYOUT.title.max_lines
    assert outcome.lines[-1].endswith("…")
    assert any(rule == "CARD008" for rule, _, _ in outcome.notes)
    assert outcome.font_size == LAYOUT.title.min_size


def test_title_uses_the_largest_size_that_fits(tmp_path: Path) -> None:
    short = render_card(_spec(tmp_path, "en", "Sleep"))
    long = render_card(_spec(tmp_path, "en", TITLES["en"] + " and Live Longer With Less Pain"))
    assert short.font_size == LAYOUT.title.max_size
    assert long.font_size < short.font_size
    assert len(long.lines) <= LAYOUT.title.max_lines


def test_missing_glyph_is_an_error_not_tofu(tmp_path: Path) -> None:
    outcome = render_card(_spec(tmp_path, "en", "Walking བཀྲ་ཤིས for health"))
    assert outcome.data is None
    assert outcome.error is not None and outcome.error[0] == "CARD004"
    assert "U+0F56" in outcome.error[1] and "Tibetan" in outcome.error[1]


def test_complex_script_without_raqm_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = features.check
    monkeypatch.setattr(features, "check", lambda name: False if name == "raqm" else real(name))
    outcome = render_card(_spec(tmp_path, "ar", TITLES["ar"]))
    assert outcome.error is not None and outcome.error[0] == "CARD005"
    assert render_card(_spec(tmp_path, "en", "Plain Latin still renders")).error is None


def test_bright_hero_darkens_scrim_until_contrast_passes(tmp_path: Path) -> None:
    white = io.BytesIO()
    Image.new("RGB", (1400, 800), (250, 250, 245)).save(white, "JPEG")
    outcome = render_card(_spec(tmp_path, "en", "Morning light", hero=white.getvalue()))
    assert outcome.scrim_alpha > 0
    assert outcome.contrast >= LAYOUT.title.min_contrast
    assert any(rule == "CARD007" for rule, _, _ in outcome.notes)
    # The pixels behind the text really are darker than the bare hero.
    x0, y0, x1, y1 = outcome.title_box
    region = np.asarray(_image(outcome).crop((x0, y0, x1, y1)), dtype=np.float32)
    assert float(np.median(region)) < 120


def test_output_is_progressive_srgb_jpeg_without_metadata(tmp_path: Path) -> None:
    src = Image.open(io.BytesIO(hero_bytes(1500, 900)))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    buf = io.BytesIO()
    src.save(buf, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    outcome = render_card(_spec(tmp_path, "en", "Metadata is stripped", hero=buf.getvalue()))
    card = Image.open(io.BytesIO(outcome.data or b""))
    assert card.format == "JPEG" and card.mode == "RGB" and card.size == SIZES["og"]
    assert card.info.get("progressive") or card.info.get("progression")
    assert "exif" not in card.info and "icc_profile" not in card.info
    assert card.info.get("comment") == CARD_MARKER  # our marker only, never the hero's comment
    assert b"CameraMaker" not in (outcome.data or b"")


def test_quality_drops_until_under_the_byte_ceiling(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).integers(0, 255, (700, 1300, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise, "RGB").save(buf, "PNG")
    first = render_card(_spec(tmp_path, "en", "Noise", hero=buf.getvalue()))
    assert first.data is not None and first.quality is not None
    ceiling = int(len(first.data) * 0.6)
    smaller = render_card(_spec(tmp_path, "en", "Noise", hero=buf.getvalue(), max_bytes=ceiling))
    assert smaller.data is not None and len(smaller.data) <= ceiling
    assert smaller.quality is not None and smaller.quality < first.quality
    impossible = render_card(_spec(tmp_path, "en", "Noise", hero=buf.getvalue(), max_bytes=5_000))
    assert impossible.error is not None and impossible.error[0] == "CARD010"


def test_small_hero_warns_about_upscaling(tmp_path: Path) -> None:
    outcome = render_card(_spec(tmp_path, "en", "Small photo", hero=hero_bytes(600, 400)))
    assert outcome.error is None
    assert any(rule == "CARD006" and "600×400" in msg for rule, _, msg in outcome.notes)
    big = render_card(_spec(tmp_path, "en", "Big photo", hero=hero_bytes(1600, 1000)))
    assert not any(rule == "CARD006" for rule, _, _ in big.notes)


def _split_hero() -> bytes:
    arr = np.zeros((630, 2400, 3), dtype=np.uint8)
    arr[:, :1200] = (200, 30, 30)
    arr[:, 1200:] = (30, 30, 200)
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, "PNG")
    return buf.getvalue()


def test_focus_point_picks_the_crop(tmp_path: Path) -> None:
    hero = _split_hero()
    left = _image(render_card(_spec(tmp_path, "en", "Left", hero=hero, focus=(0.0, 0.5))))
    right = _image(render_card(_spec(tmp_path, "en", "Right", hero=hero, focus=(1.0, 0.5))))
    r, _, b = left.getpixel((600, 40))  # type: ignore[misc]
    assert r > 150 and b < 80
    r, _, b = right.getpixel((600, 40))  # type: ignore[misc]
    assert b > 150 and r < 80


def test_automatic_crop_follows_detail(tmp_path: Path) -> None:
    arr = np.full((630, 2400, 3), 128, dtype=np.uint8)
    yy, xx = np.mgrid[0:630, 0:800]
    arr[:, 1600:] = np.where(((yy // 20 + xx // 20) % 2 == 0)[..., None], 255, 0).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, "PNG")
    card = np.asarray(
        _image(render_card(_spec(tmp_path, "en", "Detail", hero=buf.getvalue()))), dtype=np.float32
    )
    # A centred crop would show the checkerboard only in the last 200 px; following the detail shows more.
    assert float(card[10:120, 700:900].std()) > 40


def test_coloured_gradient_layer_tints_the_card(tmp_path: Path) -> None:
    from pipeline.cards.layout import parse_layout

    layout = parse_layout(
        '[[layers]]\ntype = "gradient"\ncolor = "#ff0000"\nalpha_start = 1.0\nalpha_end = 1.0\n'
        '[[layers]]\ntype = "title"\nbox = [0.1, 0.5, 0.8, 0.4]\n',
        "red.toml",
    )
    outcome = render_card(_spec(tmp_path, "en", "Red", hero=hero_bytes(), layout=layout))
    r, g, b = _image(outcome).getpixel((20, 20))  # type: ignore[misc]
    assert r > 230 and g < 30 and b < 30


def test_wcag_maths_and_dark_text_lightens_the_scrim() -> None:
    from pipeline.cards.contrast import contrast_ratio, ensure_contrast, luminance

    assert luminance((255, 255, 255)) == pytest.approx(1.0)
    assert contrast_ratio(luminance((255, 255, 255)), luminance((0, 0, 0))) == pytest.approx(21.0)
    assert contrast_ratio(luminance((118, 118, 118)), 1.0) == pytest.approx(4.54, abs=0.05)
    canvas = Image.new("RGB", (600, 300), (90, 90, 90))
    result = ensure_contrast(canvas, (100, 100, 500, 200), (20, 20, 20), 4.5)
    assert result.before < 4.5 <= result.after and result.alpha > 0
    pixel = canvas.getpixel((300, 150))
    assert isinstance(pixel, tuple) and pixel[0] > 90  # lightened behind dark text, not darkened
    untouched = ensure_contrast(
        Image.new("RGB", (600, 300), (0, 0, 0)), (100, 100, 500, 200), (255, 255, 255), 4.5
    )
    assert untouched.alpha == 0 and untouched.after == pytest.approx(21.0)


def test_exif_orientation_is_applied_before_cropping(tmp_path: Path) -> None:
    raw = np.zeros((1400, 700, 3), dtype=np.uint8)  # portrait as stored: red top, blue bottom
    raw[:700] = (220, 20, 20)
    raw[700:] = (20, 20, 220)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": the stored top row becomes the right-hand side
    buf = io.BytesIO()
    Image.fromarray(raw, "RGB").save(buf, "JPEG", exif=exif.tobytes())
    outcome = render_card(_spec(tmp_path, "en", "Rotated", hero=buf.getvalue()))
    card = _image(outcome)
    left, right = card.getpixel((300, 40)), card.getpixel((1100, 40))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[2] > 150 and right[0] > 150
    assert not any(rule == "CARD006" and "700×1400" in msg for rule, _, msg in outcome.notes)


def test_transparent_png_hero_sits_on_the_layout_background(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGBA", (1400, 800), (255, 0, 0, 0)).save(buf, "PNG")
    card = _image(render_card(_spec(tmp_path, "en", "Clear", hero=buf.getvalue())))
    pixel = card.getpixel((600, 30))
    assert isinstance(pixel, tuple)
    expected = tuple(int(LAYOUT.background[i : i + 2], 16) for i in (1, 3, 5))
    assert all(abs(a - b) <= 6 for a, b in zip(pixel, expected, strict=True)), (pixel, expected)


@pytest.mark.parametrize("shape", [(1400, 1000), (900, 1600), (2600, 1000)])
def test_cards_cut_from_a_shared_resize_match_ones_resized_alone(shape: tuple[int, int]) -> None:
    """OG and X heroes cut from one resized union of their windows look like each resized on its own."""
    from pipeline.cards.crop import forget, load_hero, memo_size

    w, h = shape
    yy, xx = np.mgrid[0:h, 0:w]
    arr = np.stack([xx * 255 // w, yy * 255 // h, ((xx // 37 + yy // 53) % 2) * 200], axis=-1).astype(
        np.uint8
    )
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, "PNG")
    data = buf.getvalue()
    sizes = tuple(SIZES.values())
    forget()
    shared = [load_hero(data, size, None, memo_key="hero", siblings=sizes).image for size in sizes]
    assert memo_size() == 1
    alone = [load_hero(data, size, None).image for size in sizes]
    for a, b, size in zip(shared, alone, sizes, strict=True):
        assert a.size == b.size == size
        diff = np.abs(np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32))
        assert float(diff.mean()) < 1.0

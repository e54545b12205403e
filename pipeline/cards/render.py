"""Compose one card: hero, scrim, title, site name and badge; check contrast; encode under the byte ceiling.

`render_card` is a pure function of its `CardSpec` (plus the font files), which is what makes the content-keyed
cache sound and lets the stage run it in worker processes. It never raises for a card problem: the outcome
carries the error (rule id + message) so one bad title never stops the run.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageChops, ImageDraw, PngImagePlugin

from pipeline.cards.contrast import ensure_contrast
from pipeline.cards.crop import load_hero
from pipeline.cards.fonts import CardError, card_setter, check_text
from pipeline.cards.layout import GradientLayer, Layout, TextLayer, TitleLayer, hex_rgb, pixel_box
from pipeline.cards.text import Box, Fitted, Measure, fit
from pipeline.langtags import bcp47
from pipeline.typeset.fonts import FontMissing
from pipeline.typeset.runs import LayoutFailed, Setter

RENDERER_VERSION = "cards-6"  # bump whenever output bytes change: it is part of the cache key
CARD_MARKER = b"pipeline-cards"  # JPEG comment / PNG Software text of every card we write (see is_card)
JPEG_QUALITIES = (86, 80, 74, 68, 62, 56, 50, 44, 38)
Kind = Literal["og", "twitter"]
# Open Graph is 1.91:1; X's summary_large_image shows 2:1, so X gets its own 1200×600 card rather than a centre
# crop of the OG card that could cut the title.
SIZES: dict[str, tuple[int, int]] = {"og": (1200, 630), "twitter": (1200, 600)}


@dataclass(frozen=True)
class CardSpec:
    post_rel: str
    lang: str
    kind: Kind
    out: Path
    fmt: Literal["jpeg", "png"]
    title: str
    site: str
    tag: str
    layout: Layout
    hero: Path | None
    focus: tuple[float, float] | None
    max_bytes: int
    key: str = ""


@dataclass
class CardOutcome:
    spec: CardSpec
    data: bytes | None = None
    error: tuple[str, str] | None = None
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, severity, message)
    width: int = 0
    height: int = 0
    quality: int | None = None
    font_size: int = 0
    lines: list[str] = field(default_factory=list)
    title_box: tuple[int, int, int, int] = (0, 0, 0, 0)
    contrast: float = 0.0
    scrim_alpha: float = 0.0


# --- layers ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _gradient_mask(w: int, h: int, a0: float, a1: float) -> Image.Image:
    ramp = np.linspace(a0 * 255, a1 * 255, h, dtype=np.float32)
    return Image.fromarray(np.repeat(ramp[:, None], w, axis=1).astype(np.uint8), "L")


@lru_cache(maxsize=32)
def _gradient_multiplier(w: int, h: int, a0: float, a1: float) -> Image.Image:
    """255·(1 − alpha) as an RGB image: a black scrim is a plain multiply, about twice as fast as a masked paste."""
    ramp = 255 - np.linspace(a0 * 255, a1 * 255, h, dtype=np.float32)
    return Image.fromarray(np.repeat(ramp[:, None], w, axis=1).astype(np.uint8), "L").convert("RGB")


def _apply_gradient(canvas: Image.Image, layer: GradientLayer, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    size = (right - left, bottom - top, layer.alpha_start, layer.alpha_end)
    if layer.color == "#000000":
        region = canvas.crop(box)
        canvas.paste(ImageChops.multiply(region, _gradient_multiplier(*size)), (left, top))
    else:
        canvas.paste(hex_rgb(layer.color), box, _gradient_mask(*size))


def _mirror(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (max(0.0, 1.0 - x - w), y, w, h)


def fill_text(text: str, spec: CardSpec) -> str:
    return (
        text.replace("{site}", spec.site)
        .replace("{lang}", spec.lang)
        .replace("{LANG}", bcp47(spec.lang).upper())  # the badge: ZH-TW for a site's zh_tw
        .replace("{tag}", spec.tag)
    )


def _anchor_x(align: str, rtl: bool, left: int, right: int) -> tuple[int, str]:
    side = {"start": "r" if rtl else "l", "end": "l" if rtl else "r", "center": "m"}[align]
    return {"l": left, "r": right, "m": (left + right) // 2}[side], side


# --- the card -------------------------------------------------------------------------------------------------


def warm(specs: list[CardSpec]) -> None:
    """Load font coverage, ICU and the BudouX models once in the parent, so forked workers inherit them."""
    from pipeline.typeset.breaks import warm as warm_breaks

    warm_breaks({s.lang for s in specs})
    for spec in specs:
        title = " ".join(spec.title.split())
        ts = card_setter(title, spec.lang, spec.layout.title.weight, spec.layout.families)
        try:
            ts.require_fonts(title)
        except FontMissing:
            continue  # the card itself reports it
        ts.segment(title)


def render_card(spec: CardSpec) -> CardOutcome:
    outcome = CardOutcome(spec)
    try:
        _render(spec, outcome)
    except CardError as exc:
        outcome.error = (exc.rule, str(exc))
        outcome.data = None
    except LayoutFailed as exc:
        outcome.error = ("CARD005", f"title or text cannot be laid out: {exc}")
        outcome.data = None
    return outcome


def _render(spec: CardSpec, outcome: CardOutcome) -> None:
    layout = spec.layout
    width, height = SIZES[spec.kind]
    outcome.width, outcome.height = width, height
    title = " ".join(spec.title.split())
    if not title:
        raise CardError("CARD011", "post has no title; add `title:` to the front matter")
    ts = card_setter(title, spec.lang, layout.title.weight, layout.families)
    check_text(title, ts, "title")
    rtl = ts.rtl
    bg = hex_rgb(layout.background)

    canvas, upscale, source_size = _backdrop(spec, (width, height), bg, rtl)
    if upscale > 1.01:
        sw, sh = source_size
        outcome.notes.append(
            (
                "CARD006",
                "warning",
                f"hero is {sw}×{sh}; the {width}×{height} {spec.kind} card enlarges it ×{upscale:.2f} "
                f"and it will look soft — use a hero at least {width} px wide",
            )
        )

    title_layer = layout.title
    _draw_title(canvas, outcome, title_layer, title, ts)
    for layer in layout.layers:
        if isinstance(layer, TextLayer):
            _draw_text_layer(canvas, spec, layer, rtl)
    _encode(canvas, spec, outcome)


# The hero cut to the card with the gradients on it, the hero's upscale factor and its source size.
Backdrop = tuple[Image.Image, float, tuple[int, int]]
_BACKDROPS: dict[tuple[object, ...], Backdrop] = {}


def forget() -> None:
    """Drop every memoised hero and backdrop (benchmarks measure a card whose hero is new)."""
    from pipeline.cards.crop import forget as forget_heroes

    forget_heroes()
    _BACKDROPS.clear()


def _backdrop(spec: CardSpec, size: tuple[int, int], bg: tuple[int, int, int], rtl: bool) -> Backdrop:
    """The part of a card that no text touches: the hero cut to `size` (or the background) under the gradients.

    Every language version of a post has the same backdrop per card size and direction, and the stage renders a
    hero's cards one after another, so the backdrops of the hero in hand are memoised and a card starts from a
    copy: the gradient multiply is an eighth of a card's cost. The key holds everything the pixels depend on
    (hero file identity, size, focus, background, each gradient and its box); a hero that cannot be decoded is
    never memoised, so each of its cards reports it.
    """
    width, height = size
    gradients = tuple(
        (layer, pixel_box(_mirror(layer.box) if rtl else layer.box, width, height))
        for layer in spec.layout.layers
        if isinstance(layer, GradientLayer)
    )
    source: object = None
    if spec.hero is not None:
        try:
            st = spec.hero.stat()
        except OSError as exc:
            raise CardError("CARD003", f"hero image {spec.hero} cannot be read: {exc.strerror}") from None
        source = f"{spec.hero}:{st.st_size}:{st.st_mtime_ns}:{bg}"
    key = (source, bg, size, spec.focus, gradients)
    found = _BACKDROPS.get(key)
    if found is None:
        found = _compose_backdrop(spec, size, bg, gradients, source)
        if len(_BACKDROPS) >= 8 or any(k[0] != source for k in _BACKDROPS):
            _BACKDROPS.clear()  # only the hero in hand: its cards come one after another
        _BACKDROPS[key] = found
    return found[0].copy(), found[1], found[2]


def _compose_backdrop(
    spec: CardSpec,
    size: tuple[int, int],
    bg: tuple[int, int, int],
    gradients: tuple[tuple[GradientLayer, tuple[int, int, int, int]], ...],
    source: object,
) -> Backdrop:
    upscale, source_size = 1.0, size
    if spec.hero is not None:
        try:
            data = spec.hero.read_bytes()
        except OSError as exc:
            raise CardError("CARD003", f"hero image {spec.hero} cannot be read: {exc.strerror}") from None
        cover = (max(w for w, _ in SIZES.values()), max(h for _, h in SIZES.values()))
        hero = load_hero(
            data, size, spec.focus, bg, cover=cover, memo_key=str(source), siblings=tuple(SIZES.values())
        )
        canvas, upscale, source_size = hero.image, hero.upscale, hero.source_size
    else:
        canvas = Image.new("RGB", size, bg)
    for layer, box in gradients:
        _apply_gradient(canvas, layer, box)
    return canvas, upscale, source_size


def _draw_title(canvas: Image.Image, outcome: CardOutcome, layer: TitleLayer, title: str, ts: Setter) -> None:
    width, height = canvas.size
    rtl = ts.rtl
    box = _mirror(layer.box) if rtl else layer.box
    left, top, right, bottom = pixel_box(box, width, height)

    def measure_at(size: int) -> Measure:
        return lambda text: ts.width(text, size)

    line_height = layer.line_height * ts.family.line_scale
    fitted: Fitted = fit(
        title,
        ts.lang,
        ts.primary,
        Box(
            right - left,
            bottom - top,
            layer.min_size,
            layer.max_size,
            layer.max_lines,
            line_height,
            layer.balance,
        ),
        measure_at,
    )
    if fitted.truncated:
        outcome.notes.append(
            (
                "CARD008",
                "warning",
                f"title does not fit {layer.max_lines} lines even at {layer.min_size} px and was cut with '…'; "
                "shorten it or lower min_size in the layout",
            )
        )
    ascent, descent = ts.metrics(fitted.size)
    block_h = (len(fitted.lines) - 1) * fitted.line_px + ascent + descent
    if layer.valign == "top":
        block_top = top
    elif layer.valign == "middle":
        block_top = top + (bottom - top - block_h) // 2
    else:
        block_top = bottom - block_h
    x, side = _anchor_x(layer.align, rtl, left, right)
    widths = [ts.width(line, fitted.size) for line in fitted.lines]
    block_w = int(max(widths)) if widths else 0
    bx0 = {"l": x, "r": x - block_w, "m": x - block_w // 2}[side]
    text_box = (max(0, bx0), max(0, block_top), min(width, bx0 + block_w), min(height, block_top + block_h))
    outcome.title_box = text_box
    outcome.font_size, outcome.lines = fitted.size, list(fitted.lines)

    color = hex_rgb(layer.color)
    check = ensure_contrast(canvas, text_box, color, layer.min_contrast)
    outcome.contrast, outcome.scrim_alpha = check.after, check.alpha
    if check.alpha > 0:
        outcome.notes.append(
            (
                "CARD007",
                "info" if check.after >= layer.min_contrast else "warning",
                f"title contrast was {check.before:.1f}:1 (< {layer.min_contrast}:1); scrim darkened to "
                f"{check.alpha:.0%} → {check.after:.1f}:1",
            )
        )
    for i, (line, line_w) in enumerate(zip(fitted.lines, widths, strict=True)):
        baseline = block_top + ascent + i * fitted.line_px
        ts.draw(canvas, (_line_left(side, x, line_w), baseline), line, fitted.size, color)


def _line_left(side: str, x: int, line_width: float) -> float:
    """Left edge of a line anchored at x on its left, right or middle."""
    return {"l": x, "r": x - line_width, "m": x - line_width / 2}[side]


def _draw_text_layer(canvas: Image.Image, spec: CardSpec, layer: TextLayer, rtl: bool) -> None:
    text = " ".join(fill_text(layer.text, spec).split())
    if not text:
        return
    width, height = canvas.size
    ts = card_setter(text, spec.lang, layer.weight, spec.layout.families)
    check_text(text, ts, f"{layer.type} text {text!r}")
    box = _mirror(layer.box) if rtl else layer.box
    left, top, right, bottom = pixel_box(box, width, height)
    pad = round(layer.size * 0.45) if layer.type == "badge" else 0

    def measure_at(size: int) -> Measure:
        return lambda t: ts.width(t, size)

    fitted = fit(
        text,
        spec.lang,
        ts.primary,
        Box(right - left - 2 * pad, bottom - top, max(8, layer.size // 2), layer.size, 1, 1.2),
        measure_at,
    )
    line = fitted.lines[0]
    ascent, descent = ts.metrics(fitted.size)
    x, side = _anchor_x(layer.align, rtl, left + pad, right - pad)
    baseline = top + (bottom - top + ascent - descent) // 2
    w = ts.width(line, fitted.size)
    if layer.type == "badge":
        bx0 = round(_line_left(side, x, w)) - pad
        ImageDraw.Draw(canvas).rounded_rectangle(
            (bx0, top, bx0 + round(w) + 2 * pad, bottom),
            radius=(bottom - top) // 3,
            fill=hex_rgb(layer.background),
        )
    ts.draw(canvas, (_line_left(side, x, w), baseline), line, fitted.size, hex_rgb(layer.color))


def is_card(path: Path) -> bool:
    """Whether an image file carries our marker, i.e. a cards run wrote it (reads the header only)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # a huge photo is simply not ours
            im = Image.open(path)
        with im:
            return im.info.get("comment") == CARD_MARKER or im.info.get("Software") == CARD_MARKER.decode()
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def _png_info() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", CARD_MARKER.decode())
    return info


def _encode(canvas: Image.Image, spec: CardSpec, outcome: CardOutcome) -> None:
    """Progressive JPEG, no EXIF/ICC/comments of the hero; quality steps down until the file fits `max_bytes`.

    The only metadata is our marker, which lets a later run tell its own cards (safe to re-render) from images
    someone else put at that path (never overwritten), even with a fresh store.
    """
    canvas.info = {}  # Pillow would carry the hero's EXIF, ICC profile and comment into the card
    buf = io.BytesIO()
    if spec.fmt == "png":
        canvas.save(buf, "PNG", compress_level=6, pnginfo=_png_info())
        if buf.tell() > spec.max_bytes:
            buf = io.BytesIO()
            canvas.quantize(256, Image.Quantize.FASTOCTREE).save(
                buf, "PNG", optimize=True, pnginfo=_png_info()
            )
        if buf.tell() > spec.max_bytes:
            raise CardError(
                "CARD010",
                f"PNG card is {buf.tell():,} bytes, over cards.max_bytes {spec.max_bytes:,}; name a .jpg path",
            )
        outcome.data = buf.getvalue()
        return
    for quality in JPEG_QUALITIES:
        buf = io.BytesIO()
        canvas.save(
            buf,
            "JPEG",
            quality=quality,
            progressive=True,
            optimize=True,
            subsampling="4:2:0",
            comment=CARD_MARKER,
        )
        if buf.tell() <= spec.max_bytes:
            outcome.data, outcome.quality = buf.getvalue(), quality
            return
    raise CardError(
        "CARD010",
        f"card is {buf.tell():,} bytes even at JPEG quality {JPEG_QUALITIES[-1]}, over cards.max_bytes "
        f"{spec.max_bytes:,}; raise the limit or use a calmer hero",
    )

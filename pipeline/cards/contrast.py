"""WCAG contrast between the title colour and the photo under it, and the local scrim that fixes it.

WCAG defines contrast for flat colours; a photo has many. We compare against the 95th-percentile brightest
pixel under the text block (5th-percentile darkest for dark text): strict where it matters, robust to a few
specks. Relative luminance uses the sRGB transfer curve from WCAG 2.x.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


@dataclass(frozen=True)
class Contrast:
    before: float
    after: float
    alpha: float  # opacity of the added scrim; 0 when none was needed


_LINEAR = np.array(
    [(c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in range(256)],
    dtype=np.float32,
)


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (float(_LINEAR[c]) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: float, b: float) -> float:
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


# Each channel's linear value already times its weight: three table look-ups instead of a (h, w, 3) float gather
# and three multiplies. The same float32 products summed in the same order, so the same luminance to the bit.
_WEIGHTED = tuple(_LINEAR * np.float32(w) for w in (0.2126, 0.7152, 0.0722))


def region_luminance(pixels: np.ndarray) -> np.ndarray:
    r, g, b = _WEIGHTED
    return np.asarray(r[pixels[..., 0]] + g[pixels[..., 1]] + b[pixels[..., 2]])


def worst_contrast(pixels: np.ndarray, text_lum: float, light_text: bool) -> float:
    """Contrast against the 95th-percentile worst background pixel: robust to specks, strict on bright areas."""
    lum = region_luminance(pixels)
    worst = float(np.percentile(lum, 95 if light_text else 5))
    return contrast_ratio(text_lum, worst)


@lru_cache(maxsize=32)
def _feather(w: int, h: int, pad: int) -> Image.Image:
    """Soft-edged rectangle mask: a local scrim without a hard edge, blurred at 1/8 scale for speed."""
    k = 8
    small = Image.new("L", (max(1, (w + 2 * pad) // k), max(1, (h + 2 * pad) // k)), 0)
    ImageDraw.Draw(small).rectangle(
        (pad // k, pad // k, max(pad // k, (w + pad) // k - 1), max(pad // k, (h + pad) // k - 1)), fill=255
    )
    small = small.filter(ImageFilter.GaussianBlur(max(1, pad // (2 * k))))
    return small.resize((w + 2 * pad, h + 2 * pad), Image.Resampling.BILINEAR)


@lru_cache(maxsize=8)
def _scrim(w: int, h: int, pad: int, alpha: float) -> Image.Image:
    """The feathered mask at `alpha`: the OG and X cards of a post usually need the same one."""
    return _feather(w, h, pad).point(lambda v: round(v * alpha))


def ensure_contrast(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    color: tuple[int, int, int],
    minimum: float,
) -> Contrast:
    """Darken (or, for dark text, lighten) a soft local scrim behind the text box until WCAG `minimum` holds.

    The ratio is predicted on a reduced copy of the region for each 10 % step (cheap numpy), and the scrim is
    composited once, at the first step that passes (or at 95 %, reported as still failing).
    """
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return Contrast(21.0, 21.0, 0.0)
    region = canvas.crop(box)
    factor = max(1, min(region.width // 64, region.height // 16, 4))
    if factor > 1:
        region = region.reduce(factor)
    pixels = np.asarray(region, dtype=np.uint8)
    text_lum = luminance(color)
    light = text_lum > 0.18
    ratio = worst_contrast(pixels, text_lum, light)
    if ratio >= minimum:
        return Contrast(ratio, ratio, 0.0)
    before = ratio
    alpha = 0.0
    base = pixels.astype(np.float32)
    while ratio < minimum and alpha < 0.95:
        alpha = min(0.95, alpha + 0.1)
        shifted = base * (1 - alpha) if light else base + (255 - base) * alpha
        ratio = worst_contrast(np.clip(shifted + 0.5, 0, 255).astype(np.uint8), text_lum, light)
    pad = 32
    mask = _scrim(x1 - x0, y1 - y0, pad, alpha)
    canvas.paste((0, 0, 0) if light else (255, 255, 255), (x0 - pad, y0 - pad, x1 + pad, y1 + pad), mask)
    return Contrast(before, ratio, alpha)

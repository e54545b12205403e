"""Hero decoding and cover-fit cropping.

Speed matters here more than anywhere else in the stage: decoding a 12-megapixel JPEG dominates a card's cost.
`Image.draft` lets libjpeg decode at 1/2, 1/4 or 1/8 scale straight from the DCT coefficients, so we ask for the
smallest size that still covers the card. Colour is converted to sRGB when the file carries another ICC profile,
because the card is written without a profile (metadata stripped) and viewers then assume sRGB.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from pipeline.cards.fonts import CardError

Image.MAX_IMAGE_PIXELS = 80_000_000  # a hero larger than this is a mistake (or a decompression bomb)


@dataclass(frozen=True)
class Hero:
    image: Image.Image
    upscale: float  # > 1 when the source had to be enlarged to cover the card
    source_size: tuple[int, int]


def _to_srgb(im: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    icc = im.info.get("icc_profile")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        base = Image.new("RGB", rgba.size, background)
        base.paste(rgba, mask=rgba.getchannel("A"))
        im = base
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if icc and b"sRGB" not in icc[:256] and b"s\x00R\x00G\x00B" not in icc[:512]:
        from PIL import ImageCms

        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                im = converted
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: keep the pixels as they are rather than fail the card
    return im


def _auto_offset(im: Image.Image, crop_w: float, crop_h: float, memo_key: str = "") -> tuple[float, float]:
    """Window position that holds the most edge energy (detail) along the free axis, with a pull to the centre
    (upper third for vertical crops).

    Works on a ≤96 px thumbnail so it costs well under a millisecond.
    """
    w, h = im.size
    energy = _ENERGY.get(memo_key) if memo_key else None
    if energy is None:
        factor = max(1, max(w, h) // 96)
        small = (im.reduce(factor) if factor > 1 else im).convert("L").filter(ImageFilter.FIND_EDGES)
        energy = np.asarray(small, dtype=np.float32)
        if memo_key:
            _ENERGY.clear()
            _ENERGY[memo_key] = energy
    horizontal = crop_w < w - 1
    profile = energy.sum(axis=0) if horizontal else energy.sum(axis=1)
    length = len(profile)
    window = max(1, min(length, round((crop_w / w if horizontal else crop_h / h) * length)))
    sums = np.convolve(profile, np.ones(window, dtype=np.float32), mode="valid")
    if sums.size <= 1 or float(sums.max()) <= 0:
        return (w - crop_w) / 2, (h - crop_h) / 2
    positions = np.arange(sums.size, dtype=np.float32)
    # Horizontal: pull to the centre. Vertical: pull above the centre, where faces and horizons usually sit.
    centre = (sums.size - 1) * (0.5 if horizontal else 0.3)
    bias = 1.0 - 0.35 * np.abs(positions - centre) / max(sums.size - 1, 1.0)
    best = int(np.argmax(sums * bias)) / max(sums.size - 1, 1)
    if horizontal:
        return best * (w - crop_w), (h - crop_h) / 2
    return (w - crop_w) / 2, best * (h - crop_h)


_LAST: dict[str, tuple[Image.Image, tuple[int, int]]] = {}


def decode_hero(
    data: bytes, cover: tuple[int, int], background: tuple[int, int, int], memo_key: str = ""
) -> tuple[Image.Image, tuple[int, int]]:
    """Decode to sRGB at the smallest JPEG draft scale that still covers `cover`; returns (image, source size).

    The last decode is memoised per `memo_key` because the OG and X cards of a post come from one hero.
    """
    if memo_key and memo_key in _LAST:
        return _LAST[memo_key]
    width, height = cover
    try:
        with warnings.catch_warnings():
            # Over MAX_IMAGE_PIXELS Pillow only warns (on stderr) and goes on to decode a huge image: refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            src = Image.open(io.BytesIO(data))
        orientation = src.getexif().get(0x0112, 1)
        src_w, src_h = src.size
        if orientation in (5, 6, 7, 8):
            src_w, src_h = src_h, src_w
        scale = max(width / src_w, height / src_h)
        if src.format == "JPEG":
            need = (math.ceil(src.size[0] * scale), math.ceil(src.size[1] * scale))
            src.draft("RGB", need)
        src.load()
    except UnidentifiedImageError:  # its message holds a BytesIO repr whose address changes every run
        raise CardError(
            "CARD003", "hero is not an image Pillow can read; re-export it as JPEG or PNG"
        ) from None
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CardError(
            "CARD003", f"hero image cannot be decoded ({exc}); re-export it as JPEG or PNG"
        ) from None
    decoded: Image.Image = ImageOps.exif_transpose(src) if orientation != 1 else src
    result = (_to_srgb(decoded, background), (src_w, src_h))
    if memo_key:
        _LAST.clear()
        _LAST[memo_key] = result
    return result


_RESIZED: dict[tuple[object, ...], Image.Image] = {}
_ENERGY: dict[str, np.ndarray] = {}


def forget() -> None:
    """Drop the memoised decode, resize and edge map (benchmarks measure a card whose hero is new)."""
    _LAST.clear()
    _RESIZED.clear()
    _ENERGY.clear()


def memo_size() -> int:
    """How many resized heroes are memoised (tests check the OG and X cards share one)."""
    return len(_RESIZED)


def load_hero(
    data: bytes,
    size: tuple[int, int],
    focus: tuple[float, float] | None,
    background: tuple[int, int, int] = (0, 0, 0),
    *,
    cover: tuple[int, int] | None = None,
    memo_key: str = "",
    siblings: Sequence[tuple[int, int]] = (),
) -> Hero:
    """Decode, cover-fit around `focus` (fractions; None = automatic) and resize to exactly `size`.

    BICUBIC rather than LANCZOS: at the ≤2× scale changes cards need the difference is invisible and it costs
    half as much; `reducing_gap` lets Pillow box-reduce first when a big hero shrinks a lot.

    `siblings` are the other card sizes rendered from the same hero (OG 1200×630 and X 1200×600). When one
    shares this card's scale — any hero narrower than 2:1 — the union of their crop windows is resized once and
    each card is cut from it: resizing is a third of a card's cost, and the next card (memoised per `memo_key`)
    then only crops. Windows snap to whole output pixels, an invisible sub-pixel shift.
    """
    width, height = size
    im, (src_w, src_h) = decode_hero(data, cover or size, background, memo_key)
    upscale = max(width / src_w, height / src_h)
    s = max(width / im.width, height / im.height)
    windows = [_window(im, (width, height), s, focus, memo_key)]
    for other in siblings:
        if other != size and abs(max(other[0] / im.width, other[1] / im.height) - s) < 1e-9:
            windows.append(_window(im, other, s, focus, memo_key))
    left = min(x for x, _, _, _ in windows)
    top = min(y for _, y, _, _ in windows)
    right = max(x + w for x, _, w, _ in windows)
    bottom = max(y + h for _, y, _, h in windows)
    key = (memo_key, s, left, top, right, bottom)
    union = _RESIZED.get(key) if memo_key else None
    if union is None:
        box = (left / s, top / s, min(right / s, im.width), min(bottom / s, im.height))
        union = im.resize((right - left, bottom - top), Image.Resampling.BICUBIC, box=box, reducing_gap=2.0)
        if memo_key:
            _RESIZED.clear()
            _RESIZED[key] = union
    x, y = windows[0][0] - left, windows[0][1] - top
    out = union.crop((x, y, x + width, y + height)) if union.size != size else union.copy()
    return Hero(out, upscale, (src_w, src_h))


def _window(
    im: Image.Image,
    size: tuple[int, int],
    s: float,
    focus: tuple[float, float] | None,
    memo_key: str,
) -> tuple[int, int, int, int]:
    """The crop window for `size` at scale `s`, in whole pixels of the scaled hero: (left, top, width, height)."""
    width, height = size
    w, h = im.size
    crop_w, crop_h = width / s, height / s
    if focus is None:
        left, top = _auto_offset(im, crop_w, crop_h, memo_key)
    else:
        fx, fy = focus
        left = min(max(fx * w - crop_w / 2, 0.0), w - crop_w)
        top = min(max(fy * h - crop_h / 2, 0.0), h - crop_h)
    x = max(0, min(round(left * s), int(w * s + 1e-6) - width))
    y = max(0, min(round(top * s), int(h * s + 1e-6) - height))
    return x, y, width, height

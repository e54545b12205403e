"""Font roles per script, located inside PyPI font packages — never system fonts.

Why packages: a card must look the same on a laptop, in CI and on a server, so the fonts travel with the Python
environment (declared in pyproject.toml) instead of depending on whatever fontconfig finds. Why a cmap check:
Pillow draws a missing glyph as an empty box (tofu) without complaint, so coverage is checked with fontTools
first and a gap becomes a clear error for that card.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont, features

Script = Literal["latin", "arabic", "hebrew", "devanagari", "tamil", "thai", "cjk"]


class CardError(Exception):
    """A card cannot be rendered correctly; `rule` is the finding id, the message says how to fix it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class FontRole:
    package: str
    file: str
    family: str
    variable_weight: bool = True


# Latin covers Cyrillic and Greek too (Noto Sans has all three). The CJK font is the Pan-CJK OpenType collection
# member for Traditional Chinese; it holds every Han ideograph plus kana and Hangul, and `locl` picks regional
# forms from the language tag we pass to raqm.
FONT_ROLES: dict[Script, FontRole] = {
    "latin": FontRole("fontpkg_noto_sans", "files/NotoSans[wdth,wght].ttf", "Noto Sans"),
    "arabic": FontRole("fontpkg_noto_sans_arabic", "files/NotoSansArabic[wdth,wght].ttf", "Noto Sans Arabic"),
    "hebrew": FontRole("fontpkg_heebo", "files/Heebo[wght].ttf", "Heebo"),
    "devanagari": FontRole(
        "fontpkg_noto_sans_devanagari", "files/NotoSansDevanagari[wdth,wght].ttf", "Noto Sans Devanagari"
    ),
    "tamil": FontRole("fontpkg_noto_sans_tamil", "files/NotoSansTamil[wdth,wght].ttf", "Noto Sans Tamil"),
    "thai": FontRole("fontpkg_noto_sans_thai", "files/NotoSansThai[wdth,wght].ttf", "Noto Sans Thai"),
    "cjk": FontRole(
        "cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf", "Noto Sans CJK", variable_weight=False
    ),
}

RTL_SCRIPTS: frozenset[str] = frozenset({"arabic", "hebrew"})
# Scripts whose letters change shape or reorder: drawing them without raqm gives wrong text, so it is an error.
COMPLEX_SCRIPTS: frozenset[str] = frozenset({"arabic", "hebrew", "devanagari", "tamil", "thai"})

_RANGES: tuple[tuple[int, int, Script], ...] = (
    (0x0590, 0x05FF, "hebrew"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0xA8E0, 0xA8FF, "devanagari"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1100, 0x11FF, "cjk"),
    (0x2E80, 0x2FDF, "cjk"),
    (0x3000, 0x30FF, "cjk"),
    (0x3100, 0x31FF, "cjk"),
    (0x3200, 0x9FFF, "cjk"),
    (0xAC00, 0xD7AF, "cjk"),
    (0xF900, 0xFAFF, "cjk"),
    (0xFE30, 0xFE4F, "cjk"),
    (0xFF00, 0xFFEF, "cjk"),
    (0x20000, 0x3FFFF, "cjk"),
)

LANG_SCRIPTS: dict[str, Script] = {
    "ar": "arabic",
    "fa": "arabic",
    "ur": "arabic",
    "ps": "arabic",
    "he": "hebrew",
    "yi": "hebrew",
    "hi": "devanagari",
    "mr": "devanagari",
    "ne": "devanagari",
    "ta": "tamil",
    "th": "thai",
    "ja": "cjk",
    "zh": "cjk",
    "ko": "cjk",
}

# Characters that are layout controls, not glyphs: a font need not map them.
_INVISIBLE = frozenset({0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C})


def char_script(ch: str) -> Script | None:
    """Script of one character, None for the shared ones (Latin letters count as latin, digits as none)."""
    cp = ord(ch)
    for lo, hi, script in _RANGES:
        if lo <= cp <= hi:
            return script
    if ch.isalpha():
        return "latin"
    return None


def detect_script(text: str, lang: str = "") -> Script:
    """The dominant non-Latin script of `text`; Latin when there is none; the language's script breaks ties."""
    counts: dict[Script, int] = {}
    for ch in text:
        script = char_script(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    hint = LANG_SCRIPTS.get(lang.split("-")[0].lower())
    non_latin = {s: n for s, n in counts.items() if s != "latin"}
    if non_latin:
        best = max(non_latin.values())
        if hint in non_latin and non_latin[hint] == best:
            return hint
        return max(non_latin, key=lambda s: non_latin[s])
    if not counts and hint:
        return hint
    return "latin"


def font_path(script: Script) -> Path:
    """File of the script's font, found through its package; a missing package is a clear error."""
    role = FONT_ROLES[script]
    try:
        path = Path(str(importlib.resources.files(role.package).joinpath(role.file)))
    except ModuleNotFoundError:
        raise CardError(
            "CARD005",
            f"font package for {script} ({role.family}) is not installed; run `make install`",
        ) from None
    if not path.is_file():
        raise CardError("CARD005", f"font file {role.file} missing from package {role.package}; reinstall it")
    return path


@lru_cache(maxsize=16)
def coverage(path: Path) -> frozenset[int]:
    """Code points the font maps.

    fontTools hands us the raw `cmap` table; we read only the Unicode subtable's ranges (formats 4 and 12)
    instead of letting fontTools build glyph names for 65,000 CJK glyphs, which takes ~0.5 s per font.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    try:
        raw = font.reader["cmap"]
        ranges = _cmap_ranges(raw)
        if ranges is None:  # an unusual subtable layout: let fontTools do the full decode
            return frozenset(font.getBestCmap() or {})
    finally:
        font.close()
    points: set[int] = set()
    for start, end in ranges:
        points.update(range(start, end + 1))
    return frozenset(points)


def _cmap_ranges(raw: bytes) -> list[tuple[int, int]] | None:
    """(first, last) code point ranges from the best Unicode subtable: format 12 preferred, else format 4."""
    import struct

    (count,) = struct.unpack_from(">H", raw, 2)
    best: tuple[int, int] | None = None  # (format, offset)
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", raw, 4 + 8 * i)
        if (platform, encoding) not in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
            continue
        (fmt,) = struct.unpack_from(">H", raw, offset)
        if fmt in (4, 12) and (best is None or fmt > best[0]):
            best = (fmt, offset)
    if best is None:
        return None
    fmt, off = best
    ranges: list[tuple[int, int]] = []
    if fmt == 12:
        (groups,) = struct.unpack_from(">I", raw, off + 12)
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", raw, off + 16 + 12 * g)
            if glyph or start != end:
                ranges.append((start, end))
        return ranges
    (seg2,) = struct.unpack_from(">H", raw, off + 6)
    segs = seg2 // 2
    ends = struct.unpack_from(f">{segs}H", raw, off + 14)
    starts = struct.unpack_from(f">{segs}H", raw, off + 16 + seg2)
    deltas = struct.unpack_from(f">{segs}h", raw, off + 16 + 2 * seg2)
    range_offsets_at = off + 16 + 3 * seg2
    range_offsets = struct.unpack_from(f">{segs}H", raw, range_offsets_at)
    for k in range(segs):
        start, end = starts[k], ends[k]
        if start == 0xFFFF:
            continue
        if range_offsets[k] == 0:
            # glyph = (cp + delta) mod 65536; only the code point mapping to .notdef (0) is missing.
            missing = (-deltas[k]) % 65536
            if start <= missing <= end:
                if start < missing:
                    ranges.append((start, missing - 1))
                if missing < end:
                    ranges.append((missing + 1, end))
            else:
                ranges.append((start, end))
            continue
        for cp in range(start, end + 1):
            at = range_offsets_at + 2 * k + range_offsets[k] + 2 * (cp - start)
            (glyph,) = struct.unpack_from(">H", raw, at)
            if glyph:
                ranges.append((cp, cp))
    return ranges


def missing_glyphs(text: str, path: Path) -> list[str]:
    cmap = coverage(path)
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp in cmap or cp in _INVISIBLE or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        if ch not in out:
            out.append(ch)
    return out


def check_text(text: str, script: Script, what: str) -> Path:
    """Font file for `text`; raise CardError for a missing glyph or a complex script without raqm/FriBiDi."""
    path = font_path(script)
    missing = missing_glyphs(text, path)
    if missing:
        shown = ", ".join(f"U+{ord(c):04X} {c!r}" for c in missing[:5])
        raise CardError(
            "CARD004",
            f"{what}: font {FONT_ROLES[script].family} has no glyph for {shown}; "
            "rewrite those characters or pick a layout font that covers them (no tofu is drawn)",
        )
    if script in COMPLEX_SCRIPTS:
        require_raqm(script, what)
    return path


def require_raqm(script: str, what: str) -> None:
    if not features.check("raqm"):
        raise CardError(
            "CARD005",
            f"{what}: {script} text needs Pillow's raqm layout (HarfBuzz) and it is unavailable; "
            "install libraqm0/libfribidi0 (`make install`) — refusing to draw it unshaped",
        )
    if script in RTL_SCRIPTS and not features.check("fribidi"):
        raise CardError(
            "CARD005",
            f"{what}: right-to-left text needs FriBiDi (Debian package libfribidi0); install it with "
            "`apt-get install libfribidi0` — refusing to draw it left to right",
        )


def load_font(path: Path, size: int, weight: int) -> ImageFont.FreeTypeFont:
    """A sized font with its weight axis set, laid out by raqm whenever Pillow has it."""
    return _load_font(path, size, weight, features.check("raqm"))


@lru_cache(maxsize=128)
def _load_font(path: Path, size: int, weight: int, raqm: bool) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(path), size, layout_engine=engine)
    try:
        axes = font.get_variation_axes()
    except OSError:
        return font  # not a variable font
    values: list[float] = []
    for axis in axes:
        raw = axis["name"]
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        low, high, default = (float(axis[k] or 0) for k in ("minimum", "maximum", "default"))
        values.append(max(low, min(high, float(weight))) if name.lower() == "weight" else default)
    font.set_variation_by_axes(values)
    return font


_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 of a font file, memoised on (path, size, mtime) so a 16 MB CJK font is hashed once per process."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    digest = _DIGESTS.get(key)
    if digest is None:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        _DIGESTS[key] = digest
    return digest

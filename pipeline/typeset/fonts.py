"""Font families for every script, found at known paths of Debian's Noto packages — never through fontconfig.

Where fonts come from, and why:
- **Debian's `fonts-noto-core`, `fonts-noto-cjk` and `fonts-noto-color-emoji`** for every script. They are the
  only source that has all the scripts a multilingual site declares (Bengali, Gujarati, Gurmukhi, Kannada,
  Malayalam, Sinhala, Georgian, Armenian, Lao, Myanmar, Ethiopic...) *with a bold weight*; PyPI's
  `fontpkg-noto-sans-*` packages cover eight of them. Taking every script from one Noto release keeps stems and
  vertical metrics consistent when a line mixes fonts (a Bengali title with "OpenTelemetry" in it is drawn by
  two). `fonts-noto-cjk` is one collection with Regular and Bold and all five regional faces (JP, KR, SC, TC,
  HK), so Japanese and Chinese get their own glyph shapes and a bold weight next to bold Latin.
  `make install` installs the packages (Makefile APT_PACKAGES); CI runs it. A missing file is a clear error
  naming the Debian package, never a silent fallback to whatever the system has.
- **A site's own files**: a layout's `fonts` table names a family from the catalogue below or a font file inside
  the project (see `pipeline.cards.layout`), which is how a site pins its brand fonts in its own repository.
- **Arimo** (PyPI `fontpkg-arimo`) only for validate's SERP widths: it has Arial's metrics, which Google uses.

Each file's sha256 is part of the card cache key, so a font upgrade re-renders exactly the cards it changes.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont, features

from pipeline.langtags import primary
from pipeline.typeset.scripts import CjkRegion, Script

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK_DIR = Path("/usr/share/fonts/opentype/noto")
WEIGHT_NAMES: dict[str, int] = {
    "thin": 100,
    "extralight": 200,
    "light": 300,
    "regular": 400,
    "medium": 500,
    "semibold": 600,
    "bold": 700,
    "extrabold": 800,
    "black": 900,
}


class FontMissing(Exception):
    """A font file the catalogue or a layout names is not on this machine; the message says how to get it."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # face inside a .ttc collection
    weight: int = 400
    bitmap_size: int = 0  # colour bitmap fonts (Noto Color Emoji) render at this one pixel size only


@dataclass(frozen=True)
class Family:
    name: str
    files: tuple[FontFile, ...]
    source: str  # how to get it, for messages: "the Debian package fonts-noto-core"
    line_scale: float = 1.0  # tall scripts (Myanmar, Nastaliq) need more room between lines than Latin
    variable: bool = False  # one file with a weight axis: any weight 100–900

    @property
    def bitmap(self) -> bool:
        return any(f.bitmap_size for f in self.files)

    def file(self, weight: int) -> FontFile:
        """The file for `weight` by CSS font matching: at or above 500 prefer heavier, below prefer lighter."""
        by_weight = {f.weight: f for f in self.files}
        if self.variable or len(by_weight) == 1:
            return self.files[0]
        if weight in by_weight:
            return by_weight[weight]
        weights = sorted(by_weight)
        if weight > 500:
            order = [w for w in weights if w >= weight] + [w for w in reversed(weights) if w < weight]
        else:
            order = [w for w in reversed(weights) if w <= weight] + [w for w in weights if w > weight]
        return by_weight[order[0]]

    def check_installed(self) -> None:
        if installed(self):
            return
        for f in self.files:
            if not f.path.is_file():
                raise FontMissing(
                    f"font {self.name} ({f.path}) is not installed; install {self.source} (`make install` "
                    "does it) or name another font for this script in the layout's `fonts` table"
                )


def _noto(name: str, stem: str, *, bold: bool = True, line_scale: float = 1.0) -> Family:
    files = [FontFile(NOTO_DIR / f"{stem}-Regular.ttf", weight=400)]
    if bold:
        files.append(FontFile(NOTO_DIR / f"{stem}-Bold.ttf", weight=700))
    return Family(name, tuple(files), "the Debian package fonts-noto-core", line_scale)


_CJK_INDEX: dict[CjkRegion, int] = {"JP": 0, "KR": 1, "SC": 2, "TC": 3, "HK": 4}  # order inside the .ttc


def _cjk(region: CjkRegion) -> Family:
    i = _CJK_INDEX[region]
    files = (
        FontFile(NOTO_CJK_DIR / "NotoSansCJK-Regular.ttc", i, 400),
        FontFile(NOTO_CJK_DIR / "NotoSansCJK-Bold.ttc", i, 700),
    )
    return Family(f"Noto Sans CJK {region}", files, "the Debian package fonts-noto-cjk")


EMOJI = Family(
    "Noto Color Emoji",
    (FontFile(NOTO_DIR / "NotoColorEmoji.ttf", bitmap_size=109),),
    "the Debian package fonts-noto-color-emoji",
)

# Every family a layout may name by its name.
CATALOGUE: dict[str, Family] = {
    f.name: f
    for f in (
        _noto("Noto Sans", "NotoSans"),
        _noto("Noto Serif", "NotoSerif"),
        _noto("Noto Sans Arabic", "NotoSansArabic", line_scale=1.1),
        _noto("Noto Naskh Arabic", "NotoNaskhArabic", line_scale=1.1),
        _noto("Noto Nastaliq Urdu", "NotoNastaliqUrdu", line_scale=1.5),
        _noto("Noto Sans Hebrew", "NotoSansHebrew"),
        _noto("Noto Sans Thaana", "NotoSansThaana"),
        _noto("Noto Sans Devanagari", "NotoSansDevanagari", line_scale=1.1),
        _noto("Noto Sans Bengali", "NotoSansBengali", line_scale=1.1),
        _noto("Noto Sans Gurmukhi", "NotoSansGurmukhi", line_scale=1.1),
        _noto("Noto Sans Gujarati", "NotoSansGujarati", line_scale=1.1),
        _noto("Noto Sans Oriya", "NotoSansOriya", line_scale=1.1),
        _noto("Noto Sans Tamil", "NotoSansTamil", line_scale=1.1),
        _noto("Noto Sans Telugu", "NotoSansTelugu", line_scale=1.15),
        _noto("Noto Sans Kannada", "NotoSansKannada", line_scale=1.15),
        _noto("Noto Sans Malayalam", "NotoSansMalayalam", line_scale=1.1),
        _noto("Noto Sans Sinhala", "NotoSansSinhala", line_scale=1.1),
        _noto("Noto Sans Thai", "NotoSansThai", line_scale=1.15),
        _noto("Noto Sans Lao", "NotoSansLao", line_scale=1.15),
        _noto("Noto Sans Khmer", "NotoSansKhmer", line_scale=1.2),
        _noto("Noto Sans Myanmar", "NotoSansMyanmar", line_scale=1.3),
        _noto("Noto Sans Georgian", "NotoSansGeorgian"),
        _noto("Noto Sans Armenian", "NotoSansArmenian"),
        _noto("Noto Sans Ethiopic", "NotoSansEthiopic"),
        _noto("Noto Sans Symbols", "NotoSansSymbols"),
        _noto("Noto Sans Symbols2", "NotoSansSymbols2", bold=False),
        *(_cjk(r) for r in _CJK_INDEX),
        EMOJI,
    )
}

DEFAULT_FAMILY: dict[Script, str] = {
    "latin": "Noto Sans",
    "arabic": "Noto Sans Arabic",
    "hebrew": "Noto Sans Hebrew",
    "thaana": "Noto Sans Thaana",
    "devanagari": "Noto Sans Devanagari",
    "bengali": "Noto Sans Bengali",
    "gurmukhi": "Noto Sans Gurmukhi",
    "gujarati": "Noto Sans Gujarati",
    "oriya": "Noto Sans Oriya",
    "tamil": "Noto Sans Tamil",
    "telugu": "Noto Sans Telugu",
    "kannada": "Noto Sans Kannada",
    "malayalam": "Noto Sans Malayalam",
    "sinhala": "Noto Sans Sinhala",
    "thai": "Noto Sans Thai",
    "lao": "Noto Sans Lao",
    "khmer": "Noto Sans Khmer",
    "myanmar": "Noto Sans Myanmar",
    "georgian": "Noto Sans Georgian",
    "armenian": "Noto Sans Armenian",
    "ethiopic": "Noto Sans Ethiopic",
}
# Urdu is written in Nastaliq, not the Naskh style of Arabic and Persian; readers see Naskh as foreign.
LANG_FAMILY: dict[str, dict[str, str]] = {"ur": {"arabic": "Noto Nastaliq Urdu"}}
FALLBACK_FAMILIES: tuple[str, ...] = ("Noto Sans Symbols", "Noto Sans Symbols2")
# Keys a layout's `fonts` table accepts: every script, plus emoji, the symbol fallback and a last resort.
FONT_KEYS: tuple[str, ...] = (*DEFAULT_FAMILY, "cjk", "emoji", "symbols", "fallback")


@dataclass(frozen=True)
class FontSet:
    """The families for one language: the catalogue defaults, the language's own choices, a layout's choices.

    Hashable (the layout's choices are a tuple of pairs), so shaping caches can key on it.
    """

    lang: str
    region: CjkRegion
    chosen: tuple[tuple[str, Family], ...] = ()

    def family(self, role: str) -> Family:
        for key, family in self.chosen:
            if key == role:
                return family
        if role == "cjk":
            return CATALOGUE[f"Noto Sans CJK {self.region}"]
        if role == "emoji":
            return EMOJI
        name = LANG_FAMILY.get(primary(self.lang), {}).get(role) or DEFAULT_FAMILY.get(role)  # type: ignore[call-overload]
        return CATALOGUE[name or "Noto Sans"]

    def fallbacks(self) -> tuple[Family, ...]:
        """Tried, in order, for a character the script's own family lacks (symbols, stray letters)."""
        chosen = dict(self.chosen)
        chain = [self.family("latin")]
        if "symbols" in chosen:
            chain.append(chosen["symbols"])
        else:
            chain += [CATALOGUE[n] for n in FALLBACK_FAMILIES]
        chain.append(self.family("emoji"))
        if "fallback" in chosen:
            chain.append(chosen["fallback"])
        return tuple(chain)


# --- reading fonts ---------------------------------------------------------------------------------------------


_INSTALLED: dict[Family, bool] = {}


def installed(family: Family) -> bool:
    """Whether every file of the family exists (asked once per family and process: fonts do not come and go
    during a run)."""
    found = _INSTALLED.get(family)
    if found is None:
        found = _INSTALLED[family] = all(f.path.is_file() for f in family.files)
    return found


@lru_cache(maxsize=64)
def coverage(font: FontFile) -> frozenset[int]:
    """Code points the font maps (the cmap of one face; a missing file covers nothing).

    fontTools hands us the raw `cmap` table; we read only the Unicode subtable's ranges (formats 4 and 12)
    instead of letting fontTools build glyph names for 65,000 CJK glyphs, which takes ~0.5 s per font.
    """
    from fontTools.ttLib import TTFont

    if not font.path.is_file():
        return frozenset()
    tt = TTFont(str(font.path), lazy=True, fontNumber=font.index)
    try:
        ranges = _cmap_ranges(tt.reader["cmap"])
        if ranges is None:  # an unusual subtable layout: let fontTools do the full decode
            return frozenset(tt.getBestCmap() or {})
    finally:
        tt.close()
    points: set[int] = set()
    for start, end in ranges:
        points.update(range(start, end + 1))
    return frozenset(points)


def _cmap_ranges(raw: bytes) -> list[tuple[int, int]] | None:
    """(first, last) code point ranges from the best Unicode subtable: format 12 preferred, else format 4."""
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


def raqm() -> bool:
    return bool(features.check("raqm"))


def load_font(font: FontFile, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    """A sized font (bitmap fonts at their one size), weight axis set, laid out by raqm whenever Pillow has it."""
    return _load_font(font, font.bitmap_size or size, weight, raqm())


@lru_cache(maxsize=256)
def _load_font(font: FontFile, size: int, weight: int, use_raqm: bool) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if use_raqm else ImageFont.Layout.BASIC
    loaded = ImageFont.truetype(str(font.path), size, index=font.index, layout_engine=engine)
    try:
        axes = loaded.get_variation_axes()
    except OSError:
        return loaded  # not a variable font
    values: list[float] = []
    for axis in axes:
        raw = axis["name"]
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        low, high, default = (float(axis[k] or 0) for k in ("minimum", "maximum", "default"))
        values.append(max(low, min(high, float(weight))) if name.lower() == "weight" else default)
    loaded.set_variation_by_axes(values)
    return loaded


def site_family(name: str, files: dict[int, Path], source: str) -> Family:
    """A family from a site's own files (weight → path); a single variable file serves every weight."""
    from fontTools.ttLib import TTFont, TTLibError

    entries: list[FontFile] = []
    variable = False
    for weight, path in sorted(files.items()):
        try:
            tt = TTFont(str(path), lazy=True, fontNumber=0)
        except (TTLibError, OSError, struct.error) as exc:
            raise FontMissing(f"{source}: {path} is not a font file ({exc})") from None
        try:
            if "cmap" not in tt:
                raise FontMissing(f"{source}: {path} has no character map; is it a font?")
            axes = {a.axisTag for a in tt["fvar"].axes} if "fvar" in tt else set()
            variable = variable or (len(files) == 1 and "wght" in axes)
        finally:
            tt.close()
        entries.append(FontFile(path, 0, weight))
    return Family(name, tuple(entries), source, variable=variable)


_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 of a font file, memoised on (path, size, mtime) so a 20 MB CJK collection is hashed once."""
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

"""Font runs: split a line into pieces that one font draws, order them for display, measure and draw them.

Why runs: no single font covers every script, and the per-script Noto fonts carry no Latin letters (most not even
ASCII digits or '?'), so "OpenTelemetry কী?" needs two fonts on one line. Pillow draws one font per call and has
no fallback, so the line is cut into runs here and each run is shaped by raqm (HarfBuzz + FriBiDi) on its own:
Arabic joins, Indic conjuncts and vowel signs, Thai stacking and emoji sequences all happen inside a run.

How characters get a font: a grapheme cluster (base + marks, an emoji ZWJ sequence, a flag) is the unit, so a
mark never lands in another font than its base. Letters take their script's family; emoji the colour emoji
font; characters every script shares (spaces, digits, punctuation) join a neighbouring run whose font has them —
digits bind to the letters before them ("Kubernetes 1.29", "بعد 50"), other neutrals to the side that reads in
the paragraph's direction, as the Unicode bidi algorithm resolves them (rules W7, N1, N2). A character no font
has is reported, never drawn as an empty box.

Order: each run gets a bidi embedding level (right-to-left runs odd, left-to-right runs in a right-to-left
paragraph 2) and runs are reordered by rule L2; inside a run raqm does the full algorithm.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import regex
from PIL import Image, ImageDraw, ImageFont

from pipeline.typeset.fonts import (
    Family,
    FontFile,
    FontMissing,
    FontSet,
    coverage,
    installed,
    load_font,
    raqm,
)
from pipeline.typeset.scripts import COMPLEX_SCRIPTS, RTL_SCRIPTS, Script, char_script, raqm_language

_GRAPHEME = regex.compile(r"\X")
# Line and paragraph breaks and C0/C1 controls: raqm refuses a text with them (raqm_layout() failed), and a
# title or description is one line anyway — a browser shows them as spaces.
_BREAKS = regex.compile(r"[\p{Cc}\u2028\u2029\u0085]+")
_EMOJI_BLOCKS = (range(0x1F000, 0x1FB00), range(0xE0020, 0xE0080))


class LayoutFailed(Exception):
    """raqm/FreeType refused a run (a broken font, text Pillow cannot lay out): a finding, never a crash."""


@dataclass(frozen=True)
class Run:
    text: str
    family: Family
    rtl: bool
    level: int


def _ignorable(ch: str) -> bool:
    """Characters a font need not map: format controls (ZWJ, ZWNJ, bidi marks), variation selectors, spaces."""
    cp = ord(ch)
    return (
        ch.isspace()
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or unicodedata.category(ch) in ("Cf", "Cc")
    )


def _cluster_role(cluster: str) -> str | None:
    """'emoji', a script, 'other' (a letter of a script without a role) or None (shared: digits, spaces...)."""
    cp = ord(cluster[0])
    if "\ufe0f" in cluster or "\u20e3" in cluster or any(cp in r for r in _EMOJI_BLOCKS):
        return "emoji"
    if len(cluster) > 1 and "\u200d" in cluster and regex.match(r"\p{Extended_Pictographic}", cluster):
        return "emoji"
    return char_script(cluster[0])


def _is_digit(cluster: str) -> bool:
    return unicodedata.category(cluster[0]) == "Nd"


@dataclass(frozen=True)
class Setter:
    """Sets text for one paragraph style: the font set, weight, language and the text's main script.

    The main script decides the paragraph direction and the line metrics; each run keeps its own family.
    Segmentations and widths are memoised per setter (a post's OG and X cards fit the same title).
    """

    fonts: FontSet
    weight: int
    lang: str
    primary: Script
    _memo: dict[object, object] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def rtl(self) -> bool:
        return self.primary in RTL_SCRIPTS

    @property
    def family(self) -> Family:
        return self.fonts.family(self.primary)

    # --- which font draws what ---------------------------------------------------------------------------------

    def _cmap(self, family: Family) -> frozenset[int]:
        key = ("cmap", family)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = coverage(family.file(self.weight))
        return found  # type: ignore[return-value]

    def _first(self, cluster: str, order: list[Family | None]) -> Family | None:
        for family in order:
            if family is None:
                continue
            cmap = self._cmap(family)
            if all(ord(ch) in cmap or _ignorable(ch) for ch in cluster):
                return family
        return None

    def segment(self, text: str) -> tuple[tuple[Run, ...], tuple[str, ...]]:
        """Runs in logical order, and the characters no font has (empty when everything can be drawn)."""
        key = ("seg", text)
        found = self._memo.get(key)
        if found is None:
            clean = _BREAKS.sub(" ", text)
            found = self._single_run(clean) or self._segment(clean)
            if len(self._memo) > 20_000:
                self._memo.clear()
            self._memo[key] = found
        return found  # type: ignore[return-value]

    def _single_run(self, text: str) -> tuple[tuple[Run, ...], tuple[str, ...]] | None:
        """The common case, decided per character: one script plus shared characters the main font has."""
        family = self.family
        cmap = self._cmap(family)
        for ch in set(text):
            script = char_script(ch)
            if (script is not None and script != self.primary) or not (ord(ch) in cmap or _ignorable(ch)):
                return None
            if ord(ch) >= 0x1F000 or ch in "\ufe0f\u20e3\u200d":
                return None  # emoji sequences need the cluster rules
        return (Run(text, family, self.rtl, 1 if self.rtl else 0),), ()

    def _segment(self, text: str) -> tuple[tuple[Run, ...], tuple[str, ...]]:
        clusters: list[str] = _GRAPHEME.findall(text)
        roles = [_cluster_role(c) for c in clusters]
        fams: list[Family | None] = [None] * len(clusters)
        primary = self.family
        fallbacks = list(self.fonts.fallbacks())
        missing: list[str] = []

        def assign(k: int, order: list[Family | None]) -> None:
            found = self._first(clusters[k], order)
            if found is None:
                missing.extend(ch for ch in clusters[k] if not _ignorable(ch) and ch not in missing)
                found = primary
            fams[k] = found

        for k, role in enumerate(roles):
            if role is not None:
                assign(k, [None if role == "other" else self.fonts.family(role), *fallbacks])
        # Shared characters stay in the font before them when it has them (digits bind to the letters they
        # follow), else take the next letters' font; which direction they read in is resolved separately.
        # The emoji font is never borrowed for them: its space is an emoji wide.
        for k, role in enumerate(roles):
            if role is None:
                nxt = next((fams[j] for j in range(k + 1, len(roles)) if roles[j] is not None), None)
                near = [
                    f if f is not None and not f.bitmap else None for f in (fams[k - 1] if k else None, nxt)
                ]
                assign(k, [*near, primary, *fallbacks])
        return self._runs(clusters, roles, fams), tuple(missing)

    def _directions(
        self, clusters: list[str], roles: list[str | None], fams: list[Family | None]
    ) -> list[bool]:
        """Right-to-left or not, per cluster: the bidi rules W7, N1 and N2, simplified to what titles contain.

        A number reads left to right unless it sits inside a right-to-left font run (raqm orders it there);
        after right-to-left letters it counts as right-to-left for the neutrals around it (N1).
        """
        para = self.rtl
        strong: list[bool | None] = []  # per cluster: True R, False L, None neutral
        inside: list[bool] = []  # a number in the font run of the right-to-left letters before it
        last = para  # the direction of the last strong letter; at the start, the paragraph's
        last_family: Family | None = None
        for cluster, role, family in zip(clusters, roles, fams, strict=True):
            if role is not None:
                last, last_family = role in RTL_SCRIPTS, family
                strong.append(last)
                inside.append(False)
            elif _is_digit(cluster):
                strong.append(last)  # W7: after L it is L; after R it acts as R for the neutrals (N1)
                inside.append(last and family == last_family)
            else:
                strong.append(None)
                inside.append(False)
        out: list[bool] = []
        for k, value in enumerate(strong):
            if value is None:
                before = next((strong[j] for j in range(k - 1, -1, -1) if strong[j] is not None), para)
                after = next((strong[j] for j in range(k + 1, len(strong)) if strong[j] is not None), para)
                value = bool(before) if before == after else para
            elif value and roles[k] is None:
                # A number after right-to-left letters: inside their font run raqm orders it; in a font run
                # of its own (Hebrew fonts have no digits) it is a left-to-right piece at level 2.
                value = inside[k]
            out.append(value)
        return out

    def _runs(
        self, clusters: list[str], roles: list[str | None], fams: list[Family | None]
    ) -> tuple[Run, ...]:
        directions = self._directions(clusters, roles, fams)
        runs: list[Run] = []
        texts: list[str] = []
        for k, cluster in enumerate(clusters):
            family, rtl = fams[k], directions[k]
            assert family is not None
            if texts and runs[-1].family == family and runs[-1].rtl == rtl:
                texts[-1] += cluster
                continue
            runs.append(Run("", family, rtl, 1 if rtl else (2 if self.rtl else 0)))
            texts.append(cluster)
        return tuple(Run(text, r.family, r.rtl, r.level) for text, r in zip(texts, runs, strict=True))

    def missing(self, text: str) -> tuple[str, ...]:
        return self.segment(text)[1]

    def roles(self, text: str) -> frozenset[str]:
        """Scripts (and 'emoji') present in `text`: which fonts it needs and whether it needs shaping."""
        key = ("roles", text)
        found = self._memo.get(key)
        if found is None:
            found = frozenset(r for c in _GRAPHEME.findall(text) if (r := _cluster_role(c)) is not None)
            self._memo[key] = found
        return found  # type: ignore[return-value]

    def families(self, text: str) -> list[Family]:
        seen: list[Family] = []
        for run in self.segment(text)[0]:
            if run.family not in seen:
                seen.append(run.family)
        return seen

    def require_fonts(self, text: str) -> None:
        """Raise FontMissing when a family this text needs (its scripts, Latin for shared characters) is absent."""
        needed = [self.family, self.fonts.family("latin")]
        needed += [self.fonts.family(r) for r in sorted(self.roles(text)) if r != "other"]
        for family in needed:
            family.check_installed()

    def needs_shaping(self, text: str) -> bool:
        return bool(self.roles(text) & (COMPLEX_SCRIPTS | {"emoji"}))

    # --- measuring and drawing -------------------------------------------------------------------------------------

    def _font(self, family: Family, size: int) -> tuple[FontFile, ImageFont.FreeTypeFont]:
        file = family.file(self.weight)
        return file, load_font(file, size, self.weight if family.variable else file.weight)

    def _language(self, family: Family) -> str | None:
        return raqm_language(
            self.lang, self.fonts.region if family.name.startswith("Noto Sans CJK") else None
        )

    def run_width(self, run: Run, size: int) -> float:
        key = ("w", run, size)
        found = self._memo.get(key)
        if found is None:
            if not installed(run.family):
                found = estimate_width(run.text, size)
            else:
                file, font = self._font(run.family, size)
                try:
                    if raqm():
                        length = font.getlength(
                            run.text,
                            direction="rtl" if run.rtl else "ltr",
                            language=self._language(run.family),
                        )
                    else:
                        length = font.getlength(run.text)
                except (RuntimeError, OSError, ValueError) as exc:
                    raise LayoutFailed(f"{run.family.name} could not lay out {run.text!r}: {exc}") from None
                found = length * size / file.bitmap_size if file.bitmap_size else length
            self._memo[key] = found
        return found  # type: ignore[return-value]

    def width(self, text: str, size: int) -> float:
        return sum(self.run_width(run, size) for run in self.segment(text)[0])

    def metrics(self, size: int) -> tuple[int, int]:
        """Ascent and descent of the main family at `size`: where the first baseline sits, how deep the last."""
        return self._font(self.family, size)[1].getmetrics()

    def line_px(self, size: int, line_height: float) -> int:
        return round(size * line_height * self.family.line_scale)

    def draw(
        self,
        canvas: Image.Image,
        xy: tuple[float, int],
        text: str,
        size: int,
        fill: tuple[int, int, int],
    ) -> None:
        """Draw `text` with its left edge at x and its baseline at y, runs in display order."""
        draw = ImageDraw.Draw(canvas)
        ink = draw.draw.draw_ink(fill)
        x, baseline = xy
        for run in visual_order(self.segment(text)[0]):
            width = self.run_width(run, size)
            file, font = self._font(run.family, size)
            try:
                if file.bitmap_size:
                    _paste_bitmap_run(canvas, font, run.text, (x, baseline), size / file.bitmap_size)
                else:
                    shaped = raqm()
                    mask, offset = _glyph_mask(
                        font,
                        draw.fontmode,
                        run.text,
                        ("rtl" if run.rtl else "ltr") if shaped else None,
                        self._language(run.family) if shaped else None,
                        ink,
                        (math.modf(x)[0], math.modf(baseline)[0]),
                    )
                    draw.draw.draw_bitmap((int(x) + offset[0], int(baseline) + offset[1]), mask, ink)
            except (RuntimeError, OSError, ValueError) as exc:
                raise LayoutFailed(f"{run.family.name} could not draw {run.text!r}: {exc}") from None
            x += width


@lru_cache(maxsize=16)
def _glyph_mask(
    font: ImageFont.FreeTypeFont,
    mode: str,
    text: str,
    direction: str | None,
    language: str | None,
    ink: int,
    start: tuple[float, float],
) -> tuple[Image.core.ImagingCore, tuple[int, int]]:
    """The coverage mask of one run, as `ImageDraw.text` renders it (same call, same arguments), memoised.

    Rendering (HarfBuzz layout plus FreeType rasterising every glyph) is most of drawing a line, and the OG and
    X cards of a post draw the same lines at the same size and sub-pixel offset, and every card the same site
    name. Small on purpose: it serves the card in hand and the next one, not a whole run.
    """
    return font.getmask2(text, mode, direction, None, language, 0, "ls", ink, start, stroke_filled=True)


def visual_order(runs: tuple[Run, ...]) -> list[Run]:
    """Unicode bidi rule L2 over runs: from the highest level down, reverse every sequence at or above it."""
    order = list(runs)
    top = max((r.level for r in order), default=0)
    for level in range(top, 0, -1):
        i = 0
        while i < len(order):
            if order[i].level < level:
                i += 1
                continue
            j = i
            while j < len(order) and order[j].level >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return order


def _paste_bitmap_run(
    canvas: Image.Image, font: ImageFont.FreeTypeFont, text: str, xy: tuple[float, int], scale: float
) -> None:
    """Colour bitmap glyphs exist at one pixel size: draw them there, scale the image, paste on the baseline."""
    ascent, descent = font.getmetrics()
    width = math.ceil(font.getlength(text)) + 2
    strip = Image.new("RGBA", (width, ascent + descent))
    ImageDraw.Draw(strip).text((0, ascent), text, font=font, anchor="ls", embedded_color=True)
    size = (max(1, round(strip.width * scale)), max(1, round(strip.height * scale)))
    strip = strip.resize(size, Image.Resampling.LANCZOS)
    x, baseline = xy
    canvas.paste(strip, (round(x), round(baseline - ascent * scale)), strip)


def estimate_width(text: str, size: float) -> float:
    """Width when the font is not installed (validate only; cards refuse): 1 em per wide character, else 0.55 em
    per grapheme cluster — marks, ZWJ and ZWNJ add nothing."""
    total = 0.0
    for cluster in _GRAPHEME.findall(text):
        wide = unicodedata.east_asian_width(cluster[0]) in ("W", "F") or _cluster_role(cluster) == "emoji"
        total += 1.0 if wide else (0.28 if cluster.isspace() else 0.55)
    return total * size


@lru_cache(maxsize=256)
def setter(fonts: FontSet, weight: int, lang: str, primary: Script) -> Setter:
    """One shared Setter per style, so its memo serves every card and text in this process."""
    return Setter(fonts, weight, lang, primary)


__all__ = ["FontMissing", "LayoutFailed", "Run", "Setter", "estimate_width", "setter", "visual_order"]

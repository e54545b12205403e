"""Rendered width of titles and descriptions the way Google's SERP measures them: Arial at 20 px / 14 px.

Latin, Greek and Cyrillic are set in Arimo (PyPI `fontpkg-arimo`), which has Arial's metrics, as Google's Arial
would set them; every other script in the Noto font a browser falls back to (the same families the cards use,
Regular weight), emoji in Noto Color Emoji. Each font run is shaped by raqm/HarfBuzz, so Arabic joining forms,
Indic conjuncts and vowel signs, and Thai marks measure what they draw — a combining mark adds nothing, a
conjunct is one glyph — instead of one 'x' per code point.

Widths are measured once per (text, language) at a reference size and scaled: SERP sizes are small, and hinting
at 14 px would round every advance. A script whose Noto font is not installed is estimated per grapheme
cluster and the finding says so, naming the package (`width_note`).
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.typeset.fonts import Family, FontFile, FontSet, installed
from pipeline.typeset.runs import LayoutFailed, Setter, estimate_width, setter
from pipeline.typeset.scripts import cjk_region, detect_script

REFERENCE_PX = 200


@lru_cache(maxsize=1)
def _arimo() -> Family:
    import fontpkg

    path = fontpkg.path("Arimo")
    return Family("Arimo", (FontFile(path, 0, 400),), "the PyPI package fontpkg-arimo", variable=True)


_SETTERS: dict[tuple[str, str, str], Setter] = {}


def _setter(text: str, lang: str) -> Setter:
    key = (lang, cjk_region(lang, text), detect_script(text, lang))
    found = _SETTERS.get(key)
    if found is None:
        fonts = FontSet(lang, key[1], (("latin", _arimo()),))
        found = _SETTERS[key] = setter(fonts, 400, lang, key[2])
    return found


@lru_cache(maxsize=8192)
def _width_em(text: str, lang: str) -> tuple[float, str]:
    ts = _setter(text, lang)
    runs = ts.segment(text)[0]
    absent = next((r.family for r in runs if not installed(r.family)), None)
    try:
        width = sum(ts.run_width(run, REFERENCE_PX) for run in runs) / REFERENCE_PX
    except LayoutFailed as exc:
        return estimate_width(text, 1.0), str(exc)
    return width, (f"font {absent.name} is not installed; install {absent.source}" if absent else "")


def text_width_px(text: str, size_px: float, lang: str = "") -> float:
    """Shaped width of `text` at `size_px`; `lang` picks regional forms (CJK) and breaks script ties."""
    return _width_em(text, lang)[0] * size_px


def width_note(text: str, lang: str = "") -> str:
    """Why the width of `text` is an estimate ('' when every run was measured with its font)."""
    return _width_em(text, lang)[1]


def warm() -> None:
    """Load Arimo and the Latin shaping path before forking validate's workers."""
    text_width_px("x", 10, "en")

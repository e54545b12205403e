"""Rendered width of titles and descriptions the way Google's SERP measures them: Arial at 20 px / 14 px.

Arimo (PyPI `fontpkg-arimo`) has Arial's metrics, so the advance widths come from its hmtx table via fontTools
— no system font and no rendering needed.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _metrics() -> tuple[dict[int, int], int, int]:
    import fontpkg
    from fontTools.ttLib import TTFont

    font = TTFont(str(fontpkg.path("Arimo")), lazy=True)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"].metrics
    upem = font["head"].unitsPerEm
    widths = {cp: hmtx[name][0] for cp, name in cmap.items()}
    fallback = hmtx[cmap.get(ord("x"), ".notdef")][0] if ord("x") in cmap else upem // 2
    return widths, upem, fallback


def text_width_px(text: str, size_px: float) -> float:
    widths, upem, fallback = _metrics()
    total = 0
    for ch in text:
        cp = ord(ch)
        w = widths.get(cp)
        if w is None:
            # Characters Arial lacks (CJK, emoji) render about one em wide in a fallback font.
            w = upem if cp > 0x2E80 else fallback
        total += w
    return total * size_px / upem

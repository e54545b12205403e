"""The cards' side of fonts: pick the setter for a text and refuse what would be drawn wrong.

The fonts themselves (which family for which script, where the files are) live in `pipeline.typeset.fonts`,
shared with validate's pixel widths. Here a gap becomes a finding for that card instead of a wrong picture:
Pillow draws a missing glyph as an empty box (tofu) and draws Arabic unjoined and left to right without raqm and
FriBiDi, both without complaint.
"""

from __future__ import annotations

import unicodedata

from PIL import features

from pipeline.typeset.fonts import Family, FontMissing, FontSet
from pipeline.typeset.runs import Setter, setter
from pipeline.typeset.scripts import RTL_SCRIPTS, cjk_region, detect_script


class CardError(Exception):
    """A card cannot be rendered correctly; `rule` is the finding id, the message says how to fix it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def font_set(lang: str, text: str, chosen: tuple[tuple[str, Family], ...] = ()) -> FontSet:
    return FontSet(lang, cjk_region(lang, text), chosen)


def card_setter(text: str, lang: str, weight: int, chosen: tuple[tuple[str, Family], ...] = ()) -> Setter:
    return setter(font_set(lang, text, chosen), weight, lang, detect_script(text, lang))


def check_text(text: str, ts: Setter, what: str) -> None:
    """Raise CardError when `text` cannot be drawn right: a font not installed, a glyph no font has, or a complex
    script without raqm/FriBiDi."""
    try:
        ts.require_fonts(text)
    except FontMissing as exc:
        raise CardError("CARD005", f"{what}: {exc}") from None
    missing = ts.missing(text)
    if missing:
        shown = ", ".join(f"U+{ord(c):04X} {c!r} ({_script_name(c)})" for c in missing[:5])
        tried = ", ".join(dict.fromkeys(f.name for f in (ts.family, *ts.fonts.fallbacks())))
        raise CardError(
            "CARD004",
            f"{what}: no font has {shown} (tried {tried}); rewrite those characters or name a font that has "
            "them in the layout's `fonts` table (no tofu is drawn)",
        )
    roles = ts.roles(text)
    if ts.needs_shaping(text):
        require_raqm(
            ", ".join(sorted(roles - {"latin", "cjk", "other"})) or "emoji", what, bool(roles & RTL_SCRIPTS)
        )


def _script_name(ch: str) -> str:
    """'TIBETAN' from 'TIBETAN LETTER KA': enough to tell a person which script needs a font."""
    name = unicodedata.name(ch, "")
    return name.split(" ")[0].title() if name else "unnamed character"


def require_raqm(scripts: str, what: str, rtl: bool) -> None:
    if not features.check("raqm"):
        raise CardError(
            "CARD005",
            f"{what}: {scripts} text needs Pillow's raqm layout (HarfBuzz) and it is unavailable; "
            "install libraqm0/libfribidi0 (`make install`) — refusing to draw it unshaped",
        )
    if rtl and not features.check("fribidi"):
        raise CardError(
            "CARD005",
            f"{what}: right-to-left text needs FriBiDi (Debian package libfribidi0); install it with "
            "`apt-get install libfribidi0` — refusing to draw it left to right",
        )

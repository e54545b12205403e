"""Which script a character belongs to, and which script (and CJK region) a text is written in.

Why ranges rather than `unicodedata`: Python's `unicodedata` has no Script property, and a font is chosen per
Unicode block family anyway (Greek and Cyrillic are drawn by the Latin font; Hangul, kana and Han by one CJK
collection). Characters shared by every script (digits, spaces, punctuation) return None: they take the font of
the text around them (see `runs`).
"""

from __future__ import annotations

import bisect
import re
from typing import Literal

from pipeline.langtags import primary

Script = Literal[
    "latin",
    "arabic",
    "hebrew",
    "thaana",
    "devanagari",
    "bengali",
    "gurmukhi",
    "gujarati",
    "oriya",
    "tamil",
    "telugu",
    "kannada",
    "malayalam",
    "sinhala",
    "thai",
    "lao",
    "khmer",
    "myanmar",
    "georgian",
    "armenian",
    "ethiopic",
    "cjk",
    "other",
]
SCRIPTS: tuple[Script, ...] = Script.__args__  # type: ignore[attr-defined]

RTL_SCRIPTS: frozenset[str] = frozenset({"arabic", "hebrew", "thaana"})
# Scripts whose letters join, reorder or stack: drawn without raqm (HarfBuzz) they come out wrong, not just plain.
COMPLEX_SCRIPTS: frozenset[str] = frozenset(
    {
        "arabic",
        "hebrew",
        "thaana",
        "devanagari",
        "bengali",
        "gurmukhi",
        "gujarati",
        "oriya",
        "tamil",
        "telugu",
        "kannada",
        "malayalam",
        "sinhala",
        "thai",
        "lao",
        "khmer",
        "myanmar",
    }
)

# (first, last, script), sorted by first code point; gaps are "not a script block" (see char_script).
_RANGES: tuple[tuple[int, int, Script], ...] = (
    (0x0370, 0x03FF, "latin"),  # Greek
    (0x0400, 0x052F, "latin"),  # Cyrillic
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0780, 0x07BF, "thaana"),
    (0x0870, 0x08FF, "arabic"),
    (0x0900, 0x0963, "devanagari"),
    (0x0966, 0x097F, "devanagari"),  # U+0964/0965 (danda) are shared by the Indic scripts: neutral
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B00, 0x0B7F, "oriya"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1000, 0x109F, "myanmar"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "cjk"),  # Hangul Jamo
    (0x1200, 0x139F, "ethiopic"),
    (0x1780, 0x17FF, "khmer"),
    (0x19E0, 0x19FF, "khmer"),
    (0x1C80, 0x1C8F, "latin"),  # Cyrillic Extended-C
    (0x1C90, 0x1CBF, "georgian"),
    (0x1E00, 0x1FFF, "latin"),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2C60, 0x2C7F, "latin"),
    (0x2D00, 0x2D2F, "georgian"),
    (0x2D80, 0x2DDF, "ethiopic"),
    (0x2DE0, 0x2DFF, "latin"),
    (0x2E80, 0x2FDF, "cjk"),
    (0x3000, 0x303F, "cjk"),  # CJK punctuation: 、。「」 belong with the CJK font
    (0x3040, 0x33FF, "cjk"),  # kana, bopomofo, Hangul compatibility jamo, enclosed CJK
    (0x3400, 0x4DBF, "cjk"),
    (0x4E00, 0x9FFF, "cjk"),
    (0xA640, 0xA69F, "latin"),
    (0xA720, 0xA7FF, "latin"),
    (0xA8E0, 0xA8FF, "devanagari"),
    (0xA960, 0xA97F, "cjk"),
    (0xA9E0, 0xA9FF, "myanmar"),
    (0xAA60, 0xAA7F, "myanmar"),
    (0xAB00, 0xAB2F, "ethiopic"),
    (0xAB30, 0xAB6F, "latin"),
    (0xAC00, 0xD7FF, "cjk"),  # Hangul syllables and Jamo Extended-B
    (0xF900, 0xFAFF, "cjk"),
    (0xFB00, 0xFB06, "latin"),
    (0xFB13, 0xFB17, "armenian"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE30, 0xFE4F, "cjk"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF00, 0xFFEF, "cjk"),  # full-width forms
    (0x111E0, 0x111FF, "sinhala"),
    (0x11FC0, 0x11FFF, "tamil"),
    (0x1E7E0, 0x1E7FF, "ethiopic"),
    (0x20000, 0x3FFFF, "cjk"),
)
_STARTS = [lo for lo, _, _ in _RANGES]
_CACHE: dict[str, Script | None] = {}

# Language (ISO 639-1/3 primary subtag) → its usual script: breaks ties and picks the script of a text that
# has only digits and punctuation.
LANG_SCRIPTS: dict[str, Script] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "sd", "ug", "ckb", "ks"), "arabic"),
    **dict.fromkeys(("he", "yi"), "hebrew"),
    "dv": "thaana",
    **dict.fromkeys(("hi", "mr", "ne", "sa", "kok", "mai", "bho", "doi"), "devanagari"),
    **dict.fromkeys(("bn", "as", "mni"), "bengali"),
    "pa": "gurmukhi",
    "gu": "gujarati",
    "or": "oriya",
    "ta": "tamil",
    "te": "telugu",
    "kn": "kannada",
    "ml": "malayalam",
    "si": "sinhala",
    "th": "thai",
    "lo": "lao",
    "km": "khmer",
    "my": "myanmar",
    "ka": "georgian",
    "hy": "armenian",
    **dict.fromkeys(("am", "ti", "gez"), "ethiopic"),
    **dict.fromkeys(("ja", "zh", "ko", "yue"), "cjk"),
}

CjkRegion = Literal["JP", "KR", "SC", "TC", "HK"]


def primary_lang(lang: str) -> str:
    return primary(lang)


def char_script(ch: str) -> Script | None:
    """Script of one character; None for characters every script shares (digits, spaces, punctuation, marks).

    Letters of scripts we have no font role for (Tibetan, Syriac, Cherokee, ...) are "other": they go through
    the fallback fonts and, when none has them, become a missing-glyph finding that names the script.
    """
    found = _CACHE.get(ch, False)
    if found is not False:
        return found  # type: ignore[return-value]
    cp = ord(ch)
    i = bisect.bisect_right(_STARTS, cp) - 1
    result: Script | None = None
    if i >= 0 and cp <= _RANGES[i][1]:
        result = _RANGES[i][2]  # letters, marks, digits and punctuation of a script block: its font has them
    elif ch.isalpha():
        result = "latin" if cp <= 0x02AF else "other"
    if len(_CACHE) < 20_000:
        _CACHE[ch] = result
    return result


def detect_script(text: str, lang: str = "") -> Script:
    """The script a text is written in: its language's script when the text has letters of it ("OpenTelemetry
    কী?" is Bengali, "دليل Kubernetes" reads right to left), else the script with the most letters (non-Latin wins
    a tie), else the language's script (a title of digits), else Latin."""
    hint = LANG_SCRIPTS.get(primary_lang(lang), "latin" if lang else None)
    if text.isascii():  # the common case, without a look at each character
        return "latin" if any(ch.isalpha() for ch in text) else (hint or "latin")
    counts: dict[Script, int] = {}
    for ch in text:
        script = char_script(ch)
        if script is not None and script != "other":
            counts[script] = counts.get(script, 0) + 1
    if hint in counts:
        return hint
    if counts:
        return max(counts, key=lambda s: (counts[s], s != "latin"))
    return hint or "latin"


def is_rtl(script: str) -> bool:
    return script in RTL_SCRIPTS


_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")


def cjk_region(lang: str, text: str = "") -> CjkRegion:
    """Which regional CJK face draws Han characters: the same code point has different shapes in JP, KR, SC,
    TC and HK typography (e.g. 骨 and 直), so the post's language decides; the text decides when the language
    is not a CJK one (kana means Japanese, Hangul Korean)."""
    parts = lang.replace("_", "-").lower().split("-")
    head, rest = parts[0], set(parts[1:])
    if head == "ja":
        return "JP"
    if head == "ko":
        return "KR"
    if head in ("zh", "yue"):
        if rest & {"hk", "mo"} or head == "yue":
            return "HK"
        if rest & {"hant", "tw"}:
            return "TC"
        return "SC"
    if text.isascii():
        return "SC"
    kana, hangul = _KANA.search(text), _HANGUL.search(text)
    if kana and (not hangul or kana.start() < hangul.start()):
        return "JP"
    return "KR" if hangul else "SC"


def raqm_language(lang: str, region: CjkRegion | None = None) -> str | None:
    """BCP 47 tag for HarfBuzz's `locl` features (Serbian Cyrillic forms, Urdu digits, regional Han shapes)."""
    if region is not None and primary_lang(lang) not in ("ja", "ko", "zh", "yue"):
        return {"JP": "ja", "KR": "ko", "SC": "zh-Hans", "TC": "zh-Hant", "HK": "zh-HK"}[region]
    return lang.replace("_", "-") or None

"""Line breaking by script and the title fit: the largest size whose wrapped lines fit the box.

Break opportunities differ per script, and getting them wrong is what makes other card generators overflow:
- Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Tamil: between words (spaces). Shaping and bidi happen per
  line inside raqm, so lines are built in logical order and each is measured shaped.
- Korean: at spaces, like Latin (Hangul words are space-separated; breaking inside one reads badly).
- Chinese and Japanese: between any two characters, with basic kinsoku — closing punctuation and small kana never start a line,
  opening punctuation never ends one, and runs of Latin letters/digits (e.g. "BMD", "2025") stay whole.
- Thai: no spaces between words, so words come from a dictionary segmenter. We use `newmm-tokenizer` (the
  PyThaiNLP "newmm" maximal-matching algorithm with its word list, packaged alone: pure Python, ~300 KB, no
  model downloads). PyICU would also work but needs ICU headers to build; libthai would need ctypes glue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pipeline.cards.fonts import RTL_SCRIPTS, Script

# Kinsoku shori (JIS X 4051, the basic set).
NO_LINE_START = frozenset(
    ")]}〕〉》」』】〙〗〟’”｠»"
    "ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻"
    "‐゠–〜～?!‼⁇⁈⁉・:;/。.、,，．：；？！）］｝＞」』"
)
NO_LINE_END = frozenset("([{〔〈《「『【〘〖〝‘“｟«（［｛＜")
_LATIN_RUN = re.compile(r"[A-Za-z0-9\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF.,%'’\-]+")
_SPACE = re.compile(r"\s+")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")


@dataclass(frozen=True)
class Token:
    """A piece that is never split; `space_before` says whether a space separates it from the previous one."""

    text: str
    space_before: bool


def tokenize(text: str, script: Script) -> list[Token]:
    text = _SPACE.sub(" ", text).strip()
    if script == "cjk" and _HANGUL.search(text) and " " in text:
        # Korean separates words with spaces and breaks lines there (CSS `word-break: keep-all`).
        return [Token(word, i > 0) for i, word in enumerate(text.split(" ")) if word]
    if script == "cjk":
        return _cjk_tokens(text)
    if script == "thai":
        return _thai_tokens(text)
    return [Token(word, i > 0) for i, word in enumerate(text.split(" ")) if word]


def _cjk_tokens(text: str) -> list[Token]:
    pieces: list[Token] = []
    pos = 0
    space = False
    while pos < len(text):
        ch = text[pos]
        if ch == " ":
            space = True
            pos += 1
            continue
        match = _LATIN_RUN.match(text, pos)
        if match:
            piece = match.group(0)
            pos = match.end()
        else:
            piece = ch
            pos += 1
        pieces.append(Token(piece, space))
        space = False
    return _kinsoku(pieces)


def _kinsoku(pieces: list[Token]) -> list[Token]:
    """Glue forbidden line starts to the previous piece and forbidden line ends to the next."""
    out: list[Token] = []
    carry: Token | None = None
    for piece in pieces:
        if carry is not None:
            piece = Token(carry.text + (" " if piece.space_before else "") + piece.text, carry.space_before)
            carry = None
        if out and not piece.space_before and piece.text[0] in NO_LINE_START:
            prev = out.pop()
            piece = Token(prev.text + piece.text, prev.space_before)
        if piece.text[-1] in NO_LINE_END:
            carry = piece
            continue
        out.append(piece)
    if carry is not None:
        if out:
            prev = out.pop()
            out.append(Token(prev.text + (" " if carry.space_before else "") + carry.text, prev.space_before))
        else:
            out.append(carry)
    return out


@lru_cache(maxsize=1)
def thai_segmenter() -> Callable[[str], list[str]]:
    from newmm_tokenizer.tokenizer import word_tokenize

    return word_tokenize


def _thai_tokens(text: str) -> list[Token]:
    out: list[Token] = []
    for i, chunk in enumerate(text.split(" ")):
        if not chunk:
            continue
        words = [w for w in thai_segmenter()(chunk) if w]
        for j, word in enumerate(words):
            out.append(Token(word, i > 0 and j == 0))
    return out


def join_tokens(tokens: list[Token]) -> str:
    return "".join((" " if t.space_before and i else "") + t.text for i, t in enumerate(tokens))


Measure = Callable[[str], float]
REFERENCE_SIZE = 100  # token widths are measured once at this size and scaled


def wrap(
    tokens: list[Token], max_width: float, widths: list[float], space: float
) -> list[list[Token]] | None:
    """Greedy fill from per-token widths; None when one token is wider than the line (try a smaller size).

    Widths are summed rather than each candidate line shaped again: shaping a growing CJK line per character
    costs O(n²) HarfBuzz calls, summing costs nothing. `fit` measures the chosen lines exactly afterwards.
    """
    lines: list[list[Token]] = []
    current: list[Token] = []
    used = 0.0
    for token, width in zip(tokens, widths, strict=True):
        extra = width + (space if token.space_before and current else 0.0)
        if current and used + extra <= max_width:
            current.append(token)
            used += extra
            continue
        if width > max_width:
            return None
        if current:
            lines.append(current)
        current, used = [token], width
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class Fitted:
    size: int
    lines: list[str]
    line_px: int
    truncated: bool


def fit(
    text: str,
    script: Script,
    *,
    max_width: int,
    max_height: int,
    min_size: int,
    max_size: int,
    max_lines: int,
    line_height: float,
    measure_at: Callable[[int], Measure],
) -> Fitted:
    """Largest size in [min_size, max_size] whose lines fit; at min_size the last line is cut with '…'.

    Sizes are searched by bisection: fitting is monotone in size for greedy wrapping in practice, and bisection
    needs ~6 wraps instead of ~40. Each token is shaped once at a reference size; a candidate's lines are then
    shaped exactly at its size, so hinting or kerning differences can never let a line overflow.
    """
    tokens = tokenize(text, script)
    reference = measure_at(REFERENCE_SIZE)
    ref_widths = [reference(t.text) for t in tokens]
    ref_space = reference(" ")

    def estimate(size: int) -> list[list[Token]] | None:
        line_px = round(size * line_height)
        lines_allowed = min(max_lines, max(1, (max_height + line_px - size) // line_px))
        scale = size / REFERENCE_SIZE
        lines = wrap(tokens, max_width, [w * scale for w in ref_widths], ref_space * scale)
        if lines is None or len(lines) > lines_allowed:
            return None
        return lines

    lo, hi = min_size, max_size
    best: int | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if estimate(mid) is not None:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    # Confirm with exact shaping at the chosen size; on the rare overflow step down until it holds.
    size = best if best is not None else min_size - 1
    while size >= min_size:
        lines = estimate(size)
        if lines is not None:
            exact = measure_at(size)
            if all(exact(join_tokens(line)) <= max_width for line in lines):
                return Fitted(size, [join_tokens(line) for line in lines], round(size * line_height), False)
        size -= 1
    line_px = round(min_size * line_height)
    allowed = min(max_lines, max(1, (max_height + line_px - min_size) // line_px))
    return _truncate(tokens, script, min_size, max_width, allowed, line_height, measure_at(min_size))


def _truncate(
    tokens: list[Token],
    script: Script,
    size: int,
    max_width: int,
    max_lines: int,
    line_height: float,
    measure: Measure,
) -> Fitted:
    """Fill max_lines at the smallest size, splitting over-long tokens by character, then end with '…'."""
    pieces: list[Token] = []
    for token in tokens:
        if measure(token.text) <= max_width:
            pieces.append(token)
        else:
            pieces.extend(Token(ch, token.space_before and k == 0) for k, ch in enumerate(token.text))
    lines: list[list[Token]] = []
    current: list[Token] = []
    placed = 0
    for token in pieces:
        if not current or measure(join_tokens([*current, token])) <= max_width:
            current.append(token)
            placed += 1
            continue
        lines.append(current)
        current = [token]
        if len(lines) == max_lines:
            break
        placed += 1
    if current and len(lines) < max_lines:
        lines.append(current)
    if placed == len(pieces) and len(lines) <= max_lines:
        return Fitted(size, [join_tokens(line) for line in lines], round(size * line_height), False)
    lines = lines[:max_lines]
    last = join_tokens(lines[-1]) if lines else ""
    while last and measure(last + "…") > max_width:
        last = last[:-1]
    texts = [join_tokens(line) for line in lines[:-1]] + [last.rstrip() + "…"]
    return Fitted(size, texts, round(size * line_height), True)


def is_rtl(script: Script) -> bool:
    return script in RTL_SCRIPTS

"""The title fit: the largest size whose lines, broken where the language breaks them, fit the box.

Break opportunities come from `pipeline.typeset.breaks` (ICU line breaking for every script, BudouX phrases for
Japanese and Chinese, spaces for Korean); widths come from the setter, which shapes each font run with raqm.
Lines are built in logical order; bidi reordering happens per line when it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from pipeline.typeset.breaks import Token, join_tokens, split_long, tokens
from pipeline.typeset.scripts import Script

Measure = Callable[[str], float]
_GRAPHEME = regex.compile(r"\X")
REFERENCE_SIZE = 100  # token widths are measured once at this size and scaled


def wrap(
    pieces: list[Token], max_width: float, widths: list[float], space: float
) -> list[list[Token]] | None:
    """Greedy fill from per-token widths; None when one token is wider than the line (try a smaller size).

    Widths are summed rather than each candidate line shaped again: shaping a growing line per token costs
    O(n²) HarfBuzz calls, summing costs nothing. `fit` measures the chosen lines exactly afterwards.
    """
    lines: list[list[Token]] = []
    current: list[Token] = []
    used = 0.0
    for token, width in zip(pieces, widths, strict=True):
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


def balanced(
    pieces: list[Token], widths: list[float], space: float, max_width: float, count: int
) -> list[list[Token]]:
    """The same number of lines with the narrowest measure that still holds them (CSS `text-wrap: balance`):
    no lone word or number on a last line while the first runs the full width."""
    lo, hi = max(widths, default=0.0), max_width
    best = wrap(pieces, max_width, widths, space) or []
    for _ in range(12):  # ≈ a tenth of a pixel on a 1,000 px line
        mid = (lo + hi) / 2
        lines = wrap(pieces, mid, widths, space)
        if lines is not None and len(lines) <= count:
            best, hi = lines, mid
        else:
            lo = mid
    return best


@dataclass(frozen=True)
class Fitted:
    size: int
    lines: list[str]
    line_px: int
    truncated: bool


@dataclass(frozen=True)
class Box:
    """What the text must fit: the box in pixels, the size range, lines and line height (× the font's scale)."""

    max_width: int
    max_height: int
    min_size: int
    max_size: int
    max_lines: int
    line_height: float
    balance: bool = False


def fit(text: str, lang: str, script: Script, box: Box, measure_at: Callable[[int], Measure]) -> Fitted:
    """Largest size in [min_size, max_size] whose lines fit; at min_size the last line is cut with '…'.

    Sizes are searched by bisection: fitting is monotone in size for greedy wrapping in practice, and bisection
    needs ~6 wraps instead of ~40. Each token is shaped once at a reference size; a candidate's lines are then
    shaped exactly at its size, so hinting or kerning differences can never let a line overflow.
    """
    pieces = tokens(text, lang, script)
    reference = measure_at(REFERENCE_SIZE)
    ref_widths = [reference(t.text) for t in pieces]
    ref_space = reference(" ")

    def lines_allowed(size: int) -> int:
        line_px = round(size * box.line_height)
        return min(box.max_lines, max(1, (box.max_height + line_px - size) // line_px))

    def estimate(size: int) -> list[list[Token]] | None:
        scale = size / REFERENCE_SIZE
        lines = wrap(pieces, box.max_width, [w * scale for w in ref_widths], ref_space * scale)
        if lines is None or len(lines) > lines_allowed(size):
            return None
        return lines

    lo, hi = box.min_size, box.max_size
    best: int | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if estimate(mid) is not None:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    # Confirm with exact shaping at the chosen size; on the rare overflow step down until it holds.
    size = best if best is not None else box.min_size - 1
    while size >= box.min_size:
        lines = estimate(size)
        if lines is not None:
            exact = measure_at(size)
            if box.balance and len(lines) > 1:
                scale = size / REFERENCE_SIZE
                even = balanced(
                    pieces, [w * scale for w in ref_widths], ref_space * scale, box.max_width, len(lines)
                )
                if all(exact(join_tokens(line)) <= box.max_width for line in even):
                    lines = even
            if all(exact(join_tokens(line)) <= box.max_width for line in lines):
                return Fitted(
                    size, [join_tokens(line) for line in lines], round(size * box.line_height), False
                )
        size -= 1
    size = box.min_size
    measure = measure_at(size)
    return _truncate(pieces, lang, script, size, box, lines_allowed(size), measure)


def _truncate(
    pieces: list[Token], lang: str, script: Script, size: int, box: Box, max_lines: int, measure: Measure
) -> Fitted:
    """Fill max_lines at the smallest size, splitting over-long tokens (ICU, then clusters), then end with '…'."""
    fits: Callable[[str], bool] = lambda s: measure(s) <= box.max_width  # noqa: E731
    small: list[Token] = []
    for token in pieces:
        small.extend([token] if fits(token.text) else split_long(token, lang, script, fits))
    lines: list[list[Token]] = []
    current: list[Token] = []
    placed = 0
    for token in small:
        if not current or fits(join_tokens([*current, token])):
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
    line_px = round(size * box.line_height)
    if placed == len(small) and len(lines) <= max_lines:
        return Fitted(size, [join_tokens(line) for line in lines], line_px, False)
    lines = lines[:max_lines]
    last = lines[-1] if lines else []
    text = join_tokens(last)
    while last and not fits(text + "…"):
        last = last[:-1]  # drop whole tokens, never half a conjunct or emoji sequence
        text = join_tokens(last)
    if not last and lines:  # one token filled the line: cut it between grapheme clusters instead
        clusters = _GRAPHEME.findall(join_tokens(lines[-1]))
        while clusters and not fits("".join(clusters) + "…"):
            clusters.pop()
        text = "".join(clusters)
    texts = [join_tokens(line) for line in lines[:-1]] + [text.rstrip() + "…"]
    return Fitted(size, texts, line_px, True)

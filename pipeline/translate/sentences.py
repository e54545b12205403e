"""Offline sentence splitting: abbreviation- and decimal-aware, no model download (Argos's MiniSBD fetches ONNX
models at first use and fails offline).

`split_sentences(text)` returns (sentence, separator) pairs whose concatenation is exactly `text`, so the
whitespace between sentences survives translation byte for byte.
"""

from __future__ import annotations

import re

# Lower-cased, without the final dot. A dot after these never ends a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al fig figs no nos vol vols p pp ed eds approx ca
    dept est inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    u.s u.k e.u a.m p.m ph.d m.d b.sc m.sc min max avg resp incl excl sr.
    """.split()
)

_END = re.compile(
    r"""(?P<end>[.!?…]+|[。！？]+)      # terminal punctuation
        (?P<close>["'”’)\]»]*)            # closing quotes/brackets stay with the sentence
        (?P<sep>\s+|(?<=[。！？])(?=\S))   # whitespace (or nothing after CJK punctuation)
    """,
    re.VERBOSE,
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    end = match.group("end")
    after = text[match.end() :]
    if not after:
        return False
    if end[0] in "。！？":
        return True
    nxt = after[0]
    # A lower-case continuation ("e.g. walking", "approx. ten") is never a new sentence.
    if nxt.islower():
        return False
    if end == ".":
        word = _WORD_BEFORE.search(text, 0, match.start())
        if word:
            token = word.group(1).lower().rstrip(".")
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                return False
            if token.isdigit() and nxt.isdigit():  # "1. 2" list-ish numbers
                return False
    return True


def split_sentences(text: str) -> list[tuple[str, str]]:
    """Split into (sentence, trailing separator); empty input gives []."""
    if not text:
        return []
    out: list[tuple[str, str]] = []
    start = 0
    for match in _END.finditer(text):
        if not _is_boundary(text, match):
            continue
        sep_start = match.start("sep")
        out.append((text[start:sep_start], text[sep_start : match.end()]))
        start = match.end()
    if start < len(text):
        tail = text[start:]
        stripped = tail.rstrip()
        out.append((stripped, tail[len(stripped) :]))
    elif out:
        pass
    return [(s, sep) for s, sep in out if s or sep]

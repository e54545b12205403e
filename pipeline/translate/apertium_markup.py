"""Inline markup through Apertium's Transfuse format handler: links and emphasis move with their words.

Apertium's classic HTML deformatter keeps every tag where it was, as a "superblank", while the words around
it are reordered: `a [red](x) car` came back as `un [coche](x) rojo` — the link on the wrong word. Transfuse
(Debian's `transfuse`; `apertium -f html` uses it when `tf-extract` is on PATH) turns inline elements into
word-bound blanks that travel with the words they wrap: `un coche [rojo](x)`.

So, when Transfuse is in use, a segment's paired placeholders (a link's `[` … `](url)`, `**` … `**`, `<b>` …
`</b>`) become one element around the words they enclose. Every other placeholder (code, a URL, a line break)
stays where it was, as a private-use character Apertium passes through between words: as an empty element it
was read as a sentence break (the next word came back capitalised), as a one-word element it took the words it
touched with it (`or⟦5⟧is`, a soft line break, came back as one element `orxis`). Apertium may split a
pair's words (`[World Health Organization site]` → `[sitio] de [Organización Mundial de la Salud]`): the pair is
put back as one span from its first word to its last, as a translator would link the phrase. A result whose
pairs cross each other or put a link inside another link is refused, and the caller translates the segment
piece by piece instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_EMPHASIS = re.compile(r"\*{1,3}|_{1,3}|~~|==")
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)\b[^<>]*(?<!/)>")
_CLOSE_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_VOID = frozenset({"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "embed"})
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")

# Characters sent as private-use code points (U+E100 + their index), which Apertium passes through as they
# are, between words: its own marks of unknown words (`*`, `@`, `#`), whitespace HTML would collapse, and any
# private-use character already in the text. An element would not do: Transfuse binds it to the adjacent word
# (`C#` came back as `#`, the `C` inside the element). Transfuse keeps U+E010–U+E023 for its own markers (one
# in the text aborted `tf-inject`, and the whole batch with it): ours start above them.
_LITERALS = re.compile("[*@#\n\t\ue000-\uf8ff]")
_FIRST_PRIVATE, _LAST_PRIVATE = 0xE100, 0xF8FF
_PAIR_TOKEN = re.compile(r'<tt data-o="(\d+)" data-c="(\d+)">|</tt>')


@dataclass(frozen=True)
class Pairs:
    """A segment's paired placeholders: opening number → closing number (1-based, as in `⟦n⟧`), and which
    openings are links' (a link may hold emphasis or an image, never another link)."""

    close: dict[int, int] = field(default_factory=dict)
    links: frozenset[int] = frozenset()


def pairs(placeholders: Sequence[str]) -> Pairs:
    """The pairs among a segment's placeholders: links, emphasis and inline HTML elements whose two halves are
    both in the segment; unmatched halves stay single."""
    out: dict[int, int] = {}
    links: set[int] = set()
    stack: list[tuple[str, int]] = []  # (what closes it, number)
    for n, text in enumerate(placeholders, 1):
        if text in ("[", "!["):
            stack.append(("]", n))
            if text == "[":
                links.add(n)
            continue
        if stack and text.startswith("]") and stack[-1][0] == "]":
            out[stack.pop()[1]] = n
            continue
        if _EMPHASIS.fullmatch(text):
            if stack and stack[-1][0] == text:
                out[stack.pop()[1]] = n
            else:
                stack.append((text, n))
            continue
        if (m := _OPEN_TAG.fullmatch(text)) and m.group(1).lower() not in _VOID:
            stack.append((f"</{m.group(1).lower()}>", n))
            continue
        if (m := _CLOSE_TAG.fullmatch(text)) and stack and stack[-1][0] == f"</{m.group(1).lower()}>":
            out[stack.pop()[1]] = n
    return Pairs(out, frozenset(links & out.keys()))


def encode(template: str, pairs: Pairs, literals: list[str]) -> str | None:
    """The segment's template as HTML for Apertium with Transfuse (see the module docstring); None for a
    text with more literal characters than private-use code points."""
    pair = pairs.close
    closers = set(pair.values())
    text = template.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def lit(m: re.Match[str]) -> str:
        literals.append(m.group(0))
        return chr(_FIRST_PRIVATE + len(literals) - 1)

    if len(_LITERALS.findall(text)) + len(_PLACEHOLDER.findall(text)) > _LAST_PRIVATE - _FIRST_PRIVATE:
        return None
    text = _LITERALS.sub(lit, text)

    def ph(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n in pair:
            return f'<tt data-o="{n}" data-c="{pair[n]}">'
        if n in closers:
            return "</tt>"
        literals.append(m.group(0))
        return chr(_FIRST_PRIVATE + len(literals) - 1)

    return _PLACEHOLDER.sub(ph, text)


def literals_back(text: str, literals: list[str]) -> str:
    """The private-use code points `encode` sent back as the characters and placeholders they stand for."""
    if not literals:
        return text
    last = _FIRST_PRIVATE + len(literals) - 1
    return "".join(literals[ord(c) - _FIRST_PRIVATE] if _FIRST_PRIVATE <= ord(c) <= last else c for c in text)


def decode(html: str, pairs: Pairs) -> str | None:
    """The template back from Apertium's HTML (marks of unknown words already counted and removed by the
    caller), or None when its pairs cannot be put back as valid Markdown (see the module docstring)."""
    links = pairs.links
    # Each element of a pair, matched to its own close; a pair's first open and last close are kept.
    pieces: list[str] = []
    stack: list[tuple[int, int]] = []
    spans: dict[
        tuple[int, int], list[int]
    ] = {}  # pair → [index of first open piece, index of last close piece]
    pos = 0
    for m in _PAIR_TOKEN.finditer(html):
        pieces.append(html[pos : m.start()])
        pos = m.end()
        if m.group(1) is not None:
            key = (int(m.group(1)), int(m.group(2)))
            stack.append(key)
            pieces.append("")
            spans.setdefault(key, [len(pieces) - 1, -1])
        else:
            if not stack:
                return None
            key = stack.pop()
            pieces.append("")
            spans[key][1] = len(pieces) - 1
    pieces.append(html[pos:])
    if stack:
        return None
    order = sorted(spans.items(), key=lambda item: item[1][0])
    for i, ((o, _c), (_a, b)) in enumerate(order):
        for (o2, _c2), (a2, b2) in order[i + 1 :]:
            if a2 > b:
                break
            if b2 > b:  # crosses: the second starts inside the first and ends after it
                return None
            if o in links and o2 in links:  # a link inside a link is no Markdown
                return None
    for (o, c), (a, b) in spans.items():
        pieces[a], pieces[b] = f"⟦{o}⟧", f"⟦{c}⟧"
    return _tighten("".join(pieces), spans)


def _tighten(text: str, spans: dict[tuple[int, int], list[int]]) -> str:
    """Spaces just inside a pair go outside it: `** bold**` is no emphasis in Markdown, `[ site ]` a link with
    spaces."""
    for o, c in spans:
        text = re.sub(rf"⟦{o}⟧(\s+)", rf"\1⟦{o}⟧", text)
        text = re.sub(rf"(\s+)⟦{c}⟧", rf"⟦{c}⟧\1", text)
    return text

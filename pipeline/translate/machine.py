"""The contract every machine translation engine meets, and the placeholder care they share.

An engine is any object with a `name` (the label translators see: "argos", "apertium"), a `model_id` (what the
memory records), a `calls` counter and `translate_batch(segments) -> EngineOutput`: translated templates in
input order with one confidence each (0..1, None when the engine cannot say). Kept apart from the registry in
`engines` so the engines can import it while the registry imports them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.translate.segment import PLACEHOLDER_RE, Segment


@dataclass
class EngineOutput:
    """What an engine made of a batch of segments (all lists in input order).

    `errors[i]`: segment i could not be translated (its text is then the source template, untranslated);
    `fallbacks`: segments whose placeholders the engine lost, translated again piece by piece."""

    texts: list[str]
    confidences: list[float | None]
    errors: dict[int, str] = field(default_factory=dict)
    fallbacks: set[int] = field(default_factory=set)


class MachineEngine(Protocol):
    calls: int

    @property
    def name(self) -> str: ...

    @property
    def model_id(self) -> str: ...

    def translate_batch(self, segments: Sequence[Segment]) -> EngineOutput: ...


def placeholders_exact(template: str, n: int) -> bool:
    """Every placeholder 1..n exactly once, no other number."""
    found = [int(m.group(1)) for m in PLACEHOLDER_RE.finditer(template)]
    return sorted(found) == list(range(1, n + 1))


# Punctuation that closes onto what precedes it, in Latin, CJK full-width and other scripts' forms.
_CLOSING = ".,;:!?)]}…%»”’。、，．！？：；）」』】〕》〉"
_FRENCH_SPACED = ":;!?»"  # French sets a (narrow no-break) space before these; the engine's own stays
_GAP = "[ \t\u00a0\u202f\u3000]+"  # spaces an engine puts in: ASCII, no-break, narrow no-break, ideographic


def _spaced_language(lang: str) -> bool:
    """French (and its regional forms; Apertium names it `fra`) spaces the high punctuation."""
    return re.split(r"[-_]", lang.lower())[0] in ("fr", "fra", "fre")


def glue_like_source(source: str, output: str, target: str = "") -> str:
    """Remove whitespace an engine put next to a placeholder where the source has none.

    Engines treat a placeholder as a word and space it: `**associations**,` came back from Apertium as
    `**asociaciones **,`, which Markdown no longer reads as bold, and `{{< x >}}.` as `{{< x >}} .`. Removed
    too: a gap between a placeholder and closing punctuation (`.`, `,`, `。`, `，`…) that the source does not
    have, wherever the engine moved the placeholder. Only removal, never insertion: scripts without spaces
    between words (Japanese, Thai) must not get any. The target language's own spacing stays: French's space
    before `: ; ! ? »` (and after `«`) is typography, not an engine's slip. A placeholder that opens the source
    keeps the space after a word the engine put before it: `**Pregnant people** are` came back from Apertium
    through Transfuse as `Las **personas embarazadas** son` (the article is a word of its own), and gluing
    made it `Las**personas embarazadas**`, which is no bold."""
    french = _spaced_language(target)
    tight_before: set[str] = set()
    tight_after: set[str] = set()
    opening: set[str] = set()
    for m in PLACEHOLDER_RE.finditer(source):
        if m.start() > 0 and not source[m.start() - 1].isspace():
            tight_before.add(m.group(0))
        if m.end() < len(source) and not source[m.end()].isspace():
            tight_after.add(m.group(0))
        if m.start() == 0:
            opening.add(m.group(0))
    out = output
    for ph in tight_before:
        keep = "(?<!«)" if french else ""
        out = re.sub(rf"{keep}{_GAP}(?={re.escape(ph)})", "", out)
    for ph in opening - tight_before:
        out = re.sub(rf"(?<!\w){_GAP}(?={re.escape(ph)})", "", out)
    for ph in PLACEHOLDER_RE.findall(output):
        ph = f"⟦{ph}⟧"
        spaced_in_source = re.search(rf"{re.escape(ph)}{_GAP}[{re.escape(_CLOSING)}]", source)
        if ph in tight_after:
            follow = "(?![" + re.escape(_FRENCH_SPACED) + "])" if french else ""
            out = re.sub(rf"(?<={re.escape(ph)}){_GAP}{follow}", "", out)
        elif not spaced_in_source:
            closing = _CLOSING.translate({ord(c): None for c in _FRENCH_SPACED}) if french else _CLOSING
            out = re.sub(rf"(?<={re.escape(ph)}){_GAP}(?=[{re.escape(closing)}])", "", out)
    return out

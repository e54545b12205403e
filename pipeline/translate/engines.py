"""Machine translation engines as one interface, and which of them translate a language pair.

An engine is any object with a `name` (the label translators see: "argos", "apertium"), a `model_id` (what the
memory records), a `calls` counter and `translate_batch(segments) -> EngineOutput`: translated templates in
input order with one confidence each (0..1, None when the engine cannot say). Engines receive whole runs of
segments at once: Argos sorts their sentences into token batches, Apertium pays its start-up (~0.3 s) once per
call. Where the model runs (in process, or in Ray actors) is the engine's business; the stage only sees this.

Which engines a pair gets is config (`translate.engines.<lang>`, default Argos then Apertium); the first one
available writes the draft, every available one leaves its output in the memory as a suggestion, so the review
screen can show them side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pipeline.translate.segment import PLACEHOLDER_RE, Segment

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.translate.engine import EngineSettings

DEFAULT_ORDER = ("argos", "apertium")
LABELS = {"argos": "Argos", "apertium": "Apertium"}


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


def glue_like_source(source: str, output: str) -> str:
    """Remove whitespace an engine put next to a placeholder where the source has none.

    Engines treat a placeholder as a word and space it: `**associations**,` came back from Apertium as
    `**asociaciones **,`, which Markdown no longer reads as bold. Only removal, never insertion: scripts
    without spaces between words (Japanese, Thai) must not get any."""
    tight_before: set[str] = set()
    tight_after: set[str] = set()
    for m in PLACEHOLDER_RE.finditer(source):
        if m.start() > 0 and not source[m.start() - 1].isspace():
            tight_before.add(m.group(0))
        if m.end() < len(source) and not source[m.end()].isspace():
            tight_after.add(m.group(0))
        if m.start() == 0:
            tight_before.add(m.group(0))
    out = output
    for ph in tight_before:
        out = re.sub(rf"[ \t]+(?={re.escape(ph)})", "", out)
    for ph in tight_after:
        out = re.sub(rf"(?<={re.escape(ph)})[ \t]+", "", out)
    return out


# A factory gives the engine for (config, source, target, option after "name:") or the reason it cannot.
Factory = Callable[["Config", str, str, str, "EngineSettings"], "MachineEngine | str"]


def _argos(config: Config, src: str, tgt: str, option: str, settings: EngineSettings) -> MachineEngine | str:
    from pipeline.translate.engine import Engine

    engine = Engine.for_pair(config.state_dir, src, tgt, settings)
    if engine is None:
        return (
            f"no Argos package for {src}→{tgt} (`pipeline models install {src} {tgt}`, network, or "
            "`pipeline models install --from-file F.argosmodel`)"
        )
    return engine


def _apertium(
    config: Config, src: str, tgt: str, option: str, settings: EngineSettings
) -> MachineEngine | str:
    from pipeline.translate.apertium import ApertiumEngine, find_mode

    mode, why = find_mode(src, tgt, option)
    return ApertiumEngine(mode) if mode else why


ENGINES: dict[str, Factory] = {"argos": _argos, "apertium": _apertium}


def engine_order(config: Config, lang: str) -> list[str]:
    table = config.translate.engines
    return list(table.get(lang) or table.get("*") or DEFAULT_ORDER)


def engines_for(
    config: Config, src: str, tgt: str, settings: EngineSettings
) -> tuple[list[MachineEngine], list[str]]:
    """The available engines for src→tgt in the configured order, and why each missing one is missing."""
    found: list[MachineEngine] = []
    missing: list[str] = []
    for spec in engine_order(config, tgt):
        name, _, option = spec.partition(":")
        made = ENGINES[name](config, src, tgt, option, settings)
        if isinstance(made, str):
            missing.append(made)
        else:
            found.append(made)
    return found, missing


def label(engine_name: str | None) -> str:
    return LABELS.get(engine_name or "", engine_name or "")

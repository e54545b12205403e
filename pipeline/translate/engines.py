"""Which machine translation engines translate a language pair (the registry; their contract is `machine`).

Engines receive whole runs of
segments at once: Argos sorts their sentences into token batches, Apertium pays its start-up (~0.3 s) once per
call. Where the model runs (in process, or in Ray actors) is the engine's business; the stage only sees this.

Which engines a pair gets is config (`translate.engines.<lang>`, default Argos then Apertium); the first one
available writes the draft, every available one leaves its output in the memory as a suggestion, so the review
screen can show them side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeline.translate.machine import MachineEngine

if TYPE_CHECKING:
    from pipeline.compute.translate import Slots
    from pipeline.config import Config
    from pipeline.translate.engine import EngineSettings

DEFAULT_ORDER = ("argos", "apertium")
LABELS = {"argos": "Argos", "apertium": "Apertium"}


# A factory gives the engine for (config, source, target, option after "name:", settings, the run's Ray slots
# or None) or the reason it cannot.
Factory = Callable[["Config", str, str, str, "EngineSettings", "Slots | None"], "MachineEngine | str"]


def _argos(
    config: Config, src: str, tgt: str, option: str, settings: EngineSettings, slots: Slots | None
) -> MachineEngine | str:
    from pipeline.translate.engine import Engine

    if slots is not None:  # compute.backend = "ray": the model runs in the run's actors, not in this process
        engine = slots.engine(config.state_dir, src, tgt, settings)
    else:
        engine = Engine.for_pair(config.state_dir, src, tgt, settings)
    if engine is None:
        from pipeline.langtags import argos_code

        return (
            f"no Argos package for {src}→{tgt} (`pipeline models install {argos_code(src)} {argos_code(tgt)}`, "
            "network, or `pipeline models install --from-file F.argosmodel`)"
        )
    return engine


def _apertium(
    config: Config, src: str, tgt: str, option: str, settings: EngineSettings, slots: Slots | None
) -> MachineEngine | str:
    from pipeline.translate.apertium import ApertiumEngine, find_mode

    mode, why = find_mode(src, tgt, option)
    return ApertiumEngine(mode) if mode else why


ENGINES: dict[str, Factory] = {"argos": _argos, "apertium": _apertium}


def engine_order(config: Config, lang: str) -> list[str]:
    table = config.translate.engines
    return list(table.get(lang) or table.get("*") or DEFAULT_ORDER)


def engines_for(
    config: Config, src: str, tgt: str, settings: EngineSettings, slots: Slots | None = None
) -> tuple[list[MachineEngine], list[str]]:
    """The available engines for src→tgt in the configured order, and why each missing one is missing.

    `slots`: the stage run's Ray actors when compute.backend is "ray" (Argos then runs its model there;
    Apertium is a short subprocess per post and stays on the driver)."""
    found: list[MachineEngine] = []
    missing: list[str] = []
    for spec in engine_order(config, tgt):
        name, _, option = spec.partition(":")
        made = ENGINES[name](config, src, tgt, option, settings, slots)
        if isinstance(made, str):
            missing.append(made)
        else:
            found.append(made)
    return found, missing


def label(engine_name: str | None) -> str:
    return LABELS.get(engine_name or "", engine_name or "")

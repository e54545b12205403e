"""Findings: the one currency every checking stage pays out in.

Validate, crawl and the loader all produce `Finding`s, so one set of report writers (pipeline.report) and one
baseline/fail-on policy serve them all. Rules carry a stable id so baselines and
suppressions survive rewording.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.rules import Rule, Severity

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
__all__ = ["SEVERITIES", "SEVERITY_RANK", "Finding", "Rule", "Severity"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass
class Finding:
    rule: str
    severity: Severity
    file: str | None
    line: int | None
    message: str
    url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    fixed: bool = False

    def fingerprint(self) -> str:
        """Identity that survives line shifts: baselines and 'new since last run' compare these."""
        stable = self.data.get("key", "")
        raw = f"{self.rule}\x00{self.file or ''}\x00{self.url or ''}\x00{stable or self.message}"
        return hashlib.sha256(raw.encode()).hexdigest()[:20]

    def location(self) -> str:
        where = self.file or self.url or "-"
        return f"{where}:{self.line}" if self.line else where

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["fingerprint"] = self.fingerprint()
        return out


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (f.file or f.url or "", f.line or 0, -SEVERITY_RANK[f.severity], f.rule, f.message),
    )


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    out: dict[str, int] = {s: 0 for s in SEVERITIES}
    for f in findings:
        out[f.severity] += 1
    return out


def exceeds(findings: Iterable[Finding], fail_on: str) -> bool:
    """True when some finding is at or above `fail_on` ('never' never fails)."""
    if fail_on == "never":
        return False
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)


# --- baseline -----------------------------------------------------------------------------------------------


def write_baseline(path: Path, findings: Iterable[Finding]) -> None:
    from pipeline.fsutil import atomic_write_text

    prints = sorted({f.fingerprint() for f in findings})
    atomic_write_text(path, json.dumps({"version": 1, "fingerprints": prints}, indent=1) + "\n")


def load_baseline(path: Path) -> set[str]:
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("fingerprints"), list):
        raise ValueError(f"{path}: not a baseline file (expected {{'fingerprints': [...]}})")
    return {str(x) for x in data["fingerprints"]}


def apply_baseline(findings: Sequence[Finding], baseline: set[str]) -> tuple[list[Finding], list[Finding]]:
    """Split into (new, known); only new findings count towards --fail-on."""
    new: list[Finding] = []
    known: list[Finding] = []
    for f in findings:
        (known if f.fingerprint() in baseline else new).append(f)
    return new, known

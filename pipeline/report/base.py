"""What a report writer is: a name, a file extension and a function from findings to text."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.findings import Finding
from pipeline.rules import Rule


@dataclass(frozen=True)
class Options:
    """What a writer may use besides the findings (each uses what its format has room for)."""

    tool: str = "pipeline"
    rules: Mapping[str, Rule] = field(default_factory=dict)  # rule docs for SARIF and HTML
    title: str = "Findings"
    base_dir: Path | None = None  # SARIF paths are made relative to it
    summary: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Writer:
    name: str  # the --format value
    extension: str  # of the file `pipeline run` writes
    render: Callable[[Sequence[Finding], Options], str]
    in_run: bool = True  # `pipeline run` writes a file in this format for every stage with findings
    help: str = ""

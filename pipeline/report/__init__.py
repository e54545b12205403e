"""Report formats: one module each, registered in WRITERS. Every command's `--format` choices and the files
`pipeline run` writes come from this table.

Adding a format: a module `pipeline/report/as_<name>.py` with `WRITER = Writer(name, extension, render)` and
one line in WRITERS below; `render(findings, options)` returns the report text (findings arrive sorted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.findings import Finding, sort_findings
from pipeline.report import as_csv, as_github, as_html, as_json, as_junit, as_sarif, as_text
from pipeline.report.as_text import render_text
from pipeline.report.base import Options, Writer
from pipeline.rules import Rule

WRITERS: dict[str, Writer] = {
    w.name: w
    for w in (
        as_text.WRITER,
        as_json.WRITER,
        as_sarif.WRITER,
        as_junit.WRITER,
        as_html.WRITER,
        as_github.WRITER,
        as_csv.WRITER,
    )
}
FORMATS: tuple[str, ...] = tuple(WRITERS)

__all__ = ["FORMATS", "WRITERS", "Options", "Writer", "render", "render_text"]


def render(
    findings: Sequence[Finding],
    fmt: str,
    *,
    tool: str = "pipeline",
    rules: Mapping[str, Rule] | None = None,
    title: str = "Findings",
    base_dir: Path | None = None,
    summary: Mapping[str, Any] | None = None,
) -> str:
    """Render findings in one of FORMATS. `rules` adds docs to SARIF/HTML; `base_dir` makes paths relative."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    options = Options(tool, rules or {}, title, base_dir, summary or {})
    return writer.render(sort_findings(findings), options)

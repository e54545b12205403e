"""GitHub Actions workflow commands: annotations on the pull request's diff."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.findings import Finding
from pipeline.report.base import Options, Writer


def _render(findings: Sequence[Finding], options: Options) -> str:
    """GitHub Actions workflow commands: annotations appear on the PR diff."""
    kind = {"error": "error", "warning": "warning", "info": "notice"}

    def esc(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value

    lines = []
    for f in findings:
        props = []
        if f.file:
            props.append(f"file={esc(f.file, True)}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={esc(f.rule, True)}")
        lines.append(f"::{kind[f.severity]} {','.join(props)}::{esc(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


WRITER = Writer("github", "txt", _render, in_run=False, help="GitHub Actions annotations")

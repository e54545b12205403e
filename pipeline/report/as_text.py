"""Plain text for terminals: grouped by file, one line per finding."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.findings import Finding, counts, sort_findings
from pipeline.report.base import Options, Writer


def render_text(findings: Sequence[Finding], color: bool = False) -> str:
    """Grouped by file, one line per finding; rich does the layout so long messages wrap readably."""
    from io import StringIO

    from rich.console import Console
    from rich.text import Text

    buf = StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=120, highlight=False)
    styles = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    current: str | None = None
    for f in sort_findings(findings):
        where = f.file or f.url or "(site)"
        if where != current:
            if current is not None:
                console.print()
            console.print(Text(where, style="bold underline"))
            current = where
        line = Text("  ")
        line.append(f"{f.line or '-':>5}  ", style="dim")
        line.append(f"{f.severity:<7}", style=styles[f.severity])
        line.append(f" {f.rule:<10} ", style="bold")
        line.append(f.message)
        console.print(line)
    c = counts(findings)
    console.print()
    console.print(f"{len(findings)} findings: {c['error']} errors, {c['warning']} warnings, {c['info']} info")
    return buf.getvalue()


def _render(findings: Sequence[Finding], options: Options) -> str:
    return render_text(findings)


WRITER = Writer("text", "txt", _render, in_run=False, help="grouped by file, for terminals")

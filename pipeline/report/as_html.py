"""A standalone HTML report (autoescaped Jinja2 template templates/reports/findings.html)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.findings import Finding, counts
from pipeline.report.base import Options, Writer


def _render(findings: Sequence[Finding], options: Options) -> str:
    tool, rules, title, summary = options.tool, options.rules, options.title, options.summary
    from pipeline.templating import report_env

    template = report_env().get_template("findings.html")
    return template.render(
        title=title,
        tool=tool,
        findings=findings,
        counts=counts(findings),
        rules=rules,
        summary=summary or {},
    )


WRITER = Writer("html", "html", _render, help="a standalone HTML page")

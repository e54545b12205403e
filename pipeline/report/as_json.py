"""JSON: every finding with its fingerprint, and the summary counts (schema pipeline-findings/1)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pipeline.findings import Finding, counts
from pipeline.report.base import Options, Writer


def _render(findings: Sequence[Finding], options: Options) -> str:
    tool, summary = options.tool, options.summary
    doc = {
        "schema": "pipeline-findings/1",
        "tool": tool,
        "summary": {**counts(findings), "total": len(findings), **(summary or {})},
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


WRITER = Writer("json", "json", _render, help="every finding and the summary, for scripts")

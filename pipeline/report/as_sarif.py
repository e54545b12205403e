"""SARIF 2.1.0 for code-scanning UIs: rule descriptors from the catalogue, stable fingerprints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.findings import Finding
from pipeline.report.base import Options, Writer

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _render(findings: Sequence[Finding], options: Options) -> str:
    tool, rules, base_dir = options.tool, options.rules, options.base_dir
    from pipeline import __version__

    used = sorted({f.rule for f in findings} | set(rules))
    rule_index = {rid: i for i, rid in enumerate(used)}
    descriptors = []
    for rid in used:
        rule = rules.get(rid)
        desc: dict[str, Any] = {"id": rid, "shortDescription": {"text": rule.doc if rule else rid}}
        if rule:
            desc["defaultConfiguration"] = {"level": _SARIF_LEVEL[rule.severity]}
            desc["properties"] = {"category": rule.category}
        descriptors.append(desc)
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": rule_index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "partialFingerprints": {"pipelineFingerprint/v1": f.fingerprint()},
        }
        if f.file:
            uri = f.file
            if base_dir is not None:
                try:
                    uri = Path(f.file).resolve().relative_to(base_dir.resolve()).as_posix()
                except ValueError:
                    uri = Path(f.file).as_posix()
            physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
            if f.line:
                physical["region"] = {"startLine": max(1, int(f.line))}
            result["locations"] = [{"physicalLocation": physical}]
        elif f.url:
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": f.url}}}]
        if f.url and f.file:
            result["properties"] = {"url": f.url}
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool,
                        "version": __version__,
                        "informationUri": "https://example.invalid/pipeline",
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


WRITER = Writer("sarif", "sarif", _render, help="SARIF 2.1.0, for code scanning")

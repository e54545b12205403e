"""Findings: the one currency every checking stage pays out in.

Validate, crawl and the loader all produce `Finding`s, so one set of writers (text, JSON, SARIF, JUnit, HTML,
GitHub annotations) and one baseline/fail-on policy serve them all. Rules carry a stable id so baselines and
suppressions survive rewording.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.rules import Rule, Severity

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
__all__ = ["SEVERITIES", "SEVERITY_RANK", "Finding", "Rule", "Severity"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
FORMATS = ("text", "json", "sarif", "junit", "html", "github")


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


# --- writers ------------------------------------------------------------------------------------------------


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
    findings = sort_findings(findings)
    rules = rules or {}
    if fmt == "json":
        return _json(findings, tool, summary)
    if fmt == "sarif":
        return _sarif(findings, tool, rules, base_dir)
    if fmt == "junit":
        return _junit(findings, tool)
    if fmt == "html":
        return _html(findings, tool, rules, title, summary)
    if fmt == "github":
        return _github(findings)
    if fmt == "text":
        return render_text(findings)
    raise ValueError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")


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


def _json(findings: Sequence[Finding], tool: str, summary: Mapping[str, Any] | None) -> str:
    doc = {
        "schema": "pipeline-findings/1",
        "tool": tool,
        "summary": {**counts(findings), "total": len(findings), **(summary or {})},
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _sarif(findings: Sequence[Finding], tool: str, rules: Mapping[str, Rule], base_dir: Path | None) -> str:
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


def _junit(findings: Sequence[Finding], tool: str) -> str:
    """One testsuite per file, one testcase per rule hit; errors and warnings are <failure>, info is skipped output."""
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file or f.url or "(site)", []).append(f)
    root = ET.Element("testsuites", name=tool, tests=str(len(findings)))
    total_fail = 0
    for where, items in by_file.items():
        fails = sum(1 for f in items if f.severity != "info")
        total_fail += fails
        suite = ET.SubElement(
            root, "testsuite", name=where, tests=str(len(items)), failures=str(fails), errors="0"
        )
        for f in items:
            case = ET.SubElement(suite, "testcase", classname=where, name=f"{f.rule} line {f.line or 0}")
            if f.severity == "info":
                ET.SubElement(case, "system-out").text = f.message
            else:
                fail = ET.SubElement(case, "failure", type=f.severity, message=f.message)
                fail.text = f"{f.location()}: {f.rule} {f.message}"
    root.set("failures", str(total_fail))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _github(findings: Sequence[Finding]) -> str:
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


def _html(
    findings: Sequence[Finding],
    tool: str,
    rules: Mapping[str, Rule],
    title: str,
    summary: Mapping[str, Any] | None,
) -> str:
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

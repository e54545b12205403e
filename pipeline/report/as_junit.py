"""JUnit XML for CI dashboards."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.findings import Finding
from pipeline.report.base import Options, Writer


def _render(findings: Sequence[Finding], options: Options) -> str:
    tool = options.tool
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


WRITER = Writer("junit", "xml", _render, help="JUnit XML, for CI test dashboards")

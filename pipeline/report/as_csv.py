"""CSV: one row per finding, for spreadsheets (the web audit's "Export CSV" renders with this writer too).

Cells that a spreadsheet would run as a formula (text starting with = + - @, or a tab or carriage return, after
any leading spaces) get a leading apostrophe: a page title or link text from the site must never become a
formula on the auditor's machine (CSV injection, OWASP). Numbers (line) are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pipeline.findings import Finding
from pipeline.report.base import Options, Writer
from pipeline.rules import STAGE_OF

COLUMNS = ("severity", "rule", "stage", "status", "file", "line", "url", "lang", "message", "fingerprint")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula it runs."""
    return "'" + value if value.lstrip(" ").startswith(FORMULA_START) else value


def row(f: Finding) -> list[str | int]:
    data = f.data
    stage = data.get("stage") or STAGE_OF.get(f.rule, "")
    status = data.get("history") or ("fixed" if f.fixed else "")
    cells: list[str | int] = [
        f.severity,
        f.rule,
        str(stage),
        str(status),
        f.file or "",
        f.line if f.line is not None else "",
        f.url or "",
        str(data.get("lang") or ""),
        f.message,
        str(data.get("fingerprint") or f.fingerprint()),
    ]
    return [neutralise(c) if isinstance(c, str) else c for c in cells]


def _render(findings: Sequence[Finding], options: Options) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")  # RFC 4180
    out.writerow(COLUMNS)
    for f in findings:
        out.writerow(row(f))
    return buf.getvalue()


WRITER = Writer("csv", "csv", _render, in_run=False, help="one row per finding, for spreadsheets")

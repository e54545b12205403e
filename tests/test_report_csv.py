"""The CSV report writer: the columns, formula neutralising (CSV injection), and `--format csv` on the CLI."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from pipeline.findings import Finding
from pipeline.report import FORMATS, render
from pipeline.report.as_csv import COLUMNS, neutralise
from tests.conftest import REPO


def _table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    for bad in ('=HYPERLINK("https://evil.example")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1+1"):
        assert neutralise(bad) == "'" + bad, bad
    for fine in ("title too long", "1 = 1", "a-b", "e-mail @ here", ""):
        assert neutralise(fine) == fine
    evil = Finding(
        "SEO010",
        "warning",
        "=cmd|' /C calc'!A0.md",
        3,
        '=HYPERLINK("https://evil.example","click")',
        url="@evil",
        data={"lang": "+en"},
    )
    rows = _table(render([evil], "csv"))
    assert tuple(rows[0]) == COLUMNS
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["file"] == "'=cmd|' /C calc'!A0.md"
    assert row["message"].startswith("'=HYPERLINK(")
    assert row["url"] == "'@evil" and row["lang"] == "'+en"
    assert row["line"] == "3" and row["stage"] == "validate" and row["fingerprint"] == evil.fingerprint()


def test_history_and_quoting_survive_a_round_trip() -> None:
    findings = [
        Finding(
            "CRAWL070",
            "error",
            "content/a.md",
            9,
            'link "here", then\nmore',
            url="https://x.example/a/",
            data={"history": "new", "lang": "ar"},
        ),
        Finding("CRAWL011", "error", None, None, "title differs", url="https://x.example/b/", fixed=True),
    ]
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in _table(render(findings, "csv"))[1:]]
    by_rule = {r["rule"]: r for r in rows}
    assert by_rule["CRAWL070"]["message"] == 'link "here", then\nmore'
    assert by_rule["CRAWL070"]["status"] == "new" and by_rule["CRAWL070"]["stage"] == "crawl"
    assert by_rule["CRAWL011"]["status"] == "fixed" and by_rule["CRAWL011"]["line"] == ""


def test_cli_writes_csv(tmp_path: Path) -> None:
    assert "csv" in FORMATS
    out = tmp_path / "findings.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "validate",
            "examples/health-blog",
            "--format",
            "csv",
            "--output",
            str(out),
            "--fail-on",
            "never",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = _table(out.read_text(encoding="utf-8"))
    assert tuple(rows[0]) == COLUMNS and len(rows) > 10
    assert all(r[4].startswith("examples/health-blog/content/") for r in rows[1:] if r[4])
    assert {r[2] for r in rows[1:]} <= {"validate", "content"}

"""Report writers and the baseline/fail-on policy, checked by parsing their output with real parsers."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from pipeline.findings import (
    Finding,
    Rule,
    apply_baseline,
    counts,
    exceeds,
    load_baseline,
    write_baseline,
)
from pipeline.report import FORMATS, render

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
XSS = "<script>alert(1)</script>"


def sample_findings() -> list[Finding]:
    return [
        Finding("SEO001", "error", "content/a.md", 3, "title is missing"),
        Finding("SEO002", "warning", "content/a.md", 7, f"description contains {XSS}"),
        Finding("READ001", "info", "content/b.md", 12, "reading grade 11", data={"grade": 11}),
        Finding("SEO003", "error", f"content/{XSS}.md", 1, "bad: 50% done,\nsecond line"),
        Finding("CRAWL404", "error", None, None, "page not found", url="https://x.example/gone/"),
        Finding("SEO004", "warning", "content/c.md", None, "no line for this one"),
    ]


RULES = {
    "SEO001": Rule("SEO001", "error", "Every post needs a title.", "metadata"),
    "SEO002": Rule("SEO002", "warning", "Descriptions should be 70-160 characters.", "metadata"),
}


# --- SARIF -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_schema_valid(sarif_validator: jsonschema.Draft4Validator) -> None:
    doc = json.loads(render(sample_findings(), "sarif", rules=RULES))
    errors = sorted(sarif_validator.iter_errors(doc), key=str)
    assert errors == []
    assert doc["version"] == "2.1.0"


def test_sarif_schema_catches_a_broken_log(sarif_validator: jsonschema.Draft4Validator) -> None:
    doc = json.loads(render(sample_findings(), "sarif"))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(doc))


def test_sarif_empty_run_is_valid(sarif_validator: jsonschema.Draft4Validator) -> None:
    doc = json.loads(render([], "sarif"))
    assert list(sarif_validator.iter_errors(doc)) == []
    assert doc["runs"][0]["results"] == []


def test_sarif_results_carry_file_line_and_rule(sarif_validator: jsonschema.Draft4Validator) -> None:
    findings = sample_findings()
    doc = json.loads(render(findings, "sarif", rules=RULES))
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == len(findings)
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    located = {}
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        phys = result["locations"][0]["physicalLocation"]
        located[(result["ruleId"], phys["artifactLocation"]["uri"])] = phys.get("region", {}).get("startLine")
    assert located[("SEO001", "content/a.md")] == 3
    assert located[("SEO002", "content/a.md")] == 7
    assert located[("READ001", "content/b.md")] == 12
    assert located[("CRAWL404", "https://x.example/gone/")] is None
    assert located[("SEO004", "content/c.md")] is None
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["READ001"] == "note" and levels["SEO002"] == "warning" and levels["SEO001"] == "error"
    descriptor = run["tool"]["driver"]["rules"][rule_ids.index("SEO001")]
    assert descriptor["shortDescription"]["text"] == "Every post needs a title."


def test_sarif_paths_relative_to_base_dir(tmp_path: Path) -> None:
    post = tmp_path / "content" / "a.md"
    doc = json.loads(render([Finding("X1", "error", str(post), 2, "m")], "sarif", base_dir=tmp_path))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "content/a.md"


# --- JUnit, JSON, HTML, GitHub, text -----------------------------------------------------------------------


def test_junit_parses_with_failure_counts() -> None:
    findings = sample_findings()
    root = ET.fromstring(render(findings, "junit"))
    assert root.tag == "testsuites"
    assert int(root.get("tests", "-1")) == len(findings)
    c = counts(findings)
    assert int(root.get("failures", "-1")) == c["error"] + c["warning"]
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert int(suites["content/a.md"].get("failures", "-1")) == 2
    assert int(suites["content/b.md"].get("failures", "-1")) == 0
    assert len(list(root.iter("failure"))) == c["error"] + c["warning"]
    messages = [f.get("message") for f in root.iter("failure")]
    assert f"description contains {XSS}" in messages  # escaped in XML, intact after parsing


def test_json_round_trips() -> None:
    findings = sample_findings()
    doc = json.loads(render(findings, "json", summary={"posts": 4}))
    assert doc["schema"] == "pipeline-findings/1"
    assert doc["summary"] == {**counts(findings), "total": len(findings), "posts": 4}
    names = {f.name for f in dataclasses.fields(Finding)}
    back = [Finding(**{k: v for k, v in item.items() if k in names}) for item in doc["findings"]]
    key = lambda f: f.fingerprint()  # noqa: E731
    assert sorted(back, key=key) == sorted(findings, key=key)
    assert all(
        item["fingerprint"] == Finding(**{k: item[k] for k in names}).fingerprint()
        for item in doc["findings"]
    )


def test_html_escapes_message_and_file_name() -> None:
    html = render(sample_findings(), "html", rules=RULES, title=f"Report {XSS}")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "content/a.md" in html and "title is missing" in html


def test_github_annotations_escape_data_and_properties() -> None:
    lines = render(sample_findings(), "github").splitlines()
    assert len(lines) == len(sample_findings())
    escaped = next(line for line in lines if "SEO003" in line)
    assert escaped.startswith("::error file=content/<script>alert(1)</script>.md,line=1,title=SEO003::")
    assert escaped.endswith("::bad: 50%25 done,%0Asecond line")
    notice = next(line for line in lines if "READ001" in line)
    assert notice == "::notice file=content/b.md,line=12,title=READ001::reading grade 11"
    odd = render([Finding("R1", "warning", "dir:a,b.md", 2, "m")], "github").strip()
    assert odd == "::warning file=dir%3Aa%2Cb.md,line=2,title=R1::m"


def test_text_is_grouped_by_file() -> None:
    text = render(sample_findings(), "text")
    lines = text.splitlines()
    places = {f.file or f.url or "" for f in sample_findings()}
    headers = [ln for ln in lines if ln in places]
    assert headers == sorted(places)  # each file exactly once, in order
    start = lines.index("content/a.md")
    block = lines[start + 1 : start + 3]
    assert "SEO001" in block[0] and "    3" in block[0]
    assert "SEO002" in block[1] and "    7" in block[1]
    assert lines[-1] == "6 findings: 3 errors, 2 warnings, 1 info"


def test_every_format_renders_and_unknown_format_is_refused() -> None:
    for fmt in FORMATS:
        assert render(sample_findings(), fmt)
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        render([], "yaml")


# --- baseline and fail-on ----------------------------------------------------------------------------------


def test_baseline_only_new_findings_count(tmp_path: Path) -> None:
    old = sample_findings()
    path = tmp_path / "baseline.json"
    write_baseline(path, old)
    baseline = load_baseline(path)
    moved = dataclasses.replace(old[0], line=40)  # same finding after an edit above it
    fresh = Finding("SEO009", "warning", "content/a.md", 9, "new problem")
    new, known = apply_baseline([moved, *old[1:], fresh], baseline)
    assert new == [fresh]
    assert len(known) == len(old)
    assert exceeds(new, "warning") and not exceeds(new, "error")


def test_baseline_file_must_have_fingerprints(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"something": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a baseline file"):
        load_baseline(path)


@pytest.mark.parametrize(
    ("severities", "fail_on", "expected"),
    [
        (["error"], "error", True),
        (["warning", "info"], "error", False),
        (["warning"], "warning", True),
        (["info"], "warning", False),
        (["info"], "info", True),
        ([], "info", False),
        (["error", "warning"], "never", False),
    ],
)
def test_exceeds(severities: list[str], fail_on: str, expected: bool) -> None:
    findings = [Finding("R", s, "f.md", 1, "m") for s in severities]  # type: ignore[arg-type]
    assert exceeds(findings, fail_on) is expected

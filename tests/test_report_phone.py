"""The HTML reports on a 390 px phone (Debian's chromium via Playwright): the page never scrolls sideways; a wide
table scrolls inside itself, and long paths (a Persian file name, a crawl URL) wrap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.findings import Finding
from pipeline.report import render
from pipeline.rules import ALL as RULES
from pipeline.stages import StageResult
from pipeline.templating import report_env
from tests.web_support.browser import chromium_browser

chromium = pytest.fixture(scope="module", name="chromium")(chromium_browser)

FA = "site/content/fa/posts/پیاده\u200cروی-روزانه-برای-سلامت-قلب-و-خواب-بهتر.md"
URL = "https://walk.example/fa/posts/%D9%BE%DB%8C%D8%A7%D8%AF%D9%87%E2%80%8C%D8%B1%D9%88%DB%8C-%D8%B1%D9%88%D8%B2/"


def _pages(tmp: Path) -> dict[str, Path]:
    findings = [
        Finding(
            "SEO031",
            "warning",
            FA,
            5,
            "tag 'لياقة_بدنية' is not a slug; use lowercase words (e.g. 'لياقة-بدنية')",
        ),
        Finding("CRAWL010", "error", FA, 1, f"canonical is {URL}, expected {URL}x", url=URL),
    ]
    findings_html = tmp / "validate.html"
    findings_html.write_text(render(findings, "html", rules=RULES, title="validate report"), "utf-8")
    results = [
        StageResult("validate", counts={"posts": 13, "analysed": 13, "cached": 0, "unreadable": 0}),
        StageResult("translate", "skipped", "no target languages; set translate.languages in the config"),
        StageResult("crawl", counts={"error": 0, "warning": 0, "pages": 14, "expected": 13, "images": 26}),
    ]
    index = tmp / "index.html"
    index.write_text(
        report_env().get_template("index.html").render(site="Walk", results=results, rel=str), "utf-8"
    )
    return {"findings": findings_html, "index": index}


@pytest.mark.browser
def test_reports_fit_a_phone(tmp_path: Path, chromium: Any) -> None:
    # The run index was 857 px wide on a 390 px phone (no viewport meta, a five-column table) and the validate
    # report 512 px (file paths and URLs in table cells): the whole page scrolled sideways.
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True
    )
    try:
        for name, page in _pages(tmp_path).items():
            tab = context.new_page()
            tab.goto(page.as_uri())
            assert tab.evaluate("document.documentElement.scrollWidth") <= 390, name
            tab.screenshot(path=str(tmp_path / f"{name}-390.png"), full_page=True)
    finally:
        context.close()

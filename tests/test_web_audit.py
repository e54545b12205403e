"""The audit in a real browser (Debian's chromium via Playwright) against a real server, over a history the stages
made themselves (tests/web_support/audit.py: validate three times with edits between, build, crawl twice).

What the page shows is checked against a plain Python reading of the stored runs (latest run vs the one before,
per history), not against the SQL the page runs. Screenshots: test-artifacts/audit-*.png.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import desc, select

from pipeline.content import display_path
from pipeline.crawl.history import history_key_of
from pipeline.report.as_csv import COLUMNS
from pipeline.rules import ALL
from pipeline.schema.core import findings_run, run_findings, runs
from pipeline.store import Store
from tests.test_web_browser import ARTIFACTS, login
from tests.web_support.audit import AuditHistory, audit_history, record_bulk
from tests.web_support.browser import chromium_browser
from tests.web_support.site import Site, add_users, build_site, serve

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def audit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, AuditHistory, str]]:
    tmp = tmp_path_factory.mktemp("audit")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(tmp / "state"))
        mp.setenv("PIPELINE_SECRET_KEY", "test-secret-key-for-the-audit-suite-0123456789")
        site = build_site(tmp, tmp / "state", translate=False)
        history = audit_history(site)
        add_users(site)
        with serve(site) as url:
            yield site, history, url


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    tmp = tmp_path_factory.mktemp("audit-bulk")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(tmp / "state"))
        mp.setenv("PIPELINE_SECRET_KEY", "test-secret-key-for-the-audit-suite-0123456789")
        site = build_site(tmp, tmp / "state", translate=False)
        record_bulk(site.ctx.store, 10_000)
        add_users(site)
        with serve(site) as url:
            yield site, url


chromium = pytest.fixture(scope="module", name="chromium")(chromium_browser)


def _tab(chromium: Any, url: str, width: int = 1280) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    login(page, url, "ada")
    return page


@pytest.fixture
def desk(chromium: Any, audit_server: tuple[Site, AuditHistory, str]) -> Iterator[Any]:
    page = _tab(chromium, audit_server[2])
    yield page
    page.context.close()


def snap(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


# --- the oracle: the stored runs read the simple way -----------------------------------------------------------


def naive(store: Store) -> list[dict[str, Any]]:
    """Every current finding with its status: per history, the latest run against the one before."""
    with store.connect() as conn:
        done = conn.execute(
            select(findings_run().label("rows"), runs.c.stage, runs.c.summary)
            .where(runs.c.status == "done")
            .order_by(desc(runs.c.id))
        ).all()
        histories: dict[tuple[str, str], list[int]] = defaultdict(list)
        for r in done:
            histories[
                (r.stage, str(history_key_of(r.summary or {}) or "") if r.stage == "crawl" else "")
            ].append(r.rows)
        out = []
        for (stage, _site), ids in histories.items():
            latest = conn.execute(select(run_findings).where(run_findings.c.run_id == ids[0])).all()
            before = (
                conn.execute(select(run_findings).where(run_findings.c.run_id == ids[1])).all()
                if len(ids) > 1
                else None
            )
            old = {r.fingerprint for r in before or []}
            now = {r.fingerprint for r in latest}
            for r in latest:
                status = "" if before is None else "open" if r.fingerprint in old else "new"
                out.append({**r._asdict(), "stage": stage, "status": status})
            for r in before or []:
                if r.fingerprint not in now:
                    out.append({**r._asdict(), "stage": stage, "status": "fixed"})
    return out


def by_rule(rows: list[dict[str, Any]]) -> dict[str, tuple[int, ...]]:
    """rule → (findings, pages, new, fixed), as the Issues table counts them."""
    out = {}
    for rule in {r["rule"] for r in rows}:
        mine = [r for r in rows if r["rule"] == rule]
        live = [r for r in mine if r["status"] != "fixed"]
        out[rule] = (
            len(live),
            len({r["file"] or r["url"] for r in live}),
            sum(r["status"] == "new" for r in mine),
            sum(r["status"] == "fixed" for r in mine),
        )
    return out


def shown_issues(page: Any) -> dict[str, tuple[int, ...]]:
    return {
        row.get_attribute("data-rule"): tuple(
            int(row.locator(f"td.{c}").inner_text()) for c in ("count", "pages", "new", "fixed")
        )
        for row in page.locator("table.issues tbody tr").all()
    }


# --- §4 ----------------------------------------------------------------------------------------------------


def test_issues_are_grouped_by_rule_with_counts(
    audit_server: tuple[Site, AuditHistory, str], desk: Any
) -> None:
    site, _h, url = audit_server
    desk.goto(f"{url}/audit/")
    expected = by_rule(naive(site.ctx.store))
    assert shown_issues(desk) == expected
    assert expected["MD003"][2] == 1 and expected["MD006"][3] == 1  # the edits: one new, one fixed
    # Most severe first: every error group before every warning group.
    severities = [
        b.inner_text() for b in desk.locator("table.issues tbody td[data-label=Severity] .badge").all()
    ]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    snap(desk, "audit-issues-1280")


def test_how_to_fix_is_shown_for_each_issue(audit_server: tuple[Site, AuditHistory, str], desk: Any) -> None:
    _site, _h, url = audit_server
    desk.goto(f"{url}/audit/")
    row = desk.locator("table.issues tr[data-rule='MD003']")
    assert row.locator(".what").inner_text() == ALL["MD003"].doc
    fix = row.locator("details.fix p")
    assert not fix.is_visible()
    row.locator("details.fix summary").click()
    assert fix.is_visible() and fix.inner_text() == ALL["MD003"].fix
    for rule_row in desk.locator("table.issues tbody tr").all():  # every group has its advice
        rule = rule_row.get_attribute("data-rule")
        assert rule_row.locator("details.fix p").text_content() == ALL[rule].fix
    row.locator("a[href*='/audit/rule/MD003']").click()
    assert desk.locator(".rule-card .what").inner_text() == ALL["MD003"].doc
    assert desk.locator(".rule-card .how").inner_text() == ALL["MD003"].fix


def test_filters_by_severity_language_stage_and_status(
    audit_server: tuple[Site, AuditHistory, str], desk: Any
) -> None:
    site, _h, url = audit_server
    rows = naive(site.ctx.store)
    desk.goto(f"{url}/audit/")
    desk.select_option("select[name=severity]", "error")  # the form itself, as a person uses it
    with desk.expect_navigation():
        desk.click("form.filters button[type=submit]")
    assert "severity=error" in desk.url
    assert shown_issues(desk) == by_rule([r for r in rows if r["severity"] == "error"])

    desk.goto(f"{url}/audit/?stage=crawl")
    assert shown_issues(desk) == by_rule([r for r in rows if r["stage"] == "crawl"])
    assert all(rule.startswith("CRAWL") for rule in shown_issues(desk))

    desk.goto(f"{url}/audit/findings?lang=es&per=200")
    langs = [c.inner_text() for c in desk.locator("table.findings td[data-label=Lang]").all()]
    assert langs and set(langs) == {"es"}
    assert len(langs) == sum(r["lang"] == "es" for r in rows)

    for status in ("new", "open", "fixed"):
        desk.goto(f"{url}/audit/findings?status={status}&per=200")
        shown = Counter(
            (tr.get_attribute("data-rule"), tr.get_attribute("data-status"))
            for tr in desk.locator("table.findings tbody tr").all()
        )
        assert shown == Counter((r["rule"], r["status"]) for r in rows if r["status"] == status), status


def test_status_new_and_fixed_between_two_runs(
    audit_server: tuple[Site, AuditHistory, str], desk: Any
) -> None:
    _site, history, url = audit_server
    desk.goto(f"{url}/audit/findings?status=new&per=200")
    new = desk.locator("table.findings tbody tr[data-rule='MD003']")
    assert new.count() == 1 and history.gains_image in new.locator("td[data-label=Where]").inner_text()
    assert new.locator(".badge.hist-new").count() == 1
    desk.goto(f"{url}/audit/findings?status=fixed&per=200")
    fixed = desk.locator("table.findings tbody tr[data-rule='MD006']")
    assert fixed.count() == 1 and history.gains_link in fixed.locator("td[data-label=Where]").inner_text()
    # The post that gained an image kept its other findings: open, not new.
    desk.goto(f"{url}/audit/findings?status=open&per=200&q=walking-for-better-health")
    assert desk.locator("table.findings tbody tr[data-rule='IMG004']").count() >= 1


def test_trend_has_one_point_per_stored_run(audit_server: tuple[Site, AuditHistory, str], desk: Any) -> None:
    site, history, url = audit_server
    desk.goto(f"{url}/audit/")
    series = {g.get_attribute("data-series"): g for g in desk.locator("figure.trend g.series").all()}
    assert series["validate"].locator("circle.point").count() == len(history.validate_runs) == 3
    crawl = next(k for k in series if k.startswith("crawl"))
    assert series[crawl].locator("circle.point").count() == len(history.crawl_runs) == 2
    assert series["build"].locator("circle.point").count() == 1
    counts = [int(c.get_attribute("data-count")) for c in series["validate"].locator("circle.point").all()]
    with site.ctx.store.connect() as conn:
        rows_of = [
            conn.execute(select(findings_run()).where(runs.c.id == rid)).scalar_one()
            for rid in history.validate_runs
        ]
        stored = [
            len(conn.execute(select(run_findings.c.id).where(run_findings.c.run_id == rows)).all())
            for rows in rows_of
        ]
    assert counts == stored
    # Per issue: MD003 appeared in the last validate run only.
    desk.goto(f"{url}/audit/rule/MD003")
    points = desk.locator("#rule-trend g.series[data-series='validate'] circle.point")
    assert [int(p.get_attribute("data-count")) for p in points.all()] == [0, 0, 1]
    snap(desk, "audit-trend-1280")


def test_page_view_shows_findings_and_the_pages_that_link_in(
    audit_server: tuple[Site, AuditHistory, str], desk: Any
) -> None:
    site, history, url = audit_server
    target = display_path(site.content / "posts/sleep-and-longevity.md")
    desk.goto(f"{url}/audit/page?file={quote(target)}")
    expected = [
        r
        for r in naive(site.ctx.store)
        if r["file"] == target or r["url"] == f"{site.config.site.base_url}/articles/sleep-and-longevity/"
    ]
    assert desk.locator("table.findings tbody tr").count() == len(expected) > 0
    stages = {
        tr.locator("td[data-label=Issue] small").inner_text()
        for tr in desk.locator("table.findings tbody tr").all()
    }
    assert stages == {"validate", "crawl"}  # one page, every stage's findings
    inbound = desk.locator("table.inbound tbody tr")
    sources = [tr.locator("td[data-label=From]").inner_text() for tr in inbound.all()]
    assert f"{site.config.site.base_url}/articles/coffee-and-health/" in sources
    coffee = inbound.filter(has_text="coffee-and-health")
    assert coffee.locator("td[data-label='Link text']").inner_text() == "sleep and longevity"
    snap(desk, "audit-page-1280")
    coffee.locator("a.src").click()  # the Markdown line the link is written on
    assert "/articles/sleep-and-longevity/" in desk.locator("ol.source li.hit").inner_text()
    # A broken link's finding leads to the page carrying it; the missing page's own view says who links there.
    desk.goto(f"{url}/audit/rule/CRAWL070")
    desk.locator("table.findings a.page-link").first.click()
    assert history.links_broken in desk.locator(".page-card h2").inner_text()
    desk.goto(f"{url}/audit/page?url={quote(site.config.site.base_url + '/articles/no-such-guide/')}")
    assert desk.locator("table.inbound").inner_text().count("missing guide") == 1
    assert history.links_broken in desk.locator("table.inbound td[data-label='Written in']").inner_text()


def test_csv_export_of_a_filtered_view(audit_server: tuple[Site, AuditHistory, str], desk: Any) -> None:
    site, _h, url = audit_server
    desk.goto(f"{url}/audit/findings?severity=warning&lang=en")
    with desk.expect_download() as info:
        desk.click("a.export")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS
    got = Counter((r[1], r[4], r[3]) for r in table[1:])
    want = Counter(
        (r["rule"], r["file"] or "", r["status"])
        for r in naive(site.ctx.store)
        if r["severity"] == "warning" and r["lang"] == "en"
    )
    assert got == want and all(r[0] == "warning" and r[7] == "en" for r in table[1:])


def test_paging_through_10000_findings(bulk_server: tuple[Site, str], chromium: Any) -> None:
    _site, url = bulk_server
    page = _tab(chromium, url)
    try:
        page.goto(f"{url}/audit/")
        assert int(page.locator(".totals strong").inner_text()) == 10_000
        page.goto(f"{url}/audit/findings")
        assert page.locator("table.findings tbody tr").count() == 50
        assert "Page 1 of 210 · 1–50 of 10500" in page.locator("nav.pager").first.inner_text()
        first = page.locator("table.findings tbody").inner_text()
        page.locator("nav.pager a[rel=next]").first.click()
        assert "Page 2 of 210" in page.locator("nav.pager").first.inner_text()
        assert page.locator("table.findings tbody").inner_text() != first
        page.locator("nav.pager a:text('Last »')").first.click()
        assert page.locator("table.findings tbody tr").count() == 50
        assert page.locator("table.findings tbody tr[data-status='fixed']").count() == 50  # fixed come last
        page.goto(f"{url}/audit/findings?per=200&page=99999")  # past the end: the last page
        assert "Page 53 of 53" in page.locator("nav.pager").first.inner_text()
        assert page.locator("table.findings tbody tr").count() == 10_500 - 52 * 200
        page.goto(f"{url}/audit/pages?per=25")
        assert page.locator("table.pages tbody tr").count() == 25
    finally:
        page.context.close()


def test_everything_rendered_is_escaped(audit_server: tuple[Site, AuditHistory, str], chromium: Any) -> None:
    """A finding whose message, file and URL carry markup, and a crawled site named with markup."""
    from pipeline.findings import Finding
    from pipeline.history import store_run

    site, _h, url = audit_server
    xss = '<img src=x onerror="window.__xss=1">'
    store_run(
        site.ctx.store,
        "cards",
        [Finding("CARD008", "warning", f"{xss}.md", 1, xss, url=f"javascript:{xss}")],
        {},
    )
    page = _tab(chromium, url)
    try:
        for path in (
            "/audit/",
            "/audit/findings?stage=cards",
            "/audit/rule/CARD008",
            "/audit/pages?stage=cards",
        ):
            page.goto(url + path)
            assert page.locator("img[src='x']").count() == 0, path
            assert page.evaluate("window.__xss === undefined"), path
        page.goto(f"{url}/audit/findings?stage=cards")
        assert xss in page.locator("table.findings td[data-label=Message]").inner_text()
        assert page.locator("table.findings a[href^='javascript:']").count() == 0
    finally:
        page.context.close()

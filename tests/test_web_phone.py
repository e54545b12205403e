"""Every page on a phone (390 px wide, Debian's chromium via Playwright): no sideways scrolling of the page, every
table shown as a list, the menu folded behind a button; and post text in Arabic laid out right to left wherever
the UI shows it. Full-page screenshots: test-artifacts/phone-*.png (and audit-*-390.png for the audit views).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from pipeline.content import display_path
from pipeline.social import ledger
from tests.test_web_browser import ARTIFACTS, login
from tests.web_support.audit import add_arabic, audit_history
from tests.web_support.browser import chromium_browser
from tests.web_support.site import Site, add_users, build_site, plan_social, serve

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    """Drafts, a social plan with an Arabic post, an audit history with a crawl: every page has content."""
    tmp = tmp_path_factory.mktemp("phone")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(tmp / "state"))
        mp.setenv("PIPELINE_SECRET_KEY", "test-secret-key-for-the-phone-suite-0123456789")
        site = add_arabic(build_site(tmp, tmp / "state"))
        plan_social(site)
        audit_history(site)
        add_users(site)
        with serve(site) as url:
            yield site, url


chromium = pytest.fixture(scope="module", name="chromium")(chromium_browser)


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def check_phone_layout(page: Any, name: str) -> None:
    """No horizontal scroll of the page; every table is a list; a screenshot for a person to look at."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width}px wide"
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t => ({
            cls: t.className,
            display: getComputedStyle(t).display,
            row: t.tBodies[0] && t.tBodies[0].rows[0] ? getComputedStyle(t.tBodies[0].rows[0]).display : 'none',
        }))"""
    )
    for t in tables:
        assert "table-as-list" in t["cls"], f"{name}: table.{t['cls']} is not a list on phones"
        assert t["display"] == "block" and t["row"] in ("block", "flex"), f"{name}: {t}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_every_page_fits_a_phone(full_site: tuple[Site, str], phone: Any) -> None:
    site, url = full_site
    phone.goto(f"{url}/login")
    check_phone_layout(phone, "phone-login")
    login(phone, url, "ada")
    # The menu is folded: its links show after the Menu button is pressed.
    nav = phone.locator("header.top nav a:text('Audit')")
    assert not nav.is_visible()
    phone.click("label.menu-button")
    assert nav.is_visible()
    check_phone_layout(phone, "phone-menu-open")
    items = ledger.list_items(site.ctx.store)
    item = next(i for i in items if i.state == "failed")
    sleep = display_path(site.content / "posts/sleep-and-longevity.md")
    pages = {
        "phone-translate-index": "/translate/",
        "phone-translate-post": "/translate/es/post/posts/sleep-and-longevity.md",
        "phone-translate-preview": "/translate/es/preview/posts/sleep-and-longevity.md",
        "phone-translate-suggest": "/translate/es/suggest/posts/sleep-and-longevity.md?segment=b1",
        "phone-social-list": "/social/",
        "phone-calendar-week": f"/social/calendar?date={_due_date(item)}",
        "phone-calendar-month": f"/social/calendar?view=month&date={_due_date(item)}",
        "phone-social-item": f"/social/item/{item.id}",
        "audit-issues-390": "/audit/",
        "phone-audit-findings": "/audit/findings",
        "phone-audit-pages": "/audit/pages",
        "audit-trend-390": "/audit/rule/READ002",
        "audit-page-390": f"/audit/page?file={quote(sleep)}",
        "phone-audit-source": f"/audit/source?file={quote(sleep)}&line=21#L21",
        "phone-admin-users": "/admin/users",
        "phone-error-404": "/no/such/page",
    }
    for name, path in pages.items():
        resp = phone.goto(url + path)
        assert resp.status < 500, path
        check_phone_layout(phone, name)
    # The trend fits the phone: its latest run and its count axis are in view, its labels readable.
    phone.goto(f"{url}/audit/")
    plot = phone.locator("#trend .plot").bounding_box()
    last = phone.locator("#trend g.series[data-series='validate'] circle.point").last.bounding_box()
    top = phone.locator("#trend text.tick.y").last.bounding_box()
    for box in (last, top):
        assert plot["x"] <= box["x"] and box["x"] + box["width"] <= plot["x"] + plot["width"], (plot, box)
    assert top["height"] >= 9, top  # rendered text height in CSS px
    login(phone, url, "tomas")  # a translator opening the admin page: the "Not allowed" page
    assert phone.goto(f"{url}/admin/users").status == 403
    check_phone_layout(phone, "phone-error-403")


def _due_date(item: ledger.Item) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(item.due_at, dt.UTC).date().isoformat()


def test_arabic_post_text_runs_right_to_left(full_site: tuple[Site, str], phone: Any) -> None:
    site, url = full_site
    login(phone, url, "mia")
    arabic = next(i for i in ledger.list_items(site.ctx.store, lang="ar"))
    english = next(i for i in ledger.list_items(site.ctx.store, lang="en") if i.state == "planned")

    def direction(selector: str) -> tuple[str | None, str]:
        el = phone.locator(selector).first
        return el.get_attribute("dir"), el.evaluate("e => getComputedStyle(e).direction")

    phone.goto(f"{url}/social/item/{arabic.id}")
    assert direction("#preview-text") == ("rtl", "rtl")
    assert direction("#text") == ("rtl", "rtl")
    assert direction("h1 [lang]") == ("rtl", "rtl")  # the title
    # Right to left: the first line (the short title) hugs the right edge of its box, not the left.
    left, right = first_line_gaps(phone, "#preview-text")
    assert right < 2 and left > 40, (left, right)
    check_phone_layout(phone, "phone-social-item-arabic")
    phone.goto(f"{url}/social/item/{english.id}")
    assert direction("#preview-text") == ("ltr", "ltr")
    left, right = first_line_gaps(phone, "#preview-text")
    assert left < 2 < right, (left, right)
    phone.goto(f"{url}/social/")
    assert direction(f"li.post-row[data-item='{arabic.id}'] .text") == ("rtl", "rtl")
    assert direction(f"li.post-row[data-item='{english.id}'] .text") == ("ltr", "ltr")
    phone.goto(f"{url}/social/calendar?date={_due_date(arabic)}")
    assert direction(f"a.cal-item[data-item='{arabic.id}'] .snip") == ("rtl", "rtl")


def first_line_gaps(page: Any, selector: str) -> tuple[float, float]:
    """Space between the element's content box and its first line of text, on the left and on the right."""
    left, right = page.locator(selector).evaluate(
        """e => {
            const range = document.createRange(); range.selectNodeContents(e);
            const rects = [...range.getClientRects()]; const top = rects[0].top;
            const line = rects.filter(r => Math.abs(r.top - top) < 2);
            const box = e.getBoundingClientRect(); const cs = getComputedStyle(e);
            return [Math.min(...line.map(r => r.left)) - box.left - parseFloat(cs.paddingLeft),
                    box.right - parseFloat(cs.paddingRight) - Math.max(...line.map(r => r.right))];
        }"""
    )
    return float(left), float(right)


def test_audit_views_at_desktop_width(full_site: tuple[Site, str], chromium: Any) -> None:
    """The desktop screenshots of the audit views with every stage's data (the phone ones come from above)."""
    site, url = full_site
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        login(page, url, "ada")
        sleep = display_path(site.content / "posts/sleep-and-longevity.md")
        for name, path in (
            ("audit-findings-1280", "/audit/findings"),
            ("audit-pages-1280", "/audit/pages"),
            ("audit-rule-1280", "/audit/rule/READ002"),
            ("audit-page-full-1280", f"/audit/page?file={quote(sleep)}"),
        ):
            page.goto(url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280, name
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()

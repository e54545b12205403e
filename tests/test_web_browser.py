"""The web UI in a real browser (Debian's chromium via Playwright) against a real server and a real site.

Each flow checks the effect where it lands — the draft file on disk, the ledger row in the store — not just
what the page says. Screenshots of each main page go to test-artifacts/web-<page>.png for a human to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from pipeline.social import ledger, lengths, links
from tests.conftest import REPO
from tests.web_support.browser import chromium_browser
from tests.web_support.site import (
    PASSWORD,
    XSS,
    XSS_POST,
    Site,
    add_users,
    build_site,
    plan_social,
    record_validate_runs,
    serve,
)

pytestmark = pytest.mark.browser


ARTIFACTS = REPO / "test-artifacts"
DOCS_IMG = REPO / "docs" / "img"

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    tmp = tmp_path_factory.mktemp("web")
    state = tmp / "state"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(state))
        mp.setenv("PIPELINE_SECRET_KEY", "test-secret-key-for-the-browser-suite-0123456789")
        site = build_site(tmp, state)
        plan_social(site)
        record_validate_runs(site)
        add_users(site)
        with serve(site) as url:
            yield site, url


browser = pytest.fixture(scope="module", name="browser")(chromium_browser)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"web-{name}.png"
    page.screenshot(path=str(target), full_page=False)  # type: ignore[attr-defined]
    if os.environ.get("WEB_DOCS_SCREENSHOTS"):
        # The guides embed these: a 256-colour palette keeps each under ~200 KB with no visible loss for UI.
        from PIL import Image

        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        with Image.open(target) as img:
            small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            small.save(DOCS_IMG / target.name, optimize=True)


def login(page: object, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")  # type: ignore[attr-defined]
    page.fill("#name", name)  # type: ignore[attr-defined]
    page.fill("#password", password)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button[type=submit]")  # type: ignore[attr-defined]


def test_login_fails_then_succeeds(site_server: tuple[Site, str], page: object) -> None:
    _site, url = site_server
    page.goto(f"{url}/social/")  # type: ignore[attr-defined]
    assert "/login" in page.url  # every page needs a login  # type: ignore[attr-defined]
    login(page, url, "mia", "wrong password")
    assert page.locator("#login-error").inner_text() == "Wrong user name or password."  # type: ignore[attr-defined]
    shot(page, "login")
    login(page, url, "mia")
    page.wait_for_selector("h1:text('Social posts')")  # type: ignore[attr-defined]
    cookie = next(c for c in page.context.cookies() if c["name"] == "pipeline_session")  # type: ignore[attr-defined]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_marketer_reschedules_and_ledger_changes(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    item = next(i for i in ledger.list_items(site.ctx.store, account="notes-x") if i.state == "planned")
    login(page, url, "mia")
    page.wait_for_selector("ul.post-list")  # type: ignore[attr-defined]
    shot(page, "social-list")
    start = dt.datetime.fromtimestamp(item.due_at, dt.UTC).date().isoformat()
    page.goto(f"{url}/social/calendar?date={start}")  # type: ignore[attr-defined]
    assert page.locator(f".week a.cal-item[data-item='{item.id}']").count() == 1  # type: ignore[attr-defined]
    shot(page, "calendar-week")
    page.goto(f"{url}/social/calendar?view=month&date={start}")  # type: ignore[attr-defined]
    assert page.locator(f".month a.cal-item[data-item='{item.id}']").count() == 1  # type: ignore[attr-defined]
    shot(page, "calendar-month")
    page.click(f".month a.cal-item[data-item='{item.id}']")  # type: ignore[attr-defined]
    # The live counter asks the server, which counts by X's rules (a URL is 23 whatever its length).
    page.fill("#text", "Short post https://example.org/" + "a" * 80)  # type: ignore[attr-defined]
    page.wait_for_selector("#length .count:text-is('34')")  # type: ignore[attr-defined]
    page.fill("#text", item.text)  # type: ignore[attr-defined]
    count = lengths.measure("x", item.text).length
    page.wait_for_selector(f"#length .count:text-is('{count}')")  # type: ignore[attr-defined]
    # The preview shows the link as X does (t.co display URL), not the 140-character tracking URL.
    shown = links.shortened(item.text, "tco")
    page.wait_for_function(  # type: ignore[attr-defined]
        "t => document.getElementById('preview-text').innerText === t", arg=shown
    )
    shot(page, "social-item")
    berlin = ZoneInfo("Europe/Berlin")
    when = (dt.datetime.now(berlin) + dt.timedelta(days=3)).replace(
        hour=11, minute=45, second=0, microsecond=0
    )
    page.fill("#when", when.strftime("%Y-%m-%dT%H:%M"))  # type: ignore[attr-defined]
    page.click("form.reschedule button")  # type: ignore[attr-defined]
    # 11:45 is not one of the account's slots: the move needs a confirmation, and says why.
    assert "is not one of notes-x's slots" in page.locator("#conflicts").inner_text()  # type: ignore[attr-defined]
    assert ledger.get_item(site.ctx.store, item.id).due_at == item.due_at  # type: ignore[union-attr]
    page.click("#move-anyway")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    moved = ledger.get_item(site.ctx.store, item.id)
    assert moved is not None and moved.due_at == when.timestamp() != item.due_at
    assert any("rescheduled" in e["note"] for e in ledger.events(site.ctx.store, item.id))


def test_counter_catches_text_typed_before_the_script_ran(
    site_server: tuple[Site, str], page: object
) -> None:
    """A fast typist (or a browser restoring a form on Back) changes the text before the deferred script runs.

    app.js is held back at the network until the text has been typed, so no input event reaches the counter; it
    must still ask the server once it starts.
    """
    site, url = site_server
    item = next(i for i in ledger.list_items(site.ctx.store, account="notes-x") if i.state == "planned")
    login(page, url, "mia")
    held: list[object] = []

    def hold(route: object) -> None:
        held.append(route)

    page.route("**/static/app.js", hold)  # type: ignore[attr-defined]
    page.goto(f"{url}/social/item/{item.id}", wait_until="commit")  # type: ignore[attr-defined]
    page.fill("#text", "Early https://example.org/" + "b" * 90)  # type: ignore[attr-defined]
    assert page.locator("#length .count").inner_text() != "29"  # type: ignore[attr-defined]
    for _ in range(100):  # route handlers run while the sync API waits: give the held request time to arrive
        if held:
            break
        page.wait_for_timeout(50)  # type: ignore[attr-defined]
    assert held, "app.js was never requested"
    held[0].continue_()  # type: ignore[attr-defined]
    page.wait_for_selector("#length .count:text-is('29')")  # type: ignore[attr-defined]


def test_failed_and_sent_items_show_reason_and_link(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    items = ledger.list_items(site.ctx.store)
    failed = next(i for i in items if i.state == "failed")
    sent = next(i for i in items if i.state == "sent")
    login(page, url, "mia")
    page.goto(f"{url}/social/item/{failed.id}")  # type: ignore[attr-defined]
    assert "403 duplicate <b>content</b>" in page.locator("#item-reason").inner_text()  # type: ignore[attr-defined]
    page.goto(f"{url}/social/item/{sent.id}")  # type: ignore[attr-defined]
    assert page.locator("#live-link").get_attribute("href") == sent.remote_url  # type: ignore[attr-defined]


def test_post_without_csrf_token_is_refused(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    item = next(i for i in ledger.list_items(site.ctx.store) if i.state == "planned")
    login(page, url, "mia")
    page.wait_for_selector("ul.post-list")  # type: ignore[attr-defined]
    resp = page.request.post(f"{url}/social/item/{item.id}/cancel", form={"x": "1"})  # type: ignore[attr-defined]
    assert resp.status == 400
    bad = page.request.post(f"{url}/social/item/{item.id}/cancel", form={"csrf_token": "forged"})  # type: ignore[attr-defined]
    assert bad.status == 400
    again = ledger.get_item(site.ctx.store, item.id)
    assert again is not None and again.state == "planned"


def test_translator_cannot_open_marketer_pages(site_server: tuple[Site, str], page: object) -> None:
    _site, url = site_server
    login(page, url, "tomas")
    page.wait_for_selector("h1:text('Translations')")  # type: ignore[attr-defined]
    for path in ("/social/", "/social/calendar", "/admin/users"):
        resp = page.goto(f"{url}{path}")  # type: ignore[attr-defined]
        assert resp.status == 403, path
    assert page.locator("nav a:text('Social posts')").count() == 0  # type: ignore[attr-defined]
    resp = page.goto(f"{url}/translate/de/post/posts/sleep-and-longevity.md")  # type: ignore[attr-defined]
    assert resp.status == 403  # tomas translates Spanish only


def test_xss_payload_in_title_shows_as_text(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    login(page, url, "tomas")
    page.goto(f"{url}/translate/es/post/{XSS_POST}")  # type: ignore[attr-defined]
    title_seg = page.locator("article[data-segment='fm:title'] .source .text")  # type: ignore[attr-defined]
    # The markup of the payload is shown as placeholder chips carrying it as text, never as elements.
    chips = " ".join(str(c.get_attribute("title")) for c in title_seg.locator(".ph").all())
    assert '<img src=x onerror="window.__xss=2">' in chips and "<script>" in chips
    assert title_seg.inner_text().rstrip().endswith("Coffee")
    assert page.locator("img[src='x']").count() == 0  # type: ignore[attr-defined]
    assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]
    page.goto(f"{url}/translate/es/preview/{XSS_POST}")  # type: ignore[attr-defined]
    assert "<SCRIPT>" in page.locator("article.preview h1").inner_text().upper()  # type: ignore[attr-defined]
    assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]
    item = next(i for i in ledger.list_items(site.ctx.store, lang="en") if XSS in i.card_title)
    login(page, url, "mia")
    page.goto(f"{url}/social/item/{item.id}")  # type: ignore[attr-defined]
    assert XSS in page.locator(".card-title").inner_text()  # type: ignore[attr-defined]
    assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]


def test_audit_and_admin_pages(site_server: tuple[Site, str], page: object) -> None:
    _site, url = site_server
    login(page, url, "ada")
    page.goto(f"{url}/audit/")  # type: ignore[attr-defined]
    assert page.locator("figure.trend svg circle.point").count() >= 1  # type: ignore[attr-defined]
    assert page.locator("table.issues tbody tr").count() >= 1  # type: ignore[attr-defined]
    shot(page, "audit")
    page.goto(f"{url}/audit/findings")  # type: ignore[attr-defined]
    rows = page.locator("table.findings tbody tr").count()  # type: ignore[attr-defined]
    assert rows >= 1
    link = page.locator("table.findings td a[href*='/audit/source']").first  # type: ignore[attr-defined]
    link.click()
    assert page.locator("ol.source li.hit").count() == 1  # type: ignore[attr-defined]
    page.goto(f"{url}/audit/findings?severity=error")  # type: ignore[attr-defined]
    shown = page.locator("table.findings tbody tr").count()  # type: ignore[attr-defined]
    assert shown == page.locator("table.findings tbody tr.row-error").count()  # type: ignore[attr-defined]
    page.goto(f"{url}/admin/users")  # type: ignore[attr-defined]
    assert page.locator("tr[data-user='tomas']").count() == 1  # type: ignore[attr-defined]
    shot(page, "admin-users")

"""The marketer's calendar, list, previews and send status in a real browser (Debian's chromium via Playwright)
against a real server, a real site (five accounts on five platforms, real rendered cards) and a real store.

Each flow checks where its effect lands (the ledger row, its event log), not only what the page says.
Screenshots at 1280 and 390 px go to test-artifacts/web-marketer-*.png for a human to look at.
Every form sent waits for the page it leads to (`expect_navigation`): waiting for a flash alone can match one left
on the page before (the sign-in's), and under load the checks then read the old page.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.social import health, ledger, links, manage
from pipeline.social.ledger import Item
from tests.test_web_browser import ARTIFACTS, DOCS_IMG, login
from tests.web_support.browser import chromium_browser
from tests.web_support.site import MORE_ACCOUNTS, Site, add_users, build_site, plan_social, serve

pytestmark = pytest.mark.browser

ARABIC = "النوم الجيد يطيل العمر. اقرأ المزيد عن العادات اليومية التي تحمي الدماغ والقلب https://longevity-notes.example/ar/sleep/ #Sleep #نوم"
LONG = (
    "Sleep is one of the few daily habits tied to almost every marker of healthy ageing. "
    "Adults who sleep seven to eight hours have lower rates of heart disease. "
    "Dr. Walker's 2.5-hour nap study found the same pattern in older adults. "
    "Short sleep raises blood pressure, and the effect adds up over years. "
    "Keep a fixed wake-up time, even at weekends. "
    "Morning light sets the body clock; screens at night push it later. "
    "Read the evidence: https://longevity-notes.example/articles/sleep-and-longevity/"
)


@pytest.fixture(scope="module")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    tmp = tmp_path_factory.mktemp("web-marketer")
    state = tmp / "state"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(state))
        mp.setenv("PIPELINE_SECRET_KEY", "test-secret-key-for-the-marketer-suite-0123456789")
        site = build_site(tmp, state, translate=False, more_config=MORE_ACCOUNTS)
        from pipeline.cards.stage import run_stage as render_cards

        render_cards(site.ctx)  # the previews show the real rendered card images
        plan_social(site)
        add_users(site)
        with serve(site) as url:
            yield site, url


browser = pytest.fixture(scope="module", name="browser")(chromium_browser)


def _page(browser: object, width: int, zone: str = "UTC") -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, timezone_id=zone, device_scale_factor=1
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    return pg


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    pg = _page(browser, 1280)
    yield pg
    pg.context.close()  # type: ignore[attr-defined]


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    pg = _page(browser, 390)
    yield pg
    pg.context.close()  # type: ignore[attr-defined]


# The marketer guide (docs/marketer-guide.md) embeds these; WEB_DOCS_SCREENSHOTS=1 refreshes docs/img/.
FOR_DOCS = {
    "calendar-week-1280",
    "calendar-month-1280",
    "calendar-week-390",
    "calendar-move-confirm-1280",
    "list-1280",
    "preview-x-1280",
    "preview-linkedin-see-more-1280",
    "preview-bluesky-390",
    "refused-save-1280",
    "health-1280",
    "unknown-1280",
}


def shot(page: object, name: str, full: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"web-marketer-{name}.png"
    page.screenshot(path=str(target), full_page=full)  # type: ignore[attr-defined]
    if os.environ.get("WEB_DOCS_SCREENSHOTS") and name in FOR_DOCS:
        from PIL import Image

        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        with Image.open(target) as img:  # a 256-colour palette keeps each small with no visible loss for UI
            small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            small.save(DOCS_IMG / target.name, optimize=True)
    return target


def no_sideways_scroll(page: object) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    inner = page.evaluate("window.innerWidth")  # type: ignore[attr-defined]
    assert width <= inner, f"the page scrolls sideways: {width} > {inner} px"


def _next_weekday(weekday: int, days_ahead: int = 7) -> dt.date:
    """A date at least `days_ahead` days out that falls on `weekday` (0 = Monday), clear of the plan's posts."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def _item(site: Site, item_id: int) -> Item:
    item = ledger.get_item(site.ctx.store, item_id)
    assert item is not None
    return item


def _create(site: Site, account: str, text: str, when: dt.datetime, lang: str = "en", **kw: object) -> Item:
    return manage.create_item(
        site.config,
        site.ctx.store,
        account,
        lang,
        text,
        when,
        "test",
        confirm=True,
        **kw,  # type: ignore[arg-type]
    )


def test_calendar_reads_in_the_viewers_zone_with_each_accounts_time_beside(
    site_server: tuple[Site, str], page: object
) -> None:
    """Three posts due at the same instant on accounts in New York, Berlin and Kolkata share one row and one
    time for the viewer (they used to show at 01:15, 07:15 and 11:45, out of order), each with its own local time."""
    site, url = site_server
    day = _next_weekday(2, 21)
    instant = dt.datetime.combine(day, dt.time(6, 15), dt.UTC)
    made = [
        _create(site, account, f"Same instant on {account}", instant)
        for account in ("notes-bluesky", "notes-x", "notes-threads")
    ]
    login(page, url, "mia")
    page.goto(f"{url}/social/calendar?date={day.isoformat()}")  # type: ignore[attr-defined]
    page.fill("#tz", "Asia/Tokyo")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#zone button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    tokyo = instant.astimezone(ZoneInfo("Asia/Tokyo"))
    cell = page.locator(  # type: ignore[attr-defined]
        f".wk-cell[data-day='{tokyo.date().isoformat()}'][data-hour='{tokyo.hour}']"
    )
    shown = cell.locator("a.cal-item")
    ids = [int(shown.nth(i).get_attribute("data-item")) for i in range(shown.count())]
    assert [i for i in ids if i in {m.id for m in made}] == [m.id for m in made]  # same cell, in due order
    for m in made:
        post = cell.locator(f"a.cal-item[data-item='{m.id}']")
        assert post.locator(".t").inner_text() == tokyo.strftime("%H:%M")
        local = instant.astimezone(
            ZoneInfo(
                site.config.social.accounts[
                    [a.name for a in site.config.social.accounts].index(m.account)
                ].timezone
            )
        )
        assert post.locator(".local").inner_text().startswith(local.strftime("%H:%M"))
    shot(page, "calendar-zones-1280")
    # The choice is saved for this user: the list reads in it too.
    page.goto(f"{url}/social/")  # type: ignore[attr-defined]
    assert "Times in Asia/Tokyo" in page.locator(".subnav").inner_text()  # type: ignore[attr-defined]
    page.goto(f"{url}/social/calendar?date={day.isoformat()}&tz=UTC")  # type: ignore[attr-defined]
    utc_cell = page.locator(f".wk-cell[data-day='{day.isoformat()}'][data-hour='6']")  # type: ignore[attr-defined]
    assert utc_cell.locator(f"a.cal-item[data-item='{made[0].id}'] .t").inner_text() == "06:15"


def test_drag_and_drop_is_checked_against_the_accounts_rules_and_needs_a_confirm(
    site_server: tuple[Site, str], page: object
) -> None:
    site, url = site_server
    day = _next_weekday(1, 28)  # a Tuesday four weeks out: nothing else of notes-x there
    berlin = ZoneInfo("Europe/Berlin")
    item = _create(site, "notes-x", "Drag me around the week", dt.datetime.combine(day, dt.time(9), berlin))
    login(page, url, "mia")
    page.goto(f"{url}/social/calendar?date={day.isoformat()}&tz=Europe/Berlin")  # type: ignore[attr-defined]
    post = page.locator(f".week a.cal-item[data-item='{item.id}']")  # type: ignore[attr-defined]
    target = page.locator(f".wk-cell[data-day='{day.isoformat()}'][data-hour='13']")  # type: ignore[attr-defined]
    post.drag_to(target)
    page.wait_for_selector("#move-dialog[open]")  # type: ignore[attr-defined]
    conflicts = page.locator("#move-conflicts").inner_text()  # type: ignore[attr-defined]
    assert "13:00 is not one of notes-x's slots" in conflicts
    assert _item(site, item.id).due_at == item.due_at  # nothing moved before the confirm
    shot(page, "calendar-move-confirm-1280")
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#move-confirm")  # type: ignore[attr-defined]
    moved = _item(site, item.id)
    assert moved.due_at == dt.datetime.combine(day, dt.time(13), berlin).timestamp()
    assert any("confirmed against" in e["note"] for e in ledger.events(site.ctx.store, item.id))
    # A free slot of the account is a drop target with its exact time: no rule broken, no question asked.
    slot = page.locator(  # type: ignore[attr-defined]
        f".wk-cell[data-day='{day.isoformat()}'] .cal-slot[data-account='notes-x'][data-when$='T17:00']"
    )
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.locator(f".week a.cal-item[data-item='{item.id}']").drag_to(slot)  # type: ignore[attr-defined]
    assert _item(site, item.id).due_at == dt.datetime.combine(day, dt.time(17), berlin).timestamp()
    # The daily cap counts: two more posts that day make a third one a conflict even on a slot.
    _create(site, "notes-x", "Second post that Tuesday", dt.datetime.combine(day, dt.time(9), berlin))
    page.reload()  # type: ignore[attr-defined]
    cap = manage.conflicts(
        site.config, site.ctx.store, "notes-x", dt.datetime.combine(day, dt.time(9), berlin).timestamp(), "k"
    )
    assert any("daily cap is 2" in c for c in cap)


def test_bulk_approve_from_a_filtered_list_records_who_and_when(
    site_server: tuple[Site, str], page: object
) -> None:
    site, url = site_server
    login(page, url, "mia")
    page.goto(f"{url}/social/?account=notes-mastodon&state=planned")  # type: ignore[attr-defined]
    waiting = [i for i in ledger.list_items(site.ctx.store, account="notes-mastodon") if i.state == "planned"]
    assert len(waiting) >= 3
    assert f"all {len(waiting)} matching" in page.locator(".bulk-bar").inner_text()  # type: ignore[attr-defined]
    page.check("#all-matching")  # type: ignore[attr-defined]
    page.select_option("#bulk-action", "approve")  # type: ignore[attr-defined]
    before = time.time()
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#bulk-go")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    assert f"Approved {len(waiting)} post(s)" in page.locator(".flash.ok").inner_text()  # type: ignore[attr-defined]
    for it in waiting:
        now = _item(site, it.id)
        assert now.state == "approved" and now.approved_by == "mia"
        assert now.approved_at is not None and now.approved_at >= before - 1
    assert page.locator("li.post-row").count() == 0  # type: ignore[attr-defined]  # none planned any more
    page.goto(f"{url}/social/?account=notes-mastodon&q=Sleep")  # type: ignore[attr-defined]
    row = page.locator("li.post-row").first  # type: ignore[attr-defined]
    assert "approved by mia" in row.inner_text() and "Sleep" in row.inner_text()
    # Search, sort and paging happen in SQL: a page holds 50, the pager links on.
    page.goto(f"{url}/social/?sort=-due")  # type: ignore[attr-defined]
    times = [t.get_attribute("datetime") for t in page.locator("li.post-row time").all()]  # type: ignore[attr-defined]
    assert times == sorted(times, reverse=True)


def test_a_refused_save_keeps_the_typed_text_and_a_thread_is_previewed_as_one(
    site_server: tuple[Site, str], page: object
) -> None:
    site, url = site_server
    item = next(i for i in ledger.list_items(site.ctx.store, account="notes-x") if i.state == "planned")
    login(page, url, "mia")
    page.goto(f"{url}/social/item/{item.id}")  # type: ignore[attr-defined]
    page.fill("#text", LONG)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#save")  # type: ignore[attr-defined]
    page.wait_for_selector("#save-error")  # type: ignore[attr-defined]
    assert "shorten it or send it as a thread" in page.locator("#save-error").inner_text()  # type: ignore[attr-defined]
    assert page.input_value("#text") == LONG  # type: ignore[attr-defined]  # not lost
    assert _item(site, item.id).text == item.text
    shot(page, "refused-save-1280")
    page.check("#thread")  # type: ignore[attr-defined]
    page.wait_for_selector("#length .parts:has-text('a thread of')")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#save")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    saved = _item(site, item.id)
    assert saved.parts is not None and len(saved.parts) >= 2
    assert page.locator(".pv-x article.pv-post").count() == len(saved.parts)  # type: ignore[attr-defined]
    assert (
        page.locator(".pv-x article.pv-post")
        .last.inner_text()
        .rstrip()
        .endswith(f"{len(saved.parts)}/{len(saved.parts)}")
    )  # type: ignore[attr-defined]
    length = page.locator("#length").inner_text()  # type: ignore[attr-defined]  # as drawn, before any typing
    assert f"a thread of {len(saved.parts)} posts" in length and "too long" not in length
    shot(page, "preview-thread-x-1280", full=True)
    # The first comment carries the hashtags: the first reply, right under the head post and not numbered.
    page.fill("#first_comment", "#sleep #longevity")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#save")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    with_comment = _item(site, item.id)
    assert with_comment.parts == [saved.parts[0], "#sleep #longevity", *saved.parts[1:]]
    posts = page.locator(".pv-x article.pv-post")  # type: ignore[attr-defined]
    assert posts.count() == len(with_comment.parts)
    assert posts.nth(1).locator(".pv-text").inner_text().strip() == "#sleep #longevity"
    assert (
        page.locator("#preview-h small").inner_text() == f"({len(with_comment.parts)} posts, a first reply)"
    )  # type: ignore[attr-defined]


def test_editing_an_approved_post_sends_it_back_to_review(
    site_server: tuple[Site, str], page: object
) -> None:
    site, url = site_server
    item = next(i for i in ledger.list_items(site.ctx.store, account="notes-bluesky") if i.state == "planned")
    login(page, url, "mia")
    page.goto(f"{url}/social/item/{item.id}")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#approve")  # type: ignore[attr-defined]
    page.wait_for_selector("#item-state:text-is('approved')")  # type: ignore[attr-defined]
    assert "approved by mia" in page.locator("#approved-by").inner_text()  # type: ignore[attr-defined]
    page.fill(
        "#text", "A better text about sleep https://longevity-notes.example/articles/sleep-and-longevity/"
    )  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#save")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.warning")  # type: ignore[attr-defined]
    assert "back in review" in page.locator(".flash.warning").inner_text()  # type: ignore[attr-defined]
    after = _item(site, item.id)
    assert after.state == "planned" and after.approved_by is None
    assert any("back to review" in e["note"] for e in ledger.events(site.ctx.store, item.id))
    # Bluesky writes the link short, with the full address in a facet; the preview shows it so.
    assert (
        page.locator(".pv-bluesky .pv-link").first.inner_text() == "longevity-notes.example/articles/sle..."
    )  # type: ignore[attr-defined]


def _preview(page: object, url: str, item: Item, platform: str) -> object:
    page.goto(f"{url}/social/item/{item.id}")  # type: ignore[attr-defined]
    pv = page.locator(f".pv.pv-{platform}")  # type: ignore[attr-defined]
    assert pv.count() == 1
    return pv


def test_previews_look_like_each_platform(site_server: tuple[Site, str], page: object, phone: object) -> None:
    site, url = site_server
    login(page, url, "mia")
    login(phone, url, "mia")
    for platform in ("x", "mastodon", "bluesky", "threads", "linkedin"):
        item = next(i for i in ledger.list_items(site.ctx.store, account=f"notes-{platform}") if i.link_url)
        pv = _preview(page, url, item, platform)
        first = pv.locator("article.pv-post").first  # type: ignore[attr-defined]
        assert first.locator(".pv-name").inner_text() == "Longevity Notes"
        assert first.locator(".pv-avatar").inner_text() == "LN"
        link_texts = [a.inner_text() for a in pv.locator(".pv-link").all()]  # type: ignore[attr-defined]
        if platform == "x":
            assert first.locator(".pv-handle").inner_text() == "@longevitynotes"
            assert link_texts and all(len(t) <= 27 and not t.startswith("http") for t in link_texts)
            assert link_texts[0] == links.x_display(item.link_url)
        if platform == "mastodon":
            assert first.locator(".pv-handle").inner_text() == "@notes@health.example"
            assert link_texts[0] == links.mastodon_display(item.link_url) and link_texts[0].endswith("…")
        if platform == "linkedin":
            # The link is in the first comment, shown under the post; the feed cuts the text at "see more".
            assert pv.locator(".pv-comment").count() == 1
            assert "the link in the first comment" in page.locator("#preview-h").inner_text()  # type: ignore[attr-defined]
            assert item.link_url in pv.locator(".pv-comment .pv-link").get_attribute("href")
            assert (
                pv.locator(".pv-comment .pv-link").inner_text() == "https://lnkd.in/…"
            )  # LinkedIn's short link
            assert len(item.text) > 210
            more = first.locator("label.pv-more")
            assert more.is_visible() and not first.locator(".pv-rest").is_visible()
            shot(page, "preview-linkedin-see-more-1280")
            more.click()
            assert first.locator(".pv-rest").is_visible()
        # X and Mastodon attach the card as a picture; Bluesky and Threads show a link card; LinkedIn shows the
        # picture when the link sits in the first comment.
        kind = ".pv-media img" if platform in ("x", "mastodon", "linkedin") else ".pv-card img"
        img = pv.locator(kind).first  # type: ignore[attr-defined]
        assert pv.locator(kind).count() == 1, platform  # type: ignore[attr-defined]
        # The card is loading="lazy": bring it into view and wait for it to decode, as a reader's scroll would
        # (on a loaded CI machine the load had not finished when the check ran). A broken image still fails here.
        img.scroll_into_view_if_needed()  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "i => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=15_000
        )
        if platform in ("bluesky", "threads"):
            assert pv.locator(".pv-card .pv-domain").inner_text() == "longevity-notes.example"  # type: ignore[attr-defined]
        shot(page, f"preview-{platform}-1280")
        _preview(phone, url, item, platform)
        no_sideways_scroll(phone)
        shot(phone, f"preview-{platform}-390", full=True)


def test_right_to_left_text_reads_right_to_left(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    when = dt.datetime.combine(_next_weekday(3, 14), dt.time(9), ZoneInfo("Europe/Berlin"))
    item = _create(site, "notes-x", ARABIC, when, lang="ar")
    login(page, url, "mia")
    pv = _preview(page, url, item, "x")
    text = pv.locator(".pv-text").first  # type: ignore[attr-defined]
    assert text.get_attribute("dir") == "rtl"
    assert page.evaluate("e => getComputedStyle(e).direction", text.element_handle()) == "rtl"  # type: ignore[attr-defined]
    assert page.locator("#text").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
    # The shortened link inside stays left to right, its "…" at its end (it used to jump to the link's start).
    link = text.locator(".pv-link")
    assert link.inner_text() == links.x_display(
        "https://longevity-notes.example/ar/sleep/"
    ) and link.inner_text().endswith("…")
    style = "e => [getComputedStyle(e).direction, getComputedStyle(e).unicodeBidi]"
    assert page.evaluate(style, link.element_handle()) == ["ltr", "isolate"]  # type: ignore[attr-defined]
    # A Latin hashtag keeps its # in front (it read "Sleep#"): each tag is isolated in its own direction.
    tags = text.locator(".pv-tag")
    assert [t.inner_text() for t in tags.all()] == ["#Sleep", "#نوم"]
    assert page.evaluate("e => getComputedStyle(e).unicodeBidi", tags.first.element_handle()) == "plaintext"  # type: ignore[attr-defined]
    shot(page, "preview-rtl-1280")


def test_account_health_and_send_status_say_what_to_do(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    store = site.ctx.store
    health.seen(store, ["notes-mastodon", "notes-bluesky", "notes-threads"])
    health.token_rejected(store, "notes-mastodon", "the access token was refused (401)", time.time() + 3600)
    health.credentials_missing(
        store,
        "notes-bluesky",
        "social account 'notes-bluesky' is off: environment variable BSKY_PW is not set",
    )
    until = time.time() + 1800
    health.paused(store, "notes-threads", "post rate limited (code 4)", until)
    login(page, url, "mia")
    cases = {
        "notes-mastodon": "token-rejected",
        "notes-bluesky": "credentials-missing",
        "notes-threads": "paused",
        "notes-linkedin": "no-sender",
    }
    for account, kind in cases.items():
        item = ledger.list_items(store, account=account)[0]
        page.goto(f"{url}/social/item/{item.id}")  # type: ignore[attr-defined]
        box = page.locator(f"#account-health [data-health='{kind}']")  # type: ignore[attr-defined]
        assert box.count() == 1, (account, kind)
        assert "ask your admin" in box.inner_text().lower() or kind == "paused"
        if kind == "paused":  # in the viewer's zone, as the due time is
            page.goto(f"{url}/social/item/{item.id}?tz=Asia/Kolkata")  # type: ignore[attr-defined]
            shown = dt.datetime.fromtimestamp(until, ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%d %H:%M IST")
            assert f"Paused until {shown}" in box.inner_text()
        if kind == "token-rejected":
            shot(page, "health-1280")
    # A send whose worker died: said in words, with no worker id and no "no reason recorded".
    stuck = _create(site, "notes-mastodon", "Stuck mid-send", dt.datetime.now(dt.UTC) + dt.timedelta(days=40))
    manage.approve(store, stuck.id, "mia")
    worker = "worker-7f3a9c-host-1234"
    assert ledger.transition(
        store, stuck.id, ["approved"], "sending", "claimed", claimed_by=worker, claimed_at=time.time() - 3600
    )
    page.goto(f"{url}/social/item/{stuck.id}")  # type: ignore[attr-defined]
    said = page.locator("#send-status").inner_text()  # type: ignore[attr-defined]
    assert "The sender stopped while sending this post" in said and "nothing is sent twice" in said
    body = page.locator("main").inner_text()  # type: ignore[attr-defined]
    assert worker not in body and "no reason recorded" not in body
    # An unknown outcome: in words, "check again" queues a look-up, "send again" only after a confirm.
    unknown = next(i for i in ledger.list_items(store) if i.state == "unknown")
    page.goto(f"{url}/social/item/{unknown.id}")  # type: ignore[attr-defined]
    assert "read timed out after 15 s" in page.locator("#item-reason").inner_text()  # type: ignore[attr-defined]
    shot(page, "unknown-1280")
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#check-again")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.warning")  # type: ignore[attr-defined]
    assert "Queued: the sender looks it up" in page.locator(".flash.warning").inner_text()  # type: ignore[attr-defined]
    assert _item(site, unknown.id).state == "unknown"
    page.click(".send-again summary")  # type: ignore[attr-defined]
    page.check("#confirm-send-again")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#send-again")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    again = _item(site, unknown.id)
    assert again.state == "approved"
    assert any("sent again by mia" in e["note"] for e in ledger.events(store, unknown.id))


def test_a_post_is_created_from_the_calendar(site_server: tuple[Site, str], page: object) -> None:
    site, url = site_server
    day = _next_weekday(4, 35)
    login(page, url, "mia")
    page.goto(f"{url}/social/calendar?date={day.isoformat()}&tz=Europe/Berlin")  # type: ignore[attr-defined]
    page.locator(f".wk-cell[data-day='{day.isoformat()}'][data-hour='17'] .cal-add").click()  # type: ignore[attr-defined]
    assert page.input_value("#when") == f"{day.isoformat()}T17:00"  # type: ignore[attr-defined]
    # The counter follows the account picked: 491 characters fit LinkedIn, not X.
    page.select_option("#account", "notes-linkedin")  # type: ignore[attr-defined]
    page.fill("#text", LONG)  # type: ignore[attr-defined]
    page.wait_for_selector("#length .count:text-is('491')")  # type: ignore[attr-defined]
    assert "too long" not in page.locator("#length").inner_text()  # type: ignore[attr-defined]
    page.select_option("#account", "notes-x")  # type: ignore[attr-defined]
    page.wait_for_selector("#length .verdict:has-text('too long')")  # type: ignore[attr-defined]
    # Refused on save: said why, and everything typed comes back.
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#create")  # type: ignore[attr-defined]
    page.wait_for_selector("#save-error")  # type: ignore[attr-defined]
    assert "shorten it or send it as a thread" in page.locator("#save-error").inner_text()  # type: ignore[attr-defined]
    assert page.input_value("#text") == LONG  # type: ignore[attr-defined]
    assert page.input_value("#when") == f"{day.isoformat()}T17:00"  # type: ignore[attr-defined]
    assert page.input_value("#account") == "notes-x"  # type: ignore[attr-defined]
    page.fill("#text", "Written on the calendar #Sleep")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#create")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    made = [
        i
        for i in ledger.list_items(site.ctx.store, account="notes-x")
        if i.text == "Written on the calendar #Sleep"
    ]
    assert len(made) == 1 and made[0].created_by == "mia" and made[0].state == "planned"
    assert made[0].due_at == dt.datetime.combine(day, dt.time(17), ZoneInfo("Europe/Berlin")).timestamp()


def test_calendar_and_list_at_desktop_and_phone_widths(
    site_server: tuple[Site, str], page: object, phone: object
) -> None:
    site, url = site_server
    first = min(i.due_at for i in ledger.list_items(site.ctx.store))
    day = dt.datetime.fromtimestamp(first, dt.UTC).date().isoformat()
    login(page, url, "mia")
    login(phone, url, "mia")
    for pg, width in ((page, 1280), (phone, 390)):
        pg.goto(f"{url}/social/calendar?date={day}&tz=Europe/Berlin")  # type: ignore[attr-defined]
        no_sideways_scroll(pg)
        shot(pg, f"calendar-week-{width}", full=width == 390)
        pg.goto(f"{url}/social/calendar?view=month&date={day}&tz=Europe/Berlin")  # type: ignore[attr-defined]
        no_sideways_scroll(pg)
        shot(pg, f"calendar-month-{width}", full=width == 390)
        on_phone = width == 390
        assert pg.locator(".agenda").is_visible() == on_phone  # type: ignore[attr-defined]
        assert pg.locator(".month").is_visible() != on_phone  # type: ignore[attr-defined]
        pg.goto(f"{url}/social/")  # type: ignore[attr-defined]
        no_sideways_scroll(pg)
        shot(pg, f"list-{width}")
        pg.goto(f"{url}/social/new")  # type: ignore[attr-defined]
        no_sideways_scroll(pg)


def test_bulk_move_asks_once_for_conflicts_bulk_cancel_works_on_a_page(
    site_server: tuple[Site, str], page: object, phone: object
) -> None:
    """Paging (50 a page) over a search, bulk cancel of one page, and a bulk move that breaks the account's slots:
    the confirm page lists each post with why, nothing moves before the confirm, everything moves after it."""
    site, url = site_server
    store = site.ctx.store
    tag = f"batch{time.time_ns() % 10**9}"
    start = dt.datetime.combine(_next_weekday(0, 63), dt.time(6), dt.UTC)
    batch = [
        _create(site, "notes-mastodon", f"Paging {tag} post {k}", start + dt.timedelta(hours=3 * k))
        for k in range(53)
    ]
    login(page, url, "mia")
    page.goto(f"{url}/social/?q={tag}&sort=due")  # type: ignore[attr-defined]
    assert "53 post(s), page 1 of 2" in page.locator("p.count").inner_text()  # type: ignore[attr-defined]
    assert page.locator("li.post-row").count() == 50  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(".pager a[rel=next]")  # type: ignore[attr-defined]
    rows = page.locator("li.post-row")  # type: ignore[attr-defined]
    assert rows.count() == 3
    on_page_two = [int(rows.nth(i).get_attribute("data-item")) for i in range(3)]
    assert on_page_two == [m.id for m in batch[50:]]  # sorted by due time, the last three
    page.check("#select-page")  # type: ignore[attr-defined]
    page.select_option("#bulk-action", "cancel")  # type: ignore[attr-defined]
    asked: list[str] = []

    def answer(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.once("dialog", answer)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#bulk-go")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    assert asked == ["Cancel 3 post(s)?"]  # a cancel is asked about first, with how many
    assert "Cancelled 3 post(s)" in page.locator(".flash.ok").inner_text()  # type: ignore[attr-defined]
    assert [_item(site, i).state for i in on_page_two] == ["cancelled"] * 3
    assert {_item(site, m.id).state for m in batch[:50]} == {"planned"}  # the other page untouched
    # A move by an hour takes two notes-x posts off their slots: asked once for both, with the reasons.
    day = _next_weekday(0, 70)
    berlin = ZoneInfo("Europe/Berlin")
    pair = [
        _create(site, "notes-x", f"Move {tag} {h}", dt.datetime.combine(day, dt.time(h), berlin))
        for h in (9, 17)
    ]
    page.goto(f"{url}/social/?q=Move+{tag}")  # type: ignore[attr-defined]
    page.check("#all-matching")  # type: ignore[attr-defined]
    page.select_option("#bulk-action", "shift")  # type: ignore[attr-defined]
    page.select_option("#bulk-shift", "1h")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#bulk-go")  # type: ignore[attr-defined]
    page.wait_for_selector("#conflicts")  # type: ignore[attr-defined]
    said = page.locator("#conflicts li")  # type: ignore[attr-defined]
    assert said.count() == 2
    text = page.locator("#conflicts").inner_text()  # type: ignore[attr-defined]
    assert "10:00 is not one of notes-x's slots" in text and "18:00 is not one of notes-x's slots" in text
    assert [_item(site, m.id).due_at for m in pair] == [m.due_at for m in pair]  # nothing moved yet
    shot(page, "bulk-move-confirm-1280")
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#confirm-move")  # type: ignore[attr-defined]
    page.wait_for_selector(".flash.ok")  # type: ignore[attr-defined]
    assert "Moved 2 post(s)" in page.locator(".flash.ok").inner_text()  # type: ignore[attr-defined]
    for m in pair:
        assert _item(site, m.id).due_at == m.due_at + 3600
        assert any(
            "confirmed against" in e["note"] and "by mia" in e["note"] for e in ledger.events(store, m.id)
        )
    login(phone, url, "mia")
    phone.goto(f"{url}/social/?q={tag}&sort=due")  # type: ignore[attr-defined]
    no_sideways_scroll(phone)
    assert phone.locator(".pager a[rel=next]").is_visible()  # type: ignore[attr-defined]
    shot(phone, "list-paged-390", full=True)

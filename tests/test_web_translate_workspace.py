"""The translation workspace (issue 19 §1) in a real browser: Debian's chromium via Playwright, a real server, a
real site whose drafts a real Argos test package wrote (upper-casing, so a machine text is easy to tell apart)
with Debian's Apertium beside it. Every check looks where the effect lands: the draft file, the memory, the
history, the social ledger. Each test works on its own post or its own segments, so they run in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from pipeline.build.stage import run_stage as build
from pipeline.config import with_overrides
from pipeline.content import load_post
from pipeline.schema.translate import tm_dismissals
from pipeline.social import ledger
from pipeline.social.stage import plan
from pipeline.stages import Context
from pipeline.translate import review
from pipeline.translate.exchange import XLIFF2
from pipeline.translate.memory import Memory
from pipeline.translate.stage import run_stage
from tests.test_web_browser import login, playwright_api, shot
from tests.web_support.browser import chromium_browser
from tests.web_support.site import Site, add_users, build_site, serve

expect = playwright_api.expect

pytestmark = pytest.mark.browser

SLEEP = "posts/sleep-and-longevity.md"
COFFEE = "posts/coffee-and-health.md"
HABITS = "posts/daily-habits-for-healthy-aging.md"
STRENGTH = "posts/strength-training-after-50.md"
BONES = "posts/best-exercises-osteoporosis.md"
PROTEIN = "posts/protein-needs-by-age.md"
WALKING = "posts/walking-for-better-health.md"  # its draft comes from Apertium: real, varied confidences
POSTS = (SLEEP, COFFEE, HABITS, STRENGTH, BONES, PROTEIN)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    tmp = tmp_path_factory.mktemp("workspace")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(tmp / "state"))
        mp.setenv("PIPELINE_SECRET_KEY", "test-secret-key-for-the-workspace-suite-0123456789")
        site = build_site(tmp, tmp / "state", posts=POSTS)
        (site.content / "es" / WALKING).unlink()  # the example's hand translation: Apertium drafts it here
        apertium_first = with_overrides(
            site.config, {"translate": {"engines": {"es": ["apertium", "argos"]}}}
        )
        run_stage(
            Context(config=apertium_first, quiet=True, _store=site.ctx.store),
            paths=[site.config.content_root / WALKING],
            languages=["es"],
        )
        add_users(site)
        with serve(site) as url:
            yield site, url


browser = pytest.fixture(scope="module", name="browser")(chromium_browser)


def _page(browser: object, width: int = 1280, js: bool = True) -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, java_script_enabled=js, accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    return pg


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    pg = _page(browser)
    yield pg
    pg.context.close()  # type: ignore[attr-defined]


def open_post(page: object, url: str, rel: str, query: str = "", user: str = "tomas") -> None:
    login(page, url, user)
    page.goto(f"{url}/translate/es/post/{rel}{query}")  # type: ignore[attr-defined]
    page.wait_for_selector("#workspace")  # type: ignore[attr-defined]


def seg(page: object, seg_id: str) -> object:
    return page.locator(f"article.seg[data-segment='{seg_id}']")  # type: ignore[attr-defined]


def area(page: object, seg_id: str) -> object:
    return seg(page, seg_id).locator(".editor textarea")  # type: ignore[attr-defined]


def draft(site: Site, rel: str) -> str:
    return (site.content / "es" / rel).read_text("utf-8")


def view(site: Site, rel: str, seg_id: str) -> review.SegmentView:
    return review.segment_view(site.ctx, rel, "es", seg_id, "tomas")


def flash(page: object, kind: str = "ok warning") -> str:
    """The message an action left (in place, or on the reloaded page); `kind`: the categories accepted."""
    wanted = ", ".join(f"#live .flash.{k}, .flashes .flash.{k}" for k in kind.split())
    box = page.locator(wanted).first  # type: ignore[attr-defined]
    box.wait_for()
    return str(box.inner_text())


# --- no lost work ---------------------------------------------------------------------------------------------


def test_two_segments_edited_then_one_saved_keeps_the_other(ws: tuple[Site, str], page: object) -> None:
    site, url = ws
    open_post(page, url, HABITS)
    mine, other = "b1", "fm:description"
    saved_text = "Casi todo lo que ayuda a envejecer bien es sencillo."
    kept_text = "Una lista práctica de hábitos diarios, todavía sin guardar."
    area(page, mine).fill(saved_text)  # type: ignore[attr-defined]
    area(page, other).fill(kept_text)  # type: ignore[attr-defined]
    seg(page, mine).locator("button[value='save:b1']").click()  # type: ignore[attr-defined]
    assert "saved" in flash(page)
    text = draft(site, HABITS)
    assert saved_text in text and kept_text not in text  # only the saved segment reached the draft
    assert area(page, other).input_value() == kept_text  # type: ignore[attr-defined]  # still on screen
    expect(seg(page, other).locator(".save-state")).to_contain_text("kept")  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    assert area(page, other).input_value() == kept_text  # type: ignore[attr-defined]  # and on the server
    assert "unsaved text" in seg(page, other).locator(".wip-note").inner_text()  # type: ignore[attr-defined]
    assert view(site, HABITS, other).target_template != kept_text  # kept, not saved
    seg(page, other).locator("button[value='discard:fm:description']").click()  # type: ignore[attr-defined]
    expect(seg(page, other).locator(".wip-note")).to_have_count(0)  # type: ignore[attr-defined]
    assert area(page, other).input_value() == view(site, HABITS, other).target_template  # type: ignore[attr-defined]


def test_without_javascript_one_form_keeps_every_edit(ws: tuple[Site, str], browser: object) -> None:
    site, url = ws
    page = _page(browser, js=False)
    try:
        open_post(page, url, HABITS)
        area(page, "b2").fill("Lo que importa, en pocas palabras.")  # type: ignore[attr-defined]
        area(page, "fm:title").fill("Hábitos diarios (sin guardar)")  # type: ignore[attr-defined]
        with page.expect_navigation():  # type: ignore[attr-defined]
            seg(page, "b2").locator("button[value='save:b2']").click()  # type: ignore[attr-defined]
        assert "Lo que importa, en pocas palabras." in draft(site, HABITS)
        assert area(page, "fm:title").input_value() == "Hábitos diarios (sin guardar)"  # type: ignore[attr-defined]
        assert "Hábitos diarios (sin guardar)" not in draft(site, HABITS)
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_leaving_with_text_not_yet_kept_asks_first(ws: tuple[Site, str], page: object) -> None:
    _site, url = ws
    open_post(page, url, HABITS)
    dialogs: list[str] = []

    def answer(dialog: object) -> None:
        dialogs.append(dialog.type)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]  # stay on the page

    page.on("dialog", answer)  # type: ignore[attr-defined]
    target = area(page, "b5")
    target.click()  # type: ignore[attr-defined]
    target.press("End")  # type: ignore[attr-defined]
    target.press_sequentially(" x")  # type: ignore[attr-defined]  # typed: the autosave waits 0.6 s
    page.close(run_before_unload=True)  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert dialogs == ["beforeunload"]


# --- keyboard ---------------------------------------------------------------------------------------------------


def test_keyboard_shortcuts_are_listed_and_work(ws: tuple[Site, str], page: object) -> None:
    site, url = ws
    open_post(page, url, HABITS)
    listed = page.locator("#shortcuts").text_content()  # type: ignore[attr-defined]
    for keys in ("Ctrl+S", "Ctrl+Enter", "Ctrl+Shift+Enter", "Alt+↓", "Alt+C", "Alt+1", "Alt+T"):
        assert keys in listed
    first = area(page, "b3")  # ⟦1⟧Move your body⟦2⟧
    first.focus()  # type: ignore[attr-defined]
    page.keyboard.press("Alt+KeyC")  # type: ignore[attr-defined]  # copy source
    source = view(site, HABITS, "b3").source_template
    assert first.input_value() == source  # type: ignore[attr-defined]
    first.fill("")  # type: ignore[attr-defined]
    page.keyboard.press("Alt+KeyT")  # type: ignore[attr-defined]  # next missing placeholder
    page.keyboard.type("Mueve el cuerpo")  # type: ignore[attr-defined]
    page.keyboard.press("Alt+KeyT")  # type: ignore[attr-defined]
    assert first.input_value() == "⟦1⟧Mueve el cuerpo⟦2⟧"  # type: ignore[attr-defined]
    page.keyboard.press("Control+KeyS")  # type: ignore[attr-defined]  # save
    assert "saved" in flash(page)
    assert "**Mueve el cuerpo**" in draft(site, HABITS)
    page.keyboard.press("Alt+ArrowDown")  # type: ignore[attr-defined]  # next segment
    following = page.evaluate("document.activeElement.closest('article').dataset.segment")  # type: ignore[attr-defined]
    assert following == "b4"
    page.keyboard.press("Alt+ArrowUp")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.closest('article').dataset.segment") == "b3"  # type: ignore[attr-defined]
    page.keyboard.press("Alt+ArrowDown")  # type: ignore[attr-defined]
    page.keyboard.press("Alt+Digit1")  # type: ignore[attr-defined]  # take suggestion 1
    first_sug = seg(page, "b4").locator(".sug").first.get_attribute("data-template")  # type: ignore[attr-defined]
    assert area(page, "b4").input_value() == first_sug  # type: ignore[attr-defined]
    page.keyboard.press("Control+Enter")  # type: ignore[attr-defined]  # save and next
    expect(area(page, "b5")).to_be_focused()  # type: ignore[attr-defined]
    assert view(site, HABITS, "b4").target_template == first_sug
    page.keyboard.press("Control+Shift+Enter")  # type: ignore[attr-defined]  # approve (no open issue there)
    page.wait_for_selector("article[data-segment='b5'].state-approved")  # type: ignore[attr-defined]
    assert view(site, HABITS, "b5").state == "approved"


# --- filters --------------------------------------------------------------------------------------------------


def test_filters_by_state_check_glossary_and_text_and_weakest_first(
    ws: tuple[Site, str], page: object
) -> None:
    site, url = ws
    open_post(page, url, SLEEP)
    views = review.draft_segments(site.ctx, SLEEP, "es", suggestions=False)
    shown = page.locator("article.seg")  # type: ignore[attr-defined]
    assert shown.count() == len(views)
    page.select_option("#filters select[name=check]", "TQA005")  # type: ignore[attr-defined]
    page.click("#filters button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**check=TQA005**")  # type: ignore[attr-defined]
    failing = {v.id for v in views if any(i.rule == "TQA005" and i.open for i in v.issues)}
    assert failing and {a.get_attribute("data-segment") for a in shown.all()} == failing  # type: ignore[attr-defined]
    page.goto(f"{url}/translate/es/post/{SLEEP}?glossary=1")  # type: ignore[attr-defined]
    with_terms = {v.id for v in views if v.glossary_hints}
    assert {a.get_attribute("data-segment") for a in shown.all()} == with_terms  # type: ignore[attr-defined]
    assert page.locator("article.seg .source mark.term").count() >= len(with_terms)  # type: ignore[attr-defined]
    page.goto(f"{url}/translate/es/post/{SLEEP}?q=restless+legs")  # type: ignore[attr-defined]  # in the source
    assert [a.get_attribute("data-segment") for a in shown.all()] == ["b12"]  # type: ignore[attr-defined]
    page.goto(f"{url}/translate/es/post/{SLEEP}?q=URGE+TO+MOVE")  # type: ignore[attr-defined]  # in the target
    assert [a.get_attribute("data-segment") for a in shown.all()] == ["b12"]  # type: ignore[attr-defined]
    page.goto(f"{url}/translate/es/post/{SLEEP}?state=machine")  # type: ignore[attr-defined]
    assert {a.get_attribute("data-segment") for a in shown.all()} == {
        v.id for v in views if v.state == "machine"
    }  # type: ignore[attr-defined]
    walking = review.draft_segments(site.ctx, WALKING, "es", suggestions=False)
    assert {v.engine for v in walking} == {"apertium"}
    page.goto(f"{url}/translate/es/post/{WALKING}?sort=confidence")  # type: ignore[attr-defined]
    order = [a.get_attribute("data-confidence") for a in shown.all()]  # type: ignore[attr-defined]
    numbers = [float(c) for c in order]
    assert numbers == sorted(numbers) and len(numbers) == len(walking)
    assert numbers[0] == min(v.confidence or 1.0 for v in walking) < 1.0  # unknown words lower it
    weakest = shown.first.locator(".conf").inner_text()  # type: ignore[attr-defined]
    assert weakest == f"confidence {numbers[0]:.2f}"


# --- placeholders -------------------------------------------------------------------------------------------------


def test_bold_list_item_round_trips_byte_exact(ws: tuple[Site, str], page: object) -> None:
    """`- **Pregnant people** are …`: both columns show the opening ** as a placeholder; a translator who types
    the markup instead of keeping the placeholders is refused (nothing written); the kept placeholders give
    back the list item byte for byte."""
    site, url = ws
    open_post(page, url, COFFEE)
    item = seg(page, "b17")
    chips = item.locator(".source .ph")  # type: ignore[attr-defined]
    assert chips.count() == 2 and chips.first.get_attribute("title") == "bold: ** — insert ⟦1⟧"
    assert item.locator(".source .text").inner_text().startswith("1**Pregnant people")  # type: ignore[attr-defined]
    machine = area(page, "b17").input_value()  # type: ignore[attr-defined]
    assert machine.startswith("⟦1⟧PREGNANT PEOPLE⟦2⟧")
    line = next(ln for ln in draft(site, COFFEE).splitlines() if "PREGNANT" in ln)
    assert line.startswith("- **PREGNANT PEOPLE** ARE USUALLY")
    before = draft(site, COFFEE)
    area(page, "b17").fill("**Las personas embarazadas** suelen limitar la cafeína.")  # type: ignore[attr-defined]
    status = item.locator(".ph-status")  # type: ignore[attr-defined]
    assert "⟦1⟧ is missing" in status.inner_text() and "bad" in (status.get_attribute("class") or "")
    item.locator("button[value='save:b17']").click()  # type: ignore[attr-defined]
    assert "TQA003" in flash(page, "error")
    assert draft(site, COFFEE) == before  # refused: never written
    assert "****" not in draft(site, COFFEE)
    fixed = "⟦1⟧Las personas embarazadas⟦2⟧ suelen limitar la cafeína a unos 200 mg al día."
    area(page, "b17").fill(fixed)  # type: ignore[attr-defined]
    seg(page, "b17").locator("button[value='save:b17']").click()  # type: ignore[attr-defined]
    page.wait_for_selector("article[data-segment='b17'] .seg-meta small:text('human')")  # type: ignore[attr-defined]
    after = draft(site, COFFEE)
    assert "- **Las personas embarazadas** suelen limitar la cafeína a unos 200 mg al día.\n" in after
    assert (
        after.replace(
            "- **Las personas embarazadas** suelen limitar la cafeína a unos 200 mg al día.", line
        ).replace("status: in-review", "status: draft")
        == before
    )  # nothing else in the file moved
    target = seg(page, "b17").locator(".editor textarea")  # type: ignore[attr-defined]
    assert target.input_value() == fixed  # type: ignore[attr-defined]


# --- QA -------------------------------------------------------------------------------------------------------------


def test_qa_checks_are_named_explained_and_rerun_when_the_glossary_changes(
    ws: tuple[Site, str], page: object
) -> None:
    site, url = ws
    open_post(page, url, SLEEP)
    issue = seg(page, "fm:title").locator("li.issue[data-rule='TQA005']")  # type: ignore[attr-defined]
    assert (
        "Glossary term" in issue.inner_text()
        and "'sleep' must be translated as 'sueño'" in issue.inner_text()
    )  # type: ignore[attr-defined]
    issue.locator("details.explain summary").click()  # type: ignore[attr-defined]
    assert "glossary" in issue.locator("details.explain").inner_text().lower()  # type: ignore[attr-defined]
    page.goto(f"{url}/translate/")  # type: ignore[attr-defined]
    before = int(page.locator(f"tr:has(a:text('{COFFEE}')) td[data-open-qa]").get_attribute("data-open-qa"))  # type: ignore[attr-defined]
    # The glossary grows (a config edit, the server restarted): the same drafts, judged again, no new run.
    grown = with_overrides(
        site.config, {"translate": {"glossary": {"es": {"sleep": "sueño", "coffee": "café"}}}}
    )
    again = Site(site.root, grown, Context(config=grown, quiet=True, _store=site.ctx.store))
    with serve(again) as url2:
        open_post(page, url2, COFFEE)
        assert seg(page, "b31").locator("li.issue[data-rule='TQA005']").count() == 1  # type: ignore[attr-defined]
        page.goto(f"{url2}/translate/")  # type: ignore[attr-defined]
        after = int(
            page.locator(f"tr:has(a:text('{COFFEE}')) td[data-open-qa]").get_attribute("data-open-qa")
        )  # type: ignore[attr-defined]
    assert after > before


def test_qa_reruns_when_the_source_changes(
    ws: tuple[Site, str], page: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, url = ws
    # The site's state folder (its Argos package): each test otherwise gets a fresh, empty one.
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(Path(site.config.db_url.removeprefix("sqlite:///")).parent))
    source = site.config.content_root / PROTEIN
    text = source.read_text("utf-8")
    body = text.split("---\n", 2)[2]
    first = next(ln for ln in body.splitlines() if len(ln) > 80 and not ln.startswith(("#", "-", "|", ">")))
    source.write_text(text.replace(first, first + " Good sleep helps too."), "utf-8")
    open_post(page, url, PROTEIN)
    banner = page.locator("form.stale")  # type: ignore[attr-defined]
    assert "changed" in banner.inner_text()  # type: ignore[attr-defined]
    banner.locator("button").click()  # type: ignore[attr-defined]
    assert "updated" in flash(page).lower()
    assert page.locator("form.stale").count() == 0  # type: ignore[attr-defined]
    views = review.draft_segments(site.ctx, PROTEIN, "es", suggestions=False)
    changed = next(v for v in views if "Good sleep helps too." in v.source)
    assert changed.origin == "machine" and "GOOD SLEEP HELPS TOO." in changed.target
    assert "GOOD SLEEP HELPS TOO." in draft(site, PROTEIN)
    # The new text is checked: "sleep" must be "sueño" (the glossary), so the segment shows that warning.
    assert [i.rule for i in changed.open_issues] == ["TQA005"]
    assert seg(page, changed.id).locator("li.issue[data-rule='TQA005']").count() == 1  # type: ignore[attr-defined]


def test_warning_dismissed_with_a_reason_is_recorded(ws: tuple[Site, str], page: object) -> None:
    site, url = ws
    open_post(page, url, SLEEP)
    target = seg(page, "b2")  # "Why Sleep and Longevity Are Linked": glossary warning
    warning = target.locator("li.issue[data-rule='TQA005']")  # type: ignore[attr-defined]
    warning.locator("button:text('Dismiss')").click()  # type: ignore[attr-defined]
    assert "needs a reason" in flash(page, "error")
    warning = seg(page, "b2").locator("li.issue[data-rule='TQA005']")  # type: ignore[attr-defined]
    warning.locator("input").fill("Title case heading; the glossary term is in the body")  # type: ignore[attr-defined]
    warning.locator("input").press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("article[data-segment='b2'] li.issue.dismissed")  # type: ignore[attr-defined]
    assert "Dismissed by tomas" in seg(page, "b2").locator("li.issue.dismissed").inner_text()  # type: ignore[attr-defined]
    with site.ctx.store.connect() as conn:
        rows = conn.execute(tm_dismissals.select()).all()
    assert any(r.rule == "TQA005" and r.who == "tomas" and "Title case" in r.reason for r in rows)
    assert view(site, SLEEP, "b2").can_approve  # the dismissed warning no longer blocks
    assert any(e.action == "dismiss" for e in view(site, SLEEP, "b2").history)


# --- approval gate --------------------------------------------------------------------------------------------------


def _built_es_strength(site: Site, out: Path) -> tuple[str, bool]:
    """Build the site into `out`: the Spanish page's HTML, and whether the sitemap lists it."""
    result = build(Context(config=site.config, quiet=True, _store=site.ctx.store), output=out)
    root = Path(result.data["output"])
    page = next(p for p in root.glob("es/**/index.html") if "strength" in p.parent.name)
    url = "/" + page.parent.relative_to(root).as_posix() + "/"
    return page.read_text("utf-8"), url in (root / "sitemap.xml").read_text("utf-8")


def test_approval_is_a_gate_and_approve_all_skips_failing_segments(
    ws: tuple[Site, str], page: object, tmp_path: Path
) -> None:
    site, url = ws
    open_post(page, url, STRENGTH)
    bad = "b2"
    area(page, bad).fill("Texto con <b>HTML</b> que el original no tiene.")  # type: ignore[attr-defined]
    seg(page, bad).locator(f"button[value='approve:{bad}']").click()  # type: ignore[attr-defined]
    assert "not approved" in flash(page, "error")
    assert view(site, STRENGTH, bad).state != "approved"
    page.locator("#approve-all").click()  # type: ignore[attr-defined]  # asks first, on its own page
    plan_box = page.locator("#approve-plan")  # type: ignore[attr-defined]
    assert bad in plan_box.locator("ul.skipped").inner_text() and "TQA008" in plan_box.inner_text()  # type: ignore[attr-defined]
    skipped = int(page.locator("#skip-count").inner_text())  # type: ignore[attr-defined]
    shot(page, "translate-approve-all")
    page.locator("#confirm-approve-all").click()  # type: ignore[attr-defined]
    message = flash(page, "warning")
    assert f"Skipped {skipped} segment(s)" in message and bad in message
    assert view(site, STRENGTH, bad).state != "approved"
    status = load_post(site.content / "es" / STRENGTH, site.config.content_root, default_lang="es")
    assert status.meta["translation"]["status"] == "in-review" and not status.published
    # Only approved text is published: the social stage plans nothing for this draft.
    plan(site.config, site.ctx.store, site.ctx.reload_content().posts)
    planned = [i for i in ledger.list_items(site.ctx.store, lang="es") if "strength" in i.translation_key]
    assert planned == []
    # ... and the build shows it to translators only: noindex, out of the sitemap.
    html, listed = _built_es_strength(site, tmp_path / "before")
    assert '<meta name="robots" content="noindex">' in html and not listed
    # Fixed, it can be approved; with the other warnings dismissed for a reason, the draft is published.
    area(page, bad).fill("Texto sin nada raro.")  # type: ignore[attr-defined]
    seg(page, bad).locator(f"button[value='approve:{bad}']").click()  # type: ignore[attr-defined]
    page.wait_for_selector(f"article[data-segment='{bad}'].state-approved")  # type: ignore[attr-defined]
    others = review.approval_plan(site.ctx, STRENGTH, "es").skipped
    for other in others:
        for issue in other.open_issues:
            review.dismiss(site.ctx, STRENGTH, "es", other.id, issue.rule, "read and accepted", "tomas")
    if others:
        page.locator("#approve-all").click()  # type: ignore[attr-defined]
        page.locator("#confirm-approve-all").click()  # type: ignore[attr-defined]
    expect(page.locator("#draft-status")).to_have_text("approved")  # type: ignore[attr-defined]
    plan(site.config, site.ctx.store, site.ctx.reload_content().posts)
    planned = [i for i in ledger.list_items(site.ctx.store, lang="es") if "strength" in i.translation_key]
    assert planned, "an approved draft is published and planned"
    html, listed = _built_es_strength(site, tmp_path / "after")
    assert (
        listed
        and "noindex" not in html
        and "TEXTO SIN NADA RARO" not in html
        and "Texto sin nada raro." in html
    )


# --- history, comments, suggestions ------------------------------------------------------------------------------------


def test_history_revert_and_comments(ws: tuple[Site, str], page: object) -> None:
    site, url = ws
    open_post(page, url, BONES)
    machine = area(page, "b1").input_value()  # type: ignore[attr-defined]
    for text in ("La osteoporosis, primera versión.", "La osteoporosis, segunda versión."):
        area(page, "b1").fill(text)  # type: ignore[attr-defined]
        seg(page, "b1").locator("button[value='save:b1']").click()  # type: ignore[attr-defined]
        page.wait_for_selector(f"article[data-segment='b1'] .history li:has-text('{text}')", state="attached")  # type: ignore[attr-defined]
    history = seg(page, "b1").locator(".history")  # type: ignore[attr-defined]
    history.locator("summary").click()  # type: ignore[attr-defined]
    lines = history.locator("ol.events li")  # type: ignore[attr-defined]
    assert lines.count() == 3  # machine, two edits: newest first
    assert "tomas" in lines.nth(0).inner_text() and "edit" in lines.nth(0).inner_text()  # type: ignore[attr-defined]
    assert "machine:argos" in lines.nth(2).inner_text()  # type: ignore[attr-defined]
    lines.nth(2).locator("button:text('Revert to this')").click()  # type: ignore[attr-defined]
    expect(area(page, "b1")).to_have_value(machine)  # type: ignore[attr-defined]
    assert area(page, "b1").input_value() == machine  # type: ignore[attr-defined]
    reverted = view(site, BONES, "b1")
    assert reverted.target_template == machine and reverted.history[0].action == "revert"
    seg(page, "b1").locator(".history summary").click()  # type: ignore[attr-defined]
    seg(page, "b1").locator("textarea[name='comment:b1']").fill("¿«Osteoporosis» con mayúscula?")  # type: ignore[attr-defined]
    seg(page, "b1").locator("button[value='comment:b1']").click()  # type: ignore[attr-defined]
    page.wait_for_selector("article[data-segment='b1'] .comment:has-text('Osteoporosis')", state="attached")  # type: ignore[attr-defined]
    assert [c.text for c in view(site, BONES, "b1").comments] == ["¿«Osteoporosis» con mayúscula?"]


def test_suggestions_are_labelled_by_origin_with_a_source_diff(ws: tuple[Site, str], page: object) -> None:
    site, url = ws
    target = view(site, BONES, "b18")
    # The memory holds a person's translation of a near-identical sentence (another post, an older version).
    older = target.source_template.replace("often gets overlooked", "is often overlooked")
    with site.ctx.store.begin() as conn:
        Memory(conn, "en", "es").put_human(older, "Una traducción humana anterior.", who="ana", qa=[])
    open_post(page, url, BONES)
    machine = seg(page, "b18").locator(".suggestions .machine.side-by-side .sug")  # type: ignore[attr-defined]
    assert [m.locator("strong").inner_text() for m in machine.all()] == ["Argos", "Apertium"]  # type: ignore[attr-defined]
    apertium = machine.nth(1).locator(".sug-text").inner_text()  # type: ignore[attr-defined]
    assert apertium != apertium.upper()  # real Spanish from Debian's Apertium, not the test model's capitals
    assert "confidence" in machine.nth(1).inner_text()  # type: ignore[attr-defined]
    memory = seg(page, "b18").locator(".sug.memory").first  # type: ignore[attr-defined]
    assert memory.locator("strong").inner_text() == "memory · human"  # type: ignore[attr-defined]
    assert "Una traducción humana anterior." in memory.inner_text()  # type: ignore[attr-defined]
    removed = " ".join(d.inner_text() for d in memory.locator(".sug-diff del").all())  # type: ignore[attr-defined]
    added = " ".join(d.inner_text() for d in memory.locator(".sug-diff ins").all())  # type: ignore[attr-defined]
    assert "is" in removed.split() and "gets" in added.split() and "overlooked" not in removed + added
    assert seg(page, "b18").locator(".source mark.term").first.inner_text().lower() == "sleep"  # type: ignore[attr-defined]
    memory.locator("button[data-use]").click()  # type: ignore[attr-defined]  # take it: into the editor, not saved
    assert area(page, "b18").input_value() == "Una traducción humana anterior."  # type: ignore[attr-defined]
    assert view(site, BONES, "b18").origin == "machine"


# --- files: XLIFF, preview --------------------------------------------------------------------------------------------


def test_xliff_downloaded_edited_and_uploaded_through_the_ui(
    ws: tuple[Site, str], page: object, tmp_path: Path
) -> None:
    site, url = ws
    open_post(page, url, SLEEP)
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.locator("#download-xlf").click()  # type: ignore[attr-defined]
    got = tmp_path / info.value.suggested_filename
    info.value.save_as(got)
    root = etree.fromstring(got.read_bytes())
    ns = {"x": XLIFF2}
    assert root.get("version") == "2.0" and root.get("trgLang") == "es"
    unit = root.find(".//x:unit[@id='b10']", ns)  # **Obstructive sleep apnea.** …
    assert unit is not None and len(unit.findall(".//x:source/x:ph", ns)) == 2
    assert unit.find(".//x:originalData/x:data[@id='d1']", ns).text == "**"
    target = unit.find(".//x:target", ns)
    phs = target.findall("x:ph", ns)
    target.text = ""
    phs[0].tail = "Apnea obstructiva del sueño."
    phs[1].tail = (
        " La respiración se detiene y se reanuda una y otra vez durante la noche. Los ronquidos fuertes, los"
        " jadeos y el sueño durante el día son señales típicas. La apnea sin tratar se asocia con la presión"
        " arterial alta y con problemas del ritmo cardíaco."
    )
    unit.find(".//x:segment", ns).set("state", "final")
    broken = root.find(".//x:unit[@id='b11']", ns)
    for ph in broken.findall(".//x:target/x:ph", ns)[:1]:
        ph.getparent().remove(ph)  # a CAT tool lost a tag: must be refused, not written
    broken_before = view(site, SLEEP, "b11").target_template
    got.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    page.set_input_files("#upload-file", str(got))  # type: ignore[attr-defined]
    page.locator("#upload").click()  # type: ignore[attr-defined]
    message = flash(page, "warning")
    assert (
        "imported 1 changed" in message
        and "approved 1" in message
        and "refused" in message
        and "b11" in message
    )
    written = "- **Apnea obstructiva del sueño.** La respiración se detiene y se reanuda una y otra vez"
    assert written in draft(site, SLEEP)
    assert view(site, SLEEP, "b10").state == "approved"
    assert view(site, SLEEP, "b11").target_template == broken_before


def test_po_downloaded_edited_and_uploaded_and_another_posts_file_refused(
    ws: tuple[Site, str], page: object, tmp_path: Path
) -> None:
    """PO, the other exchange format, through the same buttons: a msgstr edited in a text editor and its
    `#, fuzzy` removed is imported and approved; a file exported for another post imports nothing here."""
    site, url = ws
    plain = next(
        v
        for v in review.draft_segments(site.ctx, BONES, "es", suggestions=False)
        if v.id.startswith("b") and v.id not in ("b1", "b18") and "⟦" not in v.source_template
    )
    open_post(page, url, BONES)
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.locator("#download-po").click()  # type: ignore[attr-defined]
    got = tmp_path / info.value.suggested_filename
    info.value.save_as(got)
    assert got.suffix == ".po"
    blocks = got.read_text("utf-8").split("\n\n")
    mine = next(i for i, b in enumerate(blocks) if f'#{plain.id}"\n' in b)
    lines = [ln for ln in blocks[mine].splitlines() if ln != "#, fuzzy"]
    lines[-1] = 'msgstr "Una frase revisada en un editor de PO, con \\"comillas\\"."'
    blocks[mine] = "\n".join(lines)
    got.write_text("\n\n".join(blocks), "utf-8")
    before = draft(site, BONES)
    other = tmp_path / "other.xlf"
    sleep_file = page.request.get(f"{url}/translate/es/download/{SLEEP}?format=xlf")  # type: ignore[attr-defined]
    other.write_bytes(sleep_file.body())
    page.set_input_files("#upload-file", str(other))  # type: ignore[attr-defined]
    page.locator("#upload").click()  # type: ignore[attr-defined]
    assert "nothing imported" in flash(page, "error") and "matches no segment" in flash(page, "error")
    assert draft(site, BONES) == before
    page.set_input_files("#upload-file", str(got))  # type: ignore[attr-defined]
    page.locator("#upload").click()  # type: ignore[attr-defined]
    assert "imported 1 changed segment(s), approved 1" in flash(page)
    after = view(site, BONES, plain.id)
    assert (
        after.target == 'Una frase revisada en un editor de PO, con "comillas".' and after.state == "approved"
    )
    assert 'Una frase revisada en un editor de PO, con "comillas".' in draft(site, BONES)


def test_preview_renders_images_and_footnotes_as_the_build(ws: tuple[Site, str], page: object) -> None:
    _site, url = ws
    login(page, url, "tomas")
    page.goto(f"{url}/translate/es/preview/{COFFEE}")  # type: ignore[attr-defined]
    article = page.locator("article.preview")  # type: ignore[attr-defined]
    image = article.locator("img").first  # type: ignore[attr-defined]
    image.wait_for()
    expect(image).to_have_js_property("complete", True)  # type: ignore[attr-defined]
    assert page.evaluate("document.querySelector('article.preview img').naturalWidth") > 0  # type: ignore[attr-defined]
    assert article.locator("sup.footnote-ref a[href='#fn1']").count() == 1  # type: ignore[attr-defined]
    assert article.locator("section.footnotes li#fn1").count() == 1  # type: ignore[attr-defined]
    assert "[^1]" not in article.inner_text()  # type: ignore[attr-defined]
    image.evaluate("el => el.scrollIntoView()")  # type: ignore[attr-defined]
    shot(page, "translate-preview")


def test_workspace_screenshots_desktop_and_phone(ws: tuple[Site, str], browser: object) -> None:
    """For a person to look at (test-artifacts/web-translate-*.png); at 390 px nothing may scroll sideways."""
    _site, url = ws
    for width, name in ((1280, "translate-post"), (390, "translate-post-390")):
        page = _page(browser, width)
        try:
            open_post(page, url, COFFEE)
            page.locator("article[data-segment='b17']").scroll_into_view_if_needed()  # type: ignore[attr-defined]
            page.evaluate("window.scrollTo(0, 0)")  # type: ignore[attr-defined]
            shot(page, name)
            page.locator("article[data-segment='b17']").evaluate("el => el.scrollIntoView()")  # type: ignore[attr-defined]
            shot(page, f"{name}-segment")
            wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
            assert wide <= width, f"{name}: page is {wide} px wide at {width} px"
            suffix = "-390" if width == 390 else ""
            for path, shown in (
                ("/translate/", "translate-index"),
                (f"/translate/es/approve-all/{COFFEE}", "translate-approve-all-coffee"),
                (f"/translate/es/preview/{COFFEE}", "translate-preview-coffee"),
            ):
                page.goto(f"{url}{path}")  # type: ignore[attr-defined]
                shot(page, shown + suffix)
                wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
                assert wide <= width, f"{path}: page is {wide} px wide at {width} px"
        finally:
            page.context.close()  # type: ignore[attr-defined]


def test_other_translators_cannot_reach_the_workspace_files(ws: tuple[Site, str], page: object) -> None:
    _site, url = ws
    login(page, url, "dieter")
    for path in (
        f"/translate/es/post/{SLEEP}",
        f"/translate/es/download/{SLEEP}",
        f"/translate/es/preview/{SLEEP}",
    ):
        assert page.goto(f"{url}{path}").status == 403  # type: ignore[attr-defined]
    assert page.goto(f"{url}/translate/es/media/{COFFEE}?src=/images/library/coffee.png").status == 403  # type: ignore[attr-defined]
    login(page, url, "tomas")
    for odd in (
        "../../config/site.toml",
        "/../config/site.toml",
        "https://evil.example/x.png",
        "/images/nope.png",
    ):
        assert page.goto(f"{url}/translate/es/media/{COFFEE}?src={odd}").status == 404, odd  # type: ignore[attr-defined]

"""The preview of a right-to-left page with a non-ASCII slug and a wide body image, in a real browser at desktop
and phone widths (Debian's chromium via Playwright)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image

from pipeline.build.server import PreviewServer
from pipeline.build.stage import run_stage as build
from pipeline.config import load_config
from pipeline.stages import Context
from tests.validate_support import trial_site
from tests.web_support.browser import chromium_browser

chromium = pytest.fixture(scope="module", name="chromium")(chromium_browser)

SLUG = "پیاده\u200cروی-روزانه"  # Persian, with a ZWNJ inside the first word
PAGE = (
    '---\ntitle: "پیاده‌روی <روزانه> & «Garmin»"\ndescription: "چرا پیاده‌روی؟ \\"۳۰\\" دقیقه"\n---\n\n'
    "پیاده‌روی ساده‌ترین ورزش است و به وسایل خاصی نیاز ندارد.\n\n"
    "![مردی در پارک قدم می‌زند](/images/hero.png)\n"
)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_an_rtl_page_with_a_wide_image_fits_the_screen(tmp_path: Path, chromium: Any, width: int) -> None:
    # A 1600 px photo in the body ran 1,200 px past a 390 px phone (and past the text column at 1280): the whole
    # page scrolled sideways, and on the right-to-left page the photo hung off to the left of the column.
    site = {"name": "Walk <Daily>", "base_url": "https://walk.example", "generator": "hugo"}
    config_file = trial_site(
        tmp_path, tmp_path / "content", {f"fa/posts/{SLUG}.md": PAGE}, ("en", "fa"), site
    )
    (tmp_path / "static" / "images").mkdir(parents=True)
    Image.new("RGB", (1600, 900), (30, 90, 120)).save(tmp_path / "static" / "images" / "hero.png")
    config = load_config(config_file, environ={})
    build(Context(config=config))
    assert (tmp_path / "_site" / "fa" / "posts" / SLUG / "index.html").is_file()
    context = chromium.new_context(viewport={"width": width, "height": 844}, device_scale_factor=1)
    try:
        tab = context.new_page()
        with PreviewServer(tmp_path / "_site") as base:
            tab.goto(f"{base}/fa/posts/{quote(SLUG)}/")
            tab.wait_for_load_state("load")
        assert tab.evaluate("document.querySelector('article img').naturalWidth") == 1600
        assert tab.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
        assert (
            tab.title() == "پیاده‌روی <روزانه> & «Garmin» | Walk <Daily>"
        )  # escaped, so read back as written
        assert tab.locator("h1").inner_text() == "پیاده‌روی <روزانه> & «Garmin»"
        description = tab.locator('meta[name="description"]').get_attribute("content")
        assert description == 'چرا پیاده‌روی؟ "۳۰" دقیقه'
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        img = tab.locator("article img").bounding_box()
        text = tab.locator("article p").last.bounding_box()
        column = tab.locator("article").bounding_box()
        assert img is not None and text is not None and column is not None
        assert img["x"] >= column["x"] - 1 and img["x"] + img["width"] <= column["x"] + column["width"] + 1
        assert img["height"] == pytest.approx(img["width"] * 900 / 1600, abs=2)  # scaled, not squashed
    finally:
        context.close()

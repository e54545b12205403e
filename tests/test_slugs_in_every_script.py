"""Slugs in every script. A draft's slug from its translated title (`translate.translate_slug`) folded every
title to ASCII: a Thai, Arabic or Persian draft got the slug `post` and Vietnamese `đi bộ` became `i-bo`. Now
Latin letters lose their accents (as such sites write URLs) and every other script is kept, marks and the
zero-width non-joiner of a Persian word included. SEO031 took that joiner for a non-slug character and suggested
splitting the word with a hyphen."""

from __future__ import annotations

import pytest

from pipeline.translate.drafts import slugify
from pipeline.validate.metadata import SLUG


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Caminar para la salud ósea", "caminar-para-la-salud-osea"),
        ("Đi bộ mỗi ngày: thói quen", "di-bo-moi-ngay-thoi-quen"),
        ("Straße & Œuvre", "strasse-oeuvre"),
        ("cafe\u0301 au lait", "cafe-au-lait"),  # a decomposed accent
        ("การเดินทุกวันช่วยให้สุขภาพดี", "การเดินทุกวันช่วยให้สุขภาพดี"),  # vowel signs are part of the word
        ("پیاده\u200cروی روزانه و سلامت قلب", "پیاده\u200cروی-روزانه-و-سلامت-قلب"),
        ("रोज़ टहलना: स्वस्थ जीवन", "रोज़-टहलना-स्वस्थ-जीवन"),
        ("매일 걷기가 건강에 좋은", "매일-걷기가-건강에-좋은"),
        ("!!!", "post"),
    ],
)
def test_a_translated_title_becomes_a_slug_in_its_own_script(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_persian_tag_keeps_its_non_joiner() -> None:
    assert SLUG.match("پیاده\u200cروی") and SLUG.match("پیاده\u200cروی-روزانه")
    assert not SLUG.match("\u200cپیاده") and not SLUG.match("پیاده\u200c")  # not at a word's edge
    assert not SLUG.match("Sleep") and SLUG.match("sleep")

"""A trial of the stages on one article in thirteen languages and ten scripts (tests/samples/sites/multiscript):
cards in every script, right-aligned for right-to-left languages; social posts within each platform's count with
whole hashtags; preview pages with the right lang and dir. Validate's counts per script are in
test_text_scripts.py (hand-counted samples)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from pipeline.build.stage import run_stage as build
from pipeline.cards.stage import run_stage as cards
from pipeline.config import Config, load_config
from pipeline.content import load_content
from pipeline.social import lengths
from pipeline.social.compose import compose
from pipeline.social.links import HASHTAG_RE
from pipeline.stages import Context

SITE = Path(__file__).parent / "samples" / "sites" / "multiscript"
LANGS = sorted(p.name for p in SITE.iterdir() if p.is_dir())
RTL = {"ar", "fa", "he"}
PLATFORMS = ("x", "mastodon", "bluesky")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    tmp = tmp_path_factory.mktemp("multiscript")
    shutil.copytree(SITE, tmp / "content")
    (tmp / "static" / "images").mkdir(parents=True)
    Image.new("RGB", (1600, 900), (30, 90, 120)).save(tmp / "static" / "images" / "hero.png")
    languages = "".join(f"[site.languages.{lang}]\nname = '{lang}'\n" for lang in LANGS)
    accounts = "".join(
        f"[[social.accounts]]\nname = '{p}'\nplatform = '{p}'\nlanguages = {LANGS!r}\n"
        + ("api_base_url = 'https://m.example'\n" if p == "mastodon" else "")
        + "credentials_env = { token = 'NONE' }\n"
        for p in PLATFORMS
    )
    (tmp / "site.toml").write_text(
        f"[site]\nname = 'Walk Daily'\nbase_url = 'https://walk.example'\ngenerator = 'hugo'\n"
        f"content_dir = '{tmp / 'content'}'\nstatic_dir = '{tmp / 'static'}'\noutput_dir = '{tmp / '_site'}'\n"
        f"{languages}[cards]\noutput_pattern = '/images/cards/{{lang}}/{{slug}}-{{kind}}.jpg'\n{accounts}",
        encoding="utf-8",
    )
    return load_config(tmp / "site.toml", environ={})


def test_every_script_gets_its_card_and_rtl_titles_sit_right(site: Config) -> None:
    result = cards(Context(config=site))
    assert (result.counts["rendered"], result.counts["failed"]) == (2 * len(LANGS), 0), result.findings
    for lang in LANGS:
        (card,) = (Path(site.site.static_dir) / "images" / "cards" / lang).glob("*-og.jpg")
        # the title's white ink against the dark backdrop, in the band where the title sits
        band = Image.open(card).convert("L").crop((0, 250, 1200, 480)).point(lambda v: 255 if v > 200 else 0)
        left, _, right, _ = band.getbbox() or (0, 0, 0, 0)
        if lang in RTL:
            assert right > 1100 and left > 60, (lang, left, right)  # flush right
        else:
            assert left < 100, (lang, left, right)  # flush left


def test_social_posts_fit_and_keep_their_hashtags_whole(site: Config) -> None:
    posts = load_content(site).posts
    assert sorted(p.lang for p in posts) == LANGS
    for account in site.social.accounts:
        for post in posts:
            composed = compose(site, account, post)
            assert lengths.fits(account.platform, composed.text), (account.platform, post.lang)
            assert "preview dropped" not in composed.truncated, (account.platform, post.lang)
            tags = re.findall(r"(?:^|\s)(#\S+)", composed.text)
            assert len(tags) == len(post.tags), (post.lang, tags)
            assert all(HASHTAG_RE.fullmatch(t) for t in tags), (post.lang, tags)


def test_preview_pages_carry_lang_and_dir(site: Config) -> None:
    build(Context(config=site))
    for post in load_content(site).posts:
        page = Path(site.site.output_dir) / post.path_url.strip("/") / "index.html"
        html = page.read_text("utf-8")
        direction = "rtl" if post.lang in RTL else "ltr"
        assert f'<html lang="{post.lang}" dir="{direction}">' in html, post.rel
        assert f'<link rel="canonical" href="https://walk.example{post.path_url}">' in html

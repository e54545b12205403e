"""Sites that name languages with underscores (`zh_cn`, `zh_tw`: POSIX locales as folder names, as on
ruby-lang.org) get the same language behaviour as `zh-CN`: the rules for Chinese, and BCP 47 tags wherever a
tag leaves the tool (hreflang, `<html lang>`, the platforms' language fields)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config, load_config
from pipeline.content import load_content
from pipeline.langtags import bcp47, primary
from pipeline.social.stage import send_due
from pipeline.stages import Context
from pipeline.store import Store
from tests.social_fakes import start
from tests.social_fakes.setup import ENV, add_due, config_for, write_config
from tests.validate_support import run_validate

# Synthetic posts, laid out like a Jekyll site with one folder per language.
EN = """---
layout: news_post
title: "Greenhouse 4.2 released"
lang: en
---

Greenhouse 4.2 is out. It waters the seedlings on time and keeps a log of every valve it opens.
"""
ZH_TW = """---
layout: news_post
title: "Greenhouse 4.2 released today for every gardener"
lang: zh_tw
---

溫室控制器 4.2 版今天發佈了。這個版本會準時為幼苗澆水，並記錄每一個打開的閥門。請儘快更新。
"""
ZH_CN = """---
layout: news_post
title: "温室控制器 4.2 发布"
lang: zh-CN
---

温室控制器 4.2 版今天发布了。这个版本会按时为幼苗浇水，并记录每一个打开的阀门。请尽快更新。
"""


def _site(tmp: Path) -> Config:
    for lang, text in (("en", EN), ("zh_tw", ZH_TW), ("zh_cn", ZH_CN)):
        path = tmp / "site" / lang / "news" / "_posts" / "2024-05-01-greenhouse-4-2.md"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    (tmp / "site.toml").write_text(
        '[site]\nname = "Greenhouse"\nbase_url = "https://greenhouse.example"\ngenerator = "jekyll"\n'
        f'content_dir = "{tmp / "site"}"\nstatic_dir = "{tmp / "static"}"\noutput_dir = "{tmp / "_site"}"\n'
        'default_language = "en"\n'
        '[site.urls]\nlanguage_prefix = "none"\nlanguage_folders = "keep"\nposts_permalink = "pretty"\n'
        '[site.languages.en]\nname = "English"\n[site.languages.zh_cn]\nname = "简体中文"\n'
        '[site.languages.zh_tw]\nname = "繁體中文"\n',
        encoding="utf-8",
    )
    return load_config(tmp / "site.toml")


def test_tags_and_primary_languages() -> None:
    assert [bcp47(c) for c in ("zh_tw", "zh_CN", "pt_br", "sr_latn", "es_419", "en", "zh-Hant")] == [
        "zh-TW", "zh-CN", "pt-BR", "sr-Latn", "es-419", "en", "zh-Hant"
    ]  # fmt: skip
    assert {primary(c) for c in ("zh_tw", "zh-Hant-TW", "ZH", "zh")} == {"zh"}


def test_underscore_languages_get_the_rules_for_their_language(tmp_path: Path) -> None:
    config = _site(tmp_path)
    posts = {p.lang: p for p in load_content(config).posts}
    assert set(posts) == {"en", "zh_cn", "zh_tw"}  # `lang: zh-CN` is the site's zh_cn
    found = run_validate(config)
    zh_tw = [f for f in found if "/zh_tw/" in f.file]
    # The language identifier has a model for Chinese: an English title on a Chinese page is found.
    assert [f.rule for f in zh_tw if f.rule == "LANG001"] == ["LANG001"]
    # Chinese length is counted in characters, as for zh (not as a few space-separated "words").
    md007 = [f.message for f in zh_tw if f.rule == "MD007"]
    assert md007 and "characters" in md007[0]


def test_build_writes_bcp47_tags(tmp_path: Path) -> None:
    from pipeline.build.stage import run_stage

    config = _site(tmp_path)
    run_stage(Context(config=config))
    page = (
        tmp_path / "_site" / "zh_tw" / "news" / "2024" / "05" / "01" / "greenhouse-4-2" / "index.html"
    ).read_text()
    assert '<html lang="zh-TW"' in page
    assert 'hreflang="zh-TW"' in page and 'hreflang="zh-CN"' in page and 'hreflang="zh_' not in page
    assert '"inLanguage": "zh-TW"' in page
    index = (tmp_path / "_site" / "index.html").read_text()  # the preview's page list (langtag filter)
    assert '<li lang="zh-TW">' in index and 'lang="zh_tw"' not in index


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
def test_platforms_get_bcp47_language_tags(tmp_path: Path, platform: str) -> None:
    fake = start(platform)
    try:
        config = config_for(write_config(tmp_path, {platform: fake}))
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        add_due(store, f"{platform}-main", platform, 1, lang="zh_tw")
        stats, _ = send_due(config, store, ENV)  # type: ignore[arg-type]
        assert stats.sent == 1  # Bluesky refuses `zh_tw` (not BCP 47); Mastodon would ignore it
        post = fake.state.posts[0]
        assert (post["langs"] if platform == "bluesky" else [post["language"]]) == ["zh-TW"]
    finally:
        fake.close()


def test_card_language_badge_is_the_tag() -> None:
    import dataclasses

    from pipeline.cards.render import CardSpec, fill_text

    fields = {f.name: None for f in dataclasses.fields(CardSpec)}
    spec = CardSpec(**{**fields, "lang": "zh_tw", "site": "Greenhouse", "tag": ""})  # type: ignore[arg-type]
    assert fill_text("{LANG} · {site}", spec) == "ZH-TW · Greenhouse"


def test_skip_notes_name_languages_as_the_site_names_them() -> None:
    """The note says which of the site's languages a rule skips: `zh-cn, zh-tw`, not the `zh` it looks up."""
    from pipeline.config import load_config
    from pipeline.validate.checks import all_checks
    from pipeline.validate.langsupport import effective_checks, notes

    checks = effective_checks(all_checks(), load_config(None, environ={}))
    lines = notes(checks, ["en", "zh-cn", "zh_tw"])
    read001 = next(line for line in lines if line.startswith("READ001 "))
    assert read001.startswith("READ001 is not run for zh-cn, zh_tw:")

"""A multilingual site may name itself per language (Hugo's `languages.ja.title`): the Japanese pages' <title>
suffix, JSON-LD publisher, cards and social posts show the Japanese name, and SEO010 measures the title with it.
Before, every language showed `site.name`: a Japanese card read "Field Notes" and the crawl expected the English
suffix on Japanese pages."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.content.loader import load_content
from pipeline.crawl.expected import build_expected
from pipeline.stages import Context

CONFIG = """[site]
name = "Field Notes"
base_url = "https://example.org"
content_dir = "content"
[site.languages.en]
name = "English"
[site.languages.ja]
name = "日本語"
site_name = "フィールドノート"
"""


def _site(tmp_path: Path) -> Path:
    for rel, title in (("posts/light.md", "Morning light"), ("ja/posts/light.md", "朝の光と睡眠")):
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ntitle: {title}\ndate: 2024-03-01\ntranslationKey: light\n---\n\n朝の光。Morning light.\n",
            encoding="utf-8",
        )
    config = tmp_path / "pipeline.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def test_pages_carry_their_languages_site_name(tmp_path: Path) -> None:
    from pipeline.build.stage import run_stage as build

    config = load_config(_site(tmp_path))
    assert config.site.name_for("ja") == "フィールドノート" and config.site.name_for("en") == "Field Notes"
    assert config.site.name_for("xx") == "Field Notes"  # a language the site does not list
    expected = {p.lang: p.title for p in build_expected(config, load_content(config)).pages}
    assert expected == {"en": "Morning light | Field Notes", "ja": "朝の光と睡眠 | フィールドノート"}

    build(Context(config=config))
    out = config.root / config.site.output_dir
    ja = (out / "ja/articles/light/index.html").read_text(encoding="utf-8")
    en = (out / "articles/light/index.html").read_text(encoding="utf-8")
    assert "<title>朝の光と睡眠 | フィールドノート</title>" in ja and '"name": "フィールドノート"' in ja
    assert "<title>Morning light | Field Notes</title>" in en and "フィールドノート" not in en


def test_cards_name_the_site_in_the_posts_language(tmp_path: Path) -> None:
    from pipeline.cards.stage import plan

    config = load_config(_site(tmp_path))
    ctx = Context(config=config)
    planned, _ = plan(ctx, list(ctx.content.posts))
    sites = {p.spec.lang: p.spec.site for p in planned}
    assert sites == {"en": "Field Notes", "ja": "フィールドノート"}

"""Jekyll renders every file with front matter as a page, `.html` ones included: a language's home page
(`vi/index.html`) and its news archive (`en/news/index.html`) are pages links may lead to, though the stages read
only Markdown. Before, every link to a home page was a broken-link error (MD005)."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.content import load_content
from pipeline.content.links import LinkIndex
from tests.validate_support import run_validate

POST = """---
layout: news_post
title: "Seed catalogue translated into Vietnamese"
lang: en
---

The [Vietnamese home page][1] is live, next to the [news archive](/en/news/) and the
[Japanese home page](/ja/). The [price list](/en/prices.html) is a plain file.

[1]: {{ site.url }}/vi/
"""


def test_html_pages_with_front_matter_are_pages_links_reach(tmp_path: Path) -> None:
    site = tmp_path / "site"
    files = {
        "en/news/_posts/2024-05-01-catalogue.md": POST,
        "en/news/index.html": "---\nlayout: news\ntitle: News\nlang: en\n---\n",
        "vi/index.html": "---\nlayout: homepage\ntitle: Trang chủ\nlang: vi\n---\n",
        "ja/index.html": "<html><body>no front matter: a file Jekyll copies as it is</body></html>\n",
        "en/prices.html": "<p>no front matter</p>\n",
        "_layouts/news.html": "---\n---\n{{ content }}\n",
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    (tmp_path / "site.toml").write_text(
        '[site]\nname = "Seeds"\nbase_url = "https://seeds.example"\ngenerator = "jekyll"\n'
        f'content_dir = "{site}"\nstatic_dir = "{tmp_path / "static"}"\ndefault_language = "en"\n'
        '[site.urls]\nlanguage_prefix = "none"\nlanguage_folders = "keep"\nposts_permalink = "pretty"\n'
        '[site.languages.en]\nname = "English"\n[site.languages.vi]\nname = "Tiếng Việt"\n'
        '[site.languages.ja]\nname = "日本語"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "site.toml")
    content = load_content(config)
    assert [p.rel for p in content.posts] == ["en/news/_posts/2024-05-01-catalogue.md"]  # still only Markdown
    # Without front matter a file is copied to its own path, which links reach too (/ja/ is /ja/index.html).
    assert content.urls is not None
    assert content.urls.template_pages == {"/en/news/", "/vi/", "/ja/index.html", "/en/prices.html"}
    links = LinkIndex(content.posts, content.urls)
    assert links.elsewhere("/vi/") and not links.elsewhere("/de/")  # a preview crawl leaves them to the site
    assert not [f for f in run_validate(config) if f.rule == "MD005"]
    # A link to a page no file makes is still reported.
    post = site / "en/news/_posts/2024-05-01-catalogue.md"
    post.write_text(POST.replace("/ja/", "/de/"), encoding="utf-8")
    broken = [f.message for f in run_validate(config) if f.rule == "MD005"]
    assert len(broken) == 1 and "'/de/'" in broken[0]


def test_posts_follow_the_permalink_of_the_sites_own_config_yml(tmp_path: Path) -> None:
    """A Jekyll site's `_config.yml` says `permalink: pretty`; without `[site.urls] posts_permalink` every URL
    took Jekyll's default `date` style (`…/catalogue.html`) while the site serves `…/catalogue/`. Its `exclude:`
    list names files Jekyll never builds, which were validated, carded and planned for social as pages."""
    site = tmp_path / "site"
    (site / "en/news/_posts").mkdir(parents=True)
    (site / "en/news/_posts/2024-05-01-catalogue.md").write_text(POST, encoding="utf-8")
    (site / "en/about.md").write_text(
        "---\ntitle: About the seed bank\nlang: en\n---\nHello.\n", encoding="utf-8"
    )
    (site / "_config.yml").write_text(
        "markdown: kramdown\npermalink: pretty\nexclude:\n  - test\n  - NOTES.md\n", encoding="utf-8"
    )
    # What the site's `exclude:` keeps out of the build: deliberately broken fixtures, notes for maintainers.
    broken = site / "test/fixtures/en/news/_posts/2018-01-01-date-mismatch.md"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "---\ntitle: x\ndate: 2017-12-31\nlang: en\n---\nBroken on purpose.\n", encoding="utf-8"
    )
    (site / "NOTES.md").write_text("---\ntitle: Maintainer notes\n---\nNot a page.\n", encoding="utf-8")
    toml = tmp_path / "site.toml"

    def urls(setting: str = "") -> set[str]:
        toml.write_text(
            f'[site]\nname = "Seeds"\nbase_url = "https://seeds.example"\ngenerator = "jekyll"\n'
            f'content_dir = "{site}"\n[site.urls]\nlanguage_prefix = "none"\n{setting}'
            '[site.languages.en]\nname = "English"\n',
            encoding="utf-8",
        )
        return {p.path_url for p in load_content(load_config(toml)).posts}

    assert urls() == {"/en/about/", "/en/news/2024/05/01/catalogue/"}  # pretty; test/ and NOTES.md excluded
    assert "/2024/catalogue/" in urls('posts_permalink = "/:year/:title/"\n')  # the config wins
    (site / "_config.yml").write_text("permalink: [not, a, style]\n", encoding="utf-8")
    assert "/en/news/2024/05/01/catalogue.html" in urls()  # Jekyll's default style

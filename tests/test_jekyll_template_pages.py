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


def test_date_urls_follow_the_sites_timezone(tmp_path: Path) -> None:
    """Jekyll reads every post date with `Time.parse(input).localtime` in the zone `_config.yml` names
    (`timezone:`), and builds `/:year/:month/:day/` from that local date. A post written at 02:00 in Karachi
    (+0500) on a New York site is a post of 31 December there; before, its URL said 1 January."""
    site = tmp_path / "site"
    posts = site / "_posts"
    posts.mkdir(parents=True)
    dates = {
        "2024-01-01-offset.md": "date: 2024-01-01 02:00:00 +0500",  # an offset: converted to the site zone
        "2024-01-01-colon.md": "date: 2024-01-01T02:00:00+05:00",
        "2024-01-01-yaml-utc.md": "date: 2024-01-01 02:00:00",  # a YAML time without offset: UTC (SafeYAML)
        "2024-01-01-string.md": 'date: "2024-01-01 02:00:00"',  # a string without offset: the site's zone
        "2024-01-01-no-seconds.md": "date: 2024-01-01 23:30",  # not a YAML time: a string, the site's zone
        "2024-01-01-day.md": "date: 2024-01-01",
        "2024-01-01-name.md": "",  # the file name's date: midnight in the site's zone
    }
    for name, line in dates.items():
        (posts / name).write_text(f"---\ntitle: T\n{line}\n---\nBody.\n", encoding="utf-8")
    toml = tmp_path / "site.toml"
    toml.write_text(
        f'[site]\nname = "S"\ngenerator = "jekyll"\ncontent_dir = "{site}"\n'
        '[site.urls]\nposts_permalink = "/:year/:month/:day/:title/"\n',
        encoding="utf-8",
    )

    def urls(zone: str | None) -> dict[str, str]:
        (site / "_config.yml").write_text(f"timezone: {zone}\n" if zone else "title: S\n", encoding="utf-8")
        return {p.rel.split("-", 3)[3]: p.path_url for p in load_content(load_config(toml)).posts}

    new_york = urls("America/New_York")
    assert new_york == {
        "offset.md": "/2023/12/31/offset/",
        "colon.md": "/2023/12/31/colon/",
        "yaml-utc.md": "/2023/12/31/yaml-utc/",
        "string.md": "/2024/01/01/string/",
        "no-seconds.md": "/2024/01/01/no-seconds/",
        "day.md": "/2024/01/01/day/",
        "name.md": "/2024/01/01/name/",
    }
    # The date every stage reads (build's datePublished, social's earliest send) is the same instant.
    dates = {p.rel.split("-", 3)[3]: p.date for p in load_content(load_config(toml)).posts}
    assert dates["string.md"] and dates["string.md"].isoformat() == "2024-01-01T02:00:00-05:00"
    assert dates["offset.md"] and dates["offset.md"].isoformat() == "2023-12-31T16:00:00-05:00"
    assert dates["name.md"] and dates["name.md"].isoformat() == "2024-01-01T00:00:00-05:00"
    tokyo = urls("Asia/Tokyo")
    assert tokyo["yaml-utc.md"] == "/2024/01/01/yaml-utc/" and tokyo["offset.md"] == "/2024/01/01/offset/"
    # No `timezone:`: Jekyll uses the build machine's zone; CI and GitHub Pages run in UTC.
    utc = urls(None)
    assert utc["offset.md"] == "/2023/12/31/offset/" and utc["no-seconds.md"] == "/2024/01/01/no-seconds/"
    # A zone Jekyll would not know is ignored (UTC), not a crash.
    assert urls("Mars/Olympus")["name.md"] == "/2024/01/01/name/"

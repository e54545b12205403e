"""Pages search engines are told not to index — a site's 404 page (eleventy-base-blog's `404.md` with
`permalink: 404.html`), `robots: noindex` — get no title, description, keyphrase, readability or length rules
(they were told "title missing", "body has 5 words"), and no "not in the sitemap": sitemaps leave them out.
Their images and links are still checked: the 404 page's broken link is still a broken link."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.content.loader import load_content
from pipeline.crawl.checks import Checker
from pipeline.crawl.expected import build_expected
from pipeline.crawl.index import CrawlData
from pipeline.crawl.sitewide import check_sitemap
from pipeline.crawl.urls import Mapper
from pipeline.stages import Context
from pipeline.validate.stage import run_stage

FILES = {
    "404.md": "---\npermalink: 404.html\neleventyExcludeFromCollections: true\n---\n# Content not found.\n\n"
    "Go [home](/nowhere/). ![](/img/lost.png)\n",
    "private/index.md": "---\ntitle: Staff notes\nrobots: noindex, nofollow\n---\nShort.\n",
    "posts/light.md": "---\ntitle: Light\ndate: 2024-03-01\n---\nShort post.\n",
}


def _site(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        path = tmp_path / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text(
        '[site]\ngenerator = "eleventy"\ncontent_dir = "src"\nbase_url = "https://notes.example"\n',
        encoding="utf-8",
    )
    return config


def test_unindexed_pages_get_no_search_result_rules_but_keep_link_and_image_rules(tmp_path: Path) -> None:
    config = load_config(_site(tmp_path))
    posts = {p.rel: p for p in load_content(config).posts}
    assert not posts["404.md"].indexable and not posts["private/index.md"].indexable
    assert posts["posts/light.md"].indexable
    result = run_stage(Context(config=config), use_cache=False)
    by_file: dict[str, set[str]] = {}
    for f in result.findings:
        by_file.setdefault(Path(f.file or "").name, set()).add(f.rule)
    assert by_file["404.md"] == {"MD001", "MD003", "MD005", "IMG002"}, by_file["404.md"]  # structure stays
    assert "index.md" not in by_file  # the noindex page: nothing else is wrong with it
    assert {"SEO001", "MD007"} <= by_file["light.md"]  # an ordinary page still gets them
    assert any(n.startswith("2 page(s) search engines are told not to index") for n in result.data["notes"])


def test_a_sitemap_without_the_404_page_is_not_a_finding(tmp_path: Path) -> None:
    config = load_config(_site(tmp_path))
    expected = build_expected(config, load_content(config))
    base = "https://notes.example"
    data = CrawlData(
        sitemaps=[{"url": f"{base}/sitemap.xml", "status": 200, "locs": [f"{base}/posts/light/"]}]
    )
    checker = Checker(data, Mapper(base, base), config.crawl)
    found = list(check_sitemap(checker, expected))
    assert [f.message for f in found if f.rule == "CRAWL050"] == [], found

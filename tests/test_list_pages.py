"""Links to the list pages Hugo makes from the posts (language homes, top-level sections, taxonomies and terms,
pagers) reach pages; near misses (a deeper folder without `_index.md`, a term in other letter case, a pager past
the last page, a disabled kind) are still reported, with what would be right."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.content.links import LinkIndex
from pipeline.content.listpages import urlize
from pipeline.content.loader import load_content
from pipeline.stages import Context
from pipeline.validate.stage import run_stage

HUGO = """baseURL = 'https://example.org/'
title = 'Field Notes'
defaultContentLanguage = 'en'
{extra}
[languages.en]
contentDir = 'content/en'
[languages.fr]
contentDir = 'content/fr'
"""

POST = "---\ntitle: {title}\ndate: 2024-03-{day:02d}\ntags: {tags}\ncategories: [Field Guides]\n---\n{body}\n"


def _site(tmp_path: Path, body: str, hugo_extra: str = "", generator: str = "hugo") -> Path:
    root = tmp_path / "site"
    files = {
        "hugo.toml": HUGO.format(extra=hugo_extra),
        "content/en/blog/first.md": POST.format(
            title="First", day=1, tags="[Sleep, Machine Learning]", body=body
        ),
        "content/en/blog/deep/er/page.md": POST.format(title="Deep", day=2, tags="[]", body="Deep text."),
        "content/fr/blog/premier.md": POST.format(
            title="Premier", day=3, tags="[sommeil, 健康]", body="Texte."
        ),
    }
    for i in range(4, 16):  # twelve more blog posts: two pages of ten, three of five
        files[f"content/en/blog/p{i}.md"] = POST.format(title=f"P{i}", day=i, tags="[Sleep]", body="Text.")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text(f'[site]\ngenerator = "{generator}"\ncontent_dir = "site/content"\n', encoding="utf-8")
    return config


def _broken(config_path: Path) -> dict[str, str]:
    """Link target → message of each MD005 on the first post."""
    result = run_stage(Context(config=load_config(config_path)), use_cache=False)
    out = {}
    for f in result.findings:
        if f.rule == "MD005" and f.file and f.file.endswith("first.md"):
            out[f.message.split("'")[1]] = f.message
    return out


LINKS = (
    "[a](/tags/sleep/) [b](/tags/) [c](/categories/field-guides/) [d](/tags/machine-learning/) [e](/blog/) "
    "[f](/fr/) [g](/fr/blog/) [h](/fr/tags/sommeil/) [i](/fr/tags/健康/) [j](/blog/page/2/) "
    "[k](/blog/deep/) [l](/tags/Sleep/) [m](/blog/page/3/) [n](/tags/sleep/page/2/) [o](/fr/tags/sleep/)"
)


def test_hugo_list_pages_are_pages_and_near_misses_are_not(tmp_path: Path) -> None:
    broken = _broken(_site(tmp_path, LINKS))
    assert set(broken) == {"/blog/deep/", "/tags/Sleep/", "/blog/page/3/", "/fr/tags/sleep/"}
    assert "/tags/sleep/ differs only in letter case" in broken["/tags/Sleep/"]
    assert "/blog/ lists 14 page(s), 10 a page: no page 3" in broken["/blog/page/3/"]


def test_pager_size_and_path_and_disabled_kinds_come_from_the_hugo_config(tmp_path: Path) -> None:
    extra = "disableKinds = ['taxonomy', 'term']\n[pagination]\npagerSize = 5\npath = 'seite'\n"
    body = "[a](/blog/seite/3/) [b](/blog/seite/4/) [c](/blog/page/2/) [d](/tags/sleep/) [e](/blog/)"
    broken = _broken(_site(tmp_path, body, extra))
    assert set(broken) == {"/blog/seite/4/", "/blog/page/2/", "/tags/sleep/"}
    old = _broken(_site(tmp_path / "old", "[a](/blog/page/7/) [b](/blog/page/8/)", "paginate = 2\n"))
    assert set(old) == {"/blog/page/8/"}  # the pre-0.128 `paginate` key: 14 pages, 2 a page


def test_other_generators_make_no_list_pages(tmp_path: Path) -> None:
    broken = _broken(_site(tmp_path, "[a](/tags/sleep/) [b](/blog/)", generator="jekyll"))
    assert set(broken) == {"/tags/sleep/", "/blog/"}


def test_a_preview_crawl_leaves_made_list_pages_to_the_public_site(tmp_path: Path) -> None:
    """build writes the posts only: the crawl of its preview must not call links to tag pages broken."""
    config = load_config(_site(tmp_path, LINKS))
    content = load_content(config)
    index = LinkIndex(content.posts, content.urls)
    assert (
        index.elsewhere("/tags/sleep/") and index.elsewhere("/fr/blog/") and index.elsewhere("/blog/page/2/")
    )
    assert not index.elsewhere("/blog/first/")  # written by build: crawled, not assumed
    assert not index.elsewhere("/blog/page/3/")


def test_urlize_keeps_every_script_and_drops_punctuation() -> None:
    assert urlize("Machine Learning") == "machine-learning"
    assert urlize("Café au lait!") == "café-au-lait"
    assert urlize("C++") == "c++"
    assert urlize("健康 睡眠") == "健康-睡眠"
    assert urlize("স্বাস্থ্য") == "স্বাস্থ্য"  # Bengali: the virama and vowel signs are marks, kept
    assert urlize("Sleep", lowercase=False) == "Sleep"

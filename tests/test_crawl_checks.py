"""Each crawl rule not planted on the defect site, checked on crafted records; plus the expected set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import CrawlConfig
from pipeline.crawl.checks import Checker
from pipeline.crawl.expected import ExpectedPage, ExpectedSet, render_head
from pipeline.crawl.extract import parse_page
from pipeline.crawl.index import CrawlData
from pipeline.crawl.sitewide import check_limits, check_sitemap
from pipeline.crawl.urls import Mapper, normalize
from pipeline.rules import CRAWL as RULES
from tests.crawl_support.defects import PLANTED
from tests.crawl_support.sitegen import load_expected, page_html, write_config, write_post

PUBLIC = "https://notes.example"


@pytest.fixture
def expected(tmp_path: Path) -> ExpectedSet:
    content = tmp_path / "content"
    base = {"description": "A description & more.", "translationKey": "k", "image": "/img/a.jpg"}
    write_post(
        content,
        "posts/a.md",
        {"title": "Alpha", "permalink": "/articles/a/", **base, "aliases": ["/old-a/"]},
        "x\n",
    )
    write_post(
        content,
        "ar/posts/a.md",
        {"title": "ألفا", "permalink": "/ar/articles/a/", **base, "translation": {"status": "approved"}},
        "x\n",
    )
    write_post(content, "es/posts/a.md", {"title": "Alfa", **base, "translation": {"status": "draft"}}, "x\n")
    write_post(content, "posts/b.md", {"title": "Beta", "draft": True}, "x\n")
    cfg = write_config(tmp_path, PUBLIC, {"en": "ltr", "ar": "rtl", "es": "ltr"})
    return load_expected(cfg)[1]


def en(expected: ExpectedSet) -> ExpectedPage:
    return next(p for p in expected.pages if p.lang == "en")


def test_expected_values(expected: ExpectedSet) -> None:
    page = en(expected)
    assert [p.lang for p in expected.pages] == ["ar", "en"]  # es draft excluded, b draft excluded
    assert page.title == "Alpha | Test Notes"
    assert page.url == "https://notes.example/articles/a/"
    assert page.og_image == "https://notes.example/img/a.jpg"
    assert page.twitter_card == "summary_large_image"
    assert page.aliases == ["https://notes.example/old-a/"]
    assert page.cluster == {"en": page.url, "ar": "https://notes.example/ar/articles/a/"}
    assert page.x_default == page.url
    ar = next(p for p in expected.pages if p.lang == "ar")
    assert ar.dir == "rtl" and ar.x_default == page.url
    assert set(expected.unpublished) == {
        "https://notes.example/es/articles/a/",
        "https://notes.example/articles/b/",
    }


def run_checks(page: ExpectedPage, html: bytes, **records: Any) -> list[str]:
    facts = parse_page(html, page.url)
    data = CrawlData()
    data.pages[page.url] = {
        "url": page.url,
        "status": 200,
        "hops": [],
        "facts": facts,
        "ms": 5,
        "headers": {},
    }
    for url, rec in records.get("pages", {}).items():
        data.pages[url] = rec
    data.images.update(records.get("images", {}))
    checker = Checker(data, Mapper(PUBLIC, PUBLIC), records.get("config", CrawlConfig()))
    checker.check_page(page)
    return [f.rule for f in checker.findings]


def ok_image(
    width: int = 1200, height: int = 630, size: int = 50_000, ctype: str = "image/jpeg"
) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {"content-type": ctype},
        "bytes": size,
        "width": width,
        "height": height,
    }


def siblings(expected: ExpectedSet) -> dict[str, Any]:
    ar = next(p for p in expected.pages if p.lang == "ar")
    return {ar.url: {"status": 200, "hops": [], "facts": parse_page(page_html(ar), ar.url)}}


def test_the_expected_head_passes_every_check(expected: ExpectedSet) -> None:
    page = en(expected)
    rules = run_checks(page, page_html(page), images={page.og_image: ok_image()}, pages=siblings(expected))
    assert rules == []


def _drop(fragment: str) -> Callable[[str], str]:
    return lambda head: "\n".join(line for line in head.split("\n") if fragment not in line)


CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "CRAWL013",
        {"edit_head": lambda h: h.replace('og:title" content="Alpha', 'og:title" content="Other')},
        {},
    ),
    ("CRAWL013", {"edit_head": _drop("og:url")}, {}),
    ("CRAWL015", {"edit_head": _drop("twitter:card")}, {}),
    ("CRAWL010", {"edit_head": _drop("canonical")}, {}),
    (
        "CRAWL010",
        {"edit_head": lambda h: h + '\n<link rel="canonical" href="https://notes.example/articles/a/">'},
        {},
    ),
    ("CRAWL011", {"edit_head": lambda h: h + "\n<title>Second</title>"}, {}),
    ("CRAWL030", {"edit_head": _drop('hreflang="en"')}, {}),
    ("CRAWL032", {"edit_head": lambda h: h.replace('hreflang="ar"', 'hreflang="arabic_language"')}, {}),
    ("CRAWL041", {"html_tag": '<html lang="en" dir="rtl">'}, {}),
    ("CRAWL021", {}, {"image": ok_image(ctype="text/html")}),
    ("CRAWL022", {}, {"image": ok_image(size=2_000_000)}),
    ("CRAWL023", {"edit_head": _drop("og:image:height")}, {}),
    ("CRAWL034", {}, {"sibling_status": 404}),
    ("CRAWL061", {}, {"ms": 5000}),
]


@pytest.mark.parametrize(("rule", "page_kw", "rec_kw"), CASES, ids=[c[0] for c in CASES])
def test_rule(expected: ExpectedSet, rule: str, page_kw: dict[str, Any], rec_kw: dict[str, Any]) -> None:
    page = en(expected)
    pages = siblings(expected)
    if "sibling_status" in rec_kw:
        for rec in pages.values():
            rec["status"] = rec_kw["sibling_status"]
    html = page_html(page, **page_kw)
    facts = parse_page(html, page.url)
    data = CrawlData(pages=pages)
    data.pages[page.url] = {
        "url": page.url,
        "status": 200,
        "hops": [],
        "facts": facts,
        "ms": rec_kw.get("ms", 5),
        "headers": {},
    }
    data.images[page.og_image or ""] = rec_kw.get("image", ok_image())
    checker = Checker(data, Mapper(PUBLIC, PUBLIC), CrawlConfig())
    checker.check_page(page)
    found = [f for f in checker.findings if f.rule == rule]
    assert found, [f.rule for f in checker.findings]
    assert all(f.file and f.file.endswith("posts/a.md") and f.line for f in found)


def test_oversized_download_is_its_own_rule(expected: ExpectedSet) -> None:
    page = en(expected)
    data = CrawlData(
        pages={
            page.url: {"status": None, "hops": [], "error": "DownloadCancelledError: x", "too_large": True}
        }
    )
    checker = Checker(data, Mapper(PUBLIC, PUBLIC), CrawlConfig())
    checker.check_page(page)
    assert [f.rule for f in checker.findings] == ["CRAWL007"]


def test_missing_sitemap_and_page_limit(expected: ExpectedSet) -> None:
    data = CrawlData(
        sitemaps=[{"url": PUBLIC + "/sitemap.xml", "status": 404}], stats={"limit_hit": True, "pages": 5}
    )
    checker = Checker(data, Mapper(PUBLIC, PUBLIC), CrawlConfig())
    assert [f.rule for f in check_sitemap(checker, expected)] == ["CRAWL052"]
    assert [f.rule for f in check_limits(checker)] == ["CRAWL072"]


def test_every_rule_has_a_test() -> None:
    tested = {r for r, _ in PLANTED} | {c[0] for c in CASES} | {"CRAWL007", "CRAWL052", "CRAWL072"}
    tested.add("CRAWL075")  # tests/test_crawl_offline.py (a real crawl with no external host answering)
    assert {r.id for r in RULES} - tested == set()


def test_render_head_escapes_values(expected: ExpectedSet) -> None:
    page = en(expected)
    head = render_head(page)
    assert 'content="A description &amp; more."' in head
    facts = parse_page(f"<html><head>{head}</head></html>".encode(), page.url)
    assert facts["description"] == "A description & more."


def test_extract_keeps_only_what_checks_need() -> None:
    html = (
        b'<html lang="de" dir="ltr"><head><base href="https://x.example/sub/"><title> A  &amp; B </title>'
        b'<meta name="ROBOTS" content="NOINDEX"></head><body><p>skip <a href="../p#frag">P <b>link</b></a>'
        b'<a href="mailto:a@b">m</a><script src="http://cdn/x.js"></script></body></html>'
    )
    facts = parse_page(html, "https://x.example/sub/page")
    assert facts["html_lang"] == "de" and facts["title"] == " A  & B "
    assert facts["robots"] == ["noindex"]
    assert facts["links"] == [["https://x.example/p", "P link"]]
    assert facts["mixed"] == ["http://cdn/x.js"]


def test_url_mapping() -> None:
    m = Mapper("https://pub.example", "http://127.0.0.1:8000")
    assert m.to_crawl("https://PUB.example:443/a/#x") == "http://127.0.0.1:8000/a/"
    assert m.to_public("http://127.0.0.1:8000/a/") == "https://pub.example/a/"
    assert m.to_crawl("https://other.example/a") == "https://other.example/a"
    assert normalize("HTTP://Example.com") == "http://example.com/"


TRICKY = (
    b'<!doctype html><html lang="de" dir="ltr"><head><base href="https://x.example/sub/"><title> A  &amp; B </title>'
    b'<meta name="ROBOTS" content="NOINDEX"><meta property="og:title" content="T &quot;q&quot;">'
    b'<link rel="Canonical" href="/c/"><link rel="alternate stylesheet" href="http://cdn/s.css">'
    b'<link rel="alternate" hreflang="en" href="../en/"></head><body><p>skip <a href="../p#frag">P <b>link</b></a>'
    b'<a href="mailto:a@b">m</a><a href="/p">P link</a><img src="http://cdn/i.png"><iframe src="https://ok/"></iframe>'
    b"<!-- <a href='/commented'>x</a> --><script src='http://cdn/x.js'></script></body></html>"
)


def test_both_parsers_extract_the_same_facts(expected: ExpectedSet) -> None:
    page = en(expected)
    samples = [
        (TRICKY, "https://x.example/sub/page"),
        (page_html(page, [("/a/", "A"), ("https://o.example/x", "ext")]), page.url),
        (b"<html><body>no head at all</body></html>", page.url),
        (b"", page.url),
    ]
    for body, url in samples:
        assert parse_page(body, url, parser="bs4") == parse_page(body, url, parser="lxml"), body[:60]
    facts = parse_page(TRICKY, "https://x.example/sub/page", parser="lxml")
    assert facts["canonical"] == "https://x.example/c/" and facts["hreflang"] == [
        ["en", "https://x.example/en/"]
    ]
    assert facts["mixed"] == ["http://cdn/s.css", "http://cdn/i.png", "http://cdn/x.js"]

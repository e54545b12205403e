"""Non-ASCII slugs end to end: a site that writes its URLs percent-escaped, as Hugo does in canonical, hreflang,
og:url, og:image and the sitemap, is the same site the Markdown describes (`/fa/posts/پیاده‌روی/`). The real
spider crawls a real local server that answers only at the escaped paths, as any web server does."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from pipeline.config import load_config
from pipeline.crawl.stage import run_stage
from pipeline.crawl.urls import normalize
from pipeline.stages import Context
from tests.crawl_support.server import Reply, Route, serve
from tests.crawl_support.sitegen import (
    image_bytes,
    load_expected,
    page_html,
    sitemap_xml,
    write_config,
    write_post,
)

PUBLIC = "https://walk.example"
# Persian with a ZWNJ inside a word, Hindi with a nukta, Vietnamese stacked diacritics, Thai.
SLUGS = {"fa": "پیاده\u200cروی-روزانه", "hi": "रोज़-टहलना", "vi": "đi-bộ-mỗi-ngày", "th": "การเดินทุกวัน"}
MISMATCH_RULES = {
    "CRAWL010",
    "CRAWL013",
    "CRAWL014",
    "CRAWL015",
    "CRAWL030",
    "CRAWL031",
    "CRAWL050",
    "CRAWL051",
}


def _escaped(text: str) -> str:
    """Every public URL in `text` written as Hugo writes it: UTF-8 percent-escapes, upper-case hex."""
    return re.sub(r"https://walk\.example/[^\"<\s]*", lambda m: quote(m.group(0), safe=":/"), text)


def test_percent_escaped_urls_are_the_markdowns_urls(tmp_path: Path) -> None:
    content = tmp_path / "content"
    base = {"description": "A walk a day.", "translationKey": "walk"}
    write_post(content, "posts/walk.md", {"title": "Walk", "image": "/img/walk.jpg", **base}, "x\n")
    for lang, slug in SLUGS.items():
        meta = {"title": f"{lang} walk", "image": f"/img/{slug}.jpg", **base}
        write_post(content, f"{lang}/posts/{slug}.md", meta, "x\n")
    with serve() as server:
        cfg = write_config(
            tmp_path,
            PUBLIC,
            {"en": "ltr", "fa": "rtl", "hi": "ltr", "vi": "ltr", "th": "ltr"},
            {"check_external": False},
        )
        _, expected = load_expected(cfg)
        assert len(expected.pages) == 5
        html = {"Content-Type": "text/html; charset=utf-8"}
        for page in expected.pages:
            path = quote(page.url.removeprefix(PUBLIC), safe="/")
            assert page.lang == "en" or "%" in path
            body = _escaped(page_html(page).decode())
            server.routes[path] = Route([Reply(200, body.encode(), html)])
            image = quote((page.og_image or "").removeprefix(PUBLIC), safe="/")
            server.routes[image] = Route([Reply(200, image_bytes(1200, 630), {"Content-Type": "image/jpeg"})])
        sitemap = sitemap_xml(_escaped(p.url) for p in expected.pages)
        server.routes["/sitemap.xml"] = Route([Reply(200, sitemap, {"Content-Type": "application/xml"})])
        robots = f"User-agent: *\nAllow: /\nSitemap: {server.base}/sitemap.xml\n".encode()
        server.routes["/robots.txt"] = Route([Reply(200, robots, {"Content-Type": "text/plain"})])
        result = run_stage(Context(load_config(cfg, environ={})), base_url=server.base)
        fetched = {h.path for h in server.hits}
    wrong = [f"{f.rule} {f.message}" for f in result.findings if f.rule in MISMATCH_RULES]
    assert wrong == []
    assert not [f for f in result.findings if f.severity == "error"], [f.message for f in result.findings]
    assert quote(f"/fa/articles/{SLUGS['fa']}/") in fetched  # the Persian page itself was crawled


def test_escapes_are_written_one_way() -> None:
    word = "https://walk.example/fa/posts/پیاده\u200cروی/"
    assert normalize(quote(word, safe=":/")) == word
    assert normalize(quote(word, safe=":/").lower()) == word  # lower-case hex is the same escape
    # Reserved characters, and bytes that are not UTF-8, keep their escapes (decoding them changes the URL).
    assert (
        normalize("https://e.example/a%2fb%20c%7e%e9?q=%3d%26d%C3%A9")
        == "https://e.example/a%2Fb%20c~%E9?q=%3D%26dé"
    )
    # A server tells NFC and NFD paths apart: no Unicode normalisation.
    assert normalize("https://e.example/cafe\u0301/") != normalize("https://e.example/caf\u00e9/")

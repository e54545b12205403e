"""A crawl on a machine without outbound network says so once instead of calling every outbound link broken.

Real spider, real local server; the "outside world" is hosts 127.0.0.2-9 on a port nothing listens on, so each
check fails at once with no HTTP answer, as every check does on a CI runner without network (there: DNS lookups
that fail). Before, each link was a CRAWL071 warning, and the failures were cached as the links' state for a week.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.crawl.history import load_link_cache
from pipeline.crawl.stage import run_stage
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
DEAD = [f"http://127.0.0.{n}:9/study-{n}" for n in range(2, 10)]  # eight hosts, nothing listening


def _crawl(tmp_path: Path, extra_links: list[tuple[str, str]]) -> tuple[object, list[str]]:
    content = tmp_path / "content"
    for slug in ("walk", "sleep"):
        write_post(
            content,
            f"posts/{slug}.md",
            {"title": slug.title(), "description": "A note.", "image": "/a.jpg"},
            "x\n",
        )
    with serve() as server:
        cfg = write_config(tmp_path, PUBLIC, crawl={"check_external": True})
        _, expected = load_expected(cfg)
        html = {"Content-Type": "text/html; charset=utf-8"}
        links = [(url, f"study {i}") for i, url in enumerate(DEAD)] + extra_links
        for i, page in enumerate(expected.pages):
            path = page.url.removeprefix(PUBLIC)
            server.routes[path] = Route([Reply(200, page_html(page, links if i == 0 else []), html)])
        server.routes["/a.jpg"] = Route([Reply(200, image_bytes(1200, 630), {"Content-Type": "image/jpeg"})])
        sitemap = sitemap_xml(p.url for p in expected.pages)
        server.routes["/sitemap.xml"] = Route([Reply(200, sitemap, {"Content-Type": "application/xml"})])
        robots = f"User-agent: *\nAllow: /\nSitemap: {server.base}/sitemap.xml\n".encode()
        server.routes["/robots.txt"] = Route([Reply(200, robots, {"Content-Type": "text/plain"})])
        server.routes["/elsewhere"] = Route([Reply(200, b"<!doctype html><title>x</title>", html)])
        ctx = Context(load_config(cfg, environ={}))
        result = run_stage(ctx, base_url=server.base)
        cached = sorted(load_link_cache(ctx.store, 24))
    return result, cached


def test_no_external_host_answering_is_one_finding_not_a_broken_link_each(tmp_path: Path) -> None:
    result, cached = _crawl(tmp_path, [])
    rules = [f.rule for f in result.findings]
    assert "CRAWL071" not in rules
    offline = [f for f in result.findings if f.rule == "CRAWL075"]
    assert len(offline) == 1 and offline[0].message.startswith(
        "8 external link(s) to 8 host(s) were not checked"
    )
    assert "crawl.check_external = false" in offline[0].message
    assert not [u for u in cached if u.startswith("http://127.0.0.")]  # nothing about the links was learnt


def test_dead_hosts_are_broken_links_when_others_answer(tmp_path: Path) -> None:
    """The same eight dead hosts beside one that answers: the network works, so they are the links' own."""
    with serve() as elsewhere:
        elsewhere.routes["/ok"] = Route(
            [Reply(200, b"<!doctype html><title>ok</title>", {"Content-Type": "text/html"})]
        )
        live = elsewhere.base.replace("127.0.0.1", "localhost") + "/ok"
        result, _ = _crawl(tmp_path, [(live, "a live source")])
    broken = sorted(f.message.split(" → ")[1].split(" ")[0] for f in result.findings if f.rule == "CRAWL071")
    assert broken == sorted(DEAD)
    assert "CRAWL075" not in [f.rule for f in result.findings]

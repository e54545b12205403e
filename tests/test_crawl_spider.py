"""The spider process against small real servers: re-runs, Crawl-delay, limits, redirects, size cap."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from pipeline.crawl.index import index_records
from pipeline.crawl.job import CrawlJob, SpiderProcess, crawl_sharded, owner, run_crawl
from pipeline.crawl.settings import retry_after_seconds
from tests.crawl_support.server import Reply, Route, _Server, serve

HTML = {"Content-Type": "text/html"}


def page(links: list[str], title: str = "t", pad: int = 0) -> Reply:
    anchors = "".join(f'<a href="{href}">{href}</a>' for href in links)
    body = f"<html lang='en'><head><title>{title}</title></head><body>{anchors}{'x' * pad}</body></html>"
    return Reply(200, body.encode(), HTML)


@pytest.fixture
def server() -> Iterator[_Server]:
    with serve() as srv:
        yield srv


def job(server: _Server, **kw: object) -> CrawlJob:
    kw.setdefault("start_urls", [server.base + "/"])
    return CrawlJob(crawl_base=server.base, public_base=server.base, **kw)  # type: ignore[arg-type]


def test_crawl_runs_twice_in_one_process(server: _Server) -> None:
    server.routes["/"] = Route([page(["/a/", "/b/"])])
    server.routes["/a/"] = Route([page(["/"])])
    first = index_records(run_crawl(job(server)))
    second = index_records(run_crawl(job(server)))  # in-process Scrapy would raise ReactorNotRestartable here
    assert set(first.pages) == set(second.pages) == {server.base + p for p in ("/", "/a/", "/b/")}
    assert second.pages[server.base + "/b/"]["status"] == 404


def test_crawl_delay_from_robots_is_applied(server: _Server) -> None:
    server.routes["/robots.txt"] = Route(
        [Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n", {"Content-Type": "text/plain"})]
    )
    server.routes["/"] = Route([page(["/a/", "/b/", "/c/"])])
    data = index_records(run_crawl(job(server, check_external=False)))
    assert data.robots["crawl_delay"] == pytest.approx(0.3)
    times = sorted(h.at for h in server.hits if h.path != "/robots.txt" and h.path != "/sitemap.xml")
    assert len(times) >= 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # The delay guarantees 0.3 s between requests; the server stamps a hit when its handler thread runs, which a
    # loaded machine can hold back for one request and not the next (0.25 failed once with four test processes
    # on two cores). Without the delay the gaps are milliseconds.
    assert min(gaps) >= 0.2


def test_page_and_depth_limits(server: _Server) -> None:
    server.routes["/"] = Route([page(["/d1/"])])
    server.routes["/d1/"] = Route([page(["/d2/"])])
    server.routes["/d2/"] = Route([page(["/d3/"])])
    shallow = index_records(run_crawl(job(server, max_depth=1)))
    assert set(shallow.pages) == {server.base + "/", server.base + "/d1/"}
    limited = index_records(run_crawl(job(server, max_pages=2)))
    assert len(limited.pages) == 2 and limited.stats["limit_hit"] is True


def test_redirect_chain_to_a_seen_url_keeps_every_hop(server: _Server) -> None:
    server.routes["/"] = Route([page(["/old/", "/target/"])])
    server.routes["/old/"] = Route([Reply(301, b"", {"Location": "/mid/"})])
    server.routes["/mid/"] = Route([Reply(308, b"", {"Location": "/target/"})])
    server.routes["/target/"] = Route([page([])])
    data = index_records(run_crawl(job(server)))
    rec = data.pages[server.base + "/old/"]
    assert [h["status"] for h in rec["hops"]] == [301, 308]
    assert rec["final_url"] == server.base + "/target/" and rec["status"] == 200


def test_loop_and_too_many_hops(server: _Server) -> None:
    server.routes["/"] = Route([page(["/loop/", "/r0/"])])
    server.routes["/loop/"] = Route([Reply(302, b"", {"Location": "/loop/"})])
    for i in range(12):
        server.routes[f"/r{i}/"] = Route([Reply(301, b"", {"Location": f"/r{i + 1}/"})])
    data = index_records(run_crawl(job(server)))
    assert data.pages[server.base + "/loop/"]["loop"] is True
    long = data.pages[server.base + "/r0/"]
    assert len(long["hops"]) == 10 and "more than 10" in long["error"]


def test_response_size_cap(server: _Server) -> None:
    server.routes["/"] = Route([page(["/big/"])])
    server.routes["/big/"] = Route([page([], pad=5000)])
    data = index_records(run_crawl(job(server, max_response_bytes=2048)))
    big = data.pages[server.base + "/big/"]
    assert big["status"] is None and big["too_large"] is True


def test_connection_errors_are_retried_then_reported(server: _Server) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    server.routes["/"] = Route([page([dead + "/x"])])
    data = index_records(run_crawl(job(server, extra_hosts=[], retry_times=1)))
    ext = data.external[dead + "/x"]
    assert ext["status"] is None and "onnection" in ext["error"]


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_external_links_head_then_get(server: _Server) -> None:
    server.routes["/"] = Route(
        [page([server.other_host_base + "/no-head", server.other_host_base + "/gone"])]
    )
    server.routes["/no-head"] = Route([Reply(200, b"ok", HTML)], head=Reply(405, b"", HTML))
    data = index_records(run_crawl(job(server)))
    fine = data.external[server.other_host_base + "/no-head"]
    assert fine["status"] == 200 and fine["method"] == "GET"
    assert data.external[server.other_host_base + "/gone"]["status"] == 404
    methods = [h.method for h in server.hits_for("/no-head")]
    assert methods == ["HEAD", "GET"]


def _sharded(job: CrawlJob, shards: int = 2) -> list[dict[str, object]]:
    spiders = [SpiderProcess() for _ in range(shards)]
    try:
        return crawl_sharded(spiders, job)
    finally:
        for spider in spiders:
            spider.close()


def _star(server: _Server, names: list[str]) -> list[str]:
    """A home page linking to `names`, each an empty page; all of them as start URLs."""
    server.routes["/"] = Route([page(names)])
    for name in names:
        server.routes[name] = Route([page([])])
    return [server.base + p for p in ["/", *names]]


def test_sharded_crawl_reaches_link_only_pages_once_each(server: _Server) -> None:
    """Only "/" is a start URL: every other page is found by a link, often by a shard that does not own it."""
    names = [f"/p{i}/" for i in range(12)]
    server.routes["/"] = Route([page(names[:6])])
    for i, name in enumerate(names):
        server.routes[name] = Route([page([names[(i + 5) % len(names)], "/"])])
    single = index_records(run_crawl(job(server)))
    server.hits.clear()
    records = _sharded(job(server))
    sharded = index_records(records)  # type: ignore[arg-type]
    assert set(sharded.pages) == set(single.pages) == {server.base + p for p in ["/", *names]}
    gets = [
        h.path for h in server.hits if h.method == "GET" and h.path not in ("/robots.txt", "/sitemap.xml")
    ]
    assert sorted(gets) == sorted(["/", *names])  # nothing fetched twice
    assert len(server.hits_for("/robots.txt")) == 1  # fetched by the parent, handed to both shards
    assert sharded.stats["processes"] == 2 and sharded.stats["pages"] == 13
    assert not any(r.get("kind") == "handoff" for r in records)


def test_crawl_delay_keeps_a_sharded_crawl_in_one_process(server: _Server) -> None:
    server.routes["/robots.txt"] = Route(
        [Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n", {"Content-Type": "text/plain"})]
    )
    names = [f"/q{i}/" for i in range(6)]
    starts = _star(server, names)
    data = index_records(_sharded(job(server, check_external=False, start_urls=starts, max_pages=4)))  # type: ignore[arg-type]
    assert len(data.pages) == 4 and data.stats["limit_hit"] is True
    assert data.stats["processes"] == 1  # a Crawl-delay: one process keeps the pace exactly
    times = sorted(h.at for h in server.hits if h.path not in ("/robots.txt", "/sitemap.xml"))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4 and min(gaps) >= 0.25


def test_sharded_crawl_shares_the_page_limit(server: _Server) -> None:
    names = [f"/r{i}/" for i in range(9)]
    starts = _star(server, names)
    data = index_records(_sharded(job(server, check_external=False, start_urls=starts, max_pages=5)))  # type: ignore[arg-type]
    assert data.stats["processes"] == 2
    assert len(data.pages) == data.stats["pages"] == 5 and data.stats["limit_hit"] is True


def test_sharded_page_limit_is_reached_when_shards_own_unequal_shares(server: _Server) -> None:
    """One shard owns 1 of the pages, the other 9: a fixed half of crawl.max_pages each stopped at 1 + 3 = 4."""
    base = server.base
    lone = [f"/s{i}/" for i in range(200) if owner(base + f"/s{i}/", 2) != owner(base + "/", 2)]
    many = [f"/s{i}/" for i in range(200) if owner(base + f"/s{i}/", 2) == owner(base + "/", 2)]
    names = lone[:1] + many[:8]
    starts = _star(server, names)
    data = index_records(_sharded(job(server, check_external=False, start_urls=starts, max_pages=6)))  # type: ignore[arg-type]
    assert data.stats["processes"] == 2
    assert len(data.pages) == data.stats["pages"] == 6 and data.stats["limit_hit"] is True


SLOW_S, LIMIT_MS = 1.5, 1000


def test_slow_pages_are_timed_again_alone(server: _Server) -> None:
    """A page slow once (a busy machine, a queue behind another page) is not reported; a slow page still is."""
    # Margins wide enough for a loaded CI machine: an unloaded page must stay under the limit there.
    html = page([])
    server.routes["/"] = Route([page(["/once/", "/always/", "/quick/"])])
    server.routes["/once/"] = Route([Reply(200, html.body, html.headers, delay=SLOW_S), html])
    server.routes["/always/"] = Route([html], delay=SLOW_S)
    server.routes["/quick/"] = Route([html])
    records = _sharded(job(server, check_external=False, slow_ms=LIMIT_MS), shards=2)
    data = index_records(records)  # type: ignore[arg-type]
    once, always = data.pages[server.base + "/once/"], data.pages[server.base + "/always/"]
    assert once["ms_first"] > LIMIT_MS > once["ms"] == once["ms_again"]
    assert always["ms_first"] > LIMIT_MS and always["ms_again"] > LIMIT_MS and always["ms"] > LIMIT_MS
    assert "ms_first" not in data.pages[server.base + "/quick/"]
    assert [h.path for h in server.hits].count("/once/") == 2
    assert data.stats["retimed"] == 2
    # Timed again after every shard was done (both first fetches took SLOW_S), one page at a time: a re-fetch
    # starts only once the one before it (SLOW_S when it is /always/) has answered.
    hits = sorted((h.at, h.path) for h in server.hits if h.path in ("/once/", "/always/"))
    first, again = hits[:2], hits[2:]
    assert len(again) == 2 and again[0][0] - first[1][0] >= SLOW_S - 0.05
    assert again[0][1] != "/always/" or again[1][0] - again[0][0] >= SLOW_S - 0.05

"""L3: outbound requests of the crawl — only to the site and to public addresses, and none at all when
crawl.check_external is false (sitemaps named by robots.txt and og:images on other hosts included)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from pipeline.crawl.addresses import AddressPolicy, addresses, kind_of
from pipeline.crawl.index import index_records
from pipeline.crawl.job import CrawlJob, run_crawl
from pipeline.crawl.policy import PolicyResolver
from tests.crawl_support.server import Reply, Route, _Server, serve

HTML = {"Content-Type": "text/html"}
PUBLIC_ONLY = AddressPolicy(frozenset({"site.example"}), frozenset({"public"}))


@pytest.fixture
def server() -> Iterator[_Server]:
    with serve() as srv:
        yield srv


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("100.64.0.1", "private"),
        ("0.0.0.0", "other"),
        ("224.0.0.1", "other"),
    ],
)
def test_non_public_addresses_are_refused(host: str, kind: str) -> None:
    assert kind_of(ipaddress.ip_address(host)) == kind
    why = PUBLIC_ONLY.refusal(host)
    assert why is not None and f"a {kind} address" in why


def test_public_addresses_and_the_site_itself_pass() -> None:
    assert PUBLIC_ONLY.refusal("93.184.215.14") is None
    assert PUBLIC_ONLY.refusal("2606:4700::1") is None
    assert PUBLIC_ONLY.refusal("site.example") is None  # the site is judged by its owner, not by us


def test_names_are_resolved_and_every_address_checked() -> None:
    found = addresses("localhost")
    assert found and all(ip.is_loopback for ip in found)
    assert "a loopback address" in (PUBLIC_ONLY.refusal("localhost") or "")
    # One bad address among good ones is enough (a round-robin name pointing one entry inward).
    mixed = [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.7")]
    assert "10.0.0.7" in (PUBLIC_ONLY.refusal("cdn.example", mixed) or "")


def test_the_resolver_hands_over_the_address_it_checked() -> None:
    from twisted.internet import reactor

    resolver = PolicyResolver(reactor, 0, 5.0, PUBLIC_ONLY)
    failure: list[object] = []
    resolver._checked([ipaddress.ip_address("10.0.0.7")], "intranet.example").addErrback(failure.append)
    assert failure and "a private address" in str(failure[0])
    assert resolver._checked([ipaddress.ip_address("93.184.215.14")], "cdn.example") == "93.184.215.14"


def test_site_on_loopback_allows_loopback_and_nothing_else_private(server: _Server) -> None:
    policy = AddressPolicy.for_site(server.base)
    assert policy.allowed == {"public", "loopback"}
    assert policy.refusal("localhost") is None
    assert policy.refusal("169.254.0.1") is not None and policy.refusal("192.168.0.1") is not None


def _page(links: list[str], head: str = "") -> Reply:
    anchors = "".join(f'<a href="{href}">{href}</a>' for href in links)
    body = f"<html lang='en'><head><title>t</title>{head}</head><body>{anchors}</body></html>"
    return Reply(200, body.encode(), HTML)


def test_links_to_private_and_link_local_addresses_are_refused_not_fetched(server: _Server) -> None:
    inward = [
        "http://169.254.0.1/latest/meta-data/",
        "http://192.168.0.1/admin",
        "http://[::ffff:10.0.0.1]/x",
    ]
    server.routes["/"] = Route([_page([*inward, server.other_host_base + "/fine"])])
    server.routes["/fine"] = Route([Reply(200, b"ok", HTML)])
    job = CrawlJob(
        crawl_base=server.base, public_base=server.base, start_urls=[server.base + "/"], timeout_s=5
    )
    data = index_records(run_crawl(job))
    for url in inward:
        rec = data.external[url]
        assert rec["status"] is None and "refused" in rec["error"], rec
    assert data.external[server.other_host_base + "/fine"]["status"] == 200  # loopback: where the site is


def test_check_external_false_keeps_every_request_on_the_site(server: _Server) -> None:
    other = server.other_host_base
    server.routes["/robots.txt"] = Route(
        [
            Reply(
                200,
                f"User-agent: *\nSitemap: {other}/remote-sitemap.xml\n".encode(),
                {"Content-Type": "text/plain"},
            )
        ]
    )
    head = f'<meta property="og:image" content="{other}/cdn/hero.jpg">'
    server.routes["/"] = Route([_page([other + "/ext"], head)])
    job = CrawlJob(
        crawl_base=server.base, public_base=server.base, start_urls=[server.base + "/"], check_external=False
    )
    data = index_records(run_crawl(job))
    assert server.hits_for("/remote-sitemap.xml") == []
    assert server.hits_for("/cdn/hero.jpg") == []
    assert server.hits_for("/ext") == []
    assert [s.get("skipped") for s in data.sitemaps] == [True]
    assert data.images == {} and data.external == {}

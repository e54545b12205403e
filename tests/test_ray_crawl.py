"""The crawl's shards as Ray tasks on the two-node test cluster, sharing the page budget and their handoffs
through the frontier actor instead of the flock'd file and follow-up rounds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.compute.crawl import crawl_on_ray
from pipeline.config import Config, load_config
from pipeline.crawl.index import index_records
from pipeline.crawl.job import CrawlJob, owner
from pipeline.crawl.stage import run_stage
from pipeline.stages import Context
from tests.crawl_support.defects import PLANTED, build
from tests.crawl_support.server import Route, _Server, serve
from tests.test_crawl_spider import page

pytestmark = pytest.mark.ray


@pytest.fixture
def server() -> Iterator[_Server]:
    with serve() as srv:
        yield srv


def _on_ray(address: str) -> Config:
    return load_config(None, overrides={"compute": {"backend": "ray", "address": address}}, environ={})


def test_shards_hand_links_over_and_share_the_budget(server: _Server, ray_address: str) -> None:
    """Only "/" is a start URL: the other pages are found by links, mostly by the shard that does not own
    them. Then a budget smaller than the site, with one shard owning one page and the other the rest."""
    names = [f"/p{i}/" for i in range(12)]
    server.routes["/"] = Route([page(names[:6])])
    for i, name in enumerate(names):
        server.routes[name] = Route([page([names[(i + 5) % len(names)], "/"])])
    job = CrawlJob(crawl_base=server.base, public_base=server.base, start_urls=[server.base + "/"])
    records = crawl_on_ray(_on_ray(ray_address), job, 2)
    data = index_records(records)  # type: ignore[arg-type]
    assert set(data.pages) == {server.base + p for p in ["/", *names]}
    gets = [
        h.path for h in server.hits if h.method == "GET" and h.path not in ("/robots.txt", "/sitemap.xml")
    ]
    assert sorted(gets) == sorted(["/", *names])  # nothing fetched twice
    assert len(server.hits_for("/robots.txt")) == 1  # fetched by the driver, handed to both shards
    assert data.stats["processes"] == 2 and data.stats["pages"] == 13
    assert data.stats["follow_up_rounds"] == 0  # handed over live, not in rounds afterwards
    assert not any(r.get("kind") == "handoff" for r in records)

    server.hits.clear()
    base = server.base
    lone = [f"/s{i}/" for i in range(200) if owner(base + f"/s{i}/", 2) != owner(base + "/", 2)]
    many = [f"/s{i}/" for i in range(200) if owner(base + f"/s{i}/", 2) == owner(base + "/", 2)]
    star = lone[:1] + many[:8]
    server.routes["/"] = Route([page(star)])
    for name in star:
        server.routes[name] = Route([page([])])
    starts = [base + p for p in ["/", *star]]
    limited = CrawlJob(base, base, start_urls=starts, check_external=False, max_pages=6)
    data = index_records(crawl_on_ray(_on_ray(ray_address), limited, 2))  # type: ignore[arg-type]
    assert data.stats["processes"] == 2
    assert len(data.pages) == data.stats["pages"] == 6 and data.stats["limit_hit"] is True


def test_the_crawl_stage_on_ray_finds_every_planted_defect(
    tmp_path: Path, server: _Server, ray_address: str
) -> None:
    site = build(tmp_path, server)
    overrides = {"compute": {"backend": "ray", "address": ray_address}, "crawl": {"processes": 2}}
    config = load_config(site.config_path, overrides=overrides, environ={})
    result = run_stage(Context(config), base_url=server.base)
    assert result.status == "done" and result.data["processes"] == 2
    where = [(f.rule, f"{f.url} {f.file} {f.message}") for f in result.findings]
    missing = [
        (rule, marker) for rule, marker in PLANTED if not any(r == rule and marker in w for r, w in where)
    ]
    assert missing == []
    noisy = [f for f in result.findings if "clean-" in (f.url or "") and f.severity != "info"]
    assert noisy == []
    assert result.counts["expected"] >= 28

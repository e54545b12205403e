"""Index the spider's records by URL so each check is a dictionary lookup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.crawl.addresses import REFUSED
from pipeline.crawl.urls import normalize

Record = dict[str, Any]


@dataclass
class CrawlData:
    pages: dict[str, Record] = field(default_factory=dict)
    aliases: dict[str, Record] = field(default_factory=dict)
    images: dict[str, Record] = field(default_factory=dict)
    external: dict[str, Record] = field(default_factory=dict)
    sitemaps: list[Record] = field(default_factory=list)
    disallowed: dict[str, Record] = field(default_factory=dict)
    robots: Record = field(default_factory=dict)
    stats: Record = field(default_factory=dict)

    @property
    def sitemap_locs(self) -> list[str]:
        return [normalize(loc) for sm in self.sitemaps for loc in sm.get("locs", [])]


def index_records(records: list[Record]) -> CrawlData:
    data = CrawlData()
    buckets = {"page": data.pages, "alias": data.aliases, "image": data.images, "external": data.external}
    for rec in records:
        kind = rec.get("kind")
        if kind in buckets:
            buckets[kind].setdefault(rec["url"], rec)
        elif kind == "sitemap":
            data.sitemaps.append(rec)
        elif kind == "disallowed":
            data.disallowed.setdefault(rec["url"], rec)
        elif kind == "robots":
            data.robots = rec
        elif kind == "stats":
            data.stats = rec
    for rec in records:  # a slow page timed again alone: the faster timing counts, the first is kept
        if rec.get("kind") == "retime":
            for url in {rec["url"], rec.get("answered", rec["url"])}:
                page = data.pages.get(url)
                if page is not None and "ms_first" not in page:
                    page["ms_first"] = page.get("ms", 0.0)
                    page["ms_again"] = rec["ms"]
                    page["ms"] = min(float(page.get("ms", 0.0)), float(rec["ms"]))
    return data


def final_status(rec: Record | None) -> int | None:
    return None if rec is None else rec.get("status")


# A crawl whose external checks reached this many hosts and got not one HTTP answer is offline (a CI runner
# without outbound network, a proxy that blocks it): online, five unrelated hosts never all fail at once.
OFFLINE_MIN_HOSTS = 5


def unanswered(rec: Record | None) -> bool:
    """A check that got no HTTP answer at all: the host's name did not resolve, the connection was refused or
    timed out, TLS failed. It says something about the network between us and the host, maybe nothing about
    the link. (A host the address policy refuses to connect to is not one: that is our answer, not the
    network's.)"""
    if rec is None or rec.get("status") is not None:
        return False
    error = str(rec.get("error") or "")
    return bool(error) and REFUSED not in error


def is_unverifiable(rec: Record) -> bool:
    return bool(rec.get("bot_wall")) or rec.get("status") == 429

"""The Scrapy spider, run in its own process (`python -m pipeline.crawl.spider JOB OUT`).

Why a subprocess: Twisted's reactor cannot be restarted, so a second in-process crawl raises
ReactorNotRestartable; a child process makes `run_crawl` safe to call any number of times, from the CLI, from
`pipeline run` or from the web UI. The spider only *observes*: each fetch becomes one JSON line (status, every
redirect hop, timing, the facts parsed from the page); the checks run afterwards in the parent.

Redirects are followed by hand (`dont_redirect`, `handle_httpstatus_all`, `dont_filter`) so every hop is
recorded — Scrapy's redirect middleware plus its dupe filter would silently drop a chain that ends at a URL
already seen. Deduplication is ours, keyed on normalised URLs.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import AsyncIterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.crawl.addresses import REFUSED
from pipeline.crawl.extract import parse_page
from pipeline.crawl.index import OFFLINE_MIN_HOSTS
from pipeline.crawl.job import (
    MAX_HOPS,
    MAX_SITEMAPS,
    CrawlJob,
    Frontier,
    PageBudget,
    Robots,
    job_robots,
    owner,
)
from pipeline.crawl.settings import is_bot_wall, retry_after_seconds, settings_for
from pipeline.crawl.urls import Mapper, host_of, normalize, origin
from pipeline.procs import process_pool

REDIRECTS = {301, 302, 303, 307, 308}
FRONTIER_POLL_S = 0.1
KEPT_HEADERS = ("content-type", "retry-after", "x-robots-tag", "cf-mitigated", "location", "content-length")


class AuditSpider(scrapy.Spider):
    name = "pipeline-audit"

    def __init__(
        self, job: CrawlJob, sink: IO[str], robots: Robots, frontier: Frontier | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.frontier = frontier  # on Ray: the shared budget and the links other shards hand this one
        self.sink = sink
        self.robots = robots
        self.rules = robots.parser() if job.obey_robots and robots.status == 200 else None
        self.mapper = Mapper(job.public_base, job.crawl_base)
        self.crawl_origin = origin(job.crawl_base)
        self.crawl_netloc = urlsplit(self.crawl_origin).netloc
        self.crawl_prefix = self.crawl_origin + "/"
        self.extra_hosts = {h.lower() for h in job.extra_hosts}
        self.seen: set[str] = set(job.seen_pages)
        self.seen_images: set[str] = set()
        self.seen_external: set[str] = set(job.skip_external)
        # Offline detection (pipeline.crawl.index.OFFLINE_MIN_HOSTS): hosts whose check got no HTTP answer, and
        # whether any external check got one. Once that many hosts failed and none answered, the remaining
        # outbound links are recorded unchecked instead of each waiting out its lookups and retries.
        self.external_dead: set[str] = set()
        self.external_answered = False
        self.sitemaps = 0
        self.pages = 0
        self.budget: Frontier | PageBudget = frontier or PageBudget(job.budget_path, job.max_pages)
        self.slow: list[list[str]] = list(job.retime)  # [page URL, URL that answered] to time again when idle
        self.limit_hit = False
        self.polling = False
        # lxml parses faster than a page crosses a process boundary; BeautifulSoup gains from a helper.
        auto = 0 if job.parser == "lxml" else min(4, (os.cpu_count() or 1) - job.shards)
        workers = job.parse_workers if job.parse_workers >= 0 else auto
        self.pool: ProcessPoolExecutor | None = process_pool(workers) if workers > 0 else None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> AuditSpider:
        from scrapy import signals

        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def on_idle(self) -> None:
        """Time the job's slow pages again (see job.slow_pages), one at a time: each goes when nothing else is
        in flight, so none waits behind another. On Ray, an idle shard asks the frontier for pages the others
        handed it, and stays open until every shard is idle with nothing left to hand over."""
        from scrapy.exceptions import DontCloseSpider

        if self.slow:
            url, answered = self.slow.pop(0)
            self.crawler.engine.crawl(self._request(answered, "retime", page=url))
            raise DontCloseSpider
        if self.frontier is not None and not self._ask_frontier():
            raise DontCloseSpider

    def _ask_frontier(self) -> bool:
        """Schedule what the frontier handed us; True once the whole crawl is done. While other shards are
        still busy, ask again shortly (Scrapy itself would only look again at its 5 s heartbeat)."""
        from twisted.internet import reactor, task

        assert self.frontier is not None
        handed, done = self.frontier.idle()
        scheduled = 0
        for url, depth, source in handed:
            request = self.page(url, int(depth), str(source))
            if request is not None:
                self.crawler.engine.crawl(request)
                scheduled += 1
        if done:
            return True
        if not scheduled and not self.polling:
            self.polling = True
            task.deferLater(reactor, FRONTIER_POLL_S, self._poll_frontier)
        return False

    def _poll_frontier(self) -> None:
        from scrapy.utils.defer import deferred_from_coro

        self.polling = False
        if self.crawler.engine.spider_is_idle() and self._ask_frontier():
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="finished"))

    # --- output -------------------------------------------------------------------------------------------

    def emit(self, record: dict[str, Any]) -> None:
        self.sink.write(json.dumps(record, ensure_ascii=False) + "\n")

    # --- scheduling ---------------------------------------------------------------------------------------

    def _request(
        self, url: str, kind: str, depth: int = 0, method: str = "GET", **meta: Any
    ) -> scrapy.Request:
        meta.update(
            kind=kind,
            level=depth,
            origin=url,
            hops=meta.get("hops", []),
            dont_redirect=True,
            handle_httpstatus_all=True,
        )
        if kind == "image":
            meta.setdefault("download_maxsize", self.job.max_response_bytes)
        return scrapy.Request(
            url, method=method, callback=self.on_response, errback=self.on_error, dont_filter=True, meta=meta
        )

    def is_internal(self, url: str) -> bool:
        if url.startswith(self.crawl_prefix) or url == self.crawl_origin:
            return True  # the common case, without parsing the URL
        if not url.startswith(("http://", "https://")):
            return False
        return urlsplit(url).netloc == self.crawl_netloc or host_of(url) in self.extra_hosts

    def allowed_by_robots(self, url: str) -> bool:
        if self.rules is None or not url.startswith(self.crawl_origin):
            return True
        return bool(self.rules.can_fetch(url, self.job.user_agent))

    def page(self, url: str, depth: int, source: str = "") -> scrapy.Request | None:
        url = self.mapper.to_crawl(url)
        if url in self.seen or not self.is_internal(url):
            return None
        self.seen.add(url)
        shard = owner(url, self.job.shards)
        if shard != self.job.shard:
            if self.frontier is not None:
                self.frontier.hand(shard, url, depth, source)
            else:
                self.emit({"kind": "handoff", "url": url, "depth": depth, "source": source})
            return None
        if not self.allowed_by_robots(url):
            self.emit({"kind": "disallowed", "url": url, "source": source})
            return None
        if not self.budget.take():
            self.limit_hit = True
            return None
        self.pages += 1
        return self._request(url, "page", depth)

    def image(self, url: str) -> scrapy.Request | None:
        url = self.mapper.to_crawl(url)
        if url in self.seen_images or not url.startswith(("http://", "https://")):
            return None
        self.seen_images.add(url)
        if not self.is_internal(url) and not self.job.check_external:
            return None  # an image on another host is an outbound request: crawl.check_external decides
        if self.is_internal(url) and not self.allowed_by_robots(url):
            self.emit({"kind": "disallowed", "url": url, "source": "og:image"})
            return None
        return self._request(url, "image")

    def external(self, url: str) -> scrapy.Request | None:
        if not self.job.check_external or url in self.seen_external:
            return None
        if not url.startswith(("http://", "https://")):
            return None
        self.seen_external.add(url)
        if not self.external_answered and len(self.external_dead) >= OFFLINE_MIN_HOSTS:
            self.emit(
                {
                    "kind": "external",
                    "url": url,
                    "hops": [],
                    "final_url": url,
                    "status": None,
                    "method": "",
                    "error": f"not checked: none of the first {len(self.external_dead)} external hosts answered",
                    "offline": True,
                }
            )
            return None
        return self._request(url, "external", method="HEAD")

    async def start(self) -> AsyncIterator[Any]:
        if self.job.round > 0:  # a follow-up: only the handed-off pages (robots and sitemaps are done)
            for url, depth, source in self.job.handoffs:
                request = self.page(url, int(depth), str(source))
                if request is not None:
                    yield request
            return
        if self.job.shard == 0:
            for request in self.first_shard_requests():
                yield request
        for url in self.job.start_urls:
            if owner(url, self.job.shards) != self.job.shard:
                continue  # another shard's start URL
            request = self.page(url, 0, "expected")
            if request is not None:
                yield request

    def first_shard_requests(self) -> list[scrapy.Request]:
        """robots.txt facts, sitemaps and alias checks: once per crawl, by shard 0."""
        self.emit(
            {
                "kind": "robots",
                "url": self.robots.url,
                "status": self.robots.status,
                "error": self.robots.error,
                "crawl_delay": self.crawl_delay(),
                "sitemaps": self.robot_sitemaps(),
            }
        )
        sitemap_urls = [*self.job.sitemap_urls, *self.robot_sitemaps()] or [
            self.crawl_origin + "/sitemap.xml"
        ]
        requests = []
        for url in dict.fromkeys(self.mapper.to_crawl(u) for u in sitemap_urls):
            self.sitemaps += 1
            request = self.sitemap_request(url)
            if request is not None:
                requests.append(request)
        for url in self.job.alias_urls:
            requests.append(self._request(self.mapper.to_crawl(url), "alias"))
        return requests

    def sitemap_request(self, url: str) -> scrapy.Request | None:
        """A sitemap on another host (robots.txt and sitemap indexes may name any) is fetched only when
        crawl.check_external allows outbound requests; otherwise the record says why it was not."""
        if self.is_internal(url) or self.job.check_external:
            return self._request(url, "sitemap")
        self.emit(
            {
                "kind": "sitemap",
                "url": url,
                "status": None,
                "error": "not fetched: it is on another host and crawl.check_external is false",
                "skipped": True,
            }
        )
        return None

    def crawl_delay(self) -> float:
        return self.robots.crawl_delay(self.job.user_agent) if self.rules is not None else 0.0

    def robot_sitemaps(self) -> list[str]:
        return list(self.rules.sitemaps) if self.rules is not None else []

    # --- responses ----------------------------------------------------------------------------------------

    async def on_response(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        kind: str = meta["kind"]
        if kind == "retime":
            if response.status == 200:
                ms = round(float(meta.get("download_latency", 0.0)) * 1000, 1)
                self.emit(
                    {"kind": "retime", "url": meta["page"], "answered": normalize(response.url), "ms": ms}
                )
            return
        method = response.request.method if response.request is not None else "GET"
        url = normalize(response.url)
        status = response.status
        if kind == "external":
            self.external_answered = True
        location = response.headers.get(b"Location")
        if status in REDIRECTS and location:
            target = normalize(urljoin(response.url, location.decode("latin-1")))
            hops = [*meta["hops"], {"url": url, "status": status, "location": target}]
            if target in {h["url"] for h in hops}:
                self.emit(self.base_record(response, hops, error="redirect loop", loop=True))
            elif len(hops) >= MAX_HOPS:
                self.emit(
                    self.base_record(
                        response, hops, error=f"more than {MAX_HOPS} redirects", too_many_hops=True
                    )
                )
            elif kind in ("external", "image") or self.is_internal(target):
                follow = self._request(target, kind, meta["level"], method=method, hops=hops)
                follow.meta["origin"] = meta["origin"]
                yield follow
            else:
                self.emit(self.base_record(response, hops, offsite=target))
            return
        if kind == "external" and method == "HEAD" and status >= 400:
            yield self._request(meta["origin"], "external", method="GET")
            return
        if status in (429, 503) and not is_bot_wall(response):
            wait = retry_after_seconds((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
            tries = meta.get("retry_after_tries", 0)
            if wait is not None and wait <= self.job.max_retry_after_s and tries < self.job.retry_times:
                await self.sleep(wait)
                again = self._request(url, kind, meta["level"], method=method, hops=meta["hops"])
                again.meta.update(origin=meta["origin"], retry_after_tries=tries + 1)
                again.meta["waited"] = [*meta.get("waited", []), {"status": status, "seconds": wait}]
                yield again
                return
        record = self.base_record(response, meta["hops"])
        if kind == "image" and status == 200:
            record.update(self.image_facts(response.body))
        elif kind == "sitemap" and status == 200:
            for request in self.sitemap(response, record):
                yield request
        elif kind == "page" and status == 200 and self.is_html(response):
            facts = await self.parse_body(response.body, url, getattr(response, "encoding", None))
            record["facts"] = facts
            for request in self.follow(facts, meta["level"], url):
                yield request
        self.emit(record)
        final = record["final_url"]
        if kind == "page" and meta["hops"] and final not in self.seen:
            self.seen.add(final)
            self.emit({**record, "url": final, "hops": [], "alias_of": record["url"]})

    async def parse_body(self, body: bytes, url: str, encoding: str | None) -> dict[str, Any]:
        """Parse in the worker pool when there is one, so the reactor keeps downloading meanwhile."""
        if self.pool is None:
            return parse_page(body, url, encoding, self.job.parser)
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import defer, reactor

        done: defer.Deferred[dict[str, Any]] = defer.Deferred()

        def settle(future: Future[dict[str, Any]]) -> None:
            error = future.exception()
            if error is None:
                reactor.callFromThread(done.callback, future.result())
            else:
                reactor.callFromThread(done.errback, Failure(error))

        self.pool.submit(parse_page, body, url, encoding, self.job.parser).add_done_callback(settle)
        return await maybe_deferred_to_future(done)

    async def sleep(self, seconds: float) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, task

        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))

    @staticmethod
    def is_html(response: Response) -> bool:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        return "html" in ctype or (not ctype and b"<html" in response.body[:2048].lower())

    def base_record(self, response: Response, hops: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        meta = response.meta
        headers = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                headers[name] = value.decode("latin-1")
        record: dict[str, Any] = {
            "kind": meta["kind"],
            "url": normalize(meta["origin"]),
            "hops": hops,
            "final_url": normalize(response.url),
            "status": response.status,
            "method": response.request.method if response.request else "GET",
            "ms": round(float(meta.get("download_latency", 0.0)) * 1000, 1),
            "bytes": len(response.body),
            "headers": headers,
            "depth": meta["level"],
            "waited": meta.get("waited", []),
            "bot_wall": is_bot_wall(response),
        }
        record.update(extra)
        return record

    def image_facts(self, body: bytes) -> dict[str, Any]:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(body)) as img:
                return {"width": img.width, "height": img.height, "format": img.format}
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
            return {"decode_error": str(exc)}

    def sitemap(self, response: Response, record: dict[str, Any]) -> list[scrapy.Request]:
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
        try:
            root = etree.fromstring(response.body, parser=parser)
        except etree.XMLSyntaxError as exc:
            record["error"] = f"not XML: {exc}"
            return []
        if root is None:
            record["error"] = "empty or not XML"
            return []
        locs = [str(el.text).strip() for el in root.iter("{*}loc") if el.text and el.text.strip()]
        tag = etree.QName(root).localname
        record["index"] = tag == "sitemapindex"
        requests: list[scrapy.Request] = []
        if tag == "sitemapindex":
            record["children"] = locs
            for loc in locs:
                if self.sitemaps < MAX_SITEMAPS:
                    self.sitemaps += 1
                    request = self.sitemap_request(self.mapper.to_crawl(loc))
                    if request is not None:
                        requests.append(request)
        elif tag == "urlset":
            record["locs"] = locs
            for loc in locs:
                request = self.page(loc, 0, "sitemap")
                if request is not None:
                    requests.append(request)
        else:
            record["error"] = f"root element is <{tag}>, not <urlset> or <sitemapindex>"
        return requests

    def follow(self, facts: dict[str, Any], depth: int, source: str) -> list[scrapy.Request]:
        out: list[scrapy.Request | None] = []
        for href, _ in facts["hreflang"]:
            out.append(self.page(href, depth, source))
        if facts["canonical"]:
            out.append(self.page(facts["canonical"], depth, source))
        for key in ("og:image", "twitter:image"):
            if facts["meta"].get(key):
                out.append(self.image(urljoin(source, facts["meta"][key])))
        for href, _ in facts["links"]:
            mapped = self.mapper.to_crawl(href)
            if self.is_internal(mapped):
                if depth < self.job.max_depth:
                    out.append(self.page(mapped, depth + 1, source))
            else:
                out.append(self.external(normalize(href)))
        return [r for r in out if r is not None]

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        error = f"{failure.type.__name__ if failure.type else 'Error'}: {failure.getErrorMessage()}"
        if meta["kind"] == "retime":
            return  # the first timing stands
        if meta["kind"] == "external" and request.method == "HEAD":
            # Some servers drop HEAD; try GET before calling the link broken.
            self.crawler.engine.crawl(self._request(meta["origin"], "external", method="GET"))
            return
        if meta["kind"] == "external" and REFUSED not in error:
            self.external_dead.add(host_of(request.url))
        self.emit(
            {
                "kind": meta["kind"],
                "url": normalize(meta["origin"]),
                "hops": meta.get("hops", []),
                "final_url": normalize(request.url),
                "status": None,
                "method": request.method,
                "error": error,
                "too_large": "DownloadCancelledError" in error,
                "depth": meta.get("level", 0),
                "waited": meta.get("waited", []),
            }
        )

    def closed(self, reason: str) -> None:
        self.budget.close()
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        self.emit({"kind": "stats", "pages": self.pages, "limit_hit": self.limit_hit, "reason": reason})


def crawl_here(job: CrawlJob, sink: IO[str], frontier: Frontier | None = None, signals: bool = True) -> None:
    """Run the crawl in this process (once per process: Twisted's reactor cannot be restarted)."""
    from scrapy.crawler import CrawlerProcess

    robots = job_robots(job)
    process = CrawlerProcess(settings_for(job, robots.crawl_delay(job.user_agent)))
    process.crawl(AuditSpider, job=job, sink=sink, robots=robots, frontier=frontier)
    process.start(install_signal_handlers=signals)


def main(argv: list[str]) -> int:
    from pipeline.procs import die_with_parent_from_env

    die_with_parent_from_env()
    job_path, out_path = argv[1], argv[2]
    if job_path == "-":  # the parent started us early and sends the job once its content is loaded
        line = sys.stdin.readline()
        if not line.strip():
            return 0
        job = CrawlJob.from_dict(json.loads(line))
    else:
        with open(job_path, encoding="utf-8") as fh:
            job = CrawlJob.from_dict(json.load(fh))
    with open(out_path, "w", encoding="utf-8") as sink:
        crawl_here(job, sink)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Crawl stage entry point: expected set → spider subprocess → checks → history."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from pipeline.compute import uses_ray
from pipeline.config import Config
from pipeline.content import UrlModel, iter_markdown
from pipeline.crawl import graph as link_graph
from pipeline.crawl.checks import Checker, check_aliases
from pipeline.crawl.expected import ExpectedSet, build_expected
from pipeline.crawl.history import default_history_key, diff, load_link_cache, record_run, save_link_cache
from pipeline.crawl.index import index_records
from pipeline.crawl.job import CrawlError, CrawlJob, SpiderProcess, crawl_sharded
from pipeline.crawl.sitewide import check_limits, check_links, check_sitemap
from pipeline.crawl.urls import Mapper, base_of
from pipeline.findings import Finding, counts
from pipeline.rules import CRAWL, by_id
from pipeline.stages import Context, Stage, StageResult, StageSkipped

SHARD_MIN_POSTS = 500


def crawl_base_of(config: Config, base_url: str | None) -> str:
    """The crawled site's base: an origin, and the path the site lives under there (site.base_url's own, or the
    one `--base-url` gives; a preview build serves the site at its root)."""
    base = (base_url or config.crawl.base_url or config.site.base_url).strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"crawl base URL {base!r} must be an http:// or https:// origin, e.g. https://example.org"
        )
    return base_of(base)


def build_job(config: Config, expected: ExpectedSet, crawl_base: str, skip_external: list[str]) -> CrawlJob:
    c = config.crawl
    mapper = Mapper(config.site.base_url, crawl_base)
    return CrawlJob(
        crawl_base=crawl_base,
        public_base=config.site.base_url,
        start_urls=[mapper.to_crawl(p.url) for p in expected.pages],
        alias_urls=[mapper.to_crawl(a) for p in expected.pages for a in p.aliases],
        extra_hosts=list(c.extra_hosts),
        skip_external=skip_external,
        max_pages=c.max_pages,
        max_depth=c.max_depth,
        concurrency=c.concurrency,
        timeout_s=c.timeout_s,
        max_response_bytes=c.max_response_bytes,
        obey_robots=c.obey_robots,
        check_external=c.check_external,
        user_agent=c.user_agent,
        autothrottle=c.autothrottle,
        max_retry_after_s=c.max_retry_after_s,
        parse_workers=c.parse_workers,
        parser=c.parser,
        slow_ms=float(c.slow_page_ms),
    )


def planned_processes(config: Config) -> int:
    """crawl.processes, or auto: one per core (max 4) once the site has SHARD_MIN_POSTS Markdown files — a
    quick walk, done before the content loads so every crawler process can import Scrapy meanwhile."""
    if config.crawl.processes:
        return config.crawl.processes
    cores = min(4, os.cpu_count() or 1)
    if cores < 2 or not config.content_root.is_dir():
        return 1
    posts = 0
    for posts, _ in enumerate(iter_markdown(config.content_root, site=UrlModel.for_config(config)), start=1):
        if posts >= SHARD_MIN_POSTS:
            return cores
    return 1


def _served_elsewhere(ctx: Context, crawl_base: str) -> Callable[[str], bool] | None:
    """For a crawl of a preview build (a loopback origin): the pages the public site serves from outside this
    content (site.urls.external, fallback pages), and links through a generator template the preview cannot
    expand (Hugo's `{{% param x %}}` of a site parameter) — they may work there, not in the preview."""
    from pipeline.content.links import LinkIndex
    from pipeline.crawl.urls import host_of, origin

    config = ctx.config
    host = host_of(crawl_base)
    loopback = host in ("localhost", "::1") or host.startswith("127.")
    if not loopback or origin(crawl_base) == origin(config.site.base_url):
        return None
    urls = ctx.content.urls or UrlModel.from_config(config)
    served = LinkIndex(ctx.content.posts, urls).elsewhere
    return lambda path: "{{" in path or "{%" in path or served(path)


def run_stage(ctx: Context, base_url: str | None = None, history_key: str | None = None) -> StageResult:
    """`history_key` names the site for new/fixed comparisons when the crawled origin changes from run to run
    (a preview build on a random loopback port); by default it is the crawled origin."""
    start = time.perf_counter()
    config = ctx.config
    crawl_base = crawl_base_of(config, base_url)
    on_ray = uses_ray(config)  # shards as Ray tasks (pipeline.compute.crawl) instead of local subprocesses
    # Spider processes start importing Scrapy while we load the content.
    spiders = [] if on_ray else [SpiderProcess() for _ in range(planned_processes(config))]
    try:
        expected = build_expected(config, ctx.content)
        if not expected.pages:
            raise StageSkipped(
                f"no published posts under {config.content_root}; nothing to audit (check site.content_dir)"
            )
        store = ctx.store
        cache = load_link_cache(store, config.crawl.external_ttl_hours) if config.crawl.check_external else {}
        job = build_job(config, expected, crawl_base, sorted(cache))
        try:
            if on_ray:
                from pipeline.compute.crawl import crawl_on_ray

                records = crawl_on_ray(config, job, config.crawl.processes)
            else:
                records = crawl_sharded(spiders, job)
        except CrawlError as exc:
            return StageResult("crawl", "failed", str(exc))
    finally:
        for spider in spiders:  # including any a Crawl-delay left unused
            spider.close()
    data = index_records(records)
    checker = Checker(
        data,
        Mapper(config.site.base_url, crawl_base),
        config.crawl,
        cache=cache,
        language_roots={"", *config.site.languages},
    )
    findings: list[Finding] = []
    for page in expected.pages:
        checker.check_page(page)
        findings.extend(check_aliases(checker, page))
    findings.extend(checker.findings)
    findings.extend(check_sitemap(checker, expected))
    findings.extend(check_links(checker, expected, _served_elsewhere(ctx, crawl_base)))
    findings.extend(check_limits(checker))
    save_link_cache(store, data.external.values())
    seconds = time.perf_counter() - start
    key = history_key or default_history_key(config.crawl.base_url or config.site.base_url, crawl_base)
    history = diff(store, key, findings)
    stats: dict[str, int | float] = {
        "pages": len(data.pages),
        "expected": len(expected.pages),
        "images": len(data.images),
        "external_checked": len(data.external),
        "external_cached": len(cache),
        "crawl_delay": float(data.robots.get("crawl_delay") or 0.0),
    }
    run_id = record_run(
        store, crawl_base, findings, {**stats, **counts(findings), **history.summary()}, seconds, key
    )
    link_graph.save(store, key, run_id, link_graph.edges(checker, expected))
    return StageResult(
        "crawl",
        counts={**counts(findings), **{k: int(v) for k, v in stats.items()}, **history.summary()},
        findings=findings + history.fixed,
        seconds=seconds,
        data={
            "run_id": run_id,
            "base_url": crawl_base,
            "history": history,
            "records": len(records),
            "processes": int(data.stats.get("processes", 1)),
            "follow_up_rounds": int(data.stats.get("follow_up_rounds", 0)),
            # Pages timed again because they were slow (each fetched once more; see job.slow_pages).
            "retimed": sorted(
                url for url, rec in data.pages.items() if "ms_again" in rec and not rec.get("alias_of")
            ),
        },
    )


def _reachable(url: str, timeout: float = 2.0) -> bool:
    """Can we open a TCP connection to the site's origin? (No request is sent.)"""
    import socket

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except (OSError, RuntimeError):  # RuntimeError: the test suite's network guard
        return False


def run_in_pipeline(ctx: Context) -> StageResult:
    """`pipeline run`: audit the public site when it answers, else (or with crawl.prefer_preview) the preview
    build the build stage left in the context, served on a loopback port for the length of the crawl."""
    base = ctx.config.crawl.base_url or ctx.config.site.base_url
    if not ctx.config.crawl.prefer_preview and _reachable(base):
        return run_stage(ctx)
    if ctx.preview_site is None:
        raise StageSkipped(
            f"{base} is not reachable and there is no preview build to crawl (run `pipeline build`)"
        )
    from pipeline.build.server import PreviewServer

    with PreviewServer(ctx.preview_site) as url:
        # One history for every preview crawl of this site, whatever port the preview server got.
        result = run_stage(ctx, base_url=url, history_key=f"preview of {base}")
    why = "--preview" if ctx.config.crawl.prefer_preview else f"{base} not reachable"
    result.reason = result.reason or f"crawled the preview build at {url} ({why})"
    return result


STAGE = Stage(
    "crawl",
    run=run_in_pipeline,
    reads=("published posts", "the public site or the preview site", "link cache"),
    writes=("findings", "run history", "link cache"),
    rules=by_id(CRAWL),
    compute=True,
    always_report=True,
)

"""Crawl on Ray: each shard is a Ray task running the spider; a frontier actor holds what the shards share.

Locally the shards are spider subprocesses that share crawl.max_pages through a flock'd counter file and leave
the pages they found but do not own as handoff records, crawled in follow-up rounds once all are done. On Ray the
shards may be on different machines, so both live in one actor instead (scrapy-redis keeps Scrapy's frontier in
Redis for the same reason): `take` counts the budget, `hand` passes a link to the shard that owns it, and an idle
shard asks `idle` for what it was handed — the crawl is over when every shard is idle and nothing is waiting, so
no follow-up rounds are needed. The pages timed again for being slow are fetched afterwards by one more task,
alone, as locally.

A shard task runs in a fresh worker process (`max_calls=1`: Twisted's reactor cannot be restarted) and parses in
that process (one core per shard; more shards, not helper pools, add cores). If its worker or node dies, Ray runs
it again elsewhere: `start` gives the budget it had used back and hands it again every link it was ever handed,
so the new attempt redoes the shard's whole share.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from pipeline.compute.cluster import connect, slots
from pipeline.crawl.job import CrawlJob, _merge_stats, fetch_robots, job_robots, slow_pages

if TYPE_CHECKING:
    from pipeline.config import Config

HAND_BATCH = 64  # links buffered in a shard before they go to the frontier (and always when the shard idles)
RETRIES = 3


class Frontier:
    """The actor: crawl.max_pages for all shards, and the links they hand each other."""

    def __init__(self, shards: int, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.taken = [0] * shards
        self.queues: list[list[list[Any]]] = [[] for _ in range(shards)]
        self.given: list[list[list[Any]]] = [[] for _ in range(shards)]  # every link ever handed to a shard
        self.busy = [True] * shards
        self.handed: set[str] = set()

    def start(self, shard: int) -> None:
        """A shard (re)starts from scratch: a retried attempt gets its budget and its handed links back."""
        self.used -= self.taken[shard]
        self.taken[shard] = 0
        self.queues[shard] = list(self.given[shard])
        self.busy[shard] = True

    def take(self, shard: int) -> bool:
        if self.used >= self.limit:
            return False
        self.used += 1
        self.taken[shard] += 1
        return True

    def hand(self, links: list[list[Any]]) -> None:
        """[owner, url, depth, source] each; a page is handed to its owner once, by whichever shard found it."""
        for shard, url, depth, source in links:
            if url not in self.handed:
                self.handed.add(url)
                self.queues[shard].append([url, depth, source])
                self.given[shard].append([url, depth, source])

    def idle(self, shard: int, links: list[list[Any]]) -> tuple[list[list[Any]], bool]:
        """The links waiting for `shard` (it is busy again if there are any); done once all shards are idle
        with nothing waiting — no idle shard can hand anything more over."""
        self.hand(links)
        waiting, self.queues[shard] = self.queues[shard], []
        self.busy[shard] = bool(waiting)
        return waiting, not waiting and not any(self.busy) and not any(self.queues)

    def used_pages(self) -> int:
        return self.used


class FrontierClient:
    """The spider's side of the frontier (pipeline.crawl.job.Frontier): actor calls, handoffs buffered."""

    def __init__(self, actor: Any, shard: int) -> None:
        import ray

        self.ray = ray
        self.actor = actor
        self.shard = shard
        self.links: list[list[Any]] = []

    def take(self) -> bool:
        return bool(self.ray.get(self.actor.take.remote(self.shard)))

    def hand(self, shard: int, url: str, depth: int, source: str) -> None:
        self.links.append([shard, url, depth, source])
        if len(self.links) >= HAND_BATCH:
            self.ray.get(self.actor.hand.remote(self.links))
            self.links = []

    def idle(self) -> tuple[list[list[Any]], bool]:
        links, self.links = self.links, []
        waiting, done = self.ray.get(self.actor.idle.remote(self.shard, links))
        return list(waiting), bool(done)

    def close(self) -> None:
        if self.links:
            self.ray.get(self.actor.hand.remote(self.links))
            self.links = []


def _shard(job: dict[str, Any], frontier: Any) -> list[dict[str, Any]]:
    """One shard (or the retiming pass, without a frontier) in this worker process; its records."""
    import ray

    from pipeline.crawl.spider import crawl_here

    crawl_job = CrawlJob.from_dict(job)
    client = None
    if frontier is not None:
        ray.get(frontier.start.remote(crawl_job.shard))
        client = FrontierClient(frontier, crawl_job.shard)
    sink = io.StringIO()
    crawl_here(crawl_job, sink, client, signals=False)
    return [json.loads(line) for line in sink.getvalue().splitlines() if line.strip()]


def crawl_on_ray(config: Config, job: CrawlJob, processes: int) -> list[dict[str, Any]]:
    """The crawl as `processes` shard tasks (0: one per cluster slot), records as `crawl_sharded` returns them."""
    ray = connect(config)
    if job.obey_robots and job.robots is None:  # fetched once here and handed to every shard
        job = replace(job, robots=asdict(fetch_robots(job)))
    shards = processes or slots(ray)
    if job_robots(job).crawl_delay(job.user_agent) > 0:
        shards = 1  # the server sets the pace: one process keeps its Crawl-delay exactly
    task = ray.remote(num_cpus=1, max_calls=1, max_retries=RETRIES, retry_exceptions=False)(_shard)
    frontier = ray.remote(num_cpus=0)(Frontier).remote(shards, job.max_pages)
    try:
        base = replace(job, parse_workers=0, budget_path="", shards=shards)
        refs = [task.remote(replace(base, shard=i).to_dict(), frontier) for i in range(shards)]
        records = [rec for part in ray.get(refs) for rec in part]
    finally:
        ray.kill(frontier)
    slow = slow_pages(records, job)
    if slow:
        retime = replace(job, shards=1, shard=0, start_urls=[], alias_urls=[], sitemap_urls=[], retime=slow)
        retime = replace(retime, round=1, parse_workers=0)
        try:
            again = ray.get(task.remote(retime.to_dict(), None))
            records += [rec for rec in again if rec.get("kind") == "retime"]
        except ray.exceptions.RayError:
            pass  # a second timing is a refinement: without it the first timings stand
    return _merge_stats(records, shards, 0)

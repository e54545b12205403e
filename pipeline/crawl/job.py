"""The crawl job handed to the spider subprocess, and the robots.txt pre-flight.

Scrapy parses Crawl-delay but never applies it, so robots.txt is fetched before the crawler starts and its
delay becomes DOWNLOAD_DELAY (which AutoThrottle also treats as its floor).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import zlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from pipeline.crawl.urls import origin

MAX_HOPS = 10
MAX_SITEMAPS = 200
ROBOTS_MAX_BYTES = 500_000
MAX_ROUNDS = 20
# More slow pages than this: the site (or this machine) is slow overall, and the rest keep their one timing.
MAX_RETIMES = 50
RETIME_PACE_S = 30.0  # under a Crawl-delay, time again only as many pages as fit in this much pacing


def owner(url: str, shards: int) -> int:
    """The shard that fetches a page: a stable hash of its path and query (Python's own hash differs per
    process; the origin is the same for every page, and leaving it out keeps the split the same on any port)."""
    if shards <= 1:
        return 0
    return zlib.crc32(url.split("/", 3)[-1].encode("utf-8")) % shards


@dataclass
class CrawlJob:
    crawl_base: str
    public_base: str
    start_urls: list[str] = field(default_factory=list)
    alias_urls: list[str] = field(default_factory=list)
    sitemap_urls: list[str] = field(default_factory=list)
    extra_hosts: list[str] = field(default_factory=list)
    skip_external: list[str] = field(default_factory=list)
    max_pages: int = 20_000
    max_depth: int = 10
    concurrency: int = 16
    timeout_s: float = 15.0
    max_response_bytes: int = 10_000_000
    obey_robots: bool = True
    check_external: bool = True
    user_agent: str = "pipeline-crawl"
    autothrottle: bool = True
    max_retry_after_s: float = 30.0
    retry_times: int = 2
    parser: str = "bs4"
    parse_workers: int = -1  # -1 = one per spare core (max 4), 0 = parse in the crawler process
    shards: int = 1  # crawler processes splitting the pages by URL hash (see crawl_sharded)
    shard: int = 0
    round: int = 0  # > 0: a follow-up crawl of pages handed off by shards that found but did not own them
    seen_pages: list[str] = field(default_factory=list)
    handoffs: list[list[Any]] = field(default_factory=list)  # [url, depth, source]
    # robots.txt as the parent fetched it (the Robots fields); None: the spider fetches it.
    robots: dict[str, Any] | None = None
    budget_path: str = ""  # a PageBudget file shared by every process of one crawl; "" = count in-process
    slow_ms: float = 0.0  # pages slower than this are timed again, alone, after the crawl (0: never)
    retime: list[list[str]] = field(default_factory=list)  # [page URL, URL that answered]: time these again

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlJob:
        return cls(**data)


@dataclass
class Robots:
    url: str
    status: int | None
    text: str = ""
    error: str | None = None

    def parser(self) -> Any:
        from protego import Protego

        return Protego.parse(self.text)

    def crawl_delay(self, user_agent: str) -> float:
        """Crawl-delay for `user_agent`; 0 when robots.txt did not answer 200 or sets none."""
        if self.status != 200:
            return 0.0
        return float(self.parser().crawl_delay(user_agent) or 0.0)


def job_robots(job: CrawlJob) -> Robots:
    """The job's robots.txt: the copy the parent handed over, else fetched now (nothing when robots are off)."""
    if not job.obey_robots:
        return Robots("", None)
    if job.robots is not None:
        return Robots(**job.robots)
    return fetch_robots(job)


def fetch_robots(job: CrawlJob) -> Robots:
    """GET /robots.txt once, synchronously; a 4xx means 'everything allowed', as crawlers agree."""
    url = origin(job.crawl_base) + "/robots.txt"
    request = urllib.request.Request(url, headers={"User-Agent": job.user_agent})
    try:
        with urllib.request.urlopen(request, timeout=job.timeout_s) as resp:
            body = resp.read(ROBOTS_MAX_BYTES)
            return Robots(url, resp.status, body.decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return Robots(url, exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Robots(url, None, error=str(getattr(exc, "reason", exc)))


class PageBudget:
    """crawl.max_pages shared by every process of one crawl: a counter in a small file, taken under flock.

    Fixed per-shard shares of the cap stopped short of it whenever one shard owned fewer pages than its share
    while another ran out; a shared counter lets the shards together stop exactly at the cap.
    """

    def __init__(self, path: str, limit: int) -> None:
        self.limit = limit
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if path else -1
        self.local = 0

    def take(self) -> bool:
        """One page off the budget; False once the crawl as a whole has reached the cap."""
        if self.fd < 0:
            if self.local >= self.limit:
                return False
            self.local += 1
            return True
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            raw = os.pread(self.fd, 8, 0)
            used = int.from_bytes(raw, "little") if len(raw) == 8 else 0
            if used >= self.limit:
                return False
            os.pwrite(self.fd, (used + 1).to_bytes(8, "little"), 0)
            return True
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


TMP_PREFIX = "pipeline-crawl-"  # + the owner's pid: a later crawl removes folders whose owner died


class Frontier(Protocol):
    """What a shard shares with the others when they run as Ray tasks (pipeline.compute.crawl): the page budget
    (`take`, as PageBudget's) and the links to pages another shard owns (`hand` them over; `idle` returns the
    ones handed to this shard, and whether every shard is idle with nothing left, i.e. the crawl is done)."""

    def take(self) -> bool: ...
    def hand(self, shard: int, url: str, depth: int, source: str) -> None: ...
    def idle(self) -> tuple[list[list[Any]], bool]: ...
    def close(self) -> None: ...


class CrawlError(Exception):
    """The spider process failed; the message carries the tail of its log."""


class SpiderProcess:
    """The spider's child process, started before our content loads so Scrapy's import overlaps with it.

    The child waits for the job on stdin; leaving the block without `run` closes stdin and it exits quietly.
    """

    def __init__(self) -> None:
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        from pipeline.procs import child_env

        repo_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = repo_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.update(child_env())  # the spider dies with us (pipeline.procs)
        from pipeline.fsutil import sweep_stale_dirs

        sweep_stale_dirs(Path(tempfile.gettempdir()), TMP_PREFIX)  # left by a crawl killed with -9
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-"))
        self.out = self.tmp / "records.jsonl"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.crawl.spider", "-", str(self.out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def __enter__(self) -> SpiderProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        import shutil
        import subprocess

        if self.proc.poll() is None:
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def send(self, job: CrawlJob) -> None:
        """Hand the job over; the child starts crawling at once and `collect` waits for its records."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(job.to_dict()) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the child died early; `collect` reports its exit status and log

    def collect(self, timeout_s: float | None = None) -> list[dict[str, Any]]:
        import subprocess

        try:
            _, stderr = self.proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise CrawlError(f"crawl did not finish within {timeout_s:.0f} s") from None
        if self.proc.returncode != 0 or not self.out.exists():
            tail = (stderr or "").strip().splitlines()[-5:]
            raise CrawlError(f"crawler exited with {self.proc.returncode}: " + " | ".join(tail))
        records = []
        with self.out.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    records.append(json.loads(line))
        return records

    def run(self, job: CrawlJob, timeout_s: float | None = None) -> list[dict[str, Any]]:
        self.send(job)
        return self.collect(timeout_s)


def run_crawl(job: CrawlJob, timeout_s: float | None = None) -> list[dict[str, Any]]:
    """Run the spider in a child process and return its records; safe to call any number of times."""
    with SpiderProcess() as spider:
        return spider.run(job, timeout_s)


def crawl_sharded(
    spiders: list[SpiderProcess], job: CrawlJob, timeout_s: float | None = None
) -> list[dict[str, Any]]:
    """Crawl with one Scrapy process per shard, then follow up on pages no shard fetched.

    One Scrapy process tops out at one core (its engine, not the network, is the limit on a fast server), so a
    big site is split by URL hash. Every shard starts from its share of the expected pages; a link a shard
    finds to a page it does not own becomes a handoff record. Pages the sitemap and Markdown announce are always
    some shard's start URL, so handoffs usually point at pages already fetched; the rest (pages reachable only
    by links) get follow-up rounds in a single process until none is left. Images and external links are
    checked by whichever shard meets them (a link on pages of two shards is fetched twice at most).
    """
    if job.obey_robots and job.robots is None:
        # Fetched once here and handed to every shard and follow-up round, instead of once per process.
        job = replace(job, robots=asdict(fetch_robots(job)))
    if len(spiders) > 1 and job_robots(job).crawl_delay(job.user_agent) > 0:
        spiders = spiders[:1]  # the server sets the pace: one process keeps its Crawl-delay exactly
    shards = len(spiders)
    if not job.budget_path:  # one crawl.max_pages count for every process and round
        job = replace(job, budget_path=str(spiders[0].tmp / "page-budget"))
    for i, spider in enumerate(spiders):
        spider.send(replace(job, shards=shards, shard=i))
    records = [rec for spider in spiders for rec in spider.collect(timeout_s)]
    rounds = 0
    tried: set[str] = set()
    while rounds < MAX_ROUNDS:
        done = {rec["url"] for rec in records if rec.get("kind") in ("page", "disallowed")}
        pages = sum(int(rec.get("pages", 0)) for rec in records if rec.get("kind") == "stats")
        pending: dict[str, list[Any]] = {}
        for rec in records:
            url = str(rec.get("url"))
            if rec.get("kind") == "handoff" and url not in done and url not in tried:
                pending.setdefault(url, [url, rec["depth"], rec["source"]])
        if not pending or pages >= job.max_pages:
            break
        rounds += 1
        tried |= pending.keys()  # a page is handed over once; whatever its owner makes of it stands
        handed = {rec["url"] for rec in records if rec.get("kind") == "handoff"}
        follow_up = replace(
            job,
            shards=1,
            shard=0,
            round=rounds,
            start_urls=[],
            alias_urls=[],
            sitemap_urls=[],
            seen_pages=sorted((done | handed) - pending.keys()),
            handoffs=list(pending.values()),
        )
        with SpiderProcess() as spider:
            records += spider.run(follow_up, timeout_s)
    slow = slow_pages(records, job)
    if slow:
        retime = replace(
            job,
            shards=1,
            shard=0,
            round=rounds + 1,
            start_urls=[],
            alias_urls=[],
            sitemap_urls=[],
            seen_pages=[],
            handoffs=[],
            retime=slow,
            parse_workers=0,  # nothing to parse: only the timing is kept
        )
        try:
            with SpiderProcess() as spider:
                records += [rec for rec in spider.run(retime, timeout_s) if rec.get("kind") == "retime"]
        except CrawlError:
            pass  # a second timing is a refinement: without it the first timings stand
    return _merge_stats(records, shards, rounds)


def slow_pages(records: list[dict[str, Any]], job: CrawlJob) -> list[list[str]]:
    """Pages over job.slow_ms, slowest first, to be fetched again one at a time once every process is done.

    Scrapy's download_latency counts from when a request starts, so a page that waited behind a slow one for a
    connection, or was answered while this machine was busy with other shards, looks slow too; timed again
    alone, it shows what the server itself takes. Under a Crawl-delay each one waits the delay, so fewer go."""
    if job.slow_ms <= 0:
        return []
    seen: set[str] = set()
    slow: list[tuple[float, str, str]] = []
    for rec in records:
        if rec.get("kind") != "page" or rec.get("status") != 200 or rec.get("alias_of"):
            continue
        ms = float(rec.get("ms") or 0.0)
        answered = str(rec.get("final_url") or rec["url"])
        if ms > job.slow_ms and answered not in seen:
            seen.add(answered)
            slow.append((ms, str(rec["url"]), answered))
    slow.sort(reverse=True)
    delay = job_robots(job).crawl_delay(job.user_agent)
    cap = MAX_RETIMES if delay <= 0 else min(MAX_RETIMES, int(RETIME_PACE_S // delay))
    return [[url, answered] for _, url, answered in slow[:cap]]


def _merge_stats(records: list[dict[str, Any]], shards: int, rounds: int) -> list[dict[str, Any]]:
    """One stats record for all processes; handoff records are bookkeeping and dropped."""
    stats = [rec for rec in records if rec.get("kind") == "stats"]
    out = [rec for rec in records if rec.get("kind") not in ("stats", "handoff")]
    if stats:
        out.append(
            {
                "kind": "stats",
                "pages": sum(int(rec.get("pages", 0)) for rec in stats),
                "limit_hit": any(rec.get("limit_hit") for rec in stats),
                "reason": ", ".join(sorted({str(rec.get("reason")) for rec in stats})),
                "processes": shards,
                "follow_up_rounds": rounds,
                "retimed": sum(1 for rec in records if rec.get("kind") == "retime"),
            }
        )
    return out

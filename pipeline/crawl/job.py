"""The crawl job handed to the spider subprocess, and the robots.txt pre-flight.

Scrapy parses Crawl-delay but never applies it, so robots.txt is fetched before the crawler starts and its
delay becomes DOWNLOAD_DELAY (which AutoThrottle also treats as its floor).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.crawl.urls import origin

MAX_HOPS = 10
MAX_SITEMAPS = 200
ROBOTS_MAX_BYTES = 500_000


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

        repo_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = repo_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.tmp = Path(tempfile.mkdtemp(prefix="pipeline-crawl-"))
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

    def run(self, job: CrawlJob, timeout_s: float | None = None) -> list[dict[str, Any]]:
        import json
        import subprocess

        try:
            _, stderr = self.proc.communicate(json.dumps(job.to_dict()) + "\n", timeout=timeout_s)
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


def run_crawl(job: CrawlJob, timeout_s: float | None = None) -> list[dict[str, Any]]:
    """Run the spider in a child process and return its records; safe to call any number of times."""
    with SpiderProcess() as spider:
        return spider.run(job, timeout_s)

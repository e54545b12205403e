"""M8: pool workers die with their parent (kill -9 of `pipeline cards` left 18 orphans holding 1.6 GB)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

# Starts a pool through the shared helper, reports its workers' pids, then dies by SIGKILL mid-task.
_SCRIPT = """
import os, signal, sys, time
import pipeline.procs as procs
if sys.argv[1] == "watchdog-only":
    procs._arm_pdeathsig = lambda: None   # as on a system without prctl: the watchdog alone must do it
    procs.WATCH_INTERVAL_S = 0.2

def work(_):
    time.sleep(0.3)
    return os.getpid()

if __name__ == "__main__":
    pool = procs.process_pool(2, sys.argv[2])
    pids = set(pool.map(work, range(4)))
    pool.submit(time.sleep, 120)
    pool.submit(time.sleep, 120)
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(0.3)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def alive(pid: int) -> bool:
    """Running and not a zombie (an orphan's zombie waits for whatever reaps in this container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


@pytest.mark.parametrize(
    ("mode", "method"), [("prctl", "fork"), ("watchdog-only", "fork"), ("prctl", "spawn")]
)
def test_pool_workers_die_with_a_killed_parent(tmp_path: Path, mode: str, method: str) -> None:
    script = tmp_path / "pool.py"
    script.write_text(_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, str(script), mode, method], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pids = [int(p) for p in proc.stdout.split()]
    assert len(pids) >= 1
    left = wait_gone(pids)
    for pid in left:  # do not leak them into the rest of the suite even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"pool workers {left} outlived their parent"


@pytest.mark.parametrize(
    ("command", "posts"),
    [(["cards", "--force"], 16), (["validate", "--no-cache"], 320)],
    ids=["cards", "validate"],
)
def test_kill_9_of_the_cli_leaves_no_pool_worker(tmp_path: Path, command: list[str], posts: int) -> None:
    """The real commands: kill -9 while their process pool works; every worker is gone within seconds."""
    from tests.chaos.support import descendants, kill_and_reap, make_site, start

    config = make_site(tmp_path, posts=posts, cards="processes = 2")
    proc = start(command, config, tmp_path / "state")
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = descendants(proc.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.02)
    assert len(workers) >= 2, f"no pool started (exit {proc.poll()})"
    left = kill_and_reap(proc, workers)
    assert left == set(), f"{command[0]} pool workers {sorted(left)} outlived their parent"


def test_kill_9_of_a_crawl_leaves_no_spider_process(tmp_path: Path) -> None:
    """The crawl's Scrapy subprocess (and its parser pool) go too, instead of crawling on for nobody."""
    from tests.chaos.support import descendants, kill_and_reap, start
    from tests.crawl_support.defects import build
    from tests.crawl_support.server import serve

    with serve() as server:
        site = build(tmp_path, server, crawl={"parse_workers": 1, "concurrency": 1})
        for route in server.routes.values():
            route.delay = 0.5  # a slow site: the crawl is still going when the CLI is killed
        proc = start(["crawl", "--base-url", server.base], site.config_path, tmp_path / "state")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not server.hits_for("/articles/clean-one/"):
            time.sleep(0.05)
        assert server.hits_for("/robots.txt"), "the crawl never started"
        spiders = descendants(proc.pid)
        assert spiders, "no spider subprocess"
        left = kill_and_reap(proc, spiders)
        assert left == set(), f"crawl processes {sorted(left)} outlived their parent"

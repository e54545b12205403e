"""Temp files a kill -9 left beside their target are removed by the next process that writes there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import fsutil


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_first_write_into_a_folder_sweeps_temps_of_dead_writers(tmp_path: Path) -> None:
    stale = tmp_path / f".card.jpg.{_dead_pid()}.k2x_9a.tmp"
    stale.write_bytes(b"half a card")
    live_writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = tmp_path / f".card.jpg.{live_writer.pid}.q81zz0.tmp"
        live.write_bytes(b"being written")
        unrelated = tmp_path / ".notes.tmp"
        unrelated.write_bytes(b"not ours")
        fsutil._swept.discard(tmp_path)
        fsutil.atomic_write_bytes(tmp_path / "card.jpg", b"new card")
        assert (tmp_path / "card.jpg").read_bytes() == b"new card"
        assert not stale.exists()
        assert live.exists() and unrelated.exists()
    finally:
        live_writer.kill()
        live_writer.wait()
    assert fsutil.sweep_stale_temps(tmp_path) == [live.name]


def test_a_crawl_removes_the_scratch_folders_of_crawls_killed_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl killed with -9 skipped its cleanup and left its spider records in /tmp, once per night."""
    import tempfile

    from pipeline.crawl.job import TMP_PREFIX, SpiderProcess

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / f"{TMP_PREFIX}{_dead_pid()}-x1y2z3"
    stale.mkdir()
    (stale / "records.jsonl").write_text("{}\n")
    live_crawl = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = tmp_path / f"{TMP_PREFIX}{live_crawl.pid}-a1b2c3"
        live.mkdir()
        with SpiderProcess() as spider:
            assert spider.tmp.parent == tmp_path and spider.tmp.name.startswith(f"{TMP_PREFIX}{os.getpid()}-")
            assert not stale.exists() and live.exists()
        assert not spider.tmp.exists()
    finally:
        live_crawl.kill()
        live_crawl.wait()

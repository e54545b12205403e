"""Temp files a kill -9 left beside their target are removed by the next process that writes there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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

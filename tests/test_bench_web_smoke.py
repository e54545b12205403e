"""`bench/bench_web.py` drives the real web UI's routes; when a route moves, the benchmark must say so here, not
first in `make bench` (the translator workspace dropped the per-segment suggestion route and the bench broke
unnoticed until the next `make bench`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_web_bench_runs_every_page_once(tmp_path: Path) -> None:
    env = {**os.environ, "PIPELINE_STATE_DIR": str(tmp_path / "state"), "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "bench/bench_web.py", "--only", "pages", "--repeat", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = {line.split()[0] for line in proc.stdout.splitlines() if line and not line.startswith("#")}
    for expected in (
        "translate_post_35_segments",
        "social_calendar_month",
        "audit",
        "social_calendar_week_1000_posts",
    ):
        assert expected in names, proc.stdout

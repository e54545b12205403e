"""Real worker processes (`python -m pipeline social run`) for the crash, chaos and `--once` tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.social_fakes.setup import ENV

REPO = Path(__file__).resolve().parent.parent.parent


def start_worker(
    config: Path, once: bool = True, verbose: bool = True, log: Path | None = None
) -> subprocess.Popen[str]:
    """`pipeline social run [--once]` with the fakes' credentials in its environment.

    Its output comes back through pipes for `communicate()`, or with `log` goes to that file (stderr with it).
    A worker nobody reads from while it runs needs the file: once a pipe is full it blocks on its next log line,
    a stall a kill loop must not add by accident.
    """
    args = [sys.executable, "-m", "pipeline"] + (["-vv"] if verbose else [])
    args += ["social", "run"] + (["--once"] if once else []) + ["--config", str(config)]
    out = log.open("a") if log else None
    try:
        return subprocess.Popen(
            args,
            cwd=REPO,
            env={**os.environ, **ENV},
            stdout=out or subprocess.PIPE,
            stderr=subprocess.STDOUT if out else subprocess.PIPE,
            text=True,
        )
    finally:
        if out is not None:
            out.close()


def wait_until(cond: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)

"""Shared bench helpers: the corpora location, medians and the output line format `name value unit ratio`."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# A worktree under /work/wt/ has no shared/ beside it: BENCH_CORPORA points at the corpora from anywhere.
CORPORA = Path(os.environ.get("BENCH_CORPORA") or REPO.parent / "shared" / "corpora")


def need_corpora() -> Path:
    if not CORPORA.is_dir():
        print(f"# skipped: corpora not found at {CORPORA}")
        sys.exit(0)
    return CORPORA


def median_time(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(name: str, value: float, unit: str, ratio: float | None = None) -> None:
    ratio_text = f"{ratio:.2f}x" if ratio is not None else "-"
    print(f"{name} {value:.4g} {unit} {ratio_text}", flush=True)

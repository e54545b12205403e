"""Translate benchmark: our batched CTranslate2 engine vs `argostranslate.translate.translate()`.

Builds a transformer-base sized random int8 Argos package (6+6 layers, d_model 512, FFN 2048, 8 heads, vocab
32k; SentencePiece trained on the shared corpora), then translates the sentences of the example site's posts
with our engine (greedy and beam 2) and, in the same run, with Argos (its MiniSBD splitter patched to our offline
splitter; its Translator wrapped only to force the same output lengths). Random weights never emit </s>, so both
sides force output length to ≈1.1 × the batch's longest source. Reports medians of target tokens/s and the
ratio vs Argos, then the model calls of an unchanged re-run of the stage (goal 0). Where Debian's Apertium with
the English-Spanish pair is installed, also its throughput on the same example posts, one `apertium` process per
post (all its segments in one call, as the stage sends a run), and its start-up per call.

    .venv/bin/python bench/bench_translate.py [--sentences N] [--repeats R]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPORA = REPO.parent / "shared" / "corpora"
EXAMPLE = REPO / "examples" / "health-blog" / "content"
RATIO = 1.1
VOCAB = 32000


def train_sp(tmp: Path) -> bytes:
    import sentencepiece as spm

    texts: list[str] = []
    sources = sorted(CORPORA.rglob("*.md"))[:150] if CORPORA.is_dir() else []
    sources += sorted(EXAMPLE.rglob("*.md"))
    for path in sources:
        texts.extend(line for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip())
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=out,
        vocab_size=8000,
        hard_vocab_limit=False,
        byte_fallback=True,
        input_sentence_size=30_000,
        shuffle_input_sentence=True,
        minloglevel=2,
    )
    return out.getvalue()


def build_base_package(dest: Path, sp_bytes: bytes) -> Path:
    """Random transformer-base weights, int8, vocab padded to 32k."""
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab += [f"<extra_{i}>" for i in range(VOCAB - len(vocab))]
    rng = np.random.default_rng(0)
    spec = ctranslate2.specs.TransformerSpec.from_config(6, 8)

    # Shapes follow the spec's conventions; set them explicitly for clarity.
    d, ffn, v = 512, 2048, len(vocab)

    def lin(out_dim: int, in_dim: int) -> tuple[np.ndarray, np.ndarray]:
        return (rng.normal(0, 0.02, (out_dim, in_dim)).astype(np.float32), np.zeros(out_dim, np.float32))

    def norm(ln: Any) -> None:
        ln.gamma = np.ones(d, np.float32)
        ln.beta = np.zeros(d, np.float32)

    for side in (spec.encoder, spec.decoder):
        norm(side.layer_norm)
        for layer in side.layer:
            sa = layer.self_attention
            norm(sa.layer_norm)
            sa.linear[0].weight, sa.linear[0].bias = lin(3 * d, d)
            sa.linear[1].weight, sa.linear[1].bias = lin(d, d)
            norm(layer.ffn.layer_norm)
            layer.ffn.linear_0.weight, layer.ffn.linear_0.bias = lin(ffn, d)
            layer.ffn.linear_1.weight, layer.ffn.linear_1.bias = lin(d, ffn)
            if hasattr(layer, "attention"):
                ca = layer.attention
                norm(ca.layer_norm)
                ca.linear[0].weight, ca.linear[0].bias = lin(d, d)
                ca.linear[1].weight, ca.linear[1].bias = lin(2 * d, d)
                ca.linear[2].weight, ca.linear[2].bias = lin(d, d)
    spec.encoder.embeddings[0].weight = rng.normal(0, 0.02, (v, d)).astype(np.float32)
    spec.decoder.embeddings.weight = rng.normal(0, 0.02, (v, d)).astype(np.float32)
    spec.decoder.projection.weight, spec.decoder.projection.bias = lin(v, d)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization="int8")
    name = "translate-en_xx-1_0"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        spec.save(str(model_dir))
        meta = {
            "package_version": "1.0",
            "from_code": "en",
            "to_code": "xx",
            "from_name": "English",
            "to_name": "X",
        }
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(meta))
            zf.writestr(f"{name}/sentencepiece.model", sp_bytes)
            for f in sorted(model_dir.iterdir()):
                zf.write(f, f"{name}/model/{f.name}")
    return dest


def example_sentences() -> list[str]:
    from pipeline.translate.segment import segment_body, segments_of
    from pipeline.translate.sentences import split_sentences

    out: list[str] = []
    for path in sorted(EXAMPLE.rglob("*.md")):
        body = path.read_text("utf-8").split("---\n", 2)[-1]
        for seg in segments_of(segment_body(body)):
            out.extend(s.strip() for s, _ in split_sentences(seg.source) if s.strip())
    return out


def argos_setup(tmp: Path, archive: Path) -> Any:
    """Import argostranslate with private dirs, install our package by plain extraction, patch it offline."""
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        os.environ[var] = str(tmp / var.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "argos-packages")
    os.environ["ARGOS_DEVICE_TYPE"] = "cpu"
    (tmp / "argos-packages").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp / "argos-packages")
    import ctranslate2
    from argostranslate import translate as at

    from pipeline.translate.sentences import split_sentences

    class OfflineSentencizer:
        def __init__(self, pkg: Any) -> None:
            self.pkg = pkg

        def split_sentences(self, text: str) -> list[str]:
            return [s for s, _ in split_sentences(text)]

    class ForcedLength:
        """Forwards to the real Translator; only adds the same forced decoding lengths we use."""

        tokens_out = 0

        def __init__(self, **params: Any) -> None:
            self.inner = ctranslate2.Translator(**params)

        def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> Any:
            longest = max(len(t) for t in tokens)
            kwargs["min_decoding_length"] = int(longest * RATIO)
            kwargs["max_decoding_length"] = int(longest * RATIO) + 1
            res = self.inner.translate_batch(tokens, **kwargs)
            ForcedLength.tokens_out += sum(len(r.hypotheses[0]) for r in res)
            return res

    class _CT2:
        Translator = ForcedLength

    at.MiniSBDSentencizer = OfflineSentencizer  # type: ignore[attr-defined,misc]
    at.ctranslate2 = _CT2  # type: ignore[attr-defined,assignment]
    return at, ForcedLength


def median_rate(fn: Any, repeats: int, useful: int) -> tuple[float, int]:
    """Median of useful target tokens per second (the same count for both sides: Σ int(1.1 × source tokens))."""
    rates, produced = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        produced = fn()
        rates.append(useful / (time.perf_counter() - start))
    return statistics.median(rates), produced


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=120)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not EXAMPLE.is_dir():
        print("skip: example site not found at", EXAMPLE)
        return 0
    if not CORPORA.is_dir():
        print(f"note: {CORPORA} absent; SentencePiece trained on the example site only")
    tmp = Path(tempfile.mkdtemp(prefix="bench-translate-"))
    os.environ["PIPELINE_STATE_DIR"] = str(tmp / "state")
    try:
        t0 = time.perf_counter()
        sp_bytes = train_sp(tmp)
        t1 = time.perf_counter()
        archive = build_base_package(tmp / "base.argosmodel", sp_bytes)
        print(f"train_sentencepiece {t1 - t0:.2f} s -")
        print(f"build_package {time.perf_counter() - t1:.2f} s -")
        from pipeline.translate.engine import EngineSettings, PairTranslator
        from pipeline.translate.packages import install_from_file

        pkg = install_from_file(tmp / "state", archive)
        sentences = example_sentences()[: args.sentences]
        import sentencepiece as spm

        pkg_sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
        threads = os.cpu_count() or 1

        def ours(beam: int) -> Any:
            tr = PairTranslator(
                pkg,
                EngineSettings(
                    beam_size=beam, threads=threads, min_length_ratio=RATIO, max_length_ratio=RATIO
                ),
            )

            def run() -> int:
                before = tr.tokens_out
                tr.translate(sentences)
                return tr.tokens_out - before

            return run

        at, counter = argos_setup(tmp, archive)
        at.get_installed_languages.cache_clear()
        langs = {lang.code: lang for lang in at.get_installed_languages()}
        argos_tr = langs["en"].get_translation(langs["xx"])

        def argos() -> int:
            before = counter.tokens_out
            for s in sentences:
                argos_tr.translate(s)
            return int(counter.tokens_out - before)

        argos_tr.translate(sentences[0])  # load the model outside the timings
        useful = sum(int(len(pkg_sp.encode(s)) * RATIO) for s in sentences)
        argos_rate, argos_tokens = median_rate(argos, args.repeats, useful)
        greedy_rate, greedy_tokens = median_rate(ours(1), args.repeats, useful)
        beam2_rate, _ = median_rate(ours(2), args.repeats, useful)
        print(f"sentences {len(sentences)} count -")
        print(f"argos_translate_tokens_per_s {argos_rate:.0f} tokens/s 1.00")
        print(f"ours_greedy_tokens_per_s {greedy_rate:.0f} tokens/s {greedy_rate / argos_rate:.2f}")
        print(f"ours_beam2_tokens_per_s {beam2_rate:.0f} tokens/s {beam2_rate / argos_rate:.2f}")
        print(f"useful_target_tokens {useful} tokens -")
        print(f"produced_target_tokens_ours_greedy {greedy_tokens} tokens -")
        print(f"produced_target_tokens_argos {argos_tokens} tokens -")
        print(f"rerun_model_calls {rerun_calls(tmp, threads)} calls -")
        apertium_report(args.repeats)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def apertium_report(repeats: int) -> None:
    """Sentences per second through Apertium, a whole post per call; the start-up is a one-word call."""
    from pipeline.translate.apertium import ApertiumEngine, find_mode
    from pipeline.translate.segment import Segment, segment_body, segments_of
    from pipeline.translate.sentences import split_sentences

    mode, why = find_mode("en", "es")
    if not mode:
        print(f"apertium skipped: {why}")
        return
    posts = []
    for path in sorted(EXAMPLE.glob("posts/*.md")):
        body = path.read_text("utf-8").split("---\n", 2)[-1]
        posts.append(segments_of(segment_body(body)))
    sentences = sum(len(split_sentences(s.template)) for post in posts for s in post)
    engine = ApertiumEngine(mode)
    startup = statistics.median(
        _timed(lambda: engine.translate_batch([Segment("s", "Hello.", [])])) for _ in range(5)
    )
    rates = []
    for _ in range(repeats):
        took = _timed(lambda: [engine.translate_batch(post) for post in posts])
        rates.append(sentences / took)
    print(f"apertium_sentences {sentences} count -")
    print("apertium_posts_per_call 1 post -")
    print(f"apertium_sentences_per_s {statistics.median(rates):.0f} sentences/s -")
    print(f"apertium_call_startup_s {startup:.2f} s -")


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rerun_calls(tmp: Path, threads: int) -> int:
    """Translate two example posts with the stage, then again unchanged: the second run's model calls."""
    from pipeline.config import load_config
    from pipeline.stages import Context
    from pipeline.translate.stage import run_stage

    site = tmp / "site"
    for path in sorted(EXAMPLE.rglob("*.md"))[:2]:
        dest = site / path.relative_to(EXAMPLE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest)
    overrides = {
        "site": {"content_dir": str(site), "languages": {"en": {}, "xx": {}}},
        "translate": {"languages": ["xx"], "beam_size": 1, "threads": threads, "keys": ["title"]},
    }
    from pipeline.translate.engine import EngineSettings

    forced = EngineSettings(beam_size=1, threads=threads, min_length_ratio=RATIO, max_length_ratio=RATIO)
    run_stage(Context(config=load_config(None, overrides=overrides)), settings=forced)
    second = run_stage(Context(config=load_config(None, overrides=overrides)), settings=forced)
    return second.counts["model_calls"]


if __name__ == "__main__":
    raise SystemExit(main())

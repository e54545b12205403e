"""CTranslate2 + SentencePiece straight from an installed Argos package, batched and sorted by length.

Why not `argostranslate.translate`: it splits with MiniSBD (downloads at first use), translates about one
sentence per batch with beam 4, and its decoder turns every `_` into a space. Here every pending sentence of a
language pair is sorted by length, cut into token-budget batches and decoded with SentencePiece itself.

Threading: one single-threaded model replica per core (`inter_threads`), batches submitted asynchronously,
costliest first, rather than one replica spreading each batch over cores (`intra_threads`). On 2 cores this
roughly doubled greedy throughput in the benchmark: transformer-base matrices for a few hundred tokens are too
small to split well, and intra-op threads spin against each other on a busy machine. Translators are cached per
(package, settings) for the life of the process.

Confidence: CTranslate2 returns each hypothesis' score (`return_scores=True`), its log-probability divided by
its length (length penalty 1, the default), i.e. the mean log-probability per target token. A segment's
confidence is exp of the token-weighted mean over its sentences (a pivot adds both hops' log-probabilities):
the geometric-mean probability the model gave each token it wrote, 0..1.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pipeline.langtags import primary
from pipeline.translate.machine import EngineOutput, glue_like_source, placeholders_exact
from pipeline.translate.packages import InstalledPackage, find_package
from pipeline.translate.segment import PLACEHOLDER_RE, Segment
from pipeline.translate.sentences import split_sentences

PIVOT = "en"
MAX_DECODING = 1024


@dataclass(frozen=True)
class EngineSettings:
    beam_size: int = 2
    threads: int = 0  # model replicas (one core each); 0 = all cores
    max_batch_tokens: int = 1024
    compute_type: str = "int8"
    min_length_ratio: float = 0.0  # benchmarks force output length (random weights never emit </s>)
    max_length_ratio: float = 0.0


class PairTranslator:
    """One package's model and tokenizer; `translate` sends sentences to the model in token batches."""

    def __init__(self, pkg: InstalledPackage, settings: EngineSettings) -> None:
        import ctranslate2
        import sentencepiece as spm

        self.pkg = pkg
        self.settings = settings
        self.sp = spm.SentencePieceProcessor(model_file=str(pkg.sp_model))
        self.workers = settings.threads or os.cpu_count() or 1
        self.model = ctranslate2.Translator(
            str(pkg.model_dir),
            device="cpu",
            compute_type=settings.compute_type,
            inter_threads=self.workers,
            intra_threads=1,
        )
        meta: dict[str, Any] = {}
        try:
            meta = json.loads((pkg.path / "metadata.json").read_text("utf-8"))
        except (OSError, ValueError):
            meta = {}
        prefix = meta.get("target_prefix")
        self.target_prefix = prefix if isinstance(prefix, str) and prefix else None
        self.calls = 0  # sentences sent to the model
        self.batches = 0
        self.tokens_out = 0  # target tokens produced (benchmarks report tokens/s)
        self._lock = threading.Lock()

    def translate(self, sentences: Sequence[str], errors: dict[int, str] | None = None) -> list[str]:
        """Translations in input order (see `translate_scored`)."""
        return self.translate_scored(sentences, errors)[0]

    def translate_scored(
        self, sentences: Sequence[str], errors: dict[int, str] | None = None
    ) -> tuple[list[str], list[float]]:
        """Translations in input order and each one's mean log-probability per token. With `errors`, a
        sentence the model fails on (a paragraph longer than its positions, an out-of-memory) gets "" and
        `errors[index]` says why, and every other sentence is still translated; without it the first failure
        raises."""
        if not sentences:
            return [], []
        tokens = [self.sp.encode(s, out_type=str) for s in sentences]
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        ordered = [tokens[i] for i in order]
        # Enough batches to keep every replica busy, never more tokens per batch than configured.
        total = sum(len(t) + 1 for t in ordered)
        budget = max(16, min(self.settings.max_batch_tokens, -(-total // self.workers) + 1))
        spread = 1.25 if self.settings.min_length_ratio else 0.0
        batches = _batches(ordered, budget, spread)
        failed: dict[int, str] = {}  # position in `ordered` → error
        with self._lock:
            # Costliest first (longest-processing-time order) so no replica is left with the big one at the end.
            by_cost = sorted(range(len(batches)), key=lambda b: -len(batches[b]) * max(map(len, batches[b])))
            pending: dict[int, list[Any] | Exception] = {}
            for b in by_cost:
                try:
                    pending[b] = self._submit(batches[b])
                except Exception as exc:  # CTranslate2 checks some inputs before it queues them
                    if errors is None:
                        raise
                    pending[b] = exc
            results: list[tuple[list[str], float]] = []
            for b in range(len(batches)):
                try:
                    got = pending[b]
                    if isinstance(got, Exception):
                        raise got
                    results.extend(self._collect(got))
                except Exception as exc:  # native code: any failure of one batch must not lose the others
                    if errors is None:
                        raise
                    results.extend(self._one_by_one(batches[b], len(results), failed, exc))
            self.calls += len(tokens)
        out = [""] * len(sentences)
        scores = [0.0] * len(sentences)
        for pos, idx in enumerate(order):
            if pos in failed:
                assert errors is not None
                errors[idx] = failed[pos]
                continue
            hyp, scores[idx] = results[pos]
            if self.target_prefix and hyp and hyp[0] == self.target_prefix:
                hyp = hyp[1:]
            out[idx] = self.sp.decode(hyp)
        return out, scores

    def _submit(self, batch: list[list[str]]) -> list[Any]:
        """One asynchronous model call; decoding limits follow this batch's longest source (sorted input keeps
        them close)."""
        st = self.settings
        longest = max(len(t) for t in batch)
        kwargs: dict[str, Any] = {
            "beam_size": st.beam_size,
            # 0: never truncate. CTranslate2 cuts inputs at 1,024 tokens by default, silently dropping the rest
            # of an over-long sentence from the draft; a model error is reported per segment instead.
            "max_input_length": 0,
            "max_decoding_length": min(MAX_DECODING, int(longest * (st.max_length_ratio or 2.0)) + 10),
            "return_scores": True,
        }
        if st.min_length_ratio:
            kwargs["min_decoding_length"] = int(longest * st.min_length_ratio)
            kwargs["max_decoding_length"] = kwargs["min_decoding_length"] + 1
        if self.target_prefix:
            kwargs["target_prefix"] = [[self.target_prefix]] * len(batch)
        self.batches += 1
        return list(self.model.translate_batch(batch, asynchronous=True, **kwargs))

    def _one_by_one(
        self, batch: list[list[str]], start: int, failed: dict[int, str], first: Exception
    ) -> list[tuple[list[str], float]]:
        """A failed batch again, one sentence at a time, so only the sentences that fail alone are lost."""
        if len(batch) == 1:
            failed[start] = _why(first)
            return [([], 0.0)]
        out: list[tuple[list[str], float]] = []
        for i, toks in enumerate(batch):
            try:
                out.extend(self._collect(self._submit([toks])))
            except Exception as exc:  # see translate(): native code
                failed[start + i] = _why(exc)
                out.append(([], 0.0))
        return out

    def _collect(self, pending: list[Any]) -> list[tuple[list[str], float]]:
        got = [r.result() for r in pending]
        hyps = [(list(r.hypotheses[0]), float(r.scores[0]) if r.scores else 0.0) for r in got]
        self.tokens_out += sum(len(h) for h, _ in hyps)
        return hyps


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


_CACHE: dict[tuple[Path, int, int, EngineSettings], PairTranslator] = {}
_CACHE_LOCK = threading.Lock()


def get_translator(pkg: InstalledPackage, settings: EngineSettings) -> PairTranslator:
    """One translator per pair (and settings) per process: loading a model costs far more than a batch.

    The key includes the model file's inode and mtime, so a package reinstalled in place is loaded afresh."""
    st = (pkg.model_dir / "model.bin").stat()
    key = (pkg.path.resolve(), st.st_ino, st.st_mtime_ns, settings)
    with _CACHE_LOCK:
        tr = _CACHE.get(key)
        if tr is None:
            tr = PairTranslator(pkg, settings)
            _CACHE[key] = tr
        return tr


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _batches(tokens: list[list[str]], budget: int, spread: float = 0.0) -> list[list[list[str]]]:
    """Consecutive (length-sorted) sentences grouped so each batch holds at most `budget` tokens.

    With `spread` (forced output lengths, benchmarks only) no sentence exceeds `spread` × the batch's shortest
    (+4), so forcing the batch's longest length does not inflate short sentences' outputs."""
    out: list[list[list[str]]] = []
    current: list[list[str]] = []
    size = 0
    for toks in tokens:
        cost = len(toks) + 1
        if current and (size + cost > budget or (spread and len(toks) > len(current[0]) * spread + 4)):
            out.append(current)
            current, size = [], 0
        current.append(toks)
        size += cost
    if current:
        out.append(current)
    return out


def _package(state_dir: Path, src: str, tgt: str) -> InstalledPackage | None:
    """The installed package for the site's codes (`zh_tw` is Argos's `zt`, see pipeline.langtags)."""
    return find_package(state_dir, src, tgt)


def find_route(state_dir: Path, src: str, tgt: str) -> list[InstalledPackage] | None:
    """Direct package, else a pivot through English as Argos does; None when neither is installed."""
    direct = _package(state_dir, src, tgt)
    if direct:
        return [direct]
    if PIVOT not in (primary(src), primary(tgt)):
        first, second = _package(state_dir, src, PIVOT), _package(state_dir, PIVOT, tgt)
        if first and second:
            return [first, second]
    return None


@dataclass
class Engine:
    """Argos: segment templates for one language pair through its route (1 package, or 2 through English)."""

    route: list[PairTranslator]
    calls: int = 0
    name: ClassVar[str] = "argos"

    @classmethod
    def for_pair(cls, state_dir: Path, src: str, tgt: str, settings: EngineSettings) -> Engine | None:
        route = find_route(state_dir, src, tgt)
        if route is None:
            return None
        return cls([get_translator(pkg, settings) for pkg in route])

    @property
    def model_id(self) -> str:
        return "+".join(t.pkg.model_id for t in self.route)

    def translate_sentences(
        self, sentences: Sequence[str], errors: dict[str, str] | None = None
    ) -> list[str]:
        return self.translate_scored(sentences, errors)[0]

    def translate_scored(
        self, sentences: Sequence[str], errors: dict[str, str] | None = None
    ) -> tuple[list[str], list[float]]:
        """Unique sentences through every hop, with their log-probability per token summed over the hops;
        empty/space-only sentences never reach the model (and score 0: certain).

        With `errors`, sentences the model fails on map to their error there (and to "" in the output)."""
        unique = list(dict.fromkeys(s for s in sentences if s.strip()))
        current = unique
        logp = [0.0] * len(unique)
        alive = list(range(len(unique)))  # indices into `unique` still in the route
        for hop in self.route:
            hop_errors: dict[int, str] | None = {} if errors is not None else None
            current, scores = hop.translate_scored(current, hop_errors)
            self.calls += len(unique)
            for i, score in enumerate(scores):
                logp[alive[i]] += score
            if hop_errors and errors is not None:
                for i, why in hop_errors.items():
                    errors[unique[alive[i]]] = why
                keep = [i for i in range(len(current)) if i not in hop_errors]
                current = [current[i] for i in keep]
                alive = [alive[i] for i in keep]
        table = {unique[i]: (out, logp[i]) for i, out in zip(alive, current, strict=True)}
        texts = [table[s][0] if s in table else ("" if errors and s in errors else s) for s in sentences]
        return texts, [table[s][1] if s in table else 0.0 for s in sentences]

    def translate_batch(self, segments: Sequence[Segment]) -> EngineOutput:
        """Templates translated sentence by sentence, each with a confidence (see the module docstring).

        A template whose output drops or duplicates a placeholder is retranslated piece by piece (the text
        between placeholders), with placeholders put back in source order, and flagged as a fallback.
        """
        templates = [s.template for s in segments]
        split = [split_sentences(t) for t in templates]
        flat = [s.strip() for pairs in split for s, _ in pairs]
        errors: dict[str, str] = {}
        texts, scores = self.translate_scored(flat, errors)
        translated = iter(zip(texts, scores, strict=True))
        result = EngineOutput(list(templates), [None] * len(templates))
        for i, pairs in enumerate(split):
            pieces: list[str] = []
            weights: list[tuple[float, int]] = []
            failed = ""
            for sentence, sep in pairs:
                lead = sentence[: len(sentence) - len(sentence.lstrip())]
                text, score = next(translated)
                pieces.append(lead + text + sep)
                weights.append((score, len(text)))
                failed = failed or errors.get(sentence.strip(), "")
            if failed:
                result.errors[i] = failed
                continue
            result.texts[i] = glue_like_source(
                templates[i], "".join(pieces), self.route[-1].pkg.to_code if self.route else ""
            )
            result.confidences[i] = _confidence(weights)
        redo = [
            i
            for i in range(len(templates))
            if i not in result.errors
            and not placeholders_exact(result.texts[i], len(segments[i].placeholders))
        ]
        if redo:
            self._pieces(templates, redo, result)
        return result

    def _pieces(self, templates: list[str], redo: list[int], result: EngineOutput) -> None:
        chunks = [PLACEHOLDER_RE.split(templates[i]) for i in redo]
        texts = [c for chunk in chunks for j, c in enumerate(chunk) if j % 2 == 0]
        piece_errors: dict[str, str] = {}
        outs, scores = self.translate_scored([t.strip() for t in texts], piece_errors)
        done = iter(zip(outs, scores, strict=True))
        for i, chunk in zip(redo, chunks, strict=True):
            failed = next((piece_errors[c.strip()] for c in chunk[::2] if c.strip() in piece_errors), "")
            if failed:
                for _ in chunk[::2]:
                    next(done)
                result.texts[i], result.confidences[i] = templates[i], None
                result.errors[i] = failed
                continue
            out: list[str] = []
            weights: list[tuple[float, int]] = []
            for j, c in enumerate(chunk):
                if j % 2 == 0:
                    t, score = next(done)
                    lead = c[: len(c) - len(c.lstrip())]
                    trail = c[len(c.rstrip()) :]
                    out.append(lead + t + trail if c.strip() else c)
                    if c.strip():
                        weights.append((score, len(t)))
                else:
                    out.append(f"⟦{c}⟧")
            result.texts[i] = "".join(out)
            result.confidences[i] = _confidence(weights)
            result.fallbacks.add(i)


def _confidence(weights: list[tuple[float, int]]) -> float | None:
    """exp of the length-weighted mean log-probability per token, 0..1 (None: nothing was translated)."""
    total = sum(max(n, 1) for _, n in weights)
    if not weights or not total:
        return None
    mean = sum(score * max(n, 1) for score, n in weights) / total
    return round(min(1.0, math.exp(mean)), 4)

"""Translate on Ray: one actor per worker slot holds the CTranslate2 models, the driver keeps everything else.

The driver (the process running the stage) does what it does locally — segmenting, the translation memory,
SentencePiece lengths, cutting the pending sentences into the same token-budget batches, QA, drafts — and only
the model calls travel: each batch, costliest first, goes to whichever actor has room (two batches queued per
actor, so none idles between them). An actor loads a model once, on its first batch for it, and keeps it for
the stage run. The memory and the drafts are written by the driver only.

Same results as local: the batches are cut by the same rule (`engine._batches`, the same budget for the same
number of slots), and an actor runs each batch through `PairTranslator.translate` with one replica, which sends
it to the model as the one batch it is — the same model call the local engine makes — and decodes it the same
way. (A cluster with a different number of slots than this machine has cores cuts different batches; CTranslate2
can then differ in rare last-digit ties, as it can between two local machines.)

Models travel through the object store: the package folder is packed once per run and each node unpacks it
into a cache folder named by its digest, so nodes need no `pipeline models install` of their own.

A dead actor (its worker or node killed) loses nothing: its queued and running batches go back to the front of
the queue for the other actors, and a replacement actor is started, used once Ray has placed it.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.compute.cluster import connect, slots
from pipeline.translate.engine import Engine, EngineSettings, PairTranslator, _batches, find_route
from pipeline.translate.packages import InstalledPackage

if TYPE_CHECKING:
    from pipeline.config import Config

MODEL_DIR_ENV = "PIPELINE_RAY_MODEL_DIR"  # where nodes unpack models (default: <tmp>/pipeline-ray-models)
QUEUED_PER_ACTOR = 2
NO_SLOT_TIMEOUT_S = 300.0  # every actor gone and none placed again for this long: give up


@dataclass(frozen=True)
class Model:
    """A package as the actors know it: its digest names it; `blob` is the packed folder in the object store."""

    digest: str
    from_code: str
    to_code: str
    version: str
    blob: Any  # ObjectRef: nested in this object, Ray hands it over as a reference and fetches nothing


def pack(pkg: InstalledPackage) -> tuple[str, bytes]:
    """The package folder as an uncompressed tar (int8 weights barely compress) and its SHA-256."""
    digest = hashlib.sha256()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(p for p in pkg.path.rglob("*") if p.is_file()):
            rel = path.relative_to(pkg.path).as_posix()
            data = path.read_bytes()
            digest.update(rel.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return digest.hexdigest(), buf.getvalue()


def unpack(digest: str, data: bytes) -> Path:
    """The package in this node's cache, unpacked once (atomically: into a temp folder, then renamed)."""
    root = Path(os.environ.get(MODEL_DIR_ENV) or Path(tempfile.gettempdir()) / "pipeline-ray-models")
    target = root / digest
    if (target / "metadata.json").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".unpack-{digest[:12]}-", dir=root))
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(work, filter="data")
        try:
            work.rename(target)
        except OSError:  # another actor on this node got there first
            if not (target / "metadata.json").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


class ModelSlot:
    """The actor: one worker slot, one single-threaded replica of each model it has been asked to use."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = replace(settings, threads=1)
        self.models: dict[str, PairTranslator] = {}

    def ready(self) -> bool:
        return True

    def translate(
        self, model: Model, sentences: list[str]
    ) -> tuple[list[str], list[float], dict[int, str], int]:
        """One batch: the translations, their scores (mean log-probability per token), the sentences the model
        failed on (index → why), target tokens."""
        tr = self.models.get(model.digest)
        if tr is None:
            import ray

            folder = unpack(model.digest, ray.get(model.blob))
            pkg = InstalledPackage(model.from_code, model.to_code, model.version, folder)
            tr = self.models[model.digest] = PairTranslator(pkg, self.settings)
        errors: dict[int, str] = {}
        before = tr.tokens_out
        out, scores = tr.translate_scored(sentences, errors)
        return out, scores, errors, tr.tokens_out - before


class Slots:
    """The stage run's actors (created on first use, one per slot) and its packed models; `close()` ends them,
    so the CPUs they hold go back to the cluster for the next stage."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.ray = connect(config)
        self.actors: dict[EngineSettings, list[Any]] = {}
        self.models: dict[tuple[Path, int, int], Model] = {}
        self.replaced = 0  # actors that died and were replaced (tests and benchmarks read it)
        self._cls: Any = None

    def engine(self, state_dir: Path, src: str, tgt: str, settings: EngineSettings) -> Engine | None:
        route = find_route(state_dir, src, tgt)
        if route is None:
            return None
        return Engine([RayPairTranslator(pkg, settings, self) for pkg in route])

    def width(self, settings: EngineSettings) -> int:
        """How many actors work for `settings`: translate.threads, or one per slot of the cluster."""
        return settings.threads or slots(self.ray)

    def model(self, pkg: InstalledPackage) -> Model:
        st = (pkg.model_dir / "model.bin").stat()
        key = (pkg.path.resolve(), st.st_ino, st.st_mtime_ns)
        if key not in self.models:
            digest, data = pack(pkg)
            ref = self.ray.put(data)
            self.models[key] = Model(digest, pkg.from_code, pkg.to_code, pkg.version, ref)
        return self.models[key]

    def _start(self, settings: EngineSettings) -> Any:
        if self._cls is None:
            self._cls = self.ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(ModelSlot)
        return self._cls.remote(settings)

    def run(self, settings: EngineSettings, model: Model, jobs: Sequence[list[str]]) -> list[Any]:
        """Each job (a batch of sentences, costliest first) through some actor; results in job order."""
        ray = self.ray
        from ray.exceptions import RayActorError

        actors = self.actors.setdefault(settings, [])
        actors += [self._start(settings) for _ in range(min(self.width(settings), len(jobs)) - len(actors))]
        starting = {a.ready.remote(): a for a in self.actors[settings]}
        live: dict[Any, int] = {}  # actor → batches queued on it
        queue = deque(range(len(jobs)))
        results: list[Any] = [None] * len(jobs)
        inflight: dict[Any, tuple[Any, int]] = {}
        idle_since = time.monotonic()
        while queue or inflight:
            for actor in list(live):
                while live[actor] < QUEUED_PER_ACTOR and queue:
                    job = queue.popleft()
                    inflight[actor.translate.remote(model, jobs[job])] = (actor, job)
                    live[actor] += 1
            waiting = [*inflight, *starting]
            if live:
                idle_since = time.monotonic()
            elif not waiting or time.monotonic() - idle_since > NO_SLOT_TIMEOUT_S:
                raise RuntimeError("no Ray actor could be placed to translate (see `ray status`)")
            done, _ = ray.wait(waiting, num_returns=1, timeout=10.0)
            for ref in done:
                if ref in starting:
                    actor = starting.pop(ref)
                    try:
                        ray.get(ref)
                        live[actor] = 0
                    except RayActorError:
                        self._drop(settings, actor)
                    continue
                actor, job = inflight.pop(ref)
                try:
                    results[job] = ray.get(ref)
                    live[actor] -= 1
                except RayActorError:
                    # The actor's worker or node died: its batches go first to the others, and a new actor
                    # takes its place once Ray can place one.
                    queue.appendleft(job)
                    if actor in live:
                        del live[actor]
                        self._drop(settings, actor)
                        fresh = self._start(settings)
                        self.actors[settings].append(fresh)
                        starting[fresh.ready.remote()] = fresh
                        self.replaced += 1
        return results

    def _drop(self, settings: EngineSettings, actor: Any) -> None:
        if actor in self.actors[settings]:
            self.actors[settings].remove(actor)
        self.ray.kill(actor, no_restart=True)

    def close(self) -> None:
        for actors in self.actors.values():
            for actor in actors:
                self.ray.kill(actor, no_restart=True)
        self.actors.clear()
        self.models.clear()


class RayPairTranslator(PairTranslator):
    """A `PairTranslator` whose model calls run in the Slots' actors; everything else stays here."""

    def __init__(self, pkg: InstalledPackage, settings: EngineSettings, slots: Slots) -> None:
        import sentencepiece as spm

        # Not PairTranslator.__init__: the driver loads no model, only the tokenizer for the batch lengths.
        self.pkg = pkg
        self.settings = settings
        self.slots = slots
        self.sp = spm.SentencePieceProcessor(model_file=str(pkg.sp_model))
        self.workers = slots.width(settings)
        self.calls = self.batches = self.tokens_out = 0

    def translate_scored(
        self, sentences: Sequence[str], errors: dict[int, str] | None = None
    ) -> tuple[list[str], list[float]]:
        if not sentences:
            return [], []
        # The local engine's batching (PairTranslator.translate), keeping each batch's sentence positions.
        tokens = [self.sp.encode(s, out_type=str) for s in sentences]
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        ordered = [tokens[i] for i in order]
        total = sum(len(t) + 1 for t in ordered)
        budget = max(16, min(self.settings.max_batch_tokens, -(-total // self.workers) + 1))
        spread = 1.25 if self.settings.min_length_ratio else 0.0
        batches = _batches(ordered, budget, spread)
        starts = [0]
        for batch in batches:
            starts.append(starts[-1] + len(batch))
        by_cost = sorted(range(len(batches)), key=lambda b: -len(batches[b]) * max(map(len, batches[b])))
        jobs = [[sentences[order[p]] for p in range(starts[b], starts[b + 1])] for b in by_cost]
        done = self.slots.run(self.settings, self.slots.model(self.pkg), jobs)
        out = [""] * len(sentences)
        scores = [0.0] * len(sentences)
        for b, (texts, batch_scores, failed, produced) in zip(by_cost, done, strict=True):
            self.tokens_out += produced
            for j, text in enumerate(texts):
                idx = order[starts[b] + j]
                scores[idx] = batch_scores[j]
                if j in failed:
                    if errors is None:
                        raise RuntimeError(f"the model failed on a sentence: {failed[j]}")
                    errors[idx] = failed[j]
                else:
                    out[idx] = text
        self.batches += len(batches)
        self.calls += len(tokens)
        return out, scores

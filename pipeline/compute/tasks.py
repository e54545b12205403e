"""Chunks of work as Ray tasks: the Ray counterpart of a stage's `pool.map`, for validate and cards.

Each chunk is one task holding one CPU; `shared` (the validate environment, say) goes into the object store
once and every task reads it from there. Results come back in chunk order, whatever order the tasks finished
in, and the stage writes them afterwards — gather first, then write, as with local pools.

A task whose worker process or node dies (a kill -9, the OOM killer, a lost machine) is run again elsewhere by
Ray (`max_retries`); tasks are pure functions of their input, so a retry gives the same result. An exception
raised by our own code is not retried: it is a bug and surfaces as one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.compute.cluster import connect, in_dir

if TYPE_CHECKING:
    from pipeline.config import Config

T = TypeVar("T")
R = TypeVar("R")
RETRIES = 5  # system failures (a dead worker or node) per task; each retry goes wherever a CPU is free

_REMOTE: dict[str, Any] = {}


def _run_chunk(
    cwd: str, fn: Callable[[Any, list[Any]], list[Any]], shared: Any, chunk: list[Any]
) -> list[Any]:
    return list(in_dir(cwd, fn, shared, chunk))


def _remote(ray: Any) -> Any:
    if "chunk" not in _REMOTE:
        _REMOTE["chunk"] = ray.remote(num_cpus=1, max_retries=RETRIES, retry_exceptions=False)(_run_chunk)
    return _REMOTE["chunk"]


def map_chunks(
    config: Config,
    fn: Callable[[Any, list[T]], list[R]],
    chunks: Sequence[list[T]],
    shared: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[R]]:
    """`[fn(shared, chunk) for chunk in chunks]`, each call a Ray task; `fn` must be a module-level function.

    `progress(done, total)` counts finished chunks as they arrive."""
    ray = connect(config)
    if not chunks:
        return []
    shared_ref = ray.put(shared)
    remote = _remote(ray)
    cwd = os.getcwd()
    refs = [remote.remote(cwd, fn, shared_ref, chunk) for chunk in chunks]
    index = {ref: i for i, ref in enumerate(refs)}
    results: list[list[R] | None] = [None] * len(refs)
    pending = list(refs)
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        for ref in ready:
            results[index[ref]] = ray.get(ref)
        if progress is not None:
            progress(len(refs) - len(pending), len(refs))
    return [r if r is not None else [] for r in results]

"""Stage contract shared by the CLI, `pipeline run` and the web UI.

A stage function takes a `Context` and returns a `StageResult`. A stage that cannot run (no credentials, no
language package) raises `StageSkipped` with a one-line reason — the scrapy `NotConfigured` habit — and the run
goes on. Stage code never prints or exits: it returns data and the CLI decides how to show it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.findings import Finding

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.content import ContentSet
    from pipeline.store import Store

Status = Literal["done", "skipped", "failed"]

# The order `pipeline run` executes; one explicit tuple, as the design asks.
STAGE_ORDER: tuple[str, ...] = ("validate", "translate", "cards", "social", "build", "crawl")


class StageSkipped(Exception):
    """The stage switched itself off; the message says why and what to do about it."""


class StageUnavailable(StageSkipped):
    """The stage is not built yet in this version."""


@dataclass
class Context:
    """Everything a stage needs, built once per command: config, loaded content, store, progress callback."""

    config: Config
    quiet: bool = False
    _content: ContentSet | None = None
    _store: Store | None = None
    progress: Callable[[str, int, int], None] | None = None

    @property
    def content(self) -> ContentSet:
        if self._content is None:
            from pipeline.content import load_content

            self._content = load_content(self.config)
        return self._content

    def tick(self, stage: str, done: int, total: int) -> None:
        """Report progress; the CLI may draw a bar, tests and the web UI ignore it."""
        if self.progress is not None:
            self.progress(stage, done, total)

    @property
    def content_loaded(self) -> bool:
        return self._content is not None

    def reload_content(self) -> ContentSet:
        self._content = None
        return self.content

    @property
    def store(self) -> Store:
        if self._store is None:
            from pipeline.fsutil import private_dir
            from pipeline.store import open_store

            private_dir(self.config.state_dir, tighten=True)
            self._store = open_store(self.config.db_url)
        return self._store


@dataclass
class StageResult:
    stage: str
    status: Status = "done"
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def timed(stage: str, fn: Callable[[], StageResult]) -> StageResult:
    """Run one stage, turning StageSkipped into a skipped result and timing it."""
    start = time.perf_counter()
    try:
        result = fn()
    except StageSkipped as exc:
        result = StageResult(stage, "skipped", str(exc))
    result.seconds = time.perf_counter() - start
    return result

"""The stage contract shared by the CLI, `pipeline run` and the web UI.

A stage is a `Stage`: a name, a `run(ctx) -> StageResult`, what it reads and writes (documentation the runner
and docs show), and the rules its findings come from. A stage that cannot run (no credentials, no language
package) raises `StageSkipped` with a one-line reason — the scrapy `NotConfigured` habit — and the run goes
on. Stage code never prints or exits: it returns data and the CLI decides how to show it.

What stages hand each other travels in the `Context`: the loaded posts (re-read only where a stage says it
changed them, `StageResult.changed`), the store, and the preview site a build made (`ctx.preview_site`, which
crawl uses when the public site cannot be reached). The order is `pipeline.order.STAGES`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.findings import Finding
from pipeline.rules import Rule

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.content import ContentSet
    from pipeline.store import Store

Status = Literal["done", "skipped", "failed"]


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
    preview_site: Path | None = None  # set by the build stage: the folder it wrote

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

    def refresh(self, paths: Iterable[Path]) -> None:
        """Re-read only these files (a stage wrote them); the other posts stay as loaded."""
        if self._content is not None:
            self._content.refresh(paths, self.config)

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
    changed: list[Path] = field(default_factory=list)  # posts written or created: later stages re-read them


@dataclass(frozen=True)
class Stage:
    """One step of `pipeline run`. `reads`/`writes` name what it consumes and produces (posts, store tables,
    files, the preview site) so the order in pipeline.order can be checked by reading it."""

    name: str
    run: Callable[[Context], StageResult]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    rules: Mapping[str, Rule] = field(default_factory=dict)  # rule docs for its reports
    always_report: bool = False  # write report files even when the stage found nothing (a clean bill)
    compute: bool = False  # its heavy work runs where `compute.backend` says (local pools or Ray)


def timed(stage: str, fn: Callable[[], StageResult]) -> StageResult:
    """Run one stage, turning StageSkipped into a skipped result and timing it."""
    start = time.perf_counter()
    try:
        result = fn()
    except StageSkipped as exc:
        result = StageResult(stage, "skipped", str(exc))
    result.seconds = time.perf_counter() - start
    return result

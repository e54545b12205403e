"""Progress bars on stderr for work that takes longer than a second — never for quick runs, never when piped.

Stages report through `Context.tick(stage, done, total)`; only the CLI decides whether anything is drawn, so
stage code stays free of printing.
"""

from __future__ import annotations

import sys
import time
from typing import Any


class ProgressReporter:
    """Lazily opens a rich progress bar once a task has run for `delay` seconds."""

    def __init__(self, delay: float = 1.0) -> None:
        self.delay = delay
        self.started: dict[str, float] = {}
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        start = self.started.setdefault(stage, now)
        if self.progress is None:
            if now - start < self.delay or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self.progress.start()
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(task, completed=done, total=total)
        if done >= total:
            self.progress.remove_task(task)
            del self.tasks[stage]
            if not self.tasks:
                self.close()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def for_cli(quiet: bool) -> ProgressReporter | None:
    """A reporter when a person is watching (stderr is a terminal and --quiet is off)."""
    if quiet or not sys.stderr.isatty():
        return None
    return ProgressReporter()

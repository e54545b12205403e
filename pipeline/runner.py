"""`pipeline run`: every stage in order, each ending done, skipped with a reason, or failed — never a crash.

The runner knows stages only through the `Stage` contract: it runs each, re-reads the posts a stage says it
changed, and writes each stage's reports in every format the WRITERS table marks for runs. Reports land in
`site.reports_dir` with an HTML index linking each one, so a nightly job leaves one folder to publish or archive.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import ConfigError
from pipeline.fsutil import atomic_write_text
from pipeline.report import WRITERS, render
from pipeline.stages import Context, Stage, StageResult, StageSkipped

log = logging.getLogger(__name__)


def run_one(ctx: Context, stage: Stage) -> StageResult:
    start = time.perf_counter()
    try:
        result = stage.run(ctx)
    except StageSkipped as exc:
        result = StageResult(stage.name, "skipped", str(exc))
    except ConfigError:
        raise  # the user's to fix (exit 2), e.g. a Ray head that stopped answering: not one stage's failure
    except Exception as exc:  # one failing stage must not stop the others; the reason is recorded
        log.debug("stage %s failed", stage.name, exc_info=True)
        result = StageResult(stage.name, "failed", f"{type(exc).__name__}: {exc}")
        result.data["traceback"] = traceback.format_exc()
    result.seconds = time.perf_counter() - start
    if result.changed:
        ctx.refresh(result.changed)  # later stages see the drafts and card paths it wrote
    return result


def run_all(ctx: Context, stages: Sequence[Stage]) -> list[StageResult]:
    """Run the stages in order (pipeline.order.STAGES, or a selection of it)."""
    results: list[StageResult] = []
    for stage in stages:
        result = run_one(ctx, stage)
        results.append(result)
        write_stage_reports(ctx, stage, result)
    write_index(ctx, results)
    return results


def write_stage_reports(ctx: Context, stage: Stage, result: StageResult) -> None:
    if result.status != "done" or (not result.findings and not stage.always_report):
        return
    out = ctx.config.reports_root
    base = Path.cwd()
    for writer in (w for w in WRITERS.values() if w.in_run):
        path = out / f"{result.stage}.{writer.extension}"
        atomic_write_text(
            path,
            render(
                result.findings,
                writer.name,
                tool=f"pipeline-{result.stage}",
                rules=stage.rules,
                title=f"{result.stage} report",
                base_dir=base,
                summary=result.counts,
            ),
        )
        result.outputs.append(path)


def write_index(ctx: Context, results: list[StageResult]) -> Path:
    from pipeline.templating import report_env

    out = ctx.config.reports_root
    html = (
        report_env()
        .get_template("index.html")
        .render(
            site=ctx.config.site.name,
            results=results,
            rel=lambda p: (
                Path(p).relative_to(out).as_posix() if out in Path(p).parents else Path(p).as_posix()
            ),
        )
    )
    path = out / "index.html"
    atomic_write_text(path, html)
    return path

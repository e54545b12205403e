"""`pipeline run`: every stage in STAGE_ORDER, each ending done, skipped with a reason, or failed — never a crash.

Reports land in `site.reports_dir` with an HTML index linking each one, so a nightly job leaves one folder to
publish or archive.
"""

from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from pipeline.fsutil import atomic_write_text
from pipeline.report import WRITERS, render
from pipeline.rules import Rule
from pipeline.stages import STAGE_ORDER, Context, StageResult, StageSkipped

log = logging.getLogger(__name__)


def _stage_callable(name: str) -> Callable[[Context], StageResult] | None:
    try:
        module = importlib.import_module(f"pipeline.{name}.stage")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"pipeline.{name}"):
            return None
        raise
    fn = getattr(module, "run_stage", None)
    return fn if callable(fn) else None


def _reachable(url: str, timeout: float = 2.0) -> bool:
    """Can we open a TCP connection to the site's origin? (No request is sent.)"""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except (OSError, RuntimeError):  # RuntimeError: the test suite's network guard
        return False


def _call(name: str, ctx: Context, built: Path | None, preview: bool) -> StageResult:
    fn = _stage_callable(name)
    if fn is None:
        return StageResult(name, "skipped", f"the {name} stage is not built in this version")
    if name == "crawl":
        base = ctx.config.crawl.base_url or ctx.config.site.base_url
        if not preview and _reachable(base):
            return fn(ctx)
        if built is None:
            return StageResult(
                name,
                "skipped",
                f"{base} is not reachable and there is no preview build to crawl (run `pipeline build`)",
            )
        from pipeline.build.server import PreviewServer

        with PreviewServer(built) as url:
            # One history for every preview crawl of this site, whatever port the preview server got.
            result = fn(ctx, base_url=url, history_key=f"preview of {base}")  # type: ignore[call-arg]
        result.reason = result.reason or f"crawled the preview build at {url} ({base} not reachable)"
        return result
    return fn(ctx)


def run_all(ctx: Context, stages: tuple[str, ...] = STAGE_ORDER, preview: bool = False) -> list[StageResult]:
    """Run the stages in order. `preview=True` crawls the preview build even when the public site answers."""
    results: list[StageResult] = []
    built: Path | None = None
    for name in stages:
        start = time.perf_counter()
        try:
            result = _call(name, ctx, built, preview)
        except StageSkipped as exc:
            result = StageResult(name, "skipped", str(exc))
        except Exception as exc:  # one failing stage must not stop the others; the reason is recorded
            log.debug("stage %s failed", name, exc_info=True)
            result = StageResult(name, "failed", f"{type(exc).__name__}: {exc}")
            result.data["traceback"] = traceback.format_exc()
        result.seconds = time.perf_counter() - start
        results.append(result)
        if name == "build" and result.status == "done":
            built = Path(result.data["output"])
        if name in ("translate", "cards"):
            ctx.reload_content()  # drafts and card paths were written: later stages see them
        write_stage_reports(ctx, result)
    write_index(ctx, results)
    return results


def write_stage_reports(ctx: Context, result: StageResult) -> None:
    if result.status != "done" or (not result.findings and result.stage not in ("validate", "crawl")):
        return
    out = ctx.config.reports_root
    rules: dict[str, Rule] = {}
    if result.stage == "validate":
        from pipeline.validate.registry import all_rules

        rules = all_rules()
    base = Path.cwd()
    for writer in (w for w in WRITERS.values() if w.in_run):
        path = out / f"{result.stage}.{writer.extension}"
        atomic_write_text(
            path,
            render(
                result.findings,
                writer.name,
                tool=f"pipeline-{result.stage}",
                rules=rules,
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

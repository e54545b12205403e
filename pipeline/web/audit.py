"""Audit data for the web page: the latest validate and crawl runs, what is new or fixed, findings per night.

Reads the core `runs`/`run_findings` tables that `pipeline validate`, `pipeline crawl` and `pipeline run` fill;
"new" and "fixed" compare a run with the previous run of the same stage (for crawls, of the same site: the
history key the crawl stage itself compares by, so a preview crawled on a new port each night still has one
history here, as in the CLI report).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import desc, func, select

from pipeline.config import Config
from pipeline.crawl.history import history_key_of
from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.schema.core import run_findings, runs
from pipeline.store import Store

STAGES: tuple[str, ...] = ("validate", "crawl")


@dataclass
class Row:
    stage: str
    rule: str
    severity: str
    file: str | None
    line: int | None
    url: str | None
    lang: str | None
    message: str
    history: str  # new | open | fixed | "" (first run)
    shown: str = ""  # the file as a reader knows it: relative to the content folder when inside it


@dataclass
class RunInfo:
    id: int
    stage: str
    started_at: dt.datetime | None
    findings: int
    previous: int | None


@dataclass
class Audit:
    runs: list[RunInfo] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def _finished(conn: Any, stage: str, limit: int = 50) -> list[Any]:
    return list(
        conn.execute(
            select(runs.c.id, runs.c.summary, runs.c.started_at)
            .where(runs.c.stage == stage, runs.c.status == "done")
            .order_by(desc(runs.c.id))
            .limit(limit)
        )
    )


def _findings(conn: Any, run_id: int) -> list[Any]:
    return list(conn.execute(select(run_findings).where(run_findings.c.run_id == run_id)))


def _shown(file: str | None, content_root: Path | None) -> str:
    if not file:
        return ""
    if content_root is not None:
        path = Path(file) if Path(file).is_absolute() else Path.cwd() / file
        try:
            return path.resolve().relative_to(content_root).as_posix()
        except ValueError:
            pass
    return file


def latest(store: Store, content_root: Path | None = None) -> Audit:
    out = Audit()
    with store.connect() as conn:
        for stage in STAGES:
            recent = _finished(conn, stage)
            if not recent:
                continue
            last = recent[0]
            site = history_key_of(last.summary or {})
            prev = next(
                (r for r in recent[1:] if stage != "crawl" or history_key_of(r.summary or {}) == site),
                None,
            )
            now_rows = _findings(conn, last.id)
            before = {r.fingerprint: r for r in _findings(conn, prev.id)} if prev else None
            current = {r.fingerprint for r in now_rows}
            for r in now_rows:
                history = "" if before is None else ("open" if r.fingerprint in before else "new")
                out.rows.append(
                    Row(stage, r.rule, r.severity, r.file, r.line, r.url, r.lang, r.message, history)
                )
            for fp, r in (before or {}).items():
                if fp not in current:
                    out.rows.append(
                        Row(stage, r.rule, r.severity, r.file, r.line, r.url, r.lang, r.message, "fixed")
                    )
            out.runs.append(
                RunInfo(last.id, stage, last.started_at, len(now_rows), prev.id if prev else None)
            )
    for row in out.rows:
        row.shown = _shown(row.file, content_root)
    rank = {"error": 0, "warning": 1, "info": 2}
    out.rows.sort(
        key=lambda r: (r.history == "fixed", rank.get(r.severity, 3), r.file or r.url or "", r.line or 0)
    )
    return out


def nightly(store: Store, nights: int = 30) -> list[dict[str, Any]]:
    """Per UTC night, the finding count of each stage's last run that night (the chart's bars)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=nights)
    with store.connect() as conn:
        rows = list(
            conn.execute(
                select(runs.c.id, runs.c.stage, runs.c.started_at, func.count(run_findings.c.id).label("n"))
                .select_from(runs.outerjoin(run_findings, run_findings.c.run_id == runs.c.id))
                .where(runs.c.stage.in_(STAGES), runs.c.status == "done", runs.c.started_at >= since)
                .group_by(runs.c.id)
                .order_by(runs.c.id)
            )
        )
    per_night: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        if r.started_at is None:
            continue
        per_night[r.started_at.date().isoformat()][r.stage] = int(r.n)  # later runs overwrite earlier ones
    return [
        {"night": night, **{s: counts.get(s, 0) for s in STAGES}}
        for night, counts in sorted(per_night.items())
    ]


def chart(series: list[dict[str, Any]], width: int = 720, height: int = 180) -> dict[str, Any]:
    """Geometry for an inline SVG stacked bar chart (computed here so the template only draws)."""
    pad_l, pad_b, pad_t = 36, 22, 10
    top = max((sum(p[s] for s in STAGES) for p in series), default=0) or 1
    n = max(len(series), 1)
    slot = (width - pad_l) / n
    bar_w = max(min(slot * 0.7, 40), 2)
    plot_h = height - pad_b - pad_t
    bars = []
    for i, point in enumerate(series):
        x = pad_l + i * slot + (slot - bar_w) / 2
        y = height - pad_b
        for stage in STAGES:
            h = plot_h * point[stage] / top
            if h > 0:
                bars.append(
                    {
                        "x": round(x, 1),
                        "y": round(y - h, 1),
                        "w": round(bar_w, 1),
                        "h": round(h, 1),
                        "stage": stage,
                        "night": point["night"],
                        "n": point[stage],
                    }
                )
            y -= h
    labels = [
        {"x": round(pad_l + i * slot + slot / 2, 1), "text": p["night"][5:]}
        for i, p in enumerate(series)
        if n <= 10 or i % max(n // 8, 1) == 0
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "top": top,
        "base": height - pad_b,
        "pad_l": pad_l,
        "pad_t": pad_t,
    }


def source_file(config: Config, file: str) -> Path:
    """Resolve a finding's file (relative to where the CLI ran, or to the content folder) inside the site."""
    root = config.content_root
    candidates = (
        [Path(file)] if Path(file).is_absolute() else [Path.cwd() / file, config.root / file, root / file]
    )
    for cand in candidates:
        try:
            resolved = safe_join(root, str(cand.resolve()))
            if resolved.is_file():
                return resolved
        except (UnsafePathError, OSError, ValueError):  # OSError: a name over the file system's limit
            continue
    # The message goes to the browser: no absolute server paths in it.
    raise UnsafePathError(f"'{file}' is not a file inside the site's content folder")


def file_language(config: Config, path: Path) -> str:
    """The language a content file is written in, as the stages see it (folder, then `lang:`, then default)."""
    from pipeline.content import ContentError, load_post

    site = config.site
    try:
        return load_post(
            path, config.content_root, default_lang=site.default_language, languages=site.languages
        ).lang
    except ContentError:
        first = path.relative_to(config.content_root.resolve()).parts[0]
        return first if first in site.languages else site.default_language

"""Trends over the stored runs: findings per run for each history (a stage; for crawls, a site), optionally of
one rule, severity or language, and the geometry of the server-rendered SVG line chart that shows them.

Counts come from `run_counts` (written with each run), so a chart over 60 runs of 10,000 findings reads a few
hundred rows. The chart is plain SVG drawn by the template from the numbers here: nothing is fetched, no script.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from pipeline.rules import STAGE_OF
from pipeline.schema.core import run_counts
from pipeline.store import Store
from pipeline.web.audit_data import Filters, History, Scope

MAX_POINTS = 60  # runs per line: two months of nightly runs
SERIES_CLASSES = 8  # .series-0 … .series-7 in the stylesheet


@dataclass(frozen=True)
class Point:
    run_id: int
    at: dt.datetime | None
    count: int


@dataclass
class Line:
    label: str
    stage: str
    site: str
    points: list[Point] = field(default_factory=list)  # oldest first


def trend(store: Store, scope: Scope, f: Filters, max_points: int = MAX_POINTS) -> list[Line]:
    """One line per selected history: its last `max_points` runs, each with its finding count."""
    histories = scope.selected(f)
    ids = [r.id for h in histories for r in h.runs[:max_points]]
    if not ids:
        return []
    q = select(run_counts.c.run_id, func.sum(run_counts.c.n)).where(run_counts.c.run_id.in_(ids))
    if f.rule:
        q = q.where(run_counts.c.rule == f.rule)
    if f.severity:
        q = q.where(run_counts.c.severity == f.severity)
    if f.lang:
        q = q.where(run_counts.c.lang == f.lang)
    with store.connect() as conn:
        counts = {int(run): int(n or 0) for run, n in conn.execute(q.group_by(run_counts.c.run_id))}
    # A rule's own stage gets its line even at zero everywhere (a rule with nothing to report is good news);
    # other histories only where the rule occurs. Loading findings are reported by validate runs.
    home = STAGE_OF.get(f.rule)
    home = "validate" if home == "content" else home
    lines = []
    for h in histories:
        if f.rule and h.stage != home and not any(counts.get(r.id) for r in h.runs[:max_points]):
            continue
        points = [Point(r.id, r.started_at, counts.get(r.id, 0)) for r in reversed(h.runs[:max_points])]
        lines.append(Line(h.label, h.stage, h.site, points))
    return lines


def sparklines(store: Store, scope: Scope, f: Filters, runs: int = 12) -> dict[tuple[str, str], list[int]]:
    """(stage, rule) → counts over that stage's newest history's last `runs` runs, for every rule at once."""
    newest: dict[str, History] = {}
    for h in scope.selected(f):
        if h.stage not in newest or h.latest.id > newest[h.stage].latest.id:
            newest[h.stage] = h
    ids = {r.id: (h.stage, i) for h in newest.values() for i, r in enumerate(reversed(h.runs[:runs]))}
    if not ids:
        return {}
    q = (
        select(run_counts.c.run_id, run_counts.c.rule, func.sum(run_counts.c.n))
        .where(run_counts.c.run_id.in_(list(ids)))
        .group_by(run_counts.c.run_id, run_counts.c.rule)
    )
    if f.severity:
        q = q.where(run_counts.c.severity == f.severity)
    if f.lang:
        q = q.where(run_counts.c.lang == f.lang)
    out: dict[tuple[str, str], list[int]] = {}
    with store.connect() as conn:
        for run, rule, n in conn.execute(q):
            stage, i = ids[int(run)]
            series = out.setdefault((stage, rule), [0] * min(len(newest[stage].runs), runs))
            series[i] = int(n or 0)
    return out


def chart(lines: list[Line], width: int = 640, height: int = 200) -> dict[str, Any]:
    """Geometry for a line chart: x is the run's time, y the count; every run is a point with a tooltip."""
    pad_l, pad_r, pad_t, pad_b = 56, 12, 12, 24  # room on the left for a 5-digit count at phone text size
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    points = [p for line in lines for p in line.points]
    top = max((p.count for p in points), default=0) or 1
    stamps = [p.at.timestamp() for p in points if p.at is not None]
    t0, t1 = (min(stamps), max(stamps)) if stamps else (0.0, 0.0)

    def x_of(p: Point, i: int, n: int) -> float:
        if p.at is not None and t1 > t0:
            return pad_l + plot_w * (p.at.timestamp() - t0) / (t1 - t0)
        return pad_l + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_of(count: int) -> float:
        return pad_t + plot_h * (1 - count / top)

    drawn = []
    for k, line in enumerate(lines):
        n = len(line.points)
        dots = [
            {
                "x": round(x_of(p, i, n), 1),
                "y": round(y_of(p.count), 1),
                "count": p.count,
                "run": p.run_id,
                "when": p.at.strftime("%Y-%m-%d %H:%M UTC") if p.at else "",
            }
            for i, p in enumerate(line.points)
        ]
        dots.sort(key=lambda d: (d["x"], d["run"]))  # drawn left to right even if a run's clock went back
        drawn.append(
            {
                "label": line.label,
                "css": f"series-{k % SERIES_CLASSES}",
                "dots": dots,
                "path": " ".join(f"{d['x']},{d['y']}" for d in dots),
                "last": line.points[-1].count if line.points else 0,
            }
        )
    ticks: list[dict[str, Any]] = []
    if t1 > t0:
        fmt = "%d %b" if t1 - t0 >= 4 * 86400 else "%d %b %H:%M"
        for i in range(5):
            text = dt.datetime.fromtimestamp(t0 + (t1 - t0) * i / 4, dt.UTC).strftime(fmt)
            if not ticks or ticks[-1]["text"] != text:
                anchor = "start" if i == 0 else "end" if i == 4 else "middle"
                ticks.append({"x": round(pad_l + plot_w * i / 4, 1), "text": text, "anchor": anchor})
    grid = [{"y": round(y_of(v), 1), "text": str(v)} for v in sorted({0, top // 2, top})]
    return {
        "width": width,
        "height": height,
        "lines": drawn,
        "ticks": ticks,
        "grid": grid,
        "pad_l": pad_l,
        "right": width - pad_r,
        "base": height - pad_b,
        "points": len(points),
    }


def spark_path(values: list[int], width: int = 80, height: int = 20) -> str:
    """SVG polyline points for a small trend, scaled from 0 to the highest value (so 100 → 101 stays flat)."""
    if not values:
        return ""
    high = max(values)
    n = len(values)
    step = width / (n - 1) if n > 1 else 0.0
    return " ".join(
        f"{round(i * step if n > 1 else width / 2, 1)},{round(2 + (height - 4) * (1 - v / high) if high else height - 2, 1)}"
        for i, v in enumerate(values)
    )

"""Audit page: latest validate and crawl findings with filters, a per-night chart, and the source viewer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from pipeline.fsutil import UnsafePathError
from pipeline.web import audit
from pipeline.web.common import config, require, store, user

bp = Blueprint("audit", __name__, url_prefix="/audit")

FILTERS = ("stage", "rule", "severity", "lang", "history")


@bp.route("/")
@require("audit")
def index() -> Any:
    data = audit.latest(store(), config().content_root)
    filters = {k: request.args.get(k, "").strip() for k in FILTERS}
    rows = [r for r in data.rows if all(not v or str(getattr(r, k) or "") == v for k, v in filters.items())]
    choices = {
        "stage": list(audit.STAGES),
        "rule": sorted({r.rule for r in data.rows}),
        "severity": ["error", "warning", "info"],
        "lang": sorted({r.lang for r in data.rows if r.lang}),
        "history": ["new", "open", "fixed"],
    }
    return render_template(
        "audit.html",
        runs=data.runs,
        rows=rows,
        total=len(data.rows),
        filters=filters,
        choices=choices,
        chart=audit.chart(audit.nightly(store())),
    )


@bp.route("/source")
@require("audit")
def source() -> Any:
    file = request.args.get("file", "")
    line = request.args.get("line", type=int)
    try:
        path = audit.source_file(config(), file)
    except UnsafePathError as exc:
        abort(404, description=str(exc))
    lang = audit.file_language(config(), path)
    if (
        user().role == "translator"
        and lang != config().site.default_language
        and not user().may_translate(lang)
    ):
        # A translator sees the source language and their own languages' drafts, not other translators' work.
        abort(403, description=f"Your account does not work on {lang} files.")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        abort(404, description=f"'{file}' cannot be read")
    return render_template("source.html", file=file, lines=lines, line=line)

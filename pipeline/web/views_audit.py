"""Audit pages, after the crawl tools people know (Screaming Frog, Sitebulb): issues grouped by rule with what
each is and how to fix it, a trend per site and per issue, every finding in a paged list, pages by their
findings, one page with its findings across stages and the pages linking to it, CSV export of any of these
views, and the Markdown source at the finding's line. Filtering, grouping and paging happen in SQL
(`pipeline.web.audit_data`); this module only turns query parameters into calls and calls into templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from pipeline.content import display_path
from pipeline.crawl import graph
from pipeline.fsutil import UnsafePathError
from pipeline.report import render
from pipeline.rules import ALL, STAGE_OF
from pipeline.web import audit, audit_data, audit_trend
from pipeline.web.audit_data import BadFilter, Filters, Scope
from pipeline.web.common import config, require, store, user

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = (25, 50, 100, 200)
EXPORT_LIMIT = 200_000


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    per: int
    total: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per

    @property
    def first_item(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.offset + self.per, self.total)


def _pager(total: int) -> Pager:
    per = request.args.get("per", type=int) or 50
    if per not in PER_PAGE:
        per = 50
    pages = max(1, -(-total // per))
    page = request.args.get("page", type=int) or 1
    return Pager(min(max(page, 1), pages), pages, per, total)


def _filters() -> Filters:
    try:
        return Filters.parse(request.args)
    except BadFilter as exc:
        abort(400, description=str(exc))


def _common(scope: Scope, f: Filters) -> dict[str, Any]:
    """What every audit view shows around its content: the runs compared, the filter menus, the tabs."""
    facets = audit_data.facets(store(), scope)
    runs = [
        {
            "label": h.label,
            "id": h.latest.id,
            "at": h.latest.started_at,
            "previous": h.previous.id if h.previous else None,
        }
        for h in scope.selected(f)
    ]
    clear: dict[str, Any] = {**(request.view_args or {}), **f.query(**_cleared(f))}
    export: dict[str, Any] = f.query()
    return {
        "filters": f,
        "runs": runs,
        "choices": {
            "stage": facets.stages,
            "severity": list(audit_data.SEVERITIES),
            "lang": facets.langs,
            "status": list(audit_data.STATUSES),
            "site": scope.sites(),
        },
        "rules": ALL,
        "per_choices": PER_PAGE,
        # Clearing keeps what the view is about (its rule, its page); the export takes every filter shown.
        "clear_url": url_for(request.endpoint or "audit.index", **clear),
        "export_url": url_for("audit.export", **export),
    }


def _cleared(f: Filters) -> dict[str, str]:
    return {k: "" for k in ("stage", "severity", "lang", "status", "site", "q")} | (
        {"rule": ""} if request.view_args and "rule_id" in request.view_args else {}
    )


def _shown(file: str | None) -> str:
    return audit.shown(file, config().content_root)


@bp.route("/")
@require("audit")
def index() -> Any:
    f = _filters()
    scope = audit_data.load_scope(store())
    groups = audit_data.groups(store(), scope, f)
    sparks = audit_trend.sparklines(store(), scope, f)
    totals = {
        "findings": sum(g.findings for g in groups),
        "errors": sum(g.errors for g in groups),
        "warnings": sum(g.warnings for g in groups),
        "infos": sum(g.infos for g in groups),
        "new": sum(g.new for g in groups),
        "fixed": sum(g.fixed for g in groups),
    }
    lines = audit_trend.trend(store(), scope, f)
    return render_template(
        "audit.html",
        view="issues",
        groups=groups,
        sparks={k: audit_trend.spark_path(v) for k, v in sparks.items()},
        totals=totals,
        chart=audit_trend.chart(lines),
        **_common(scope, f),
    )


@bp.route("/findings")
@require("audit")
def findings() -> Any:
    f = _filters()
    scope = audit_data.load_scope(store())
    rows, pager = _page_of_rows(scope, f)
    return render_template(
        "audit_findings.html",
        view="findings",
        rows=rows,
        pager=pager,
        shown=_shown,
        **_common(scope, f),
    )


def _page_of_rows(scope: Scope, f: Filters) -> tuple[list[audit_data.Row], Pager]:
    """The requested page of findings with its pager; a page past the end shows the last one."""
    asked = _pager(10**9)
    rows, total = audit_data.page_of_rows(store(), scope, f, asked.offset, asked.per)
    pager = _pager(total)
    if pager.page != asked.page:
        rows, total = audit_data.page_of_rows(store(), scope, f, pager.offset, pager.per)
    return rows, pager


@bp.route("/rule/<rule_id>")
@require("audit")
def rule(rule_id: str) -> Any:
    f = _filters()
    f = Filters.parse({**f.query(), "rule": rule_id})
    scope = audit_data.load_scope(store())
    groups = audit_data.groups(store(), scope, f)
    known = ALL.get(rule_id)
    if known is None and not groups:
        abort(404, description=f"No rule {rule_id!r} in the catalogue and no findings of it.")
    group = groups[0] if groups else None
    rows, pager = _page_of_rows(scope, f)
    lines = audit_trend.trend(store(), scope, f)
    return render_template(
        "audit_rule.html",
        view="rule",
        rule=known,
        rule_id=rule_id,
        rule_stage=STAGE_OF.get(rule_id, group.stage if group else ""),
        group=group,
        rows=rows,
        pager=pager,
        chart=audit_trend.chart(lines),
        shown=_shown,
        **_common(scope, f),
    )


@bp.route("/pages")
@require("audit")
def pages() -> Any:
    f = _filters()
    scope = audit_data.load_scope(store())
    first = _pager(10**9)  # the total comes with the page of rows
    found, total = audit_data.pages(store(), scope, f, first.offset, first.per)
    pager = _pager(total)
    if pager.page != first.page:  # asked past the end: show the last page
        found, total = audit_data.pages(store(), scope, f, pager.offset, pager.per)
    return render_template(
        "audit_pages.html", view="pages", pages=found, pager=pager, shown=_shown, **_common(scope, f)
    )


@bp.route("/page")
@require("audit")
def page() -> Any:
    f = _filters()
    if not f.file and not f.url:
        abort(400, description="Name the page: ?file=<Markdown file> or ?url=<address>.")
    s = store()
    scope = audit_data.load_scope(s)
    file = f.file or audit_data.file_of_url(s, scope, f.url) or graph.file_of_url(s, f.url) or ""
    files, urls = _page_keys(scope, file, f.url)
    pf = Filters.parse({**f.query(), "file": file, "url": f.url or (urls[0] if urls else "")})
    found = audit_data.rows(s, scope, pf, 0, 1000, urls=urls, files=files)
    links, link_total = graph.inbound(s, urls)
    lines = {e.source_file: _line_of(e.source_file, e.target) for e in links if e.source_file}
    return render_template(
        "audit_page.html",
        view="page",
        file=file,
        urls=urls,
        rows=found,
        links=links,
        link_lines=lines,
        link_total=link_total,
        shown=_shown,
        **_common(scope, f),
    )


def _page_keys(scope: Scope, file: str, url: str) -> tuple[list[str], list[str]]:
    """Every way the stages may have written the page's file (as given, absolute, relative to the working
    folder), and every URL the findings and the link graph give it."""
    files = {file} if file else set()
    if file:
        try:
            resolved = audit.source_file(config(), file)
            files |= {str(resolved), display_path(resolved)}
        except UnsafePathError:
            pass
    names = sorted(files)
    urls = {url} if url else set()
    urls |= set(audit_data.urls_of_file(store(), scope, names)) | set(graph.urls_of_file(store(), names))
    return names, sorted(urls)


def _line_of(file: str, target: str) -> int | None:
    """The line of the Markdown file that links to `target` (its path or full URL), for the source link."""
    try:
        path = audit.source_file(config(), file)
        text = path.read_text(encoding="utf-8", errors="replace")
    except (UnsafePathError, OSError):
        return None
    return audit.line_mentioning(text, target)


@bp.route("/export.csv")
@require("audit")
def export() -> Any:
    """The filtered findings (a rule, a page, a status…) as CSV, rendered by the report writer the CLI's
    `--format csv` uses. A byte-order mark goes first so spreadsheet programs read the text as UTF-8."""
    f = _filters()
    s = store()
    scope = audit_data.load_scope(s)
    files, urls = _page_keys(scope, f.file, f.url) if f.file or f.url else ([], [])
    found = audit_data.rows(s, scope, f, 0, EXPORT_LIMIT, urls=urls, files=files)
    text = render([audit.as_finding(r) for r in found], "csv")
    name = "audit" + "".join(f"-{v}" for v in (f.rule, f.stage, f.severity, f.lang, f.status) if v)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
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
    return render_template("source.html", file=file, shown=_shown(file), lines=lines, line=line, lang=lang)

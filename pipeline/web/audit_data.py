"""The audit's findings as SQL: what is current, new, open or fixed, grouped, filtered and paged in the database.

The current view is, for each history (a stage; for crawls, a stage and site: the history key the crawl itself
compares by), the latest run's findings — `open` when the run before had the same fingerprint, `new` when not,
no status on a history's first run — plus the run before's findings the latest lacks, as `fixed`. That is one
`UNION ALL` over the run ids (found in the small `runs` table), each part filtered where the rows are read,
with the fingerprint test an indexed `EXISTS`. Every page of the audit is a `GROUP BY` or a `LIMIT`/`OFFSET`
over it: 10,000 findings never become 10,000 Python objects except for a CSV export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    desc,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from pipeline.crawl.history import history_key_of
from pipeline.schema.core import findings_run, run_counts, run_findings, runs
from pipeline.store import Store

SEVERITIES = ("error", "warning", "info")
STATUSES = ("new", "open", "fixed")
RUN_LIMIT = 3000  # runs read to find each history's latest two and its trend (newest first)


class BadFilter(ValueError):
    """A filter value the page cannot mean (the view answers 400 with this message)."""


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to; every field is a query parameter of the same name."""

    stage: str = ""
    severity: str = ""
    lang: str = ""
    status: str = ""
    rule: str = ""
    site: str = ""
    q: str = ""
    file: str = ""
    url: str = ""

    @classmethod
    def parse(cls, args: Any) -> Filters:
        values = {f.name: str(args.get(f.name, "") or "").strip() for f in fields(cls)}
        if values["severity"] and values["severity"] not in SEVERITIES:
            raise BadFilter(f"severity must be one of {', '.join(SEVERITIES)}")
        if values["status"] and values["status"] not in STATUSES:
            raise BadFilter(f"status must be one of {', '.join(STATUSES)}")
        if len(values["q"]) > 200:
            raise BadFilter("the search text is longer than 200 characters")
        return cls(**values)

    def query(self, **changes: str) -> dict[str, str]:
        """The non-empty filters as query parameters, with some changed (links keep the other filters)."""
        merged = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        return {k: v for k, v in merged.items() if v}


@dataclass(frozen=True)
class Run:
    id: int
    started_at: dt.datetime | None
    rows: int = 0  # the run whose run_findings rows are this run's findings (itself, or an equal earlier run)

    @property
    def findings(self) -> int:
        return self.rows or self.id


@dataclass
class History:
    """One stage's runs (for crawls, one site's), newest first."""

    stage: str
    site: str
    runs: list[Run] = field(default_factory=list)

    @property
    def latest(self) -> Run:
        return self.runs[0]

    @property
    def previous(self) -> Run | None:
        return self.runs[1] if len(self.runs) > 1 else None

    @property
    def label(self) -> str:
        return f"{self.stage} · {self.site}" if self.site else self.stage


@dataclass
class Scope:
    histories: list[History]

    def stages(self) -> list[str]:
        return sorted({h.stage for h in self.histories})

    def sites(self) -> list[str]:
        return sorted({h.site for h in self.histories if h.site})

    def selected(self, f: Filters) -> list[History]:
        return [
            h
            for h in self.histories
            if (not f.stage or h.stage == f.stage) and (not f.site or not h.site or h.site == f.site)
        ]


def load_scope(store: Store) -> Scope:
    """Every history with its runs, from the newest RUN_LIMIT finished runs (one small query)."""
    with store.connect() as conn:
        rows = conn.execute(
            select(runs.c.id, findings_run().label("rows"), runs.c.stage, runs.c.started_at, runs.c.summary)
            .where(runs.c.status == "done")
            .order_by(desc(runs.c.id))
            .limit(RUN_LIMIT)
        ).all()
    by_key: dict[tuple[str, str], History] = {}
    for r in rows:
        site = str(history_key_of(r.summary or {}) or "") if r.stage == "crawl" else ""
        hist = by_key.setdefault((r.stage, site), History(r.stage, site))
        hist.runs.append(Run(int(r.id), _utc(r.started_at), int(r.rows)))
    order = {"validate": 0, "translate": 1, "cards": 2, "social": 3, "build": 4, "crawl": 5}
    return Scope(sorted(by_key.values(), key=lambda h: (order.get(h.stage, 9), h.stage, h.site)))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)  # SQLite hands back naive datetimes; they were stored as UTC
    return value


def _text(value: str) -> ColumnElement[Any]:
    # Typed, so PostgreSQL can tell the type of a bound value in a UNION's select list.
    return cast(literal(value), String)


def _row_filters(t: Any, f: Filters, urls: list[str], files: list[str]) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.severity:
        out.append(t.c.severity == f.severity)
    if f.lang:
        out.append(t.c.lang == f.lang)
    if f.rule:
        out.append(t.c.rule == f.rule)
    if f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        out.append(
            or_(
                t.c.message.ilike(pattern, escape="\\"),
                t.c.file.ilike(pattern, escape="\\"),
                t.c.url.ilike(pattern, escape="\\"),
            )
        )
    if f.file or f.url:
        names = files or ([f.file] if f.file else [])
        where = [t.c.file.in_(names)] if names else []
        if urls:
            where.append(t.c.url.in_(urls))
        out.append(or_(*where) if where else t.c.url == f.url)
    return out


# The stored columns a view reads; narrower views (groups, pages, the sort of a list) read fewer, so the
# database does not carry every message through the union, the sort and the grouping.
ALL_COLUMNS = ("id", "rule", "severity", "file", "line", "url", "lang", "message", "fingerprint")
KEY_COLUMNS = ("id", "rule", "severity", "file", "line", "url")  # what a list is sorted by
COUNT_COLUMNS = ("rule", "severity", "file", "url")  # what the groups and pages count


def _columns(
    t: Any, h: History, status: ColumnElement[Any], names: tuple[str, ...]
) -> list[ColumnElement[Any]]:
    return [
        *(t.c[name] for name in names),
        _text(h.stage).label("stage"),
        _text(h.site).label("site"),
        status.label("status"),
    ]


def current(
    scope: Scope,
    f: Filters,
    urls: list[str] | None = None,
    files: list[str] | None = None,
    columns: tuple[str, ...] = ALL_COLUMNS,
) -> Subquery | None:
    """The current findings under the filters, as a subquery (None: nothing can match). With `f.file` or
    `f.url` set, a finding belongs to the page when its file is one of `files` (the ways stages have written
    that file's path) or its URL one of `urls`."""
    parts: list[Select[Any]] = []
    urls = urls or []
    files = files or []
    for h in scope.selected(f):
        prev = h.previous
        # The latest run refers to the rows of the one before (nothing changed): all open, none new or fixed.
        unchanged = prev is not None and prev.findings == h.latest.findings
        if f.status != "fixed" and not (prev is None and f.status) and not (unchanged and f.status == "new"):
            cur = run_findings.alias("cur")
            where = [cur.c.run_id == h.latest.findings, *_row_filters(cur, f, urls, files)]
            if prev is None:
                status: ColumnElement[Any] = _text("")
            elif unchanged:
                status = _text("open")
            else:
                other = run_findings.alias("other")
                seen = exists().where(
                    other.c.run_id == prev.findings, other.c.fingerprint == cur.c.fingerprint
                )
                if f.status == "new":
                    where.append(~seen)
                    status = _text("new")
                elif f.status == "open":
                    where.append(seen)
                    status = _text("open")
                else:
                    status = cast(case((seen, "open"), else_="new"), String)
            parts.append(select(*_columns(cur, h, status, columns)).where(and_(*where)))
        if prev is not None and not unchanged and f.status in ("", "fixed"):
            old = run_findings.alias("old")
            now = run_findings.alias("now")
            gone = ~exists().where(now.c.run_id == h.latest.findings, now.c.fingerprint == old.c.fingerprint)
            where = [old.c.run_id == prev.findings, gone, *_row_filters(old, f, urls, files)]
            parts.append(select(*_columns(old, h, _text("fixed"), columns)).where(and_(*where)))
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("audit")


def severity_rank(column: Any) -> ColumnElement[int]:
    return case((column == "error", 0), (column == "warning", 1), (column == "info", 2), else_=3)


def page_key(a: Any) -> ColumnElement[str]:
    """What "a page" is: the Markdown file when the finding names one, else the URL."""
    return func.coalesce(a.c.file, a.c.url, "")


# --- groups (the Issues view) --------------------------------------------------------------------------------


@dataclass
class Group:
    rule: str
    stage: str
    rank: int
    findings: int  # current (not fixed)
    pages: int  # distinct pages with a current finding
    new: int
    fixed: int
    errors: int
    warnings: int
    infos: int

    @property
    def severity(self) -> str:
        return SEVERITIES[self.rank] if self.rank < len(SEVERITIES) else "info"


def groups(store: Store, scope: Scope, f: Filters) -> list[Group]:
    a = current(scope, f, columns=COUNT_COLUMNS)
    if a is None:
        return []
    live = a.c.status != "fixed"

    def count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    q = (
        select(
            a.c.rule,
            func.min(a.c.stage).label("stage"),
            func.min(case((live, severity_rank(a.c.severity)), else_=9)).label("rank"),
            func.min(severity_rank(a.c.severity)).label("any_rank"),
            count_if(live).label("findings"),
            func.count(distinct(case((live, page_key(a))))).label("pages"),
            count_if(a.c.status == "new").label("new"),
            count_if(a.c.status == "fixed").label("fixed"),
            count_if(and_(live, a.c.severity == "error")).label("errors"),
            count_if(and_(live, a.c.severity == "warning")).label("warnings"),
            count_if(and_(live, a.c.severity == "info")).label("infos"),
        )
        .group_by(a.c.rule)
        .order_by("rank", desc("findings"), desc("fixed"), a.c.rule)
    )
    with store.connect() as conn:
        rows = conn.execute(q).all()
    return [
        Group(
            r.rule,
            r.stage,
            int(r.rank if r.rank < 9 else r.any_rank),
            int(r.findings),
            int(r.pages),
            int(r.new),
            int(r.fixed),
            int(r.errors),
            int(r.warnings),
            int(r.infos),
        )
        for r in rows
    ]


@dataclass
class Facets:
    """The values each filter can take in the current view (unfiltered), for the filter menus."""

    stages: list[str]
    langs: list[str]
    rules: list[str]


def facets(store: Store, scope: Scope) -> Facets:
    """From the per-run counts of each history's latest two runs: a few hundred rows, not the findings."""
    ids = [r.id for h in scope.histories for r in h.runs[:2]]
    if not ids:
        return Facets(scope.stages(), [], [])
    with store.connect() as conn:
        rows = conn.execute(
            select(run_counts.c.lang, run_counts.c.rule)
            .where(run_counts.c.run_id.in_(ids))
            .group_by(run_counts.c.lang, run_counts.c.rule)
        ).all()
    return Facets(
        scope.stages(),
        sorted({r.lang for r in rows if r.lang}),
        sorted({r.rule for r in rows}),
    )


# --- rows (the findings list, one rule's findings, one page's, the CSV export) -------------------------------


@dataclass
class Row:
    rule: str
    severity: str
    file: str | None
    line: int | None
    url: str | None
    lang: str | None
    message: str
    fingerprint: str
    stage: str
    site: str
    status: str  # new | open | fixed | "" (a history's first run)


def _ordered(a: Subquery) -> Select[Any]:
    return select(a).order_by(
        case((a.c.status == "fixed", 1), else_=0),
        severity_rank(a.c.severity),
        page_key(a),
        func.coalesce(a.c.line, 0),
        a.c.rule,
        a.c.id,
    )


def _row(r: Any) -> Row:
    return Row(
        r.rule,
        r.severity,
        r.file,
        r.line,
        r.url,
        r.lang,
        r.message,
        r.fingerprint,
        r.stage,
        r.site,
        r.status,
    )


def rows(
    store: Store,
    scope: Scope,
    f: Filters,
    offset: int = 0,
    limit: int | None = None,
    urls: list[str] | None = None,
    files: list[str] | None = None,
) -> list[Row]:
    """Findings in the list's order: fixed last, then severity, page, line."""
    a = current(scope, f, urls, files)
    if a is None:
        return []
    q = _ordered(a).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with store.connect() as conn:
        return [_row(r) for r in conn.execute(q)]


def page_of_rows(store: Store, scope: Scope, f: Filters, offset: int, limit: int) -> tuple[list[Row], int]:
    """One page of the list and how many rows the list has in all, in one pass (a window count over the
    sorted rows); an offset past the end gives no rows and the total from a plain count.

    The sort reads only the sort keys; the page's own rows are then read in full by id (a deferred join), so
    page 150 of 10,000 findings does not sort 7,500 messages to throw them away."""
    a = current(scope, f, columns=KEY_COLUMNS)
    if a is None:
        return [], 0
    q = (
        _ordered(a)
        .with_only_columns(a.c.id, a.c.stage, a.c.site, a.c.status, func.count().over().label("total"))
        .offset(offset)
        .limit(limit)
    )
    with store.connect() as conn:
        keys = conn.execute(q).all()
        if not keys:
            return [], int(conn.execute(select(func.count()).select_from(a)).scalar_one())
        full = {
            r.id: r
            for r in conn.execute(
                select(*(run_findings.c[name] for name in ALL_COLUMNS)).where(
                    run_findings.c.id.in_({k.id for k in keys})
                )
            )
        }
    out = []
    for k in keys:
        r = full[k.id]
        out.append(
            Row(
                r.rule,
                r.severity,
                r.file,
                r.line,
                r.url,
                r.lang,
                r.message,
                r.fingerprint,
                k.stage,
                k.site,
                k.status,
            )
        )
    return out, int(keys[0].total)


# --- pages (the Pages view: which pages carry the most findings) ---------------------------------------------


@dataclass
class PageCount:
    file: str | None
    url: str | None
    findings: int
    errors: int
    warnings: int
    new: int
    rules: int


def pages(store: Store, scope: Scope, f: Filters, offset: int, limit: int) -> tuple[list[PageCount], int]:
    """Pages with current findings, most errors first; and how many pages there are in all."""
    a = current(scope, f, columns=COUNT_COLUMNS)
    if a is None:
        return [], 0
    live = select(a).where(a.c.status != "fixed").subquery("live")
    key = page_key(live)

    def count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    q = (
        select(
            func.min(live.c.file).label("file"),
            func.min(live.c.url).label("url"),
            func.count().label("findings"),
            count_if(live.c.severity == "error").label("errors"),
            count_if(live.c.severity == "warning").label("warnings"),
            count_if(live.c.status == "new").label("new"),
            func.count(distinct(live.c.rule)).label("rules"),
            func.count().over().label("total"),
        )
        .group_by(key)
        .order_by(desc("errors"), desc("findings"), key)
        .offset(offset)
        .limit(limit)
    )
    with store.connect() as conn:
        found = conn.execute(q).all()
        if not found and offset:
            total = conn.execute(select(func.count(distinct(key)))).scalar_one()
        else:
            total = found[0].total if found else 0
    return [
        PageCount(r.file, r.url, int(r.findings), int(r.errors), int(r.warnings), int(r.new), int(r.rules))
        for r in found
    ], int(total)


def urls_of_file(store: Store, scope: Scope, files: list[str]) -> list[str]:
    """URLs the current findings give for a Markdown file (crawl findings name both)."""
    a = current(scope, Filters(file=files[0]), files=files, columns=("file", "url")) if files else None
    if a is None:
        return []
    with store.connect() as conn:
        return sorted(
            u
            for u in conn.execute(select(a.c.url).where(a.c.url.is_not(None)).distinct().limit(20)).scalars()
            if u
        )


def file_of_url(store: Store, scope: Scope, url: str) -> str | None:
    a = current(scope, Filters(url=url), [url], columns=("file", "url"))
    if a is None:
        return None
    with store.connect() as conn:
        return conn.execute(select(a.c.file).where(a.c.url == url, a.c.file.is_not(None)).limit(1)).scalar()

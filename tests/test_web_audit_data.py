"""The audit's SQL (pipeline.web.audit_data, audit_trend) and the crawl link graph, on SQLite and PostgreSQL:
statuses, groups, filters, paging, trends, the counts table of an older store, and the graph's replacement."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from pipeline.crawl import graph
from pipeline.crawl import history as crawl_history
from pipeline.findings import Finding
from pipeline.history import store_run
from pipeline.schema.core import findings_run, run_counts, run_findings, runs
from pipeline.store import open_store
from pipeline.web import audit_data, audit_trend
from pipeline.web.audit_data import Filters

SITE = "https://blog.example"


def _v(rule: str, file: str, message: str, severity: str = "warning", lang: str = "en") -> Finding:
    return Finding(rule, severity, file, 3, message, data={"lang": lang})  # type: ignore[arg-type]


def _c(rule: str, path: str, severity: str = "error") -> Finding:
    return Finding(rule, severity, None, None, f"{rule} on {path}", url=f"{SITE}{path}")  # type: ignore[arg-type]


A = _v("SEO012", "content/a.md", "description 90 characters")
B = _v("MD003", "content/b.md", "image without alt 50% of the time_x", lang="es")
C = _v("READ002", "content/a.md", "section too hard", severity="error")
D = _v("MD003", "content/c.md", "another image without alt", lang="es")


def _history(db_url: str) -> audit_data.Scope:
    store = open_store(db_url)
    store_run(store, "validate", [A, B, C], {})
    store_run(store, "validate", [B, C, D], {})  # A fixed, D new, B and C open
    crawl_history.record_run(store, SITE, [_c("CRAWL001", "/x/")], {}, 1.0)
    crawl_history.record_run(store, SITE, [_c("CRAWL001", "/x/"), _c("CRAWL070", "/y/")], {}, 1.0)
    crawl_history.record_run(store, "https://staging.example", [_c("CRAWL011", "/z/")], {}, 1.0)
    return audit_data.load_scope(store)


def test_statuses_groups_and_filters(db_url: str) -> None:
    scope = _history(db_url)
    store = open_store(db_url)
    assert [h.label for h in scope.histories] == [
        "validate",
        "crawl · https://blog.example",
        "crawl · https://staging.example",
    ]
    rows = audit_data.rows(store, scope, Filters())
    status = {(r.rule, r.file or r.url): r.status for r in rows}
    assert status == {
        ("SEO012", "content/a.md"): "fixed",
        ("MD003", "content/b.md"): "open",
        ("READ002", "content/a.md"): "open",
        ("MD003", "content/c.md"): "new",
        ("CRAWL001", f"{SITE}/x/"): "open",
        ("CRAWL070", f"{SITE}/y/"): "new",
        ("CRAWL011", "https://blog.example/z/"): "",  # that site's first run
    }
    assert rows[-1].status == "fixed" and rows[0].severity == "error"  # fixed last, errors first
    groups = {g.rule: g for g in audit_data.groups(store, scope, Filters())}
    md3 = groups["MD003"]
    assert (md3.findings, md3.pages, md3.new, md3.fixed, md3.severity) == (2, 2, 1, 0, "warning")
    assert (groups["SEO012"].findings, groups["SEO012"].fixed) == (0, 1)
    # Errors first, then by findings, then by rule id; a rule with only fixed findings keeps its severity.
    assert list(groups) == ["CRAWL001", "CRAWL011", "CRAWL070", "READ002", "MD003", "SEO012"]

    def keys(f: Filters) -> set[tuple[str, str]]:
        return {(r.rule, r.status) for r in audit_data.rows(store, scope, f)}

    assert keys(Filters(status="new")) == {("MD003", "new"), ("CRAWL070", "new")}
    assert keys(Filters(status="fixed")) == {("SEO012", "fixed")}
    assert keys(Filters(lang="es")) == {("MD003", "open"), ("MD003", "new")}
    assert keys(Filters(severity="error", stage="validate")) == {("READ002", "open")}
    assert keys(Filters(site="https://staging.example", stage="crawl")) == {("CRAWL011", "")}
    assert keys(Filters(q="50%_of the time_x")) == set()  # % and _ are literal characters, not wildcards
    assert keys(Filters(q="50% of the time_x")) == {("MD003", "open")}
    assert keys(Filters(rule="MD003", status="open")) == {("MD003", "open")}
    facets = audit_data.facets(store, scope)
    assert facets.stages == ["crawl", "validate"] and facets.langs == ["en", "es"]
    page, total = audit_data.pages(store, scope, Filters(), 0, 2)
    assert total == 6 and len(page) == 2 and page[0].errors >= page[1].errors
    assert [r.rule for r in audit_data.rows(store, scope, Filters(), 1, 2)] == [r.rule for r in rows[1:3]]
    window, total = audit_data.page_of_rows(store, scope, Filters(), 2, 3)
    assert total == len(rows) == 7 and [r.rule for r in window] == [r.rule for r in rows[2:5]]
    assert audit_data.page_of_rows(store, scope, Filters(status="new"), 50, 10) == ([], 2)


def test_trend_counts_each_run_and_each_rule(db_url: str) -> None:
    scope = _history(db_url)
    store = open_store(db_url)
    lines = {
        line.label: [p.count for p in line.points] for line in audit_trend.trend(store, scope, Filters())
    }
    assert lines == {
        "validate": [3, 3],
        "crawl · https://blog.example": [1, 2],
        "crawl · https://staging.example": [1],
    }
    md3 = {
        line.label: [p.count for p in line.points]
        for line in audit_trend.trend(store, scope, Filters(rule="MD003"))
    }
    assert md3 == {"validate": [1, 2]}
    es = audit_trend.trend(store, scope, Filters(lang="es", stage="validate"))
    assert [[p.count for p in line.points] for line in es] == [[1, 2]]
    chart = audit_trend.chart(audit_trend.trend(store, scope, Filters()))
    assert chart["points"] == 5 and [len(line["dots"]) for line in chart["lines"]] == [2, 2, 1]
    sparks = audit_trend.sparklines(store, scope, Filters())
    assert sparks[("validate", "MD003")] == [1, 2] and sparks[("validate", "SEO012")] == [1, 0]


def test_an_older_store_gets_its_runs_counted(db_url: str) -> None:
    store = open_store(db_url)
    store_run(store, "validate", [A, B, C], {})
    store_run(store, "validate", [B, D], {})
    with store.begin() as conn:  # as a store from before the audit tables: no counts, migration 3 not applied
        conn.exec_driver_sql("DELETE FROM schema_migrations WHERE component = 'core' AND version = 3")
        conn.exec_driver_sql("DROP INDEX ix_run_findings_run_fp")
        conn.execute(delete(run_counts))
    assert ("core", 3) in store.migrate()
    with store.connect() as conn:
        counted = conn.execute(select(func.sum(run_counts.c.n))).scalar_one()
        stored = conn.execute(select(func.count()).select_from(run_findings)).scalar_one()
    assert counted == stored == 5


def test_link_graph_is_rewritten_as_a_difference(db_url: str) -> None:
    """The next crawl's graph is stored as a difference (deleted, changed, new, kept edges); what is stored
    must equal the new graph exactly, with the new run id on every edge, kept ones included."""
    from pipeline.schema.crawl import crawl_links

    store = open_store(db_url)
    e = graph.Edge
    first = [
        e(f"{SITE}/a/", f"{SITE}/b/", "bee", "a.md", "b.md"),  # kept
        e(f"{SITE}/a/", f"{SITE}/c/", "sea", "a.md", "c.md"),  # text changes
        e(f"{SITE}/c/", f"{SITE}/a/", "ay", "c.md", "a.md"),  # goes away
        e(f"{SITE}/c/", f"{SITE}/b/", "bee", "c.md", None),  # target file appears
    ]
    second = [
        first[0],
        e(f"{SITE}/a/", f"{SITE}/c/", "the sea", "a.md", "c.md"),
        e(f"{SITE}/c/", f"{SITE}/b/", "bee", "c.md", "b.md"),
        e(f"{SITE}/d/", f"{SITE}/a/", "new", "d.md", "a.md"),  # new
        e(f"{SITE}/d/", f"{SITE}/a/", "again", "d.md", "a.md"),  # same pair again: the first text wins
    ]
    graph.save(store, "https://other.example", 1, first)  # another site's graph is left alone
    graph.save(store, SITE, 1, first)
    assert graph.save(store, SITE, 2, second) == 4

    def stored(site: str) -> list[tuple[object, ...]]:
        c = crawl_links.c
        with store.connect() as conn:
            rows = conn.execute(
                select(c.run_id, c.source, c.target, c.text, c.source_file, c.target_file).where(
                    c.site == site
                )
            )
            return sorted(tuple(r) for r in rows)

    assert stored(SITE) == sorted(
        (2, x.source, x.target, x.text, x.source_file, x.target_file) for x in second[:4]
    )
    assert len(stored("https://other.example")) == 4
    assert graph.save(store, SITE, 3, []) == 0 and stored(SITE) == []


def test_link_graph_keeps_the_latest_crawl_of_each_site(db_url: str) -> None:
    store = open_store(db_url)
    edge = graph.Edge(f"{SITE}/a/", f"{SITE}/b/", "bee", "content/a.md", "content/b.md")
    graph.save(
        store, SITE, 1, [edge, graph.Edge(f"{SITE}/c/", f"{SITE}/b/", "see bee", None, "content/b.md")]
    )
    graph.save(store, "https://staging.example", 2, [edge])
    graph.save(store, SITE, 3, [edge])  # the next crawl of the site replaces its graph
    links, total = graph.inbound(store, [f"{SITE}/b/"])
    assert total == 1 and [(e.source, e.text) for e in links] == [
        (f"{SITE}/a/", "bee")
    ]  # both sites: one row
    assert graph.urls_of_file(store, ["content/b.md"]) == [f"{SITE}/b/"]
    assert graph.file_of_url(store, f"{SITE}/b/") == "content/b.md"
    assert graph.inbound(store, []) == ([], 0)


def test_a_run_equal_to_an_earlier_one_refers_to_its_findings(db_url: str) -> None:
    """A no-change re-run stores no finding rows (60k rows a run made `pipeline validate` take seconds), and
    every reader still sees its findings: the audit (all open, none new or fixed), trends, facets, the diffs."""
    store = open_store(db_url)

    def stored_rows() -> int:
        with store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(run_findings)).scalar_one())

    first = store_run(store, "validate", [A, B, C], {})
    second = store_run(store, "validate", [A, B, C], {})
    assert stored_rows() == 3
    with store.connect() as conn:
        refs = dict(conn.execute(select(runs.c.id, findings_run())).all())
    assert refs == {first: first, second: first}
    scope = audit_data.load_scope(store)
    rows = audit_data.rows(store, scope, Filters())
    assert sorted((r.rule, r.status) for r in rows) == [
        ("MD003", "open"),
        ("READ002", "open"),
        ("SEO012", "open"),
    ]
    assert audit_data.rows(store, scope, Filters(status="new")) == []
    assert audit_data.rows(store, scope, Filters(status="fixed")) == []
    assert [[p.count for p in line.points] for line in audit_trend.trend(store, scope, Filters())] == [[3, 3]]
    assert audit_data.facets(store, scope).langs == ["en", "es"]
    # A change stores its own rows and compares against the shared ones; going back refers to them again.
    store_run(store, "validate", [B, C, D], {})
    assert stored_rows() == 6
    scope = audit_data.load_scope(store)
    assert {(r.rule, r.status) for r in audit_data.rows(store, scope, Filters(status="fixed"))} == {
        ("SEO012", "fixed")
    }
    fourth = store_run(store, "validate", [A, B, C], {})
    assert stored_rows() == 6
    scope = audit_data.load_scope(store)
    assert {(r.rule, r.status) for r in audit_data.rows(store, scope, Filters())} == {
        ("SEO012", "new"),
        ("MD003", "open"),
        ("READ002", "open"),
        ("MD003", "fixed"),
    }
    with store.connect() as conn:
        assert conn.execute(select(findings_run()).where(runs.c.id == fourth)).scalar_one() == first
    # A different message is a different finding set; crawls share rows the same way and still diff.
    store_run(store, "validate", [A, B, _v("READ002", "content/a.md", "section too hard now", "error")], {})
    assert stored_rows() == 9
    crawl_history.record_run(store, SITE, [_c("CRAWL001", "/x/")], {}, 1.0)
    crawl_history.record_run(store, SITE, [_c("CRAWL001", "/x/")], {}, 1.0)
    assert stored_rows() == 10
    run, before = crawl_history.previous_findings(store, SITE)
    assert run is not None and [f.rule for f in before] == ["CRAWL001"]


def test_an_older_store_gets_the_shared_findings_columns(db_url: str) -> None:
    store = open_store(db_url)
    store_run(store, "validate", [A], {})
    with store.begin() as conn:  # as a store from before migration 4
        conn.exec_driver_sql("DELETE FROM schema_migrations WHERE component = 'core' AND version = 4")
        conn.exec_driver_sql("DROP INDEX ix_runs_stage_digest")
        conn.exec_driver_sql("ALTER TABLE runs DROP COLUMN findings_of")
        conn.exec_driver_sql("ALTER TABLE runs DROP COLUMN digest")
    assert ("core", 4) in store.migrate()
    store_run(store, "validate", [A], {})  # the old run has no digest: this one stores its own rows
    third = store_run(store, "validate", [A], {})
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(run_findings)).scalar_one() == 2
        assert conn.execute(select(runs.c.findings_of).where(runs.c.id == third)).scalar_one() is not None

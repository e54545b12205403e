"""A preview build gets a new loopback port every run; its crawl history must still be one history, and the web
audit page must compare runs exactly as the CLI report does (it used to compare by origin: always 'first run')."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.crawl import history as crawl_history
from pipeline.crawl.history import default_history_key
from pipeline.findings import Finding
from pipeline.stages import Context
from pipeline.web import audit_data
from tests.crawl_support.defects import build
from tests.crawl_support.server import serve


def test_loopback_crawls_of_another_origin_share_the_preview_key() -> None:
    site = "https://blog.example"
    assert default_history_key(site, "http://127.0.0.1:53117") == f"preview of {site}"
    assert default_history_key(site, "http://localhost:8000") == f"preview of {site}"
    assert default_history_key(site, "http://[::1]:8000") == f"preview of {site}"
    assert default_history_key(site, site) == site
    assert default_history_key("http://127.0.0.1:8000", "http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert default_history_key(site, "https://staging.blog.example") == "https://staging.blog.example"


def test_web_audit_compares_preview_crawls_by_their_history_key(tmp_path: Path) -> None:
    config = load_config(None, overrides={"database_url": f"sqlite:///{tmp_path / 'state.db'}"}, environ={})
    store = Context(config=config).store
    key = "preview of https://blog.example"
    kept = Finding("CRAWL001", "error", None, None, "404", url="https://blog.example/a/")
    gone = Finding("CRAWL011", "error", None, None, "title", url="https://blog.example/b/")
    added = Finding("CRAWL070", "error", None, None, "link", url="https://blog.example/c/")
    crawl_history.record_run(store, "http://127.0.0.1:40001", [kept, gone], {}, 1.0, key)
    crawl_history.record_run(store, "http://127.0.0.1:40002", [kept, added], {}, 1.0, key)
    scope = audit_data.load_scope(store)
    rows = {(r.rule, r.status) for r in audit_data.rows(store, scope, audit_data.Filters(stage="crawl"))}
    assert rows == {("CRAWL001", "open"), ("CRAWL070", "new"), ("CRAWL011", "fixed")}


def test_cli_and_web_agree_on_new_across_ports(tmp_path: Path) -> None:
    """Two `pipeline crawl --base-url http://127.0.0.1:<port>` of one site: the second run's new findings are the
    same in the CLI's JSON report and on the audit page."""
    reports = []
    config_path = tmp_path / "run0" / "config" / "site.toml"
    for i in range(2):
        with serve() as server:
            site = build(tmp_path / f"run{i}", server, crawl={"slow_page_ms": 60_000})
            if i == 0:
                config_path = site.config_path
            out = tmp_path / f"crawl{i}.json"
            args = ["crawl", "--config", str(config_path), "--base-url", server.base, "-q"]
            code = main([*args, "--format", "json", "--output", str(out), "--fail-on", "never"])
            assert code == 0
            reports.append(json.loads(out.read_text()))
    first, second = reports
    assert first["summary"]["new"] == first["summary"]["total"] > 0
    # New the second time: only links to the fake external site, whose port (hence URL) changed.
    cli_new = second["summary"]["new"]
    assert 0 < cli_new < first["summary"]["total"]
    store = Context(config=load_config(config_path, environ={})).store
    scope = audit_data.load_scope(store)
    web_new = audit_data.rows(store, scope, audit_data.Filters(stage="crawl", status="new"))
    assert len(web_new) == cli_new
    assert all(r.rule in ("CRAWL071", "CRAWL074") for r in web_new)

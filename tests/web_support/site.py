"""Build a realistic site for the web tests with the stages' own functions (nothing of ours is mocked).

The example blog is copied to a temp dir, one post gets an XSS payload as its title, a real test Argos package
translates two posts into Spanish, the social stage plans the ledger (some items then moved to sent/failed
through the ledger's own transitions), and validate runs are recorded in the run history.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from pipeline.config import Config, load_config
from pipeline.history import record_run
from pipeline.social import ledger
from pipeline.social.stage import plan
from pipeline.stages import Context
from pipeline.web import accounts
from pipeline.web.app import create_app
from tests.example_site import copy_example

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
XSS_POST = "posts/coffee-and-health.md"
TRANSLATED = ("posts/sleep-and-longevity.md", XSS_POST)
PASSWORD = "correct horse battery"

CONFIG = """
[site]
name = "Longevity Notes"
base_url = "https://longevity-notes.example"
content_dir = "content"
static_dir = "static"
default_language = "en"

[site.languages.en]
name = "English"
[site.languages.es]
name = "Español"
[site.languages.de]
name = "Deutsch"

[translate]
languages = ["es"]
beam_size = 1
glossary = { es = { sleep = "sueño" } }

[web]
login_attempts_per_minute = 3

[[social.accounts]]
name = "notes-x"
platform = "x"
handle = "@longevitynotes"
languages = ["en", "es"]
timezone = "Europe/Berlin"
slots = { mon = ["09:00", "17:00"], tue = ["09:00", "17:00"], wed = ["09:00", "17:00"], thu = ["09:00", "17:00"], fri = ["09:00", "17:00"] }
max_per_day = 2
min_spacing_minutes = 60

[[social.accounts]]
name = "notes-mastodon"
platform = "mastodon"
handle = "@notes@health.example"
languages = ["en"]
timezone = "UTC"
"""


@dataclass
class Site:
    root: Path
    config: Config
    ctx: Context

    @property
    def content(self) -> Path:
        return self.root / "content"


# Three more accounts, each in its own zone, for the marketer's browser tests and the calendar benchmark.
MORE_ACCOUNTS = """
[[social.accounts]]
name = "notes-bluesky"
platform = "bluesky"
handle = "longevitynotes.bsky.social"
languages = ["en"]
timezone = "America/New_York"
max_per_day = 3

[[social.accounts]]
name = "notes-threads"
platform = "threads"
handle = "longevitynotes"
languages = ["en"]
timezone = "Asia/Kolkata"
threads = true

[[social.accounts]]
name = "notes-linkedin"
platform = "linkedin"
handle = "Longevity Notes"
languages = ["en"]
timezone = "Europe/London"
first_comment = "link"
author = "urn:li:organization:5515715"
"""


def build_site(
    tmp: Path,
    state: Path,
    translate: bool = True,
    database_url: str | None = None,
    posts: tuple[str, ...] = TRANSLATED,
    more_config: str = "",
) -> Site:
    root = tmp / "site"
    copy_example(
        root
    )  # as the repository has it: no cards or drafts a `make run` left (tests/example_site.py)
    xss = root / "content" / XSS_POST
    text = xss.read_text(encoding="utf-8")
    start = text.index("\ntitle:")
    end = text.index("\n", start + 1)
    xss.write_text(text[:start] + f"\ntitle: '{XSS} Coffee'" + text[end:], encoding="utf-8")
    (root / "config").mkdir()
    # Pin the store to this site's state dir: module-scoped fixtures outlive the per-test PIPELINE_STATE_DIR.
    url = database_url or f"sqlite:///{state / 'state.db'}"
    pinned = f'database_url = "{url}"\n'
    (root / "config" / "site.toml").write_text(pinned + CONFIG + more_config, encoding="utf-8")
    config = load_config(root / "config" / "site.toml", environ={})
    ctx = Context(config=config, quiet=True)
    if translate:
        _translate(ctx, state, posts)
    return Site(root, config, ctx)


def _translate(ctx: Context, state: Path, posts: tuple[str, ...]) -> None:
    """Argos (a real test package, visibly upper-casing) writes the drafts; Apertium, where Debian's is
    installed, leaves its real Spanish beside it as a suggestion."""
    from pipeline.translate.stage import run_stage
    from tests.translate_support.site import install

    install(state, "upper", "en", "es")
    result = run_stage(ctx, paths=[ctx.config.content_root / rel for rel in posts], languages=["es"])
    assert result.counts["drafts_written"] == len(posts), result


def plan_social(site: Site) -> list[ledger.Item]:
    """Plan with the social stage, then move two items along the ledger: one sent, one failed, one unknown."""
    plan(site.config, site.ctx.store, site.ctx.reload_content().posts)
    items = ledger.list_items(site.ctx.store)
    store = site.ctx.store
    sent, failed, unknown = items[-1], items[-2], items[-3]
    for it in (sent, failed, unknown):
        ledger.transition(store, it.id, [it.state], "approved", "test approval")
        ledger.transition(store, it.id, ["approved"], "sending", "test send")
    ledger.transition(
        store,
        sent.id,
        ["sending"],
        "sent",
        "posted",
        remote_url="https://x.example/status/42",
        sent_at=time.time(),
    )
    ledger.transition(
        store, failed.id, ["sending"], "failed", "refused", reason="403 duplicate <b>content</b>"
    )
    ledger.transition(
        store, unknown.id, ["sending"], "unknown", "timeout", reason="read timed out after 15 s"
    )
    return ledger.list_items(store)


def record_validate_runs(site: Site) -> None:
    """Real validate findings recorded as a few nights of history (older runs backdated), plus two crawls.

    The run before the latest misses three findings (they show as new) and has one the latest lacks (fixed).
    """
    import datetime as dt

    from sqlalchemy import update

    from pipeline.crawl import history as crawl_history
    from pipeline.findings import Finding
    from pipeline.schema.core import runs
    from pipeline.validate.stage import run_stage

    findings = run_stage(site.ctx, None, use_cache=True).findings
    gone = Finding(
        "META001", "warning", findings[0].file, 2, "title was missing (since fixed)", data={"lang": "en"}
    )
    now = dt.datetime.now(dt.UTC)
    crawl_url = site.config.site.base_url
    broken = Finding("CRAWL001", "error", None, None, "404 Not Found", url=f"{crawl_url}/articles/missing/")
    slow = Finding("CRAWL010", "warning", None, None, "page took 2.4 s", url=f"{crawl_url}/articles/coffee/")
    history = [(4, 40), (3, 55), (2, 70), (1, 90)]
    for nights_ago, n in history:
        run_id = record_run(site.ctx, "validate", [*findings[:n], gone], {"posts": 7})
        crawl_id = crawl_history.record_run(
            site.ctx.store, crawl_url, [broken, slow][: 1 + nights_ago % 2], {}, 1.0
        )
        when = now - dt.timedelta(days=nights_ago)
        with site.ctx.store.begin() as conn:
            conn.execute(update(runs).where(runs.c.id.in_([run_id, crawl_id])).values(started_at=when))
    record_run(site.ctx, "validate", [*findings[3:], gone], {"posts": 7})
    record_run(site.ctx, "validate", findings, {"posts": 7})
    crawl_history.record_run(site.ctx.store, crawl_url, [broken], {}, 1.0)


def add_users(site: Site) -> None:
    store = site.ctx.store
    accounts.add_user(store, "ada", "admin", PASSWORD)
    accounts.add_user(store, "mia", "marketer", PASSWORD)
    accounts.add_user(store, "tomas", "translator", PASSWORD, ["es"])
    accounts.add_user(store, "dieter", "translator", PASSWORD, ["de"])


@contextmanager
def serve(site: Site) -> Iterator[str]:
    """The real app on a real werkzeug server on 127.0.0.1:<free port>, in a thread."""
    app = create_app(site.ctx)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def clone_site(template: Site, tmp: Path, state: Path, database_url: str | None = None) -> Site:
    """A private copy of a prepared site and its store (users included): argon2 hashing is slow on purpose,
    so tests copy one prepared store instead of hashing four passwords each. `database_url` names a copy the
    caller already made of a PostgreSQL template's database; without it the SQLite file is copied."""
    root = tmp / "site"
    shutil.copytree(template.root, root)
    state.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        src_db = Path(template.config.db_url.removeprefix("sqlite:///"))
        template.ctx.store.engine.dispose()
        with template.ctx.store.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        template.ctx.store.engine.dispose()
        shutil.copyfile(src_db, state / "state.db")
        database_url = f"sqlite:///{state / 'state.db'}"
    cfg = root / "config" / "site.toml"
    text = cfg.read_text(encoding="utf-8").split("\n", 1)[1]
    cfg.write_text(f'database_url = "{database_url}"\n' + text, encoding="utf-8")
    config = load_config(cfg, environ={})
    return Site(root, config, Context(config=config, quiet=True))

"""An audit history made by the stages themselves, and a bulk history for paging and the benchmark.

`audit_history` runs validate twice on the example blog, edits two posts (one gains an image without alt text:
a new MD003; one gains an outbound link: its MD006 is fixed; one links to a page that does not exist), validates
again, builds the preview and crawls it twice — so the store holds real validate, build and crawl histories,
new/open/fixed findings and the crawl's link graph. Nothing is mocked; only the older runs' times are moved
back, so the trend has a time axis.

`record_bulk` stores synthetic findings through the real recorder (`pipeline.history.store_run`): real rule ids,
files, languages and severities, spread so the audit groups, filters and pages them like a real site's.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import update

from pipeline.build.server import PreviewServer
from pipeline.build.stage import run_stage as build
from pipeline.crawl.stage import run_stage as crawl
from pipeline.findings import Finding
from pipeline.history import store_run
from pipeline.rules import ALL
from pipeline.schema.core import runs
from pipeline.store import Store
from pipeline.validate.stage import run_stage as validate
from tests.web_support.site import Site

NEW_IMAGE = "\n\n![](/images/library/chelsea.png)\n"
OUTBOUND = (
    "\n\nSee the [NIH guidance on healthy aging](https://www.nia.nih.gov/health/healthy-aging) for more.\n"
)
BROKEN = "\n\nOur [missing guide](/articles/no-such-guide/) is not written yet.\n"
VALIDATE_RUNS = 3
CRAWL_RUNS = 2
PREVIEW_KEY = "preview of https://longevity-notes.example"


@dataclass
class AuditHistory:
    validate_runs: list[int]
    crawl_runs: list[int]
    gains_image: str  # content-relative paths of the edited posts
    gains_link: str
    links_broken: str


def audit_history(site: Site) -> AuditHistory:
    ctx = site.ctx
    ids = []
    for _ in range(VALIDATE_RUNS - 1):
        validate(ctx, use_cache=False)
        ids.append(_last_run(ctx.store))
    gains_image = "posts/walking-for-better-health.md"
    gains_link = "posts/daily-habits-for-healthy-aging.md"
    links_broken = "posts/strength-training-after-50.md"
    for rel, text in ((gains_image, NEW_IMAGE), (gains_link, OUTBOUND), (links_broken, BROKEN)):
        path = site.content / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    ctx.reload_content()
    validate(ctx, use_cache=False)
    ids.append(_last_run(ctx.store))
    build(ctx)
    assert ctx.preview_site is not None
    crawls = []
    for _ in range(CRAWL_RUNS):
        with PreviewServer(ctx.preview_site) as url:
            result = crawl(ctx, base_url=url, history_key=PREVIEW_KEY)
        assert result.status == "done", result.reason
        crawls.append(int(result.data["run_id"]))
    now = dt.datetime.now(dt.UTC)
    with ctx.store.begin() as conn:  # nightly runs: the older ones a night apart
        for nights, run_id in enumerate(reversed(ids)):
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(started_at=now - dt.timedelta(days=nights))
            )
        for nights, run_id in enumerate(reversed(crawls)):
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(started_at=now - dt.timedelta(days=nights))
            )
    return AuditHistory(ids, crawls, gains_image, gains_link, links_broken)


def _last_run(store: Store) -> int:
    from sqlalchemy import func, select

    with store.connect() as conn:
        return int(conn.execute(select(func.max(runs.c.id))).scalar_one())


BULK_RULES = [r for r in ALL.values() if r.id.startswith(("SEO", "READ", "MD", "IMG", "KEY", "CRAWL"))]


def bulk_findings(n: int, seed: int = 7, files: int = 1500) -> list[Finding]:
    """`n` findings over `files` posts in 11 languages, with the rules' own severities."""
    rng = random.Random(seed)
    langs = ["en", "es", "de", "fr", "ar", "ja", "zh", "hi", "pt", "ru", "it"]
    out = []
    for i in range(n):
        rule = rng.choice(BULK_RULES)
        post = rng.randrange(files)
        lang = langs[post % len(langs)]
        file = f"content/{lang}/posts/post-{post:05d}.md"
        url = f"https://bulk.example/{lang}/post-{post:05d}/" if rule.id.startswith("CRAWL") else None
        out.append(
            Finding(
                rule.id,
                rule.severity,
                file,
                rng.randrange(1, 400),
                f"{rule.doc} (case {i})",
                url=url,
                data={"lang": lang, "key": f"k{i}"},
            )
        )
    return out


def record_bulk(store: Store, n: int, runs_count: int = 2, churn: float = 0.05) -> list[int]:
    """`runs_count` validate runs of `n` findings each; between runs `churn` of them are fixed and as many new."""
    findings = bulk_findings(n)
    extra = bulk_findings(int(n * churn) * runs_count, seed=99)
    ids = []
    for k in range(runs_count):
        cut = int(n * churn) * k
        current = findings[cut:] + extra[:cut]
        ids.append(store_run(store, "validate", current, {"posts": 1500}))
    return ids


ARABIC_POST = """---
date: '2025-06-10T08:00:00'
title: 'النوم وطول العمر: ماذا تقول الأدلة؟'
description: 'كيف يرتبط النوم بطول العمر، ولماذا يرتبط النوم القصير والطويل بصحة أسوأ، وما العادات العملية التي تساعد معظم البالغين على نوم أفضل.'
preview: 'النوم من العادات اليومية القليلة المرتبطة بكل أجهزة الجسم تقريبًا. إليك ما تقوله الدراسات الكبيرة عن النوم وطول العمر، وأين لا تزال الأدلة غير مؤكدة.'
permalink: /ar/articles/sleep-and-longevity/
image: /images/library/chelsea.png
tags:
- sleep
- longevity
---

النوم من العادات اليومية القليلة المرتبطة بكل أجهزة الجسم تقريبًا، من القلب إلى الذاكرة.
"""


def add_arabic(site: Site) -> Site:
    """The site with Arabic added (no `dir` in the config: the web UI must know Arabic runs right to left), an
    Arabic post, and the X account posting in Arabic too. Returns the site with the new config loaded."""
    from pipeline.config import load_config
    from pipeline.stages import Context

    cfg = site.root / "config" / "site.toml"
    text = cfg.read_text(encoding="utf-8")
    text = text.replace(
        '[site.languages.de]\nname = "Deutsch"\n',
        '[site.languages.de]\nname = "Deutsch"\n[site.languages.ar]\nname = "العربية"\n',
    )
    text = text.replace(
        'languages = ["en", "es"]\ntimezone = "Europe/Berlin"',
        'languages = ["en", "es", "ar"]\ntimezone = "Europe/Berlin"',
    )
    assert "[site.languages.ar]" in text and '"ar"]' in text
    cfg.write_text(text, encoding="utf-8")
    post = site.content / "ar" / "posts" / "sleep-and-longevity.md"
    post.parent.mkdir(parents=True)
    post.write_text(ARABIC_POST, encoding="utf-8")
    config = load_config(cfg, environ={})
    return Site(site.root, config, Context(config=config, quiet=True))

"""`pipeline build` output and `pipeline run` end to end on a copy of the example site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from pipeline.build.stage import run_stage as build
from pipeline.config import load_config
from pipeline.stages import Context
from pipeline.translate.apertium import find_mode
from tests.conftest import REPO
from tests.example_site import copy_example


def copy_site(tmp: Path) -> Path:
    """The example site and its config, copied so tests never write into the repository."""
    copy_example(tmp / "site")
    text = (REPO / "config" / "site.toml").read_text()
    text = text.replace(
        'content_dir = "examples/health-blog/content"', f'content_dir = "{tmp / "site/content"}"'
    )
    text = text.replace('static_dir = "examples/health-blog/static"', f'static_dir = "{tmp / "site/static"}"')
    text = text.replace('reports_dir = "reports"', f'reports_dir = "{tmp / "reports"}"')
    text = text.replace('output_dir = "_site"', f'output_dir = "{tmp / "_site"}"')
    config = tmp / "site.toml"
    config.write_text(text)
    return config


def test_build_writes_every_head_tag(tmp_path: Path) -> None:
    config = load_config(copy_site(tmp_path))
    draft = config.content_root / "posts" / "draft-post.md"
    draft.write_text(
        "---\ntitle: '<script>alert(1)</script> Draft'\ndescription: d\npermalink: /articles/draft-post/\n"
        "draft: true\n---\nHello <b>raw</b>\n"
    )
    result = build(Context(config=config))
    out = Path(result.data["output"])
    assert result.counts["published"] == 8 and result.counts["pages"] == 9  # 7 English, 1 Spanish, 1 draft
    page = BeautifulSoup((out / "articles/coffee-and-health/index.html").read_text(), "lxml")
    base = "https://longevity-notes.example"
    assert page.html["lang"] == "en" and page.html["dir"] == "ltr"
    assert page.title.string.endswith(" | Longevity Notes")
    assert page.find("link", rel="canonical")["href"] == f"{base}/articles/coffee-and-health/"
    assert page.find("meta", attrs={"name": "description"})["content"]
    for prop in ("og:title", "og:description", "og:url", "og:image", "og:image:width", "og:image:height"):
        assert page.find("meta", property=prop), prop
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    ld = json.loads(page.find("script", type="application/ld+json").string)
    assert ld["@type"] == "Article" and ld["datePublished"].startswith("2025-")
    sitemap = (out / "sitemap.xml").read_text()
    assert sitemap.count("<loc>") == 8 and "draft-post" not in sitemap
    es = BeautifulSoup((out / "es/articles/walking-for-better-health/index.html").read_text(), "lxml")
    assert es.html["lang"] == "es"
    alternates = {link["hreflang"]: link["href"] for link in es.find_all("link", rel="alternate")}
    assert alternates == {
        "en": f"{base}/articles/walking-for-better-health/",
        "es": f"{base}/es/articles/walking-for-better-health/",
        "x-default": f"{base}/articles/walking-for-better-health/",
    }
    assert "Sitemap: https://longevity-notes.example/sitemap.xml" in (out / "robots.txt").read_text()
    redirects = json.loads((out / "_redirects.json").read_text())
    assert redirects == {"/blog/2025/strength-over-fifty/": "/articles/strength-training-after-50/"}
    draft_html = (out / "articles/draft-post/index.html").read_text()
    assert '<meta name="robots" content="noindex">' in draft_html
    assert "<script>alert(1)</script>" not in draft_html and "&lt;script&gt;" in draft_html
    assert "<b>raw</b>" not in draft_html  # raw HTML in Markdown is escaped in previews


def test_run_end_to_end(tmp_path: Path) -> None:
    config = copy_site(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "--config", str(config), "run"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for stage in ("validate", "translate", "cards", "social", "build", "crawl"):
        assert stage in out
    if find_mode("en", "es")[0]:  # Debian's Apertium (the Makefile installs it): a real Spanish draft
        assert "by_apertium" in out
        draft = (tmp_path / "site/content/es/posts/coffee-and-health.md").read_text("utf-8")
        assert "status: draft" in draft and "Café" in draft
    else:  # no engine at all: translate switched itself off with the install command
        assert "pipeline models install" in out
    assert "Traceback" not in proc.stderr
    index = (tmp_path / "reports" / "index.html").read_text()
    assert "validate.html" in index and "crawl.html" in index
    sarif = json.loads((tmp_path / "reports" / "validate.sarif").read_text())
    assert sarif["runs"][0]["results"]
    cards = list((tmp_path / "site/static/images/cards/en").glob("*.jpg"))
    assert len(cards) >= 12
    crawl = json.loads((tmp_path / "reports" / "crawl.json").read_text())
    assert crawl["summary"]["error"] == 0, [f["message"] for f in crawl["findings"]][:10]


def test_run_records_validate_history_like_validate_does(tmp_path: Path) -> None:
    """The web audit page reads the run history: `pipeline run` must leave the same validate run there as
    `pipeline validate` (it used to record nothing, so the page showed an old run's counts)."""
    from sqlalchemy import select

    from pipeline.cli import main
    from pipeline.schema.core import run_findings, runs
    from pipeline.store import open_store

    config_path = copy_site(tmp_path)
    assert main(["--config", str(config_path), "run", "--only", "validate"]) == 0
    store = open_store(load_config(config_path).db_url)
    with store.connect() as conn:
        rows = conn.execute(select(runs.c.id, runs.c.summary).where(runs.c.stage == "validate")).all()
        assert len(rows) == 1
        stored = conn.execute(select(run_findings.c.rule).where(run_findings.c.run_id == rows[0].id)).all()
    report = json.loads((tmp_path / "reports" / "validate.json").read_text())
    assert len(stored) == report["summary"]["total"] > 0
    assert rows[0].summary["posts"] == report["summary"]["posts"]

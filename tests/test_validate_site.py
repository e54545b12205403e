"""Validate on the example site, on the corpora, through the CLI, and the per-post cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.stages import Context
from pipeline.validate.stage import run_stage
from tests.conftest import REPO
from tests.validate_support import GOOD_BODY, GOOD_META, make_site, yaml_post

SEED = "best-exercises-osteoporosis.md"


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_seed_post_findings() -> None:
    config = load_config(REPO / "config" / "site.toml")
    findings = [
        f
        for f in run_stage(Context(config=config), use_cache=False).findings
        if f.file and f.file.endswith(SEED)
    ]
    by_rule = {f.rule: f for f in findings}
    # The 159-character description is over 156.
    assert "159 characters" in by_rule["SEO012"].message and by_rule["SEO012"].line == 3
    # Whole-post grade about 14.5 and reading ease about 22: an error against the health target.
    post_grade = by_rule["READ001"]
    assert post_grade.severity == "error"
    assert 13.5 <= post_grade.data["grade"] <= 15.5
    assert 17 <= post_grade.data["fre"] <= 27
    # Sections are reported at their heading lines.
    text = (REPO / "examples/health-blog/content/posts" / SEED).read_text().split("\n")
    sections = [f for f in findings if f.rule == "READ002"]
    assert len(sections) >= 5
    for f in sections:
        if f.data.get("key", "").startswith("section:") and f.data["key"] != "section:":
            assert text[f.line - 1].startswith("## ")
    # og/twitter images are reported as to be rendered by the cards stage (unless cards already ran).
    img = [f for f in findings if f.rule == "IMG006"]
    assert all("cards stage" in f.message for f in img)


def test_cache_skips_unchanged_posts(tmp_path: Path, db_url: str) -> None:
    config = make_site(
        tmp_path, {"posts/walking-for-strong-bones.md": yaml_post(GOOD_META, GOOD_BODY + "\n[x](/nope/)\n")}
    )
    first = run_stage(Context(config=config))
    assert first.counts["analysed"] == 1
    second = run_stage(Context(config=config))
    assert second.counts == {**first.counts, "analysed": 0, "cached": 1}
    assert [f.to_dict() for f in second.findings] == [f.to_dict() for f in first.findings]
    # Both runs are in the history, the second's findings by reference to the first's rows (no copy).
    from sqlalchemy import func, select

    from pipeline.schema.core import findings_run, run_findings, runs
    from pipeline.store import open_store

    with open_store(db_url).connect() as conn:
        refs = conn.execute(
            select(findings_run()).where(runs.c.stage == "validate").order_by(runs.c.id)
        ).all()
        stored = conn.execute(select(func.count()).select_from(run_findings)).scalar_one()
    assert len(refs) == 2 and refs[0] == refs[1] and stored == len(first.findings) > 0
    post = tmp_path / "content/posts/walking-for-strong-bones.md"
    post.write_text(post.read_text() + "\nOne more line.\n")
    assert run_stage(Context(config=config)).counts["analysed"] == 1


def test_a_second_cli_run_answers_from_the_stored_site_result(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """H3: the whole-site row is stored and read back on both stores (its NUL key made PostgreSQL exit 3)."""
    from sqlalchemy import select

    from pipeline.cli import main
    from pipeline.schema.core import validate_cache
    from pipeline.store import open_store

    make_site(tmp_path, {"posts/walking-for-strong-bones.md": yaml_post(GOOD_META, GOOD_BODY)})
    args = ["validate", "--config", str(tmp_path / "site.toml"), "--fail-on", "never", "--format", "json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["findings"] == first["findings"]
    with open_store(db_url).connect() as conn:
        paths = set(conn.execute(select(validate_cache.c.path)).scalars())
    assert paths == {"/site", "posts/walking-for-strong-bones.md"}


def test_cli_sarif_on_example_site(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    proc = _cli(
        "validate", "examples/health-blog", "--format", "sarif", "--output", str(out), "--fail-on", "never"
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    results = doc["runs"][0]["results"]
    assert results
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("examples/health-blog/content/")
        assert loc["region"]["startLine"] >= 1
    schema = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
    if schema.exists():
        import jsonschema

        jsonschema.validate(doc, json.loads(schema.read_text()))


def test_cli_exit_codes(tmp_path: Path) -> None:
    assert _cli("validate", "--fail-on", "never", "-q").returncode == 0
    assert (
        _cli("validate", "--fail-on", "error", "-q").returncode == 1
    )  # the seed post has readability errors
    missing = _cli("validate", "no/such/dir")
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_cli_baseline(tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    assert _cli("validate", "--write-baseline", str(base)).returncode == 0
    proc = _cli("validate", "--baseline", str(base), "--fail-on", "info", "-q")
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_bad_post_does_not_stop_the_run(tmp_path: Path) -> None:
    config = make_site(
        tmp_path,
        {
            "posts/walking-for-strong-bones.md": yaml_post(GOOD_META, GOOD_BODY),
            "posts/broken.md": "---\ntitle: [unclosed\n---\nbody\n",
            "posts/plain.md": "A page without front matter is read (CONTENT011), not unreadable.\n",
        },
    )
    result = run_stage(Context(config=config), use_cache=False)
    assert result.counts["posts"] == 2 and result.counts["unreadable"] == 1
    broken = [f for f in result.findings if f.file and f.file.endswith("broken.md")]
    assert broken and broken[0].rule == "CONTENT005" and broken[0].line == 3


@pytest.mark.slow
def test_every_corpus_post_validates(corpora: Path, tmp_path: Path) -> None:
    config = load_config(None, overrides={"site": {"content_dir": str(corpora)}})
    result = run_stage(Context(config=config), use_cache=False)
    assert result.counts["posts"] >= 1700
    crashed = [f for f in result.findings if f.rule == "VALIDATE000"]
    assert crashed == []


def test_validating_a_folder_outside_the_content_keeps_the_sites_static_folder(tmp_path: Path) -> None:
    """`pipeline validate DIR` treats DIR as the content; images still resolve in the configured static folder."""
    outside = tmp_path / "drafts"
    outside.mkdir()
    post = REPO / "examples" / "health-blog" / "content" / "posts" / "coffee-and-health.md"
    (outside / post.name).write_text(post.read_text(encoding="utf-8"), encoding="utf-8")
    proc = _cli("validate", str(outside), "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert rules and not rules & {"IMG001", "IMG002", "IMG003"}, rules  # the hero was found and read


def test_paths_that_hold_no_posts_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not a post", encoding="utf-8")
    for path, says in (
        (tmp_path / "empty", "no Markdown files under"),
        (tmp_path / "notes.txt", "not a Markdown"),
    ):
        proc = _cli("validate", str(path))
        assert proc.returncode == 2 and says in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    cards = _cli("cards", str(tmp_path / "empty"))
    assert cards.returncode == 2 and "not inside the content folder" in cards.stderr


def test_an_edit_under_posts_folders_changes_the_site_signature(tmp_path: Path) -> None:
    """The no-change fast path walked the content without the generator's folders, so an edit to a Jekyll (or
    kubernetes.io's Hugo) `_posts/` file reused the previous run's findings."""
    import shutil

    from pipeline.validate.stage import site_signature

    shutil.copytree(REPO / "tests" / "fixtures" / "sites" / "jekyll", tmp_path / "jekyll")
    config = load_config(tmp_path / "jekyll" / "site.toml")
    before = site_signature(config)
    post = config.content_root / "_posts" / "2024-03-01-welcome.md"
    post.write_text(post.read_text("utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert site_signature(config) != before

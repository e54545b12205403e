"""Hostile Markdown through every stage that parses it: validate (one process and the pool), translate's
segmenting, build, and the web UI's preview. Each run is a subprocess, so a segfault or a panic shows as an exit
status instead of taking pytest down. Every run must end with exit ≤ 2, name each hostile file in a finding (or
still have processed it), and still process every other post.

Bounded for CI: a few hypothesis sites of 25 posts and one pathological set; CHAOS_SOAK=1 generates many more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO

pytestmark = pytest.mark.chaos
SOAK = os.environ.get("CHAOS_SOAK") == "1"

# Front matter that still leaves findings on every post (no description, no date...), so each file is named.
FRONT = "---\ntitle: {title}\n---\n"
PATHOLOGICAL: dict[str, str] = {
    "nested-quotes.md": ">" * 100_000 + " deep\n",
    "quote-lines.md": "".join("> " * i + "line\n" for i in range(1, 800)),
    "deep-list.md": "- " * 50_000 + "x\n",
    "indented-list.md": "".join("  " * i + "- item\n" for i in range(1200)),
    "brackets.md": "[" * 20_000 + "x" + "]" * 20_000 + "\n",
    "images.md": "![" * 20_000 + "x" + "](i.png)" * 20_000 + "\n",
    "emphasis.md": "*a " * 20_000 + "x" + " b*" * 20_000 + "\n",
    "stray-backtick.md": "See [x`](https://e.com/).\n\nAnd [`ok`](https://e.com/) after it.\n",
    "backtick-run.md": "`" * 100_000 + "\n",
    "html-soup.md": "<div>" * 20_000 + "\n\n" + "</span>" * 20_000 + "\n",
}
BIG = "huge.md"  # 50 MB: over site.max_file_bytes, refused unread (CONTENT001)

PIECES = [
    *">*_`[]()!#-|~<\\:.1 \n\t",
    "\n\n",
    "word",
    "http://e.com/",
    "[x`](https://e.com/)",
    "```",
    "- ",
    "> ",
]
MARKDOWN_ALPHABET = st.sampled_from(PIECES)
POST_BODY = st.lists(MARKDOWN_ALPHABET, max_size=400).map("".join)


def _site(root: Path, bodies: dict[str, str], fillers: int = 0, big: bool = False) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    (root / "static").mkdir()
    for name, body in bodies.items():
        (content / name).write_text(FRONT.format(title=name.removesuffix(".md")) + body, "utf-8")
    for i in range(fillers):
        (content / f"filler-{i:04d}.md").write_text(
            FRONT.format(title=f"Filler {i}") + f"A short post number {i}. It has two sentences.\n", "utf-8"
        )
    if big:
        with (content / BIG).open("w", encoding="utf-8") as f:
            f.write(FRONT.format(title="huge"))
            chunk = "> [x`](y) *a " * 4096 + "\n"
            for _ in range(50_000_000 // len(chunk)):
                f.write(chunk)
    config = root / "site.toml"
    config.write_text(
        f'[site]\ncontent_dir = "{content}"\nstatic_dir = "{root / "static"}"\n'
        f'reports_dir = "{root / "reports"}"\noutput_dir = "{root / "_site"}"\n'
        '[site.languages.en]\nname = "English"\n[site.languages.es]\nname = "Español"\n',
        "utf-8",
    )
    return config


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
    )


def _validate(config: Path, expected_files: set[str], min_posts: int) -> dict[str, list[str]]:
    proc = _run("-m", "pipeline", "--config", str(config), "validate", "--format", "json", "--no-cache")
    assert proc.returncode <= 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "PicklingError" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["posts"] + report["summary"]["unreadable"] >= min_posts
    named: dict[str, list[str]] = {}
    for finding in report["findings"]:
        named.setdefault(Path(finding["file"] or "").name, []).append(finding["rule"])
    missing = sorted(name for name in expected_files if name not in named)
    assert missing == [], f"no finding names {missing}"
    crashed = {name: rules for name, rules in named.items() if "VALIDATE000" in rules}
    assert crashed == {}
    return named


def _segment_and_preview(config: Path) -> list[str]:
    """Translate's segmenting and the web UI's preview over every post, in a subprocess."""
    script = f"""
import sys
from pathlib import Path
from pipeline.config import load_config
from pipeline.content import load_content
from pipeline.translate.drafts import plan_post
from pipeline.translate.segment import assemble
from pipeline.web.render import markdown_html
config = load_config(Path({str(config)!r}))
for post in load_content(config).posts:
    plan = plan_post(post, "es", config)
    assert assemble(plan.body_parts) == post.body, post.rel  # segmenting never loses a character
    markdown_html(post.body)
    print(post.rel)
"""
    proc = _run("-c", script)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.split()


def _build(config: Path, root: Path, posts: set[str]) -> None:
    proc = _run("-m", "pipeline", "--config", str(config), "build", "--fail-on", "never")
    assert proc.returncode <= 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    built = {p.parent.name for p in (root / "_site").rglob("index.html")}
    named = {line.split("/")[-1] for line in proc.stdout.splitlines() if line.endswith(".md")}
    unbuilt = sorted(p for p in posts if p.removesuffix(".md") not in built and p not in named)
    assert unbuilt == [], f"neither built nor named in a finding: {unbuilt}"


def test_pathological_markdown_through_every_stage(tmp_path: Path) -> None:
    config = _site(tmp_path, PATHOLOGICAL, fillers=5, big=True)
    named = _validate(config, {*PATHOLOGICAL, BIG}, min_posts=len(PATHOLOGICAL) + 6)
    assert named[BIG] == ["CONTENT001"]
    assert "CONTENT013" in named["nested-quotes.md"] and "CONTENT013" in named["deep-list.md"]
    (tmp_path / "content" / BIG).unlink()  # the other stages refuse it the same way; keep their runs short
    assert set(_segment_and_preview(config)) >= set(PATHOLOGICAL)
    _build(config, tmp_path, set(PATHOLOGICAL))


def test_hostile_posts_in_the_process_pool_end_as_findings(tmp_path: Path) -> None:
    """With ≥ 300 posts validate forks workers: a panic there used to come back as 'PicklingError' (exit 3)."""
    hostile = {k: PATHOLOGICAL[k] for k in ("stray-backtick.md", "nested-quotes.md", "emphasis.md")}
    config = _site(tmp_path, hostile, fillers=300)
    named = _validate(config, set(hostile), min_posts=303)
    assert sum(1 for name in named if name.startswith("filler-")) == 300


@settings(
    max_examples=40 if SOAK else 2,
    phases=[
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
    ],  # a failing site is reported, not shrunk for minutes
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bodies=st.lists(POST_BODY, min_size=25, max_size=25))
def test_generated_markdown_through_every_stage(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[str]
) -> None:
    root = tmp_path_factory.mktemp("chaos")
    posts = {f"gen-{i:02d}.md": body for i, body in enumerate(bodies)}
    config = _site(root, posts)
    _validate(config, set(posts), min_posts=len(posts))
    assert set(_segment_and_preview(config)) == set(posts)
    _build(config, root, set(posts))


def test_the_dialect_survives_generated_input_in_one_process() -> None:
    """Many more documents straight at the parsers (tree, tokens, HTML, segments), still in a subprocess."""
    script = f"""
from hypothesis import given, settings, strategies as st
from pipeline.content.html import render_html
from pipeline.content.markdown import parse_tokens, parse_tree
from pipeline.translate.segment import assemble, segment_body
alphabet = st.sampled_from({PIECES!r})
@settings(max_examples={2000 if SOAK else 300}, deadline=None, database=None)
@given(st.lists(alphabet, max_size=300).map("".join))
def check(text):
    parse_tree(text)
    render_html(parse_tokens(text))
    assert assemble(segment_body(text)) == text
check()
print("ok")
"""
    proc = _run("-c", script, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]

"""M4: a NUL byte (or a name over the file system's limit) in image/ogImage/twitterImage is a finding on that
line in every stage that reads those keys; it used to end `pipeline validate` with exit 3 and `pipeline cards`
with an OSError."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.build.stage import run_stage as build
from pipeline.cards.stage import run_stage as cards
from pipeline.config import load_config
from pipeline.crawl.expected import build_expected
from pipeline.stages import Context
from pipeline.validate.stage import run_stage as validate
from tests.chaos.support import make_site, run

KEYS = ("image", "ogImage", "twitterImage")
ODD = {
    "nul": "/images/a\x00b.jpg",
    "nul-after": "/images/hero.jpg\x00.png",
    "too-long": "/" + "a" * 6000 + ".jpg",
}


def _site(root: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    """One post per (key, odd value); returns the config and file name → (key, value)."""
    cases = [(key, name) for key in KEYS for name in ODD]
    config = make_site(root, posts=len(cases) + 1)
    where: dict[str, tuple[str, str]] = {}
    for i, (key, name) in enumerate(cases):
        path = root / "content" / "posts" / f"walking-{i}.md"
        lines = [ln for ln in path.read_text().split("\n") if not ln.startswith(f"{key}:")]
        lines.insert(1, f"{key}: " + yaml.safe_dump(ODD[name], default_style='"', width=10**6).strip())
        path.write_text("\n".join(lines))
        where[path.name] = (key, name)
    return config, where


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    return _site(tmp_path)


def _ctx(config: Path) -> Context:
    return Context(config=load_config(config))


def test_validate_reports_each_odd_path_on_its_line(site: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    config, where = site
    result = validate(_ctx(config), use_cache=False)
    assert result.counts["posts"] == len(where) + 1
    for name, (key, _) in where.items():
        hits = [f for f in result.findings if f.rule == "IMG001" and f.file and f.file.endswith("/" + name)]
        assert len(hits) == 1, (name, key)
        assert hits[0].line == 2  # the key sits on the first line after '---'
        assert key in hits[0].message


def test_validate_cli_exits_1_not_3(site: tuple[Path, dict[str, tuple[str, str]]], tmp_path: Path) -> None:
    config, _ = site
    proc = run(["validate"], config, tmp_path / "state")
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "NUL byte" in proc.stdout


def test_cards_build_and_crawl_expectations_go_on(site: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    config, where = site
    result = cards(_ctx(config))
    for name, (key, _) in where.items():
        if key != "image":  # an unusable hero falls back to the layout background (a finding of its own)
            assert any(f.file and f.file.endswith("/" + name) for f in result.findings), name
    built = build(_ctx(config))
    assert built.counts["pages"] == len(where) + 1
    ctx = _ctx(config)
    assert len(build_expected(ctx.config, ctx.content).pages) == len(where) + 1

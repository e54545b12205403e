"""Hugo leaves raw HTML written in Markdown off the page unless `markup.goldmark.renderer.unsafe` is true (the
default since Hugo 0.60): `<!-- raw HTML omitted -->` stands where the `<img>` or `<div>` was. On such a site the
raw tags are reported (MD010), a raw `<img>` is no image of the page (no alt-text findings about it), and the
preview leaves them off as Hugo does. With `unsafe: true` the raw HTML is on the page and checked as before."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.content.markdown import parse_tokens, raw_html_nodes, tree_from_tokens
from pipeline.findings import Finding
from pipeline.stages import Context
from pipeline.validate.stage import run_stage

POST = """---
title: Morning light and sleep
description: How the first hour of daylight sets the body clock, and what to do on dark winter mornings.
date: 2024-03-01
---
Daylight in the first hour after waking sets the body clock for the day.

<img src="/images/dawn.png">

<div class="note">
Open the curtains before breakfast.
</div>

<!-- an editor's comment: nothing a reader sees -->

A lamp of <span class="num">10,000</span> lux helps on dark mornings; see [the study](https://example.org/).

![A window at dawn](/images/window.png)
"""


def _site(tmp_path: Path, markup: str) -> Path:
    root = tmp_path / "site"
    (root / "content/posts").mkdir(parents=True)
    (root / "content/posts/light.md").write_text(POST, encoding="utf-8")
    (root / "hugo.toml").write_text(f"baseURL = 'https://example.org/'\ntitle = 'Notes'\n{markup}", "utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text('[site]\ngenerator = "hugo"\ncontent_dir = "site/content"\n', encoding="utf-8")
    return config


def _findings(config_path: Path, rule: str) -> list[Finding]:
    result = run_stage(Context(config=load_config(config_path)), use_cache=False)
    return [f for f in result.findings if f.rule == rule]


def test_hugo_default_omits_raw_html_and_validate_says_where(tmp_path: Path) -> None:
    path = _site(tmp_path, "")
    config = load_config(path)
    assert config.site.raw_html == "omit"
    assert "Hugo's default" in config.origins["site.raw_html"]
    found = _findings(path, "MD010")
    # the <img> (line 8), the <div> (10) and the inline <span> (16); not the comment, not the closing </div>
    assert [(f.line, f.message.split(">")[0]) for f in found] == [
        (8, "raw HTML <img"),
        (10, "raw HTML <div"),
        (16, "raw HTML <span"),
    ]
    assert all("markup.goldmark.renderer.unsafe" in f.message for f in found)
    # The raw <img> is not on the page: no alt-text finding about it (MD010 says what to do instead).
    assert not [f for f in _findings(path, "MD003") if "dawn.png" in f.message]


def test_unsafe_true_renders_raw_html_and_checks_its_image(tmp_path: Path) -> None:
    path = _site(tmp_path, "[markup.goldmark.renderer]\nunsafe = true\n")
    config = load_config(path)
    assert config.site.raw_html == "render"
    assert "markup.goldmark.renderer.unsafe" in config.origins["site.raw_html"]
    assert not _findings(path, "MD010")
    assert [f.line for f in _findings(path, "MD003") if "dawn.png" in f.message] == [8]


def test_our_setting_wins_over_hugos(tmp_path: Path) -> None:
    path = _site(tmp_path, "")
    path.write_text(path.read_text() + 'raw_html = "render"\n', encoding="utf-8")
    config = load_config(path)
    assert config.site.raw_html == "render" and "site.raw_html" not in config.origins
    assert not _findings(path, "MD010")


def test_the_preview_leaves_raw_html_off_as_hugo_does(tmp_path: Path) -> None:
    from pipeline.build.stage import run_stage as build

    config = load_config(_site(tmp_path, ""))
    build(Context(config=config))
    html = (config.root / config.site.output_dir / "posts/light/index.html").read_text(encoding="utf-8")
    # three HTML blocks (the <img>, the <div> with its text up to the blank line, the comment), <span>, </span>
    assert html.count("<!-- raw HTML omitted -->") == 5
    assert "dawn.png" not in html and "class=&quot;note" not in html and "&lt;div" not in html
    assert "Open the curtains before breakfast." not in html  # inside the raw <div> block: omitted with it
    assert 'src="/images/window.png"' in html  # Markdown's own image is on the page


def test_both_engines_find_the_same_raw_html(tmp_path: Path) -> None:
    from pipeline.content.markdown import _fast_parser

    body = POST.split("---\n", 2)[2]
    safe = tree_from_tokens(body, parse_tokens(body))
    fast = _fast_parser().tree(body)
    lines = [body.encode()[:at].count(b"\n") + 1 for at, _ in raw_html_nodes(safe)]
    assert [src.split()[0] for _, src in raw_html_nodes(fast)] == [
        src.split()[0] for _, src in raw_html_nodes(safe)
    ]
    assert lines[:3] == [3, 5, 9]

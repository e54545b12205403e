"""Hugo's Goldmark links bare URLs (`markup.goldmark.extensions.linkify`, on by default): on a Hugo site a post
whose only source is a bare `https://…` or `www.…` has an outbound link (no MD006), a bare link into the site is
checked (MD005), and the preview renders it as `<a href>`. Eleventy (markdown-it's default) and Jekyll (kramdown)
leave bare URLs as text, as does a Hugo site that turns linkify off."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.content.html import render_html
from pipeline.content.linkify import find_links, has_bare_links
from pipeline.content.markdown import parse_tokens, parse_tree, tree_from_tokens
from pipeline.content.urls import bare_link_protocol
from pipeline.findings import Finding
from pipeline.stages import Context
from pipeline.validate.stage import run_stage

POST = """---
title: Morning light and sleep
description: How the first hour of daylight sets the body clock, and what to do on dark winter mornings.
date: 2024-03-01
---
Daylight in the first hour after waking sets the body clock for the day, as the sleep study at
https://example.net/studies/light.html found. Open the curtains before breakfast every morning.

More on lamps at www.example.com/lamps and in our own notes at https://example.org/posts/missing/.
"""


def _site(tmp_path: Path, markup: str = "", generator: str = "hugo") -> Path:
    root = tmp_path / "site"
    (root / "content/posts").mkdir(parents=True)
    (root / "content/posts/light.md").write_text(POST, encoding="utf-8")
    (root / "hugo.toml").write_text(f"baseURL = 'https://example.org/'\ntitle = 'Notes'\n{markup}", "utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f'[site]\ngenerator = "{generator}"\nbase_url = "https://example.org"\ncontent_dir = "site/content"\n',
        encoding="utf-8",
    )
    return config


def _findings(config_path: Path, rule: str) -> list[Finding]:
    result = run_stage(Context(config=load_config(config_path)), use_cache=False)
    return [f for f in result.findings if f.rule == rule]


def test_hugo_links_bare_urls_by_default(tmp_path: Path) -> None:
    path = _site(tmp_path)
    assert bare_link_protocol(load_config(path)) == "https"
    assert not _findings(path, "MD006")  # the bare URLs are its sources
    # The bare link into the site is checked like any other.
    assert [(f.line, "/posts/missing/" in f.message) for f in _findings(path, "MD005")] == [(9, True)]


def test_linkify_off_in_hugos_config_leaves_bare_urls_as_text(tmp_path: Path) -> None:
    path = _site(tmp_path, "[markup.goldmark.extensions]\nlinkify = false\n")
    config = load_config(path)
    assert not bare_link_protocol(config)
    assert "markup.goldmark.extensions.linkify" in config.origins["site.linkify"]
    assert [f.line for f in _findings(path, "MD006")] == [6]
    assert not _findings(path, "MD005")


def test_eleventy_does_not_link_bare_urls(tmp_path: Path) -> None:
    path = _site(tmp_path, generator="eleventy")
    assert not bare_link_protocol(load_config(path))
    assert [f.line for f in _findings(path, "MD006")] == [6]
    # …unless its config gives markdown-it `linkify: true` (eleventy-base-blog's did); a comment does not.
    js = tmp_path / "site" / "eleventy.config.js"  # the project folder above the input folder
    js.write_text("// md.set({ linkify: true })\nexport default function (c) {}\n", encoding="utf-8")
    assert not bare_link_protocol(load_config(path))
    js.write_text("const md = markdownIt({ html: true, linkify: true });\n", encoding="utf-8")
    assert bare_link_protocol(load_config(path)) == "http"  # markdown-it's protocol for www. links
    assert not _findings(path, "MD006")


def test_the_preview_renders_bare_urls_as_links(tmp_path: Path) -> None:
    from pipeline.build.stage import run_stage as build

    path = _site(tmp_path, "[markup.goldmark.extensions]\nlinkifyProtocol = 'http'\n")
    config = load_config(path)
    build(Context(config=config))
    html = (config.root / config.site.output_dir / "posts/light/index.html").read_text(encoding="utf-8")
    assert (
        '<a href="https://example.net/studies/light.html">https://example.net/studies/light.html</a> found'
        in html
    )
    assert '<a href="http://www.example.com/lamps">www.example.com/lamps</a>' in html  # linkifyProtocol


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("see https://x.org/foo.", ["https://x.org/foo"]),  # a trailing full stop is not part of it
        ("(https://x.org/a_(b)) and (www.y.org)", ["https://x.org/a_(b)", "https://www.y.org"]),
        ("**https://a.org/x**, https://b.org/?q=1!", ["https://a.org/x", "https://b.org/?q=1"]),
        ("mail me@x.org.", ["mailto:me@x.org"]),
        ("访问 https://a.org/文档 了解", ["https://a.org/"]),  # path characters are ASCII
        ("xhttps://a.org 见https://b.org。 `x`https://c.org", []),  # no trigger before them
        ("http://localhost:8080/x and me@localhost", []),  # no top-level domain
        ("[https://a.org](https://b.org) and [see https://c.org]", ["https://b.org"]),  # not in link text
        ("`https://a.org` and <https://b.org>", ["https://b.org"]),
        (
            "| a |\n|---|\n|https://t.org|\n\n> https://q.org\n\n- www.l.org",
            ["https://t.org", "https://q.org", "https://www.l.org"],
        ),
        ("[x]: https://ref.org\n\n[x] and [y](https://y.org)", ["https://ref.org", "https://y.org"]),
        ("```\ncurl https://code.org\n```\n\n    https://indented.org", []),
    ],
)
def test_bare_links_follow_goldmark_and_both_engines_agree(body: str, links: list[str]) -> None:
    def hrefs(tree: object) -> list[str]:
        out: list[str] = []
        stack = [tree]
        while stack:
            node = stack.pop()
            if node.name in ("link", "autolink"):  # type: ignore[attr-defined]
                out.append(node.meta["url"])  # type: ignore[attr-defined]
            stack.extend(reversed(node.children))  # type: ignore[attr-defined]
        return out

    safe = tree_from_tokens(body, parse_tokens(body, linkify="https"))
    assert hrefs(safe) == links
    assert hrefs(parse_tree(body, linkify="https")) == links  # the fast engine is never given a bare link


def test_bodies_without_bare_links_keep_the_fast_engine() -> None:
    assert not has_bare_links("A [link](https://x.org/) and <https://y.org>.\n\n[r]: https://r.org\n")
    assert has_bare_links("See https://x.org/ now.")
    assert find_links("a https://x.org/ b", head=False) == [(2, 16, "url")]
    assert find_links("https://x.org/ b", head=False) == []  # after a code span: no trigger
    body = "A [link](https://x.org/) and <https://y.org>.\n"
    assert render_html(parse_tokens(body, linkify="https")) == render_html(parse_tokens(body))


def test_the_translation_preview_links_bare_urls_where_the_site_does() -> None:
    from pipeline.web.render import preview_html

    body = "Lamps at www.example.com/lamps.\n"
    assert '<a href="https://www.example.com/lamps">' in preview_html(body, lambda src: src, "https")
    assert "<a " not in preview_html(body, lambda src: src)


@pytest.mark.parametrize(
    "body",
    [
        "```x``` is code, https://a.org is a link\n",  # not a fence: its info string holds a backtick
        "see [x]: https://a.org\n",  # not a reference definition: it does not start the line
        "*me@x.org* and ~~www.x.org~~\n",
    ],
)
def test_the_pre_scan_finds_every_bare_link(body: str) -> None:
    """The fast engine never sees a body with a bare link: the pre-scan is a superset of what Goldmark links."""
    assert has_bare_links(body)
    links = [t for t in parse_tokens(body, linkify="https")[1].children or [] if t.type == "link_open"]
    assert links

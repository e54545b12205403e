"""A link to a file that exists but writes no page — a draft, a page scheduled for later or past its expiry date,
Hugo's `build: {render: never}`, Jekyll's `published: false`, Eleventy's `permalink: false` — is a 404 on the
built site: MD005 reports it and says why the generator leaves the page out."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.stages import Context
from pipeline.validate.stage import run_stage

HEAD = "---\ntitle: {title}\ndescription: A page of the link test site, long enough to pass its own checks.\n{extra}---\n"
TEXT = "Some words about sleep and light, with a source at [the study](https://example.net/).\n"


def _write(root: Path, rel: str, title: str, extra: str = "", body: str = TEXT) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEAD.format(title=title, extra=extra) + body, encoding="utf-8")


def _md005(tmp_path: Path, generator: str) -> list[tuple[int, str]]:
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f'[site]\ngenerator = "{generator}"\nbase_url = "https://example.org"\ncontent_dir = "site"\n',
        "utf-8",
    )
    result = run_stage(Context(config=load_config(config)), use_cache=False)
    return [(f.line, f.message) for f in result.findings if f.rule == "MD005" and f.file.endswith("from.md")]


def test_hugo_links_to_pages_it_does_not_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (tmp_path / "hugo.toml").write_text("baseURL = 'https://example.org/'\n", encoding="utf-8")
    _write(site, "posts/live.md", "Live", "date: 2024-01-01\n")
    _write(site, "posts/draft.md", "Draft", "date: 2024-01-01\ndraft: true\n")
    _write(site, "posts/later.md", "Later", "date: 2999-01-01\n")
    _write(site, "posts/gone.md", "Gone", "date: 2024-01-01\nexpiryDate: 2024-06-01\n")
    _write(site, "posts/hidden.md", "Hidden", "date: 2024-01-01\nbuild:\n  render: never\n")
    # A menu entry the site's templates turn into a host redirect (opentelemetry.io): served, not a 404.
    _write(site, "posts/moved.md", "Moved", "redirect: https://example.net/\nbuild: {render: link}\n")
    body = (
        TEXT
        + '\n[live](/posts/live/), [draft](/posts/draft/), [later]({{< ref "later" >}}),\n'
        + "[gone](gone.md) and [hidden](/posts/hidden/), [moved](/posts/moved/).\n"
    )
    _write(site, "posts/from.md", "From", "date: 2024-01-01\n", body)
    found = _md005(tmp_path, "hugo")
    assert [line for line, _ in found] == [8, 8, 9, 9]
    messages = " | ".join(m for _, m in found)
    assert "'/posts/live/'" not in messages
    assert "posts/draft.md is a draft: Hugo does not build it without buildDrafts" in messages
    assert (
        "posts/later.md is scheduled for 2999-01-01: Hugo does not build future pages without buildFuture"
        in (messages)
    )
    assert "posts/gone.md expired on 2024-06-01 (expiryDate)" in messages
    assert "posts/hidden.md has build.render: never: Hugo writes no page for it" in messages


def test_jekyll_drafts_and_future_posts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _write(site, "_posts/2024-01-01-live.md", "Live")
    _write(site, "_posts/2999-01-01-later.md", "Later")
    _write(site, "_drafts/idea.md", "Idea")
    _write(site, "_posts/2024-01-02-keyed.md", "Keyed", "draft: true\n")  # no Jekyll setting: built
    _write(site, "off.md", "Off", "published: false\n")
    body = (
        TEXT
        + "\n{% post_url 2024-01-01-live %} [a]({% post_url 2999-01-01-later %})\n\n[b]({% link _drafts/idea.md %}) [c]({% link off.md %})\n"
        + "\n[d]({% post_url 2024-01-02-keyed %})\n"
    )
    _write(site, "from.md", "From", "", body)
    found = _md005(tmp_path, "jekyll")
    assert [line for line, _ in found] == [7, 9, 9]
    messages = " | ".join(m for _, m in found)
    assert "is scheduled for 2999-01-01: Jekyll does not build future pages without future: true" in messages
    assert "_drafts/idea.md is a draft: Jekyll does not build it without --drafts" in messages
    assert "off.md has published: false: Jekyll does not build it" in messages


def test_eleventy_permalink_false(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _write(site, "posts/data.md", "Data", "permalink: false\n")
    _write(site, "posts/draft.md", "Draft", "draft: true\n")  # Eleventy builds it: no drafts of its own
    _write(site, "posts/from.md", "From", "", TEXT + "\n[data](data.md) and [draft](/posts/draft/)\n")
    found = _md005(tmp_path, "eleventy")
    assert [
        (line, "posts/data.md has permalink: false: Eleventy writes no page for it" in m) for line, m in found
    ] == [(7, True)]

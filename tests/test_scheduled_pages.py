"""Hugo and Jekyll leave out of a build the posts dated in the future (Hugo also pages past their expiryDate):
that is how their sites schedule posts. Such a post is validated (it goes live soon) but not expected by the
crawl nor announced by the social stage; SEO004 says it is scheduled instead of asking for `draft: true`; an
expired Hugo page is no page at all, and validate says once that it left it out. opentelemetry.io has twelve
expired announcements (`expiryDate: 2026-03-26 # keep`): they were checked and expected on the live site."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.content.loader import load_content
from pipeline.crawl.expected import build_expected
from pipeline.stages import Context
from pipeline.validate.stage import run_stage

BODY = "Morning light sets the body clock. " * 20

HUGO_POSTS = {
    "live.md": "---\ntitle: Live\ndate: 2024-01-02\n---\n",
    "next-year.md": "---\ntitle: Next year\ndate: 2099-01-02\n---\n",
    "publish-later.md": "---\ntitle: Later\ndate: 2024-01-02\npublishDate: 2099-03-04\n---\n",
    "expired.md": "---\ntitle: Expired\ndate: 2024-01-02\nexpiryDate: 2025-06-11 # keep\n---\n",
    "unpublished.md": "---\ntitle: Unpublished\ndate: 2024-01-02\nunpublishdate: 2025-01-01\n---\n",
    "expires-later.md": "---\ntitle: Expires later\ndate: 2024-01-02\nExpiryDate: 2099-01-01\n---\n",
}


def _hugo(tmp_path: Path, hugo_extra: str = "") -> Path:
    root = tmp_path / "site"
    (root / "content/posts").mkdir(parents=True)
    for name, head in HUGO_POSTS.items():
        (root / "content/posts" / name).write_text(head + BODY + "\n", encoding="utf-8")
    (root / "hugo.toml").write_text(f"baseURL = 'https://example.org/'\n{hugo_extra}", encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text('[site]\ngenerator = "hugo"\ncontent_dir = "site/content"\n', encoding="utf-8")
    return config


def _held(config_path: Path) -> dict[str, tuple[str, bool, bool]]:
    content = load_content(load_config(config_path))
    return {p.path.name: (p.held, p.renders, p.published) for p in content.posts}


def test_hugo_holds_future_and_expired_pages(tmp_path: Path) -> None:
    held = _held(_hugo(tmp_path))
    assert held == {
        "live.md": ("", True, True),
        "next-year.md": ("scheduled 2099-01-02", True, False),
        "publish-later.md": ("scheduled 2099-03-04", True, False),
        "expired.md": ("expired 2025-06-11", False, False),
        "unpublished.md": ("expired 2025-01-01", False, False),
        "expires-later.md": ("", True, True),
    }


def test_hugo_build_future_and_build_expired_publish_them(tmp_path: Path) -> None:
    held = _held(_hugo(tmp_path, "buildFuture = true\nbuildExpired = true\n"))
    assert {name: h for name, (h, _, _) in held.items() if h} == {}
    assert all(published for _, _, published in held.values())


def test_validate_checks_scheduled_posts_and_leaves_expired_pages_out(tmp_path: Path) -> None:
    result = run_stage(Context(config=load_config(_hugo(tmp_path))), use_cache=False)
    files = {Path(f.file).name for f in result.findings if f.file}
    assert "expired.md" not in files and "unpublished.md" not in files
    seo004 = [f for f in result.findings if f.rule == "SEO004"]
    assert [(Path(f.file or "").name, f.severity) for f in seo004] == [("next-year.md", "info")]
    assert "Hugo publishes the page from then on (scheduled)" in seo004[0].message
    assert "draft: true" not in seo004[0].message
    note = [n for n in result.data["notes"] if "expiryDate" in n]
    assert note and note[0].startswith("2 page(s) past their expiryDate were not checked"), result.data[
        "notes"
    ]


def test_the_crawl_expects_only_pages_the_build_writes(tmp_path: Path) -> None:
    config = load_config(_hugo(tmp_path))
    expected = build_expected(config, load_content(config))
    assert sorted(p.url for p in expected.pages) == [
        "https://example.org/posts/expires-later/",
        "https://example.org/posts/live/",
    ]
    # scheduled pages are known, so a sitemap that already lists them is told apart from a stray URL
    assert sorted(expected.unpublished) == [
        "https://example.org/posts/next-year/",
        "https://example.org/posts/publish-later/",
    ]


def _jekyll(tmp_path: Path, ours: str = "") -> Path:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_posts/2024-01-02-live.md").write_text("---\ntitle: Live\n---\n" + BODY, encoding="utf-8")
    (root / "_posts/2099-01-02-future.md").write_text("---\ntitle: Future\n---\n" + BODY, encoding="utf-8")
    (root / "events.md").write_text("---\ntitle: Events\ndate: 2099-05-01\n---\n" + BODY, encoding="utf-8")
    (root / "_config.yml").write_text("title: Notes\n", encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text(f'[site]\ngenerator = "jekyll"\ncontent_dir = "site"\n{ours}', encoding="utf-8")
    return config


def test_jekyll_holds_future_posts_not_pages(tmp_path: Path) -> None:
    held = _held(_jekyll(tmp_path))
    assert held["2099-01-02-future.md"][:2] == ("scheduled 2099-01-02", True)
    assert held["2024-01-02-live.md"] == ("", True, True)
    assert held["events.md"][0] == ""  # a page, not a post: Jekyll builds it whatever its date
    assert _held(_jekyll(tmp_path / "b", "build_future = true\n"))["2099-01-02-future.md"][0] == ""


def test_eleventy_builds_future_posts(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "posts").mkdir(parents=True)
    (root / "posts/future.md").write_text("---\ntitle: F\ndate: 2099-01-02\n---\n" + BODY, encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text('[site]\ngenerator = "eleventy"\ncontent_dir = "site"\n', encoding="utf-8")
    assert _held(config)["future.md"] == ("", True, True)


def test_a_cached_result_is_not_reused_once_the_date_has_come(tmp_path: Path) -> None:
    # The file does not change when its date passes; SEO004 and the post's `held` do.
    import datetime as dt

    from pipeline.validate.stage import _post_key

    config = load_config(_hugo(tmp_path))
    post = next(p for p in load_content(config).posts if p.path.name == "next-year.md")
    before, after = dt.datetime(2098, 12, 31, tzinfo=dt.UTC), dt.datetime(2099, 1, 3, tzinfo=dt.UTC)
    assert _post_key(post, "k", config.static_root, before) != _post_key(post, "k", config.static_root, after)
    assert _post_key(post, "k", config.static_root, after) == _post_key(
        post, "k", config.static_root, after + dt.timedelta(days=30)
    )


def test_social_plans_a_scheduled_post_for_the_day_it_goes_live(tmp_path: Path) -> None:
    # The calendar shows the announcement ahead, due no earlier than Hugo's publishDate (the post's `date` is
    # in the past); an expired page is never announced.
    import datetime as dt

    from pipeline.social import ledger
    from pipeline.social.stage import plan
    from pipeline.store import Store

    path = _hugo(tmp_path)
    path.write_text(
        path.read_text()
        + '[[social.accounts]]\nname = "x-main"\nplatform = "x"\nlanguages = ["en"]\ntimezone = "UTC"\n'
        'slots = { mon = ["09:00"], tue = ["09:00"], wed = ["09:00"], thu = ["09:00"], fri = ["09:00"] }\n',
        encoding="utf-8",
    )
    config = load_config(path, environ={})
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    plan(config, store, load_content(config).posts)
    due = {
        Path(i.post_path).name: dt.datetime.fromtimestamp(i.due_at, dt.UTC) for i in ledger.list_items(store)
    }
    assert sorted(due) == ["expires-later.md", "live.md", "next-year.md", "publish-later.md"]
    assert due["publish-later.md"] >= dt.datetime(2099, 3, 4, tzinfo=dt.UTC)
    assert due["next-year.md"] >= dt.datetime(2099, 1, 2, tzinfo=dt.UTC)
    assert due["live.md"] < dt.datetime(2090, 1, 1, tzinfo=dt.UTC)


def test_jekylls_own_future_setting_publishes_future_posts(tmp_path: Path) -> None:
    config_file = _jekyll(tmp_path)
    (tmp_path / "site/_config.yml").write_text("title: Notes\nfuture: true\n", encoding="utf-8")
    assert _held(config_file)["2099-01-02-future.md"] == ("", True, True)

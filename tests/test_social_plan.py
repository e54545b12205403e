"""Planning: slots in the account's zone (across DST), spacing, per-day caps, variants, idempotence, compose."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from pipeline.config import Config, ConfigError, SocialAccount, load_config
from pipeline.content import load_content
from pipeline.social import ledger
from pipeline.social.schedule import Calendar, slot_instants
from pipeline.social.stage import plan
from pipeline.store import Store

NY = ZoneInfo("America/New_York")


def _post(root: Path, rel: str, title: str, date: str, extra: str = "") -> None:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: {title}\ndate: '{date}'\npermalink: /articles/{Path(rel).stem}/\n"
        f"description: A calm look at {title.lower()} and what the studies say.\n"
        f"tags: [bone-health, sleep]\nogImage: /images/{Path(rel).stem}.jpg\n{extra}---\n\nBody.\n"
    )


def _site(tmp: Path, accounts: str) -> Config:
    (tmp / "config").mkdir()
    (tmp / "config" / "site.toml").write_text(
        '[site]\nbase_url = "https://blog.example"\ncontent_dir = "content"\n'
        '[site.languages.en]\nname = "English"\n[site.languages.es]\nname = "Español"\n\n' + accounts
    )
    return load_config(tmp / "config" / "site.toml", environ={})


ACCOUNT = """
[[social.accounts]]
name = "x-ny"
platform = "x"
languages = ["en", "es"]
timezone = "America/New_York"
slots = { mon = ["09:00", "17:00"], tue = ["09:00", "17:00"], wed = ["09:00"] }
max_per_day = 2
min_spacing_minutes = 120
variant_spacing_minutes = 1440
"""


def test_slots_stay_local_across_dst_change() -> None:
    account = SocialAccount(name="a", platform="x", timezone="America/New_York", slots={"mon": ["09:00"]})
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp()  # US DST starts Sunday 2026-03-08
    instants = [t for t, _ in slot_instants(account, start, days=15)]
    utc_hours = [dt.datetime.fromtimestamp(t, dt.UTC).hour for t in instants]
    local = [dt.datetime.fromtimestamp(t, NY) for t in instants]
    assert [x.strftime("%a %H:%M") for x in local] == ["Mon 09:00", "Mon 09:00"]
    assert utc_hours == [14, 13]  # EST then EDT: the UTC instant moves, local time does not


def test_nonexistent_slot_in_spring_gap_moves_past_the_gap() -> None:
    account = SocialAccount(name="a", platform="x", timezone="America/New_York", slots={"sun": ["02:30"]})
    start = dt.datetime(2026, 3, 8, tzinfo=dt.UTC).timestamp()
    first = next(iter(slot_instants(account, start, days=2)))[0]
    assert dt.datetime.fromtimestamp(first, NY).strftime("%H:%M") == "03:30"


def test_calendar_spacing_and_daily_cap() -> None:
    account = SocialAccount(
        name="a",
        platform="x",
        timezone="UTC",
        slots={d: ["09:00", "10:00", "12:00", "15:00"] for d in ("mon", "tue")},
        max_per_day=2,
        min_spacing_minutes=120,
    )
    cal = Calendar(account)
    monday = dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp()
    placed = [cal.place(monday, f"k{i}") for i in range(4)]
    hours = [dt.datetime.fromtimestamp(t, dt.UTC).strftime("%a %H") for t in placed if t]
    assert hours == ["Mon 09", "Mon 12", "Tue 09", "Tue 12"]


def test_plan_places_published_posts_once_with_variants_spaced(tmp_path: Path) -> None:
    config = _site(tmp_path, ACCOUNT)
    _post(tmp_path, "posts/sleep.md", "Sleep and Bones", "2026-03-06T12:00:00Z", "translationKey: sleep\n")
    _post(
        tmp_path,
        "es/posts/sleep.md",
        "Sueño y huesos",
        "2026-03-06T12:00:00Z",
        "translationKey: sleep\ntranslation: {status: approved, source: posts/sleep.md}\n",
    )
    _post(tmp_path, "posts/draft.md", "Draft", "2026-03-06T12:00:00Z", "draft: true\n")
    _post(
        tmp_path,
        "es/posts/pending.md",
        "Pendiente",
        "2026-03-06T12:00:00Z",
        "translation: {status: machine, source: posts/x.md}\n",
    )
    _post(tmp_path, "posts/vitamin-d.md", "Vitamin D", "2026-03-06T13:00:00Z")
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    posts = load_content(config).posts
    now = dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC).timestamp()
    first = plan(config, store, posts, now=now)
    assert len(first["created"]) == 3  # en + es of "sleep", vitamin-d; no draft, no unapproved translation
    again = plan(config, store, posts, now=now)
    assert again["created"] == [] and again["existing"] == 3
    items = ledger.list_items(store)
    assert len(items) == 3 and {i.state for i in items} == {"planned"}
    sleep = sorted((i for i in items if i.translation_key == "sleep"), key=lambda i: i.due_at)
    assert sleep[1].due_at - sleep[0].due_at >= 1440 * 60
    assert sleep[0].campaign == sleep[1].campaign == "sleep"
    dues = sorted(i.due_at for i in items)
    assert all(b - a >= 120 * 60 for a, b in itertools.pairwise(dues))
    for item in items:
        local = dt.datetime.fromtimestamp(item.due_at, NY)
        assert local.strftime("%H:%M") in ("09:00", "17:00")
        assert local.strftime("%a") in ("Mon", "Tue", "Wed")
        query = parse_qs(urlsplit(item.link_url).query)
        assert query["utm_source"] == ["x"] and query["utm_medium"] == ["social"]
        assert query["utm_content"] == [item.lang]
        assert "#BoneHealth" in item.text
        assert item.media_path and item.media_path.startswith("/images/")


def test_home_and_section_pages_are_not_announced_unless_they_ask(tmp_path: Path) -> None:
    config = _site(tmp_path, ACCOUNT)
    day = "2026-03-06T12:00:00Z"
    for rel in ("_index.md", "es/_index.md", "guides/_index.md"):  # list pages: not announced
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: Pages of {rel}\ndate: '{day}'\n---\n\nThe pages below.\n")
    (tmp_path / "content" / "news").mkdir()
    (tmp_path / "content" / "news" / "_index.md").write_text(
        f"---\ntitle: News hub\ndate: '{day}'\nsocial: true\n---\n\nAsked to be announced.\n"
    )
    _post(tmp_path, "posts/sleep.md", "Sleep and Bones", day)
    _post(tmp_path, "posts/quiet.md", "Quiet Note", day, "social: false\n")
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    posts = load_content(config).posts
    assert {p.rel for p in posts} >= {"_index.md", "es/_index.md", "guides/_index.md", "news/_index.md"}
    plan(config, store, posts, now=dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC).timestamp())
    assert sorted(i.post_path for i in ledger.list_items(store)) == ["news/_index.md", "posts/sleep.md"]


def test_every_social_rule_id_emitted_is_declared_and_documented(tmp_path: Path) -> None:
    """SOCIAL001/002 were emitted by `plan` but declared nowhere, so docs/rules.md never listed them."""
    import re

    from pipeline.docsgen import DOCS
    from pipeline.rules import ALL as RULES_BY_ID

    config = _site(
        tmp_path,
        ACCOUNT
        + '\n[[social.accounts]]\nname = "m-none"\nplatform = "mastodon"\napi_base_url = "https://m.example"\n'
        "slots = {}\n",
    )
    _post(tmp_path, "posts/long.md", "Sleep " * 60, "2026-03-06T12:00:00Z")
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    now = dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC).timestamp()
    findings = plan(config, store, load_content(config).posts, now=now)["findings"]
    assert {f.rule for f in findings} == {"SOCIAL001", "SOCIAL002"}
    for finding in findings:
        assert finding.severity == RULES_BY_ID[finding.rule].severity
    package = Path(__file__).resolve().parent.parent / "pipeline"
    source = "\n".join(p.read_text("utf-8") for p in package.rglob("*.py"))
    emitted = set(re.findall(r"\bSOCIAL\d{3}\b", source))
    assert emitted and emitted <= set(RULES_BY_ID)
    catalogue = (DOCS / "rules.md").read_text("utf-8")
    for rule_id in RULES_BY_ID:
        assert f"`{rule_id}`" in catalogue


def test_campaign_names_a_hugo_section_or_bundle_by_its_folder() -> None:
    """kubernetes.io: every docs section is `<section>/_index.md`; all of them were utm_campaign=index."""
    from pipeline.social.compose import campaign_of

    assert campaign_of("docs/concepts/_index") == "concepts"
    assert campaign_of("posts/kettle-trip/index") == "kettle-trip"
    assert campaign_of("_index") == "home"
    assert campaign_of("blog/_posts/2024-03-05-kettle-care") == "2024-03-05-kettle-care"
    assert campaign_of("हिंदी/समाचार") == "समाचार"  # vowel signs are marks: it was "सम-च-र"
    assert campaign_of("bn/খবর-সংক্ষেপ") == "খবর-সংক্ষেপ"


def test_an_accounts_start_leaves_the_archive_unannounced(tmp_path: Path) -> None:
    """An account added to a site with years of posts plans from its `start` day on: older posts are counted
    as archive, not planned; `social: true` announces an old one anyway; a post without a date is planned."""
    config = _site(tmp_path, ACCOUNT + 'start = "2026-03-01"\n')
    _post(tmp_path, "posts/old.md", "Old Notes", "2019-05-01T12:00:00Z")
    _post(tmp_path, "posts/evergreen.md", "Evergreen", "2020-01-01T12:00:00Z", "social: true\n")
    _post(tmp_path, "posts/fresh.md", "Fresh Notes", "2026-03-06T12:00:00Z")
    (tmp_path / "content" / "posts" / "undated.md").write_text(
        "---\ntitle: Undated\npermalink: /articles/undated/\ndescription: No date at all, still a page to share.\n"
        "---\n\nBody.\n"
    )
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    outcome = plan(
        config, store, load_content(config).posts, now=dt.datetime(2026, 3, 6, tzinfo=dt.UTC).timestamp()
    )
    assert outcome["archive"] == 1
    planned = sorted(i.post_path for i in ledger.list_items(store))
    assert planned == ["posts/evergreen.md", "posts/fresh.md", "posts/undated.md"]
    (tmp_path / "again").mkdir()
    with pytest.raises(ConfigError, match="start"):
        _site(tmp_path / "again", ACCOUNT + 'start = "March"\n')

"""Long text as a numbered thread and the first comment: split at sentences, each part fits its platform exactly,
sent as replies in order and recorded part by part, so a crash between parts resumes with the next part."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.social import ledger, lengths, thread
from pipeline.social.ledger import Item
from pipeline.social.stage import send_due
from pipeline.store import Store
from tests.social_fakes import Fake, start
from tests.social_fakes.setup import ENV, add_due, config_for, write_config

TEXT = (
    "Sleep is one of the few daily habits tied to almost every marker of healthy ageing. "
    "Adults who sleep seven to eight hours have lower rates of heart disease and stroke. "
    "Dr. Walker's 2.5-hour nap study found the same pattern in adults over sixty-five. "
    "Short sleep raises blood pressure, and the effect adds up over the years. "
    "Keep a fixed wake-up time, even at weekends, and get morning light on your face. "
    "Screens at night push the body clock later; a dim evening helps it along. "
    "Caffeine after noon still shows up in deep sleep hours later. "
    "Read the evidence: https://blog.example/articles/sleep-and-longevity/?utm_source=social"
)
THREADING = ["x", "mastodon", "bluesky", "threads"]


def test_a_long_text_splits_at_sentences_into_numbered_parts_that_each_fit() -> None:
    for platform in THREADING:
        parts = thread.split(platform, TEXT, "en", thread=True)
        n = len(parts.texts)
        assert n >= 2
        for i, part in enumerate(parts.texts, 1):
            assert lengths.fits(platform, part), (platform, part)
            if n > 1:
                assert part.endswith(f"\n{i}/{n}")
        body = " ".join(p.rsplit("\n", 1)[0] if n > 1 else p for p in parts.texts)
        assert " ".join(body.split()) == " ".join(TEXT.split())  # nothing lost, nothing added
        assert not any(p.startswith("Walker") for p in parts.texts)  # "Dr." does not end a sentence
    x = thread.split("x", TEXT, "en", thread=True).texts
    assert all(p.rsplit("\n", 1)[0].rstrip().endswith((".", "social")) for p in x)  # whole sentences


def test_a_sentence_longer_than_a_part_is_cut_at_words_and_cjk_between_characters() -> None:
    long = "word " * 100 + "end."
    parts = thread.split("x", long, thread=True).texts
    assert all(lengths.fits("x", p) for p in parts) and len(parts) >= 2
    cjk = "睡眠は健康な老化に欠かせない習慣である。" * 30
    jp = thread.split("bluesky", cjk, "ja", thread=True).texts
    assert all(lengths.fits("bluesky", p) for p in jp)
    assert "".join(p.rsplit("\n", 1)[0] for p in jp) == cjk


def test_refusals_say_what_to_change() -> None:
    with pytest.raises(thread.ThreadError, match="shorten it or send it as a thread"):
        thread.split("x", TEXT, thread=False)
    with pytest.raises(thread.ThreadError, match=r"shorten it$"):  # LinkedIn does not thread
        thread.split("linkedin", "a" * 3001, thread=True)
    with pytest.raises(thread.ThreadError, match="cannot be split"):
        thread.split("threads", "https://example.org/" + "a" * 600, thread=True)
    with pytest.raises(thread.ThreadError, match="stop at 25"):
        thread.split(
            "x", "A sentence that is long enough to need its own part in the thread. " * 120, thread=True
        )
    with pytest.raises(thread.ThreadError, match="first comment is 1251/1250"):
        thread.split("linkedin", "Short post.", first_comment="c" * 1251)


def test_the_first_comment_is_the_first_reply_and_not_numbered() -> None:
    parts = thread.split("x", TEXT, thread=True, first_comment="https://blog.example/a/ #Sleep")
    assert parts.comment_index == 1 and parts.texts[1] == "https://blog.example/a/ #Sleep"
    n = len(parts.texts) - 1
    assert parts.texts[0].endswith(f"\n1/{n}") and parts.texts[2].endswith(f"\n2/{n}")
    single = thread.split("linkedin", "Short post.", first_comment="https://blog.example/a/")
    assert single.texts == ["Short post.", "https://blog.example/a/"]
    assert thread.card_part(single.texts, "https://blog.example/a/") == 1


@pytest.fixture(params=[*THREADING, "linkedin"])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[str, Fake]]:
    f = start(request.param)
    yield request.param, f
    f.close()


def _thread_item(store: Store, platform: str) -> Item:
    comment = "https://blog.example/articles/sleep/ #Sleep"
    parts = thread.split(platform, TEXT, thread=platform != "linkedin", first_comment=comment).texts
    text = TEXT if platform != "linkedin" else TEXT[:600]
    if platform == "linkedin":
        parts = thread.split(platform, text, first_comment=comment).texts
    (item_id,) = add_due(
        store, f"{platform}-main", platform, 1, text=text, parts=parts, first_comment=comment, thread=True
    )
    item = ledger.get_item(store, item_id)
    assert item is not None
    return item


def _chain(platform: str, f: Fake) -> list[str]:
    """The posts' texts (as written) following the reply chain from the head post."""
    posts = {p.get("uri", p.get("id")): p for p in f.state.posts}
    head = next(p for p in f.state.posts if not p.get("in_reply_to"))
    chain, current = [head], head
    while True:
        key = current.get("uri", current.get("id"))
        nxt = [p for p in f.state.posts if p.get("in_reply_to") == key]
        if not nxt:
            break
        assert len(nxt) == 1, "a part was posted twice"
        chain.append(nxt[0])
        current = nxt[0]
    assert len(chain) == len(posts)
    return [p["expanded"] for p in chain]


def test_a_thread_goes_out_as_replies_in_order_each_part_recorded(
    tmp_path: Path, fake: tuple[str, Fake]
) -> None:
    platform, f = fake
    path = write_config(tmp_path, {platform: f})
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    item = _thread_item(store, platform)
    stats, _ = send_due(config_for(path), store, ENV)
    sent = ledger.get_item(store, item.id)
    assert sent is not None and sent.state == "sent", sent
    if platform == "linkedin":  # no threads: the post, then the first comment on it
        posts = [p for p in f.state.posts if not p["comment"]]
        comments = [p for p in f.state.posts if p["comment"]]
        assert [p["text"] for p in posts] == [item.texts[0]]
        assert [c["text"] for c in comments] == [item.texts[1]] and comments[0]["object"] == posts[0]["id"]
    else:
        assert _chain(platform, f) == item.texts
    parts = ledger.parts_of(store, item.id)
    assert sorted(parts) == list(range(len(item.texts)))
    assert all(p.state == "sent" and p.remote_id for p in parts.values())
    assert sent.remote_id == parts[0].remote_id  # the item links to its head post
    assert f.state.post_requests == len(item.texts) and stats.sent == 1


def test_a_failure_between_parts_resumes_with_the_next_part(tmp_path: Path) -> None:
    """Part 2's request is read and never answered (the worker times out: unknown). Reconciliation proves it
    absent, and the pass goes on with part 2 and the rest: part 1 is never posted again."""
    f = start("x")
    try:
        path = write_config(tmp_path, {"x": f}, request_timeout_s=0.5, reconcile_after_s=0.0)
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        item = _thread_item(store, "x")
        f.state.hang_request = 2
        send_due(config_for(path), store, ENV)
        done = ledger.get_item(store, item.id)
        assert done is not None and done.state == "sent", done
        notes = [e["note"] for e in ledger.events(store, item.id)]
        assert any(n.startswith("part 2/") and "read timeout" in n for n in notes), notes
        assert any("part 2/" in n and "not on the platform" in n for n in notes), notes
        assert _chain("x", f) == item.texts
        assert [t for _at, t in f.state.requested].count(item.texts[0]) == 1  # part 1 went out once
        assert f.state.post_requests == len(item.texts) + 1  # + the one that hung
    finally:
        f.close()


def test_social_list_json_shows_a_threads_parts(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    f = start("mastodon")
    try:
        path = write_config(tmp_path, {"mastodon": f})
        store = Store(config_for(path).db_url)
        item = _thread_item(store, "mastodon")
        (single,) = add_due(store, "mastodon-main", "mastodon", 1)
        out = subprocess.run(
            [sys.executable, "-m", "pipeline", "social", "list", "--format", "json", "--config", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, **ENV},
            check=True,
        )
        rows = {r["id"]: r for r in json.loads(out.stdout)}
        assert rows[item.id]["parts"] == item.texts and len(item.texts) > 2
        assert rows[single]["parts"] == [rows[single]["text"]]
    finally:
        f.close()


def test_account_options_plan_threads_and_first_comments(tmp_path: Path) -> None:
    """`threads = true` keeps a long preview whole as a thread; `first_comment` moves the link and hashtags into
    the first reply (LinkedIn: comment) instead of the post."""
    from pipeline.config import load_config
    from pipeline.content import load_content
    from pipeline.social.stage import plan

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "p.md").write_text(
        "---\ntitle: Sleep and Longevity\ndate: '2026-01-05'\npermalink: /articles/sleep/\n"
        f"description: {TEXT[:-80]}\ntags: [sleep, healthy-aging]\n---\n\nBody.\n"
    )
    (tmp_path / "site.toml").write_text(
        '[site]\nbase_url = "https://blog.example"\ncontent_dir = "content"\n'
        '[[social.accounts]]\nname = "x-thread"\nplatform = "x"\nthreads = true\n'
        '[[social.accounts]]\nname = "x-short"\nplatform = "x"\n'
        '[[social.accounts]]\nname = "li"\nplatform = "linkedin"\nfirst_comment = "link+hashtags"\n'
    )
    config = load_config(tmp_path / "site.toml", environ={})
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    plan(config, store, load_content(config).posts)
    by = {i.account: i for i in ledger.list_items(store)}
    threaded, short, li = by["x-thread"], by["x-short"], by["li"]
    assert threaded.parts and len(threaded.parts) >= 2 and not threaded.truncated
    assert all(lengths.fits("x", p) for p in threaded.parts)
    assert short.parts is None and short.truncated  # without the option: shortened to one post, as before
    assert li.parts is not None and li.parts[1] == li.first_comment
    assert li.first_comment.startswith("https://blog.example/articles/sleep/?utm_source=linkedin")
    assert li.first_comment.endswith("#Sleep #HealthyAging")
    assert "https://" not in li.parts[0] and "#Sleep" not in li.parts[0]

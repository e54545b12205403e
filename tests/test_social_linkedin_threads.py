"""LinkedIn and Threads: the fakes refuse what the platforms refuse, and the adapters (through the worker) cope
with each refusal the way the platform's rules require."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.social import health, ledger
from pipeline.social.platforms.linkedin import escape, unescape
from pipeline.social.stage import send_due
from pipeline.social.worker import Worker
from pipeline.store import Store, open_store
from tests.social_fakes import LinkedInFake, ThreadsFake, start_linkedin, start_threads
from tests.social_fakes.linkedin import MEMBER, visible
from tests.social_fakes.setup import ENV, add_due, config_for, write_config

LI_HEADERS = {
    "Authorization": "Bearer linkedin-SECRET-token-88",
    "LinkedIn-Version": "202601",
    "X-Restli-Protocol-Version": "2.0.0",
    "Content-Type": "application/json",
}
TH_AUTH = {"Authorization": "Bearer threads-SECRET-token-77"}


def _call(
    method: str, url: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, dict(response.headers)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else None, dict(exc.headers)


@pytest.fixture
def li() -> Iterator[LinkedInFake]:
    f = start_linkedin()
    yield f
    f.close()


@pytest.fixture
def th() -> Iterator[ThreadsFake]:
    f = start_threads()
    yield f
    f.close()


def _li_post(li: LinkedInFake, commentary: str, **extra: Any) -> tuple[int, Any, dict[str, str]]:
    body = {
        "author": MEMBER,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        **extra,
    }
    return _call("POST", li.url + "/rest/posts", json.dumps(body).encode(), LI_HEADERS)


def test_linkedin_fake_keeps_the_rules_a_sender_depends_on(li: LinkedInFake) -> None:
    status, _body, headers = _li_post(li, "First post")
    assert status == 201 and headers["x-restli-id"].startswith("urn:li:share:")
    # A repeated text is refused, naming the earlier post.
    status, body, _ = _li_post(li, "First post")
    assert status == 422 and body["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST"
    assert headers["x-restli-id"] in body["message"]
    # An unescaped reserved character cuts the published text without an error (as LinkedIn does).
    status, _b, _h = _li_post(li, "Walking (even slowly) helps")
    assert status == 201 and li.state.posts[-1]["text"] == "Walking "
    # No version header, an unknown version, a bad token, someone else's page.
    for change, code in (
        ({"LinkedIn-Version": "201901"}, 426),
        ({"X-Restli-Protocol-Version": "1.0.0"}, 400),
        ({"Authorization": "Bearer nope"}, 401),
    ):
        status, body, _ = _call(
            "GET", li.url + f"/rest/posts?q=author&author={MEMBER}", None, {**LI_HEADERS, **change}
        )
        assert status == code, change
    status, _b, _h = _li_post(li, "As a page", author="urn:li:organization:1")
    assert status == 403
    status, _b, _h = _li_post(li, "x" * 3001)
    assert status == 422


def test_escaping_keeps_linkedins_text_whole(li: LinkedInFake) -> None:
    text = "Sleep (7–9 h) beats *any* supplement_stack! [Study] <2024> {sic} @you ~ #Sleep https://a.example/x_(y)"
    assert unescape(escape(text)) == text
    assert visible(escape(text)) == text  # what LinkedIn would publish
    assert "#Sleep" in escape(text) and "https://a.example/x_(y" in escape(text)  # still a hashtag and a link


def test_threads_fake_keeps_the_rules_a_sender_depends_on(th: ThreadsFake) -> None:
    def create(**params: str) -> tuple[int, Any, dict[str, str]]:
        body = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in params.items()).encode()
        return _call(
            "POST",
            th.url + "/v1.0/me/threads",
            body,
            {**TH_AUTH, "Content-Type": "application/x-www-form-urlencoded"},
        )

    def publish(container: str) -> tuple[int, Any, dict[str, str]]:
        body = f"creation_id={container}".encode()
        return _call(
            "POST",
            th.url + "/v1.0/me/threads_publish",
            body,
            {**TH_AUTH, "Content-Type": "application/x-www-form-urlencoded"},
        )

    import urllib.parse

    # 500 characters, an emoji counting its UTF-8 bytes: 496 letters and one 😀 (4 bytes) fit, two do not.
    assert create(media_type="TEXT", text="a" * 496 + "😀")[0] == 200
    status, body, _ = create(media_type="TEXT", text="a" * 496 + "😀😀")
    assert status == 400 and body["error"]["code"] == 100
    links = " ".join(f"https://e{i}.example/" for i in range(6))
    assert create(media_type="TEXT", text=links)[1]["error"]["message"] == "THREADS_API__LINK_LIMIT_EXCEEDED"
    status, body, _ = create(media_type="TEXT", text="Hello")
    container = body["id"]
    assert th.state.posts == []  # a container on its own never appears
    status, body, _ = publish(container)
    assert status == 200 and th.state.posts[0]["id"] == body["id"]
    status, body, _ = publish(container)  # a container publishes once
    assert status == 400 and "already been published" in body["error"]["message"]
    status, body, _ = create(media_type="TEXT", text="Later")
    th.state.skew_s = 24 * 3600 + 1  # unpublished for a day: expired
    assert _call("GET", th.url + f"/v1.0/{body['id']}?fields=status", None, TH_AUTH)[1]["status"] == "EXPIRED"
    assert publish(body["id"])[0] == 400
    status, body, _ = _call(
        "POST", th.url + "/v1.0/me/threads", b"media_type=TEXT&text=x", {"Authorization": "Bearer bad"}
    )
    assert status == 400 and body["error"]["code"] == 190


def test_threads_publishing_limit_is_a_rate_limit_the_account_waits_out(tmp_path: Path) -> None:
    f = start_threads(limits={"posts": 2})
    try:
        path = write_config(tmp_path, {"threads": f}, max_rate_wait_s=0.0)
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        ids = add_due(store, "threads-main", "threads", 3)
        stats, _ = send_due(config_for(path), store, ENV)
        assert stats.sent == 2 and stats.rate_limited == 1
        # Two sender threads share the account, so which item meets the quota depends on scheduling (CI once
        # saw the first one wait): whichever it is waits, with its container recorded.
        items = [ledger.get_item(store, i) for i in ids]
        assert sorted(str(i and i.state) for i in items) == ["approved", "sent", "sent"]
        waiting = next(i for i in items if i is not None and i.state == "approved")
        assert "rate limited" in waiting.reason
        assert waiting.next_attempt_at > time.time() + 3000  # the quota frees up as the 24 h window moves
        assert len(f.containers) == 3 and len(f.state.posts) == 2  # the third container waits, recorded
        assert ledger.parts_of(store, waiting.id)[0].state == "prepared"
    finally:
        f.close()


@pytest.mark.parametrize("platform", ["linkedin", "threads"])
def test_a_refused_token_pauses_the_account_and_shows_on_its_health(tmp_path: Path, platform: str) -> None:
    f = LinkedInFake(token="revoked") if platform == "linkedin" else ThreadsFake(token="revoked")
    try:
        path = write_config(tmp_path, {platform: f})
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        ids = add_due(store, f"{platform}-main", platform, 5)
        worker = Worker(config_for(path), store, ENV)
        worker.run_once()
        items = [ledger.get_item(store, i) for i in ids]
        # Nothing posted, nothing burnt: the posts wait (no attempt counted) until the token is renewed.
        assert all(i is not None and i.state == "approved" and i.attempts == 0 for i in items)
        assert f.state.posts == []
        seen = health.all_health(store)[f"{platform}-main"]
        assert seen.state == "token rejected" and seen.paused_until and seen.paused_until > time.time()
        assert "refused" in (seen.last_error or "")
        # The first refusal paused the account: only what the two sender threads had in flight was tried.
        assert 1 <= worker.stats.retried <= 2
    finally:
        f.close()


def test_a_linkedin_duplicate_of_our_own_earlier_post_is_settled_as_sent(
    tmp_path: Path, li: LinkedInFake
) -> None:
    """The post went out, the answer was lost, and a retry got 422 DUPLICATE_POST naming our post: it is ours."""
    path = write_config(tmp_path, {"linkedin": li}, request_timeout_s=0.5)
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    (item_id,) = add_due(store, "linkedin-main", "linkedin", 1)
    item = ledger.get_item(store, item_id)
    assert item is not None
    li.add_post(escape(item.text))  # what our lost attempt made
    stats, _ = send_due(config_for(path), store, ENV)
    done = ledger.get_item(store, item_id)
    assert done is not None and done.state == "sent" and done.remote_id == li.state.posts[0]["id"]
    assert li.state.duplicates_refused == 1 and len(li.state.posts) == 1 and stats.reconciled == 1


def test_health_records_credentials_missing_and_when_the_sender_last_looked(tmp_path: Path) -> None:
    f = start_threads()
    try:
        path = write_config(tmp_path, {"threads": f})
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        Worker(config_for(path), store, {})  # no credentials in this sender's environment
        seen = health.all_health(store)["threads-main"]
        assert seen.state == "credentials missing" and "T_THREADS is not set" in seen.detail
        add_due(store, "threads-main", "threads", 1)
        Worker(config_for(path), store, ENV).run_once()
        seen = health.all_health(store)["threads-main"]
        assert seen.state == "ok" and seen.last_ok_at and time.time() - seen.seen_at < 30
    finally:
        f.close()


def test_health_rows_are_upserts_that_keep_what_they_do_not_name(db_url: str) -> None:
    """On SQLite and PostgreSQL: a first row starts "ok"; `seen` moves only the time; an error keeps the state;
    a pause then a send clears the pause (the rows are single upserts, so two senders cannot collide)."""
    store = open_store(db_url)
    health.seen(store, ["a", "b"])
    assert {k: v.state for k, v in health.all_health(store).items()} == {"a": "ok", "b": "ok"}
    health.token_rejected(store, "a", "the access token was refused (401)", time.time() + 60)
    first = health.all_health(store)["a"]
    time.sleep(0.01)
    health.seen(store, ["a"])
    health.error(store, "a", "read timed out after 15 s")
    now = health.all_health(store)["a"]
    assert (
        now.state == "token rejected"
        and now.detail == first.detail
        and now.paused_until == first.paused_until
    )
    assert now.seen_at > first.seen_at and now.last_error == "read timed out after 15 s"
    health.error(store, "c", "connect timed out")  # an account seen first through an error
    assert health.all_health(store)["c"].state == "ok"
    health.sent_ok(store, "a")
    back = health.all_health(store)["a"]
    assert back.state == "ok" and back.paused_until is None and back.last_ok_at

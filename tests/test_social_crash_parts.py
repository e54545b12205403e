"""Exactly once under kill -9 for LinkedIn, Threads and the parts of a thread, with real worker processes
(`pipeline social run --once`) against the strict fakes, on SQLite and PostgreSQL.

Each test kills the worker where a sender is most likely to post twice or lose a post: after the platform stored
the post and before its answer came back; for Threads, after the container was made and recorded but before it
was published; for a thread, between two parts. A fresh worker then settles what the dead one left.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from pipeline.social import ledger, thread
from pipeline.social.ledger import Item
from pipeline.store import open_store
from tests.social_fakes import Fake, start
from tests.social_fakes.procs import start_worker, wait_until
from tests.social_fakes.setup import SECRETS, add_due, config_for, write_config

TEXT = (
    "Strength training protects bone at any age. Two sessions a week are enough to start. "
    "Heavier loads, done safely, build more bone than light ones do. Balance work cuts the risk of falls. "
    "Protein at each meal helps the muscle you build stay. Walking alone does not load the spine enough. "
    "Ask a physiotherapist to check your form before you add weight. Progress slowly, and rest between days. "
    "Squats, deadlifts and step-ups load the hips, where fractures cost the most years of life. "
    "Start with body weight, then add a kilogram or two each week while the form holds. "
    "Read the evidence: https://blog.example/articles/strength-after-50/?utm_source=social"
)


def _kill(proc: object) -> None:
    os.kill(proc.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    proc.wait()  # type: ignore[attr-defined]


def _settle(path: Path) -> str:
    worker = start_worker(path)
    out, err = worker.communicate(timeout=90)
    assert worker.returncode == 0, err
    for secret in SECRETS:
        assert secret not in out + err
    return out + err


@pytest.mark.parametrize("platform", ["linkedin", "threads"])
def test_kill_9_between_publishing_and_its_answer_posts_once(
    tmp_path: Path, platform: str, db_url: str
) -> None:
    f = start(platform)
    try:
        path = write_config(tmp_path, {platform: f}, db_url, request_timeout_s=60.0, sending_lease_s=1.0)
        store = open_store(config_for(path).db_url)
        (item_id,) = add_due(store, f"{platform}-main", platform, 1)
        f.state.stall_after_store_s = 60.0
        proc = start_worker(path)
        wait_until(lambda: len(f.state.posts) == 1)
        item = ledger.get_item(store, item_id)
        assert item is not None and item.state == "sending"  # committed before the platform call
        _kill(proc)
        f.state.stall_after_store_s = 0.0
        time.sleep(1.1)  # the dead worker's lease runs out
        _settle(path)
        item = ledger.get_item(store, item_id)
        assert item is not None and item.state == "sent", item
        assert len(f.state.posts) == 1 and f.state.post_requests == 1  # read back, never published again
        assert item.remote_id == f.state.posts[0]["id"]
        if platform == "threads":
            assert len(f.containers) == 1  # type: ignore[attr-defined]
    finally:
        f.close()


def test_threads_container_recorded_before_a_kill_is_published_once(tmp_path: Path, db_url: str) -> None:
    """The worker made the container, recorded it, and died while it was still processing: the next worker
    finds the recorded container unpublished (FINISHED by then) and publishes that one, once."""
    f = start("threads", container_delay_s=2.0)
    try:
        path = write_config(tmp_path, {"threads": f}, db_url, request_timeout_s=60.0, sending_lease_s=1.0)
        store = open_store(config_for(path).db_url)
        (item_id,) = add_due(store, "threads-main", "threads", 1)
        proc = start_worker(path)
        wait_until(lambda: ledger.parts_of(store, item_id).get(0) is not None)
        prepared = ledger.parts_of(store, item_id)[0]
        assert prepared.state == "prepared" and not f.state.posts
        _kill(proc)
        time.sleep(2.1)  # the lease runs out, and the container finishes processing
        _settle(path)
        item = ledger.get_item(store, item_id)
        assert item is not None and item.state == "sent", item
        assert list(f.containers) == [prepared.ref["container"]]  # type: ignore[attr-defined]
        assert f.containers[prepared.ref["container"]]["published"] == item.remote_id  # type: ignore[attr-defined]
        assert len(f.state.posts) == 1 and f.state.post_requests == 1
    finally:
        f.close()


def _thread_item(store: object, platform: str) -> Item:
    comment = "https://blog.example/articles/strength-after-50/ #Strength"
    if platform == "linkedin":
        parts = thread.split(platform, TEXT, first_comment=comment).texts
    else:
        parts = thread.split(platform, TEXT, thread=True).texts
    (item_id,) = add_due(store, f"{platform}-main", platform, 1, text=TEXT, parts=parts, thread=True)  # type: ignore[arg-type]
    item = ledger.get_item(store, item_id)  # type: ignore[arg-type]
    assert item is not None and len(item.texts) >= 2
    return item


# Five platforms on SQLite (part records are one upsert, the same SQL on both backends; the tests above and
# tests/test_social_crash.py cover claims and leases on PostgreSQL too).
@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky", "threads", "linkedin"])
def test_kill_9_between_the_parts_of_a_thread_resumes_with_the_next_part(
    tmp_path: Path, platform: str, db_url: str
) -> None:
    """Part 2 is stored and its answer held back; the worker is killed. The next worker finds part 2 on the
    platform (read back, or Mastodon's idempotency key), records it and goes on: every part once, in order."""
    f: Fake = start(platform)
    try:
        path = write_config(tmp_path, {platform: f}, db_url, request_timeout_s=60.0, sending_lease_s=1.0)
        store = open_store(config_for(path).db_url)
        item = _thread_item(store, platform)
        f.state.stall_request, f.state.stall_request_s = 2, 60.0
        proc = start_worker(path)
        wait_until(lambda: len(f.state.posts) == 2)
        assert [p.idx for p in ledger.parts_of(store, item.id).values() if p.state == "sent"] == [0]
        _kill(proc)
        f.state.stall_request = 0
        time.sleep(1.1)
        _settle(path)
        done = ledger.get_item(store, item.id)
        assert done is not None and done.state == "sent", done
        texts = [p["expanded"] for p in f.state.posts]
        assert sorted(texts) == sorted(item.texts) and len(set(texts)) == len(texts)  # each part once
        parts = ledger.parts_of(store, item.id)
        by_id = {str(p.get("uri", p.get("id"))): p for p in f.state.posts}
        assert [by_id[str(parts[i].remote_id)]["expanded"] for i in range(len(item.texts))] == item.texts
        for i in range(
            1, len(item.texts)
        ):  # each part replies to the one before (LinkedIn: comments the post)
            parent = parts[0 if platform == "linkedin" else i - 1].remote_id
            assert by_id[str(parts[i].remote_id)]["in_reply_to"] == parent
    finally:
        f.close()

"""The platform fakes refuse what the platforms refuse: a lenient fake would let a sender bug pass for correct.

(The kill -9 soak once "found" a duplicate that was the Mastodon fake storing a request whose body a dying
worker never finished sending; a real server never processes such a request.)
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.social_fakes import start_bluesky, start_mastodon

MASTO_TOKEN = "Bearer masto-SECRET-token-55"


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_request_whose_body_never_finished_is_not_processed() -> None:
    fake = start_mastodon()
    try:
        parts = urlsplit(fake.url)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(
                b"POST /api/v1/statuses HTTP/1.1\r\nHost: x\r\nAuthorization: "
                + MASTO_TOKEN.encode()
                + b"\r\n"
                b"Idempotency-Key: k1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 200\r\n\r\nstatus=Hello"
            )
        time.sleep(0.3)
        assert fake.state.posts == []
    finally:
        fake.close()


def test_mastodon_refuses_a_blank_status_and_forgets_a_key_after_an_hour() -> None:
    fake = start_mastodon()
    try:
        url = fake.url + "/api/v1/statuses"
        form = {"Authorization": MASTO_TOKEN, "Content-Type": "application/x-www-form-urlencoded"}
        assert _post(url, b"status=", form)[0] == 422
        keyed = {**form, "Idempotency-Key": "abc"}
        status, first = _post(url, b"status=Hello", keyed)
        assert status == 200
        assert _post(url, b"status=Hello", keyed)[1]["id"] == first["id"]  # within the hour: the same status
        fake.state.skew_s = 3601.0
        assert _post(url, b"status=Hello", keyed)[1]["id"] != first["id"]  # after it: a second one
        assert len(fake.state.posts) == 2
    finally:
        fake.close()


@pytest.mark.parametrize("limit", ["0", "101"])
def test_bluesky_list_records_limit_is_1_to_100(limit: str) -> None:
    fake = start_bluesky()
    try:
        status, session = _post(
            fake.url + "/xrpc/com.atproto.server.createSession",
            json.dumps({"identifier": "me.bsky.fake", "password": "bsky-SECRET-app-pw"}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200
        request = urllib.request.Request(
            f"{fake.url}/xrpc/com.atproto.repo.listRecords?repo=x&collection=app.bsky.feed.post&limit={limit}",
            headers={"Authorization": f"Bearer {session['accessJwt']}"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 400
    finally:
        fake.close()

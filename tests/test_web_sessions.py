"""Sign-in sessions and the login guard under attack: revocation, expiry, reused ids, redirects, parallel
guessing, proxies, and what a translator may read. Each test replays what an attacker would send.

The session and login-limit tests run twice, on SQLite and on PostgreSQL (`on_both_stores` below), where the
login limit's table lock and several `pipeline serve` processes sharing one database are exercised too."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import update

from pipeline.config import load_config, with_overrides
from pipeline.schema.social import social_items
from pipeline.schema.web import web_sessions
from pipeline.stages import Context
from pipeline.store import open_store
from pipeline.web import accounts, security, sessions
from pipeline.web.app import create_app
from tests.store_support.fixtures import BACKENDS
from tests.test_web_app import login, token
from tests.web_support.site import PASSWORD, Site, plan_social

COOKIE = "pipeline_session"


# The tests about sessions and the login limits (state the store holds) run on both stores; the others, about
# pages, headers and paths, on SQLite only.
on_both_stores = pytest.mark.parametrize("web_backend", BACKENDS, indirect=True)


@pytest.fixture(scope="module")
def web_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


def _app_with(site: Site, **web: object) -> Flask:
    cfg = with_overrides(site.config, {"web": web})
    return create_app(Context(config=cfg, _store=site.ctx.store))


def _replay(app: Flask, stolen: str) -> FlaskClient:
    """A fresh browser holding only a copied session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, stolen)
    return other


def _cookie(client: FlaskClient) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return found.value


@on_both_stores
def test_logout_ends_the_session_for_every_copy_of_the_cookie(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "mia") == 302
    stolen = _cookie(client)
    assert _replay(app, stolen).get("/social/").status_code == 200
    client.post("/logout", data={"csrf_token": token(client, "/social/")})
    assert _replay(app, stolen).get("/social/").status_code == 302  # back to the login page


@on_both_stores
def test_a_removed_users_cookie_does_not_sign_in_as_the_next_account(app: Flask, site: Site) -> None:
    store = site.ctx.store
    victim = accounts.add_user(store, "mallory", "translator", PASSWORD, ["es"])
    client = app.test_client()
    assert login(client, "mallory") == 302
    stolen = _cookie(client)
    accounts.remove_user(store, "mallory")
    bob = accounts.add_user(store, "bob", "admin", PASSWORD)
    if store.engine.dialect.name == "sqlite":
        assert bob.id == victim.id  # SQLite hands the freed id to the next account: the case that mattered
    assert _replay(app, stolen).get("/admin/users").status_code == 302
    assert sessions.active_sessions(store, victim.id) == 0


@on_both_stores
def test_sessions_end_at_an_absolute_time_and_are_not_extended_by_use(app: Flask, site: Site) -> None:
    client = app.test_client()
    assert login(client, "mia") == 302
    assert client.get("/social/").status_code == 200
    # Using the app does not re-issue the cookie with a fresh lifetime...
    assert "Set-Cookie" not in client.get("/social/").headers
    # ...and once the server-side expiry passes, the session is over whatever the cookie says.
    with site.ctx.store.begin() as conn:
        conn.execute(update(web_sessions).values(expires_at=1.0))
    assert client.get("/social/").status_code == 302


@on_both_stores
def test_role_change_ends_the_users_sessions(app: Flask, site: Site) -> None:
    client = app.test_client()
    assert login(client, "tomas") == 302
    assert client.get("/translate/").status_code == 200
    accounts.set_role(site.ctx.store, "tomas", "marketer", [])
    assert client.get("/translate/").status_code == 302


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/%09/evil.example/", "/\n/evil.example", "/%0aX"])
def test_login_redirect_ignores_targets_with_control_characters(app: Flask, target: str) -> None:
    client = app.test_client()
    resp = client.post(
        "/login",
        query_string=f"next={target}",
        data={"name": "mia", "password": PASSWORD, "csrf_token": token(client)},
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/", target


@on_both_stores
def test_parallel_guesses_are_counted_before_the_password_is_checked(site: Site) -> None:
    app = _app_with(site, login_attempts_per_minute=3)
    clients = [app.test_client() for _ in range(10)]
    tokens = [token(c) for c in clients]
    start = threading.Barrier(len(clients))
    codes: list[int] = []

    def guess(client: FlaskClient, tok: str) -> None:
        start.wait()
        resp = client.post("/login", data={"name": "mia", "password": "wrong guess", "csrf_token": tok})
        codes.append(resp.status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [401] * 3 + [429] * 7, codes


@on_both_stores
def test_one_address_trying_many_names_is_capped(site: Site) -> None:
    app = _app_with(site, login_attempts_per_address_per_minute=4)
    client = app.test_client()
    codes = [login(client, name, "wrong guess", addr="10.1.1.1") for name in ("a1", "a2", "a3", "a4", "a5")]
    assert codes == [401, 401, 401, 401, 429]
    assert login(client, "mia", addr="10.1.1.2") == 302  # other addresses are not affected


def _login_via_proxy(app: Flask, client_addr: str, password: str) -> int:
    client = app.test_client()
    resp = client.post(
        "/login",
        data={"name": "mia", "password": password, "csrf_token": token(client)},
        headers={"X-Forwarded-For": client_addr},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},  # every request arrives from the proxy
    )
    return resp.status_code


@on_both_stores
def test_behind_a_trusted_proxy_the_limit_is_per_client_not_per_proxy(site: Site) -> None:
    limit = site.config.web.login_attempts_per_minute
    behind = _app_with(site, trusted_proxies=1)
    for _ in range(limit):
        assert _login_via_proxy(behind, "203.0.113.7", "wrong guess") == 401
    assert _login_via_proxy(behind, "203.0.113.7", PASSWORD) == 429
    # The attacker's failures do not lock the real user out from another address.
    assert _login_via_proxy(behind, "198.51.100.2", PASSWORD) == 302


def test_without_trusted_proxies_forwarded_headers_are_ignored(site: Site) -> None:
    direct = _app_with(site, trusted_proxies=0)
    limit = site.config.web.login_attempts_per_minute
    for i in range(limit):
        assert _login_via_proxy(direct, f"203.0.113.{i}", "wrong guess") == 401
    # A forged X-Forwarded-For does not buy fresh attempts.
    assert _login_via_proxy(direct, "203.0.113.99", PASSWORD) == 429


def test_translators_read_source_and_their_own_languages_only(app: Flask, site: Site) -> None:
    for lang in ("es", "de"):
        draft = site.content / lang / "posts" / "sleep-draft.md"
        draft.parent.mkdir(parents=True, exist_ok=True)
        draft.write_text(f"---\ntitle: Draft {lang}\n---\nBody in {lang}.\n", encoding="utf-8")
    client = app.test_client()
    login(client, "tomas")  # translator for es
    assert client.get("/audit/source", query_string={"file": "es/posts/sleep-draft.md"}).status_code == 200
    assert client.get("/audit/source", query_string={"file": "posts/coffee-and-health.md"}).status_code == 200
    other = client.get("/audit/source", query_string={"file": "de/posts/sleep-draft.md"})
    assert other.status_code == 403 and "Body in de" not in other.get_data(as_text=True)
    admin = app.test_client()
    login(admin, "ada")
    assert admin.get("/audit/source", query_string={"file": "de/posts/sleep-draft.md"}).status_code == 200


def test_not_found_pages_do_not_show_server_paths(app: Flask, site: Site) -> None:
    client = app.test_client()
    login(client, "ada")
    page = client.get("/audit/source", query_string={"file": "nope.md"}).get_data(as_text=True)
    assert "nope.md" in page and str(site.root) not in page


def test_card_route_serves_images_only(app: Flask, site: Site) -> None:
    item = next(i for i in plan_social(site) if i.state == "planned")
    page = site.root / "static" / "evil.html"
    page.write_text("<script>alert(1)</script>", encoding="utf-8")
    client = app.test_client()
    login(client, "mia")
    with site.ctx.store.begin() as conn:
        conn.execute(update(social_items).where(social_items.c.id == item.id).values(media_path="/evil.html"))
    assert client.get(f"/social/item/{item.id}/card").status_code == 404
    Image.new("RGB", (120, 63), "navy").save(site.root / "static" / "card.png")
    rel = "/card.png"
    with site.ctx.store.begin() as conn:
        conn.execute(update(social_items).where(social_items.c.id == item.id).values(media_path=rel))
    resp = client.get(f"/social/item/{item.id}/card")
    assert resp.status_code == 200 and resp.mimetype == "image/png"


def test_short_signing_keys_are_refused_or_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(None, environ={})
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "short")
    with pytest.raises(security.SecretKeyError, match="PIPELINE_SECRET_KEY is 5 bytes"):
        security.secret_key(config)
    monkeypatch.delenv("PIPELINE_SECRET_KEY")
    key_file = config.state_dir / security.KEY_FILE
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(b"weak")
    key = security.secret_key(config)
    assert len(key) >= 32 and key_file.read_bytes() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert security.secret_key(config) == key


@on_both_stores
def test_refused_attempts_do_not_keep_the_window_full(site: Site) -> None:
    app = _app_with(site, login_attempts_per_minute=3)
    client = app.test_client()
    for _ in range(3):
        assert login(client, "mia", "wrong guess", addr="10.2.2.2") == 401
    for _ in range(5):
        assert login(client, "mia", "wrong guess", addr="10.2.2.2") == 429
    assert accounts.recent_failures(site.ctx.store, "mia", "10.2.2.2") == 3  # refusals were not counted


def test_loopback_peers_share_no_all_names_cap_without_declared_proxies(site: Site) -> None:
    """Behind an undeclared proxy every user comes from 127.0.0.1: one scanner must not lock the team out."""
    app = _app_with(site, login_attempts_per_address_per_minute=2)
    client = app.test_client()
    codes = [login(client, f"junk{i}", "wrong guess", addr="127.0.0.1") for i in range(4)]
    assert codes == [401] * 4
    assert login(client, "mia", addr="127.0.0.1") == 302


def test_pages_survive_a_due_time_stored_before_range_checks(app: Flask, site: Site) -> None:
    item = next(i for i in plan_social(site) if i.state == "planned")
    with site.ctx.store.begin() as conn:  # year 10000-ish: what `social reschedule` accepted before the fix
        conn.execute(update(social_items).where(social_items.c.id == item.id).values(due_at=1e15))
    client = app.test_client()
    login(client, "mia")
    for path in ("/social/", f"/social/item/{item.id}", "/social/calendar?view=month"):
        assert client.get(path).status_code == 200, path


@on_both_stores
@pytest.mark.parametrize("name", ["mi\x00a", "\x00", "<mia>", ""])
def test_a_login_name_no_account_can_have_is_refused_with_400(app: Flask, site: Site, name: str) -> None:
    """L5: a NUL in the name reached the store and PostgreSQL refused it (500 before login)."""
    client = app.test_client()
    resp = client.post("/login", data={"name": name, "password": "x", "csrf_token": token(client)})
    assert resp.status_code == 400
    assert "\x00" not in resp.get_data(as_text=True)
    assert login(client, "mia") == 302  # and nothing was counted against anyone


@on_both_stores
def test_parallel_attempts_straight_at_the_store_are_counted_exactly(site: Site) -> None:
    """The insert-then-count of reserve_attempt serialises on both stores (on PostgreSQL by the table lock):
    30 attempts at once under a cap of 5 let exactly 5 through."""
    store = site.ctx.store
    start = threading.Barrier(30)
    allowed: list[bool] = []

    def attempt() -> None:
        start.wait()
        allowed.append(accounts.reserve_attempt(store, "mia", "10.9.9.9", 5, None))

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 5, allowed
    assert accounts.recent_failures(store, "mia", "10.9.9.9") == 5


def _serve(cfg: Path, cwd: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PIPELINE_SECRET_KEY": "s" * 40}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--config", str(cfg), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    assert found, line
    return proc, found.group(1)


def _csrf(session: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url, timeout=10).text)
    assert found
    return found.group(1)


def _sign_in(server: str, name: str, password: str) -> tuple[requests.Session, int]:
    browser = requests.Session()
    data = {"name": name, "password": password, "csrf_token": _csrf(browser, f"{server}/login")}
    resp = browser.post(f"{server}/login", data=data, allow_redirects=False, timeout=30)
    return browser, resp.status_code


@pytest.mark.postgres
def test_two_serve_processes_on_one_postgresql_share_sessions_and_login_limits(
    pg_url: str, tmp_path: Path
) -> None:
    cfg = tmp_path / "site.toml"
    cfg.write_text(
        f'database_url = "{pg_url}"\n[site]\nbase_url = "https://blog.example"\n'
        "[web]\nlogin_attempts_per_minute = 3\n",
        encoding="utf-8",
    )
    accounts.add_user(open_store(pg_url), "ada", "admin", PASSWORD)
    (a, url_a), (b, url_b) = _serve(cfg, tmp_path), _serve(cfg, tmp_path)
    try:
        # Signed in on A, the same cookie works on B; signed out on B, it stops working on A.
        browser, code = _sign_in(url_a, "ada", PASSWORD)
        assert code == 302
        other = requests.Session()
        other.cookies.set(COOKIE, browser.cookies[COOKIE])
        assert other.get(f"{url_b}/admin/users", allow_redirects=False, timeout=10).status_code == 200
        logout = {"csrf_token": _csrf(other, f"{url_b}/admin/users")}
        assert (
            other.post(f"{url_b}/logout", data=logout, allow_redirects=False, timeout=10).status_code == 302
        )
        assert browser.get(f"{url_a}/admin/users", allow_redirects=False, timeout=10).status_code == 302
        # Failed sign-ins are counted across both servers: 2 on A and 1 on B use up the 3 a minute.
        codes = [_sign_in(url, "ada", "wrong guess")[1] for url in (url_a, url_a, url_b)]
        assert codes == [401, 401, 401]
        assert [_sign_in(url, "ada", PASSWORD)[1] for url in (url_b, url_a)] == [429, 429]
    finally:
        for proc in (a, b):
            proc.terminate()
            proc.wait(timeout=10)

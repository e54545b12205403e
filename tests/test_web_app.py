"""The web app through Flask's test client: login, rate limit, CSRF, cookies, roles, and the marketer's and
admin's writes landing in the store. The browser suite covers the same app end to end in chromium."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pipeline.config import load_config, with_overrides
from pipeline.social import ledger, lengths
from pipeline.stages import Context
from pipeline.web import accounts, security
from pipeline.web.app import create_app
from tests.web_support.site import (
    PASSWORD,
    Site,
    plan_social,
    record_validate_runs,
)


def token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD, addr: str = "127.0.0.1") -> int:
    resp = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token(client)},
        environ_base={"REMOTE_ADDR": addr},
    )
    return resp.status_code


def test_every_page_needs_a_login(app: Flask) -> None:
    client = app.test_client()
    for path in (
        "/",
        "/translate/",
        "/social/",
        "/social/calendar",
        "/audit/",
        "/admin/users",
        "/social/item/1",
    ):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
    assert client.post("/social/item/1/cancel").status_code == 401
    assert client.get("/static/app.css").status_code == 200  # the login page's stylesheet


def test_wrong_password_then_right_one(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "mia", "not the password") == 401
    assert login(client, "nobody", PASSWORD) == 401
    assert login(client, "mia") == 302
    assert client.get("/social/").status_code == 200


def test_failed_logins_are_rate_limited_per_name_and_address(app: Flask, site: Site) -> None:
    client = app.test_client()
    limit = site.config.web.login_attempts_per_minute
    for _ in range(limit):
        assert login(client, "mia", "wrong", addr="10.0.0.9") == 401
    assert accounts.recent_failures(site.ctx.store, "mia", "10.0.0.9") == limit
    # Even the right password is refused until the window passes...
    assert login(client, "mia", PASSWORD, addr="10.0.0.9") == 429
    # ...but only for that name from that address.
    assert login(client, "mia", PASSWORD, addr="10.0.0.10") == 302


def test_posts_without_a_valid_csrf_token_are_refused(app: Flask, site: Site) -> None:
    client = app.test_client()
    assert client.post("/login", data={"name": "mia", "password": PASSWORD}).status_code == 400
    assert login(client, "mia") == 302
    items = plan_social(site)
    planned = next(i for i in items if i.state == "planned")
    assert client.post(f"/social/item/{planned.id}/cancel").status_code == 400
    assert client.post(f"/social/item/{planned.id}/cancel", data={"csrf_token": "x" * 43}).status_code == 400
    assert ledger.get_item(site.ctx.store, planned.id).state == "planned"  # type: ignore[union-attr]
    good = token(client, f"/social/item/{planned.id}")
    assert client.post(f"/social/item/{planned.id}/cancel", data={"csrf_token": good}).status_code == 302
    assert ledger.get_item(site.ctx.store, planned.id).state == "cancelled"  # type: ignore[union-attr]


def test_session_cookie_flags(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "k" * 40)
    plain = create_app(site.ctx).test_client()
    header = plain.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    secure_cfg = with_overrides(site.config, {"web": {"secure_cookies": True}})
    secure = create_app(Context(config=secure_cfg, _store=site.ctx.store)).test_client()
    assert "Secure" in secure.get("/login").headers["Set-Cookie"]


def test_security_headers(app: Flask) -> None:
    resp = app.test_client().get("/login")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


def test_password_change_ends_sessions(app: Flask, site: Site) -> None:
    client = app.test_client()
    assert login(client, "mia") == 302
    assert client.get("/social/").status_code == 200
    accounts.set_password(site.ctx.store, "mia", "a brand new passphrase")
    assert client.get("/social/").status_code == 302
    assert login(client, "mia", "a brand new passphrase") == 302


def test_login_never_redirects_off_site(app: Flask) -> None:
    client = app.test_client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        resp = client.post(
            f"/login?next={target}", data={"name": "mia", "password": PASSWORD, "csrf_token": token(client)}
        )
        assert resp.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": token(client, "/social/")})


def test_roles_limit_pages(app: Flask) -> None:
    marketer = app.test_client()
    login(marketer, "mia")
    assert marketer.get("/translate/").status_code == 403
    assert marketer.get("/admin/users").status_code == 403
    dieter = app.test_client()
    login(dieter, "dieter")
    assert dieter.get("/social/").status_code == 403
    assert dieter.get("/translate/es/post/posts/sleep-and-longevity.md").status_code == 403
    assert dieter.get("/translate/").status_code == 200
    admin = app.test_client()
    login(admin, "ada")
    for path in ("/translate/", "/social/", "/audit/", "/admin/users"):
        assert admin.get(path).status_code == 200, path


def test_length_endpoint_counts_like_the_social_stage(app: Flask) -> None:
    client = app.test_client()
    login(client, "mia")
    tok = token(client, "/social/")
    texts = ["Hi 👋🏽 https://example.org/" + "x" * 60, "日本語のテキスト" * 20, "e\u0301" * 310]
    for platform in ("x", "mastodon", "bluesky"):
        for text in texts:
            got = client.post(
                "/social/length", json={"platform": platform, "text": text}, headers={"X-CSRF-Token": tok}
            ).get_json()
            m = lengths.measure(platform, text)
            assert (got["length"], got["limit"], got["fits"]) == (m.length, m.limit, m.fits)
    refused = client.post("/social/length", json={"platform": "x", "text": "a"})
    assert refused.status_code == 400


def test_marketer_edit_is_length_checked_and_approve_moves_state(app: Flask, site: Site) -> None:
    items = plan_social(site)
    planned = next(i for i in items if i.state == "planned" and i.platform == "x")
    client = app.test_client()
    login(client, "mia")
    tok = token(client, f"/social/item/{planned.id}")
    too_long = "word " * 80
    client.post(f"/social/item/{planned.id}/text", data={"csrf_token": tok, "text": too_long})
    assert ledger.get_item(site.ctx.store, planned.id).text == planned.text  # type: ignore[union-attr]
    page = client.get(f"/social/item/{planned.id}").get_data(as_text=True)
    assert "shorten it" in page
    client.post(f"/social/item/{planned.id}/text", data={"csrf_token": tok, "text": "Shorter text #Sleep"})
    client.post(f"/social/item/{planned.id}/approve", data={"csrf_token": tok})
    after = ledger.get_item(site.ctx.store, planned.id)
    assert after is not None and (after.text, after.state) == ("Shorter text #Sleep", "approved")


def test_unknown_item_reconcile_reports_why_it_cannot(app: Flask, site: Site) -> None:
    items = plan_social(site)
    unknown = next(i for i in items if i.state == "unknown")
    client = app.test_client()
    login(client, "mia")
    tok = token(client, f"/social/item/{unknown.id}")
    page = client.get(f"/social/item/{unknown.id}").get_data(as_text=True)
    assert "read timed out after 15 s" in page and "Reconcile with" in page
    client.post(f"/social/item/{unknown.id}/reconcile", data={"csrf_token": tok})
    # No credentials in the environment: the stage refuses and the page says why; the item stays unknown.
    assert ledger.get_item(site.ctx.store, unknown.id).state == "unknown"  # type: ignore[union-attr]
    flashed = client.get(f"/social/item/{unknown.id}").get_data(as_text=True)
    assert "flash error" in flashed


def test_admin_manages_users_through_the_page(app: Flask, site: Site) -> None:
    client = app.test_client()
    login(client, "ada")
    tok = token(client, "/admin/users")
    form = {"csrf_token": tok, "action": "add", "name": "lena", "role": "translator", "password": PASSWORD}
    client.post("/admin/users", data={**form, "languages": "de"})
    lena = accounts.get_user(site.ctx.store, "lena")
    assert lena is not None and lena.languages == ["de"] and lena.role == "translator"
    client.post("/admin/users", data={"csrf_token": tok, "action": "remove", "name": "lena"})
    assert accounts.get_user(site.ctx.store, "lena") is None
    client.post("/admin/users", data={"csrf_token": tok, "action": "remove", "name": "ada"})
    assert accounts.get_user(site.ctx.store, "ada") is not None  # not your own account


def test_audit_filters_and_source_links(app: Flask, site: Site) -> None:
    record_validate_runs(site)
    client = app.test_client()
    login(client, "tomas")
    page = client.get("/audit/findings?status=new").get_data(as_text=True)
    assert page.count('class="badge hist-new"') == 3
    fixed = client.get("/audit/findings?status=fixed").get_data(as_text=True)
    assert "title was missing (since fixed)" in fixed
    assert client.get("/audit/findings?status=bogus").status_code == 400
    crawl = client.get("/audit/findings?stage=crawl").get_data(as_text=True)
    assert "/articles/missing/" in crawl and "<code>READ002</code>" not in crawl
    link = re.search(r'href="(/audit/source\?[^"]+)"', page)
    assert link
    source = client.get(link.group(1).replace("&amp;", "&"))
    assert source.status_code == 200 and 'class="bidi hit"' in source.get_data(as_text=True)
    for bad in ("/etc/passwd", "../../../../etc/passwd", str(site.root / "config" / "site.toml")):
        assert client.get("/audit/source", query_string={"file": bad}).status_code == 404, bad


def test_secret_key_is_created_once_with_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIPELINE_SECRET_KEY", raising=False)
    config = load_config(None, environ={})
    first = security.secret_key(config)
    key_file = config.state_dir / security.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert security.secret_key(config) == first and len(first) >= 32
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "from-the-environment-0123456789abcdef")
    assert security.secret_key(config) == b"from-the-environment-0123456789abcdef"


def test_pages_explain_empty_states(app: Flask) -> None:
    client = app.test_client()
    login(client, "ada")
    assert "pipeline translate" in client.get("/translate/").get_data(as_text=True)
    assert "pipeline social plan" in client.get("/social/").get_data(as_text=True)
    assert "No runs recorded yet" in client.get("/audit/").get_data(as_text=True)
    assert client.get("/social/calendar?view=month&date=not-a-date").status_code == 200
    assert client.get("/social/item/999").status_code == 404


def test_only_http_links_become_links(app: Flask, site: Site) -> None:
    items = plan_social(site)
    it = next(i for i in items if i.state == "planned")
    store = site.ctx.store
    ledger.transition(store, it.id, ["planned"], "approved")
    ledger.transition(store, it.id, ["approved"], "sending")
    ledger.transition(store, it.id, ["sending"], "sent", remote_url="javascript:alert(1)")
    client = app.test_client()
    login(client, "mia")
    item_page = client.get(f"/social/item/{it.id}").get_data(as_text=True)
    assert "Sent" in item_page and 'id="live-link"' not in item_page
    for path in (f"/social/item/{it.id}", "/social/"):
        assert 'href="javascript:' not in client.get(path).get_data(as_text=True)

"""L5: no request makes the web UI answer 500. Every route the app has (read from its URL map, so a new route is
covered without editing this file) gets edge inputs in its path, its query and its form: calendar dates at the
ends of the calendar, NUL bytes, 20-digit ids and 6,000-character paths. Each must answer below 500."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pipeline.web.app import create_app
from tests.web_support.site import (
    PASSWORD,
    XSS_POST,
    Site,
    add_users,
    build_site,
    plan_social,
    record_validate_runs,
)

BIG = "9" * 20
LONG = "a" * 6000
PATH_VALUES = {
    "int": [BIG, "0", "1"],
    "default": ["%00", LONG, "es", "a%00b.md", XSS_POST],
    "path": ["%00", LONG, "posts/%00.md", XSS_POST, "../../etc/passwd"],
}
QUERIES = [
    "date=9999-12-31",
    "date=0001-01-01",
    "view=month&date=9999-12-31",
    "view=month&date=0001-01-01",
    "view=month&date=9998-12-31",
    "date=%00",
    f"file={LONG}",
    "file=%00",
    f"file={XSS_POST}&line={BIG}",
    "segment=%00",
    f"segment={LONG}",
    "next=%00",
    f"next={LONG}",
    "account=%00&lang=%00&state=%00&rule=%00",
    f"page={BIG}&per={BIG}",
    "page=-3&per=abc",
    "status=fixed&severity=error&lang=es&stage=crawl&site=x&q=%25_%5C",
    "status=bogus&severity=bogus",
    f"url={LONG}",
    f"q={LONG}",
    f"file={XSS_POST}&url=https://longevity-notes.example/articles/missing/",
]
FORMS = [
    {"segment": "\x00", "target": "a\x00b", "text": "a\x00b", "name": "a\x00b", "action": "add"},
    {"when": "9999-12-31T23:59", "segment": BIG, "target": LONG, "text": LONG, "action": "approve"},
    {"when": "0001-01-01T00:00", "name": LONG, "role": "admin", "password": "x" * 20, "action": "add"},
    {"when": "\x00", "action": "\x00"},
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    tmp = tmp_path_factory.mktemp("web-edges")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(tmp / "state"))
        s = build_site(tmp, tmp / "state", translate=True)
        plan_social(s)
        record_validate_runs(s)
        add_users(s)
    return s


@pytest.fixture
def app(site: Site, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "k" * 40)
    flask_app = create_app(site.ctx)
    flask_app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug answers 500, as in production
    yield flask_app


def _token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def _urls(rule: str, converters: dict[str, str]) -> list[str]:
    """The rule with each variable replaced by every edge value of its converter (others kept benign)."""
    names = re.findall(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", rule)
    urls: list[str] = []
    for i, (_, name) in enumerate(names):
        for value in PATH_VALUES[converters[name]]:
            url = rule
            for j, (_, other) in enumerate(names):
                pick = value if i == j else PATH_VALUES[converters[other]][-1]
                url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{other}>", lambda _m, p=pick: p, url)
            urls.append(url)
    return urls or [rule]


def _converters(app: Flask) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for rule in app.url_map.iter_rules():
        kinds = {}
        for name, conv in rule._converters.items():
            kinds[name] = {"IntegerConverter": "int", "DatabaseId": "int", "PathConverter": "path"}.get(
                type(conv).__name__, "default"
            )
        out[rule.rule] = kinds
    return out


def test_no_route_answers_500_to_edge_inputs(app: Flask) -> None:
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"name": "ada", "password": PASSWORD, "csrf_token": _token(client, "/login")}
        ).status_code
        == 302
    )
    token = _token(client, "/admin/users")
    failures: list[str] = []
    checked = 0
    kinds = _converters(app)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule == "/logout":
            continue
        urls = _urls(rule.rule, kinds[rule.rule])
        # Every edge value in the path (with no query), and every edge query on the benign path.
        requests = [*urls, *(f"{urls[-1]}?{q}" for q in QUERIES)]
        for full in requests:
            if "GET" in (rule.methods or ()):
                status = client.get(full).status_code
                checked += 1
                if status >= 500:
                    failures.append(f"GET {full[:120]} → {status}")
            if "POST" in (rule.methods or ()):
                for form in FORMS:
                    status = client.post(full, data={**form, "csrf_token": token}).status_code
                    checked += 1
                    if status >= 500:
                        failures.append(f"POST {full[:120]} {sorted(form)} → {status}")
    assert checked > 200
    assert failures == []


def test_nul_in_any_form_field_is_400_before_login(app: Flask) -> None:
    """On PostgreSQL a NUL in the login name was a 500 before login; here it is refused for every store."""
    client = app.test_client()
    token = _token(client, "/login")
    resp = client.post("/login", data={"name": "ada\x00", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 400
    assert "NUL" in resp.get_data(as_text=True)
    assert client.get("/social/").status_code == 302  # not signed in


def test_ids_beyond_64_bits_are_404(app: Flask) -> None:
    client = app.test_client()
    client.post("/login", data={"name": "mia", "password": PASSWORD, "csrf_token": _token(client, "/login")})
    assert client.get(f"/social/item/{BIG}").status_code == 404
    assert client.get(f"/social/item/{2**63 - 1}").status_code == 404  # the largest id: simply not there
    assert client.get("/social/calendar?date=9999-12-31").status_code == 400
    assert client.get("/social/calendar?view=month&date=9998-12-31").status_code == 200

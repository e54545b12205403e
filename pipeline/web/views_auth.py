"""Sign in and out. Attempts are counted in the store before the password is checked, capped per minute per
(name, address) and per address; a sign-in is a server-side session that logout ends."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for

from pipeline.web import accounts, security, sessions
from pipeline.web.common import config, store

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh login to another origin.

    Browsers drop tabs and newlines inside URLs (`/\t/evil.example` becomes `//evil.example`), and a newline
    in a Location header is refused by the server, so any whitespace or control character disqualifies.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = ""
    status = 200
    name = ""
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:64]
        password = request.form.get("password", "")
        address = request.remote_addr or "-"
        web = config().web
        # Behind a reverse proxy that is not declared (trusted_proxies = 0) every client arrives from loopback:
        # an all-names cap per address would then let one scanner lock the whole team out.
        per_address = (
            web.login_attempts_per_address_per_minute
            if web.trusted_proxies or not _is_loopback(address)
            else None
        )
        if not accounts.NAME_RE.fullmatch(name):
            # No account can have this name (a NUL, a space, a script tag): nothing to look up or count.
            error, status, name = "Wrong user name or password.", 400, ""
        elif not accounts.reserve_attempt(store(), name, address, web.login_attempts_per_minute, per_address):
            error = "Too many failed sign-ins. Wait a minute and try again."
            status = 429
        else:
            found = accounts.authenticate(store(), name, password)
            if found is None:
                error = "Wrong user name or password."
                status = 401
            else:
                accounts.clear_failures(store(), name, address)
                old = session.get("sid")
                if isinstance(old, str):
                    sessions.close_session(store(), old)
                session.clear()
                session.permanent = True
                session["sid"] = sessions.open_session(store(), found, web.session_hours * 3600)
                security.rotate_csrf()
                return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, name=name, next=request.args.get("next", "")), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    sid = session.get("sid")
    if isinstance(sid, str):
        sessions.close_session(store(), sid)  # a copy of the cookie stops working too
    session.clear()
    return redirect(url_for("auth.login"))

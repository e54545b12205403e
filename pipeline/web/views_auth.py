"""Sign in and out. Failed attempts are counted per (name, address) in the store and capped per minute."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from pipeline.web import accounts, security
from pipeline.web.common import config, store

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh login to another origin."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = ""
    status = 200
    name = ""
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:64]
        password = request.form.get("password", "")
        address = request.remote_addr or "-"
        limit = config().web.login_attempts_per_minute
        if accounts.recent_failures(store(), name, address) >= limit:
            error = "Too many failed sign-ins. Wait a minute and try again."
            status = 429
        else:
            found = accounts.authenticate(store(), name, password)
            if found is None:
                accounts.record_failure(store(), name, address)
                error = "Wrong user name or password."
                status = 401
            else:
                accounts.clear_failures(store(), name, address)
                session.clear()
                session.permanent = True
                session["uid"] = found.id
                session["epoch"] = found.auth_epoch
                security.rotate_csrf()
                return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, name=name, next=request.args.get("next", "")), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))

"""Admin page: accounts (add, remove, reset a password, change role and languages)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from pipeline.web import accounts
from pipeline.web.common import config, require, store, user

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _langs(raw: str) -> list[str]:
    return [p.strip() for p in raw.replace(" ", ",").split(",") if p.strip()]


@bp.route("/users")
@require("admin")
def users() -> Any:
    return render_template(
        "admin_users.html",
        users=accounts.list_users(store()),
        roles=accounts.ROLES,
        languages=sorted(config().site.languages),
    )


@bp.route("/users", methods=["POST"])
@require("admin")
def change() -> Any:
    action = request.form.get("action", "")
    name = request.form.get("name", "").strip()
    try:
        if action == "add":
            accounts.add_user(
                store(),
                name,
                request.form.get("role", ""),
                request.form.get("password", ""),
                _langs(request.form.get("languages", "")),
            )
            flash(f"User {name} added.", "ok")
        elif action == "remove":
            if name == user().name:
                raise accounts.AccountError("you cannot remove your own account while signed in")
            accounts.remove_user(store(), name)
            flash(f"User {name} removed.", "ok")
        elif action == "passwd":
            accounts.set_password(store(), name, request.form.get("password", ""))
            flash(f"Password of {name} changed; their sessions have ended.", "ok")
        elif action == "role":
            accounts.set_role(
                store(), name, request.form.get("role", ""), _langs(request.form.get("languages", ""))
            )
            flash(f"Role of {name} changed.", "ok")
        else:
            flash("Unknown action.", "error")
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.users"))

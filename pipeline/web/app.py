"""Flask app factory: sessions, CSRF, login guard, security headers and the page blueprints.

Every route needs a login except the login page itself and the static CSS/JS. Autoescaping is on for every
template whatever its extension, because all text shown comes from user files, the ledger or the store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, Response, abort, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from pipeline.config import Config
from pipeline.langtags import bcp47
from pipeline.stages import Context
from pipeline.web import bidi, security, sessions

PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})


class PipelineFlask(Flask):
    def select_jinja_autoescape(self, filename: str | None) -> bool:
        return True


def create_app(ctx: Context) -> Flask:
    config: Config = ctx.config
    web_dir = config.templates_root / "web"
    app = PipelineFlask(
        "pipeline.web",
        template_folder=str(web_dir),
        static_folder=str(web_dir / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=security.secret_key(config),
        SESSION_COOKIE_NAME="pipeline_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.web.secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=config.web.session_hours),
        SESSION_REFRESH_EACH_REQUEST=False,  # the server-side row's expiry is the real limit
        MAX_CONTENT_LENGTH=2_000_000,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.jinja_env.autoescape = True
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.filters["epoch"] = _epoch
    app.jinja_env.filters["http_url"] = http_url
    app.jinja_env.filters["langtag"] = bcp47  # lang="zh-TW": browsers pick Han glyphs by it; zh_tw is no tag
    app.jinja_env.globals["text_dir"] = lambda lang: bidi.direction(config.site, lang)
    app.extensions["pipeline.config"] = config
    if config.web.trusted_proxies:
        n = config.web.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.extensions["pipeline.store"] = ctx.store
    # Every <int:…> in a route is a database id: one past SQLite's 64-bit integers is "no such page", not a 500.
    app.url_map.converters["int"] = DatabaseId

    from pipeline.web.views_admin import bp as admin_bp
    from pipeline.web.views_audit import bp as audit_bp
    from pipeline.web.views_auth import bp as auth_bp
    from pipeline.web.views_social import bp as social_bp
    from pipeline.web.views_translate import bp as translate_bp
    from pipeline.web.views_translate_files import bp as _translate_files  # noqa: F401 (its routes join translate_bp)

    for bp in (auth_bp, translate_bp, social_bp, audit_bp, admin_bp):
        app.register_blueprint(bp)

    @app.before_request
    def _guard() -> Any:
        g.user = None
        if _has_nul():
            abort(400, description="A NUL character is not allowed in an address or a form field.")
        sid = session.get("sid")
        if isinstance(sid, str):
            g.user = sessions.session_user(ctx.store, sid)
            if g.user is None:
                session.clear()  # ended, expired, or its user changed
        elif "uid" in session:
            session.clear()  # a cookie signed before sessions lived on the server
        if request.endpoint not in PUBLIC_ENDPOINTS and g.user is None:
            if request.method in security.SAFE_METHODS:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return render_error(401, "Sign in first.")
        security.check_csrf()
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", security.CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        return render_error(exc.code or 500, exc.description or exc.name)

    @app.route("/")
    def home() -> Any:
        user = g.user
        if user.can("translate") and not user.can("social"):
            return redirect(url_for("translate.index"))
        if user.can("social"):
            return redirect(url_for("social.items"))
        return redirect(url_for("audit.index"))

    return app


def http_url(value: str | None) -> str:
    """Only http(s) URLs become links: escaping does not stop a `javascript:` URL from a platform reply."""
    if value and value.lower().startswith(("https://", "http://")):
        return value
    return ""


def _epoch(value: float | None) -> str:
    if value is None:
        return ""
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, ValueError, OSError):  # a ledger row from before times were range-checked
        return "invalid time"


class DatabaseId(IntegerConverter):
    """`int` in routes, capped at 2**63 - 1 (SQLite's and PostgreSQL's bigint)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _has_nul() -> bool:
    """A NUL byte anywhere in the path, the query or a form field: no file name, user name or text we store
    may hold one (PostgreSQL refuses it in text; file system calls raise on it), so it is refused at the door."""
    if "\x00" in request.path:
        return True
    for multi in (request.args, request.form if request.method == "POST" else None):
        if multi is not None:
            for key, values in multi.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return True
    return False


def render_error(code: int, message: str) -> Any:
    titles = {400: "Bad request", 401: "Sign in", 403: "Not allowed", 404: "Not found", 429: "Too many tries"}
    return render_template("error.html", code=code, title=titles.get(code, "Error"), message=message), code

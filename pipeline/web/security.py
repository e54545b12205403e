"""Session key, CSRF tokens and response headers.

The signing key comes from the environment variable named by `web.secret_key_env`; without one we create a
random key once and keep it in the state dir (mode 0600) so sessions survive a restart. CSRF uses the
synchronizer-token pattern: one random token per session, compared in constant time on every unsafe request.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import abort, request, session

from pipeline.config import Config

KEY_FILE = "web-secret.key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def secret_key(config: Config) -> bytes:
    env_value = os.environ.get(config.web.secret_key_env, "")
    if env_value:
        return env_value.encode("utf-8")
    path = config.state_dir / KEY_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    return _create_key(path)


def _create_key(path: Path) -> bytes:
    """Write a fresh key with 0600 from the first byte (O_EXCL: two servers starting at once agree on one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    os.chmod(path, 0o600)
    return key


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse (400) any unsafe request whose form field or header does not carry this session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        abort(
            400, description="The form expired or did not come from this site. Reload the page and try again."
        )


def rotate_csrf() -> None:
    session[CSRF_FIELD] = secrets.token_urlsafe(32)

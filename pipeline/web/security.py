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
from pipeline.fsutil import private_dir

KEY_FILE = "web-secret.key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


MIN_KEY_BYTES = 32


class SecretKeyError(ValueError):
    """The configured signing key is unusable; the message names the variable and the fix."""


def secret_key(config: Config) -> bytes:
    """The session signing key: from the environment, else a random one kept in the state dir.

    A short key makes signed cookies guessable offline, so one from the environment under 32 bytes is refused,
    and a key file under 32 bytes (truncated, or written by hand) is replaced.
    """
    name = config.web.secret_key_env
    env_value = os.environ.get(name, "")
    if env_value:
        key = env_value.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise SecretKeyError(
                f"${name} is {len(key)} bytes; use at least {MIN_KEY_BYTES}, e.g. "
                "`python3 -c 'import secrets; print(secrets.token_hex(32))'`"
            )
        return key
    path = config.state_dir / KEY_FILE
    try:
        data = path.read_bytes()
        if len(data) >= MIN_KEY_BYTES:
            return data
    except FileNotFoundError:
        return _create_key(path)
    return _create_key(path, replace=True)


def _create_key(path: Path, replace: bool = False) -> bytes:
    """Write a fresh key with 0600 from the first byte (O_EXCL: two servers starting at once agree on one);
    `replace` swaps a too-short key file for a new one atomically."""
    private_dir(path.parent, tighten=True)
    key = secrets.token_hex(32).encode("ascii")
    target = path.with_name(f".{path.name}.{secrets.token_hex(4)}") if replace else path
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    os.chmod(target, 0o600)
    if replace:
        os.replace(target, path)
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

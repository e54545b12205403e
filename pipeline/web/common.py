"""What every view shares: the per-request Context, the signed-in user, and the role guard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g

from pipeline.config import Config
from pipeline.stages import Context
from pipeline.store import Store
from pipeline.web.accounts import User

F = TypeVar("F", bound=Callable[..., Any])


def config() -> Config:
    return cast(Config, current_app.extensions["pipeline.config"])


def store() -> Store:
    return cast(Store, current_app.extensions["pipeline.store"])


def ctx() -> Context:
    """A fresh Context per request: content is re-read so the pages show the files as they are now."""
    if "pipeline_ctx" not in g:
        g.pipeline_ctx = Context(config=config(), quiet=True, _store=store())
    return cast(Context, g.pipeline_ctx)


def user() -> User:
    u = g.get("user")
    if u is None:
        abort(401)
    return cast(User, u)


def require(area: str) -> Callable[[F], F]:
    """403 unless the signed-in user's role includes `area` (see accounts.ROLE_AREAS)."""

    def deco(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not user().can(area):
                abort(403, description=f"Your role ({user().role}) cannot open the {area} pages.")
            return fn(*args, **kwargs)

        return cast(F, wrapper)

    return deco

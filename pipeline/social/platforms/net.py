"""Timeouts for every platform call, and network failures said in words.

Each client gets a connect timeout and a read timeout, never none: tweepy passes no timeout at all and
Mastodon.py's default is 300 s, so a host that accepts the connection and never answers could hold a sender for
minutes. What went wrong decides what happens next: a connection that never opened means the post cannot exist
(safe to retry), while a silence after the request went out means it may (reconcile, never retry blindly). The
reason stored on the item says which, in words a person can act on.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import httpx
import requests
import urllib3.exceptions

CONNECT_TIMEOUT_MAX_S = 10.0  # opening a connection never needs longer; a slow answer may


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float

    @classmethod
    def of(cls, request_timeout_s: float) -> Timeouts:
        return cls(min(request_timeout_s, CONNECT_TIMEOUT_MAX_S), request_timeout_s)

    def for_requests(self) -> tuple[float, float]:
        return (self.connect, self.read)

    def for_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.read, connect=self.connect, pool=self.connect)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, args, urllib3's `reason`)."""
    seen: set[int] = set()
    out: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        out.append(cur)
        stack.extend([cur.__cause__, cur.__context__])
        stack.extend(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException))
        reason = getattr(cur, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return out


def describe(exc: BaseException, timeouts: Timeouts) -> tuple[bool, str]:
    """(may_have_arrived, words) for a network failure: False only when no connection was ever opened."""
    chain = _chain(exc)

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    if has(ConnectionRefusedError):
        return False, "connection refused (nothing listens there)"
    if has(socket.gaierror):
        return False, "host name not found"
    if has(requests.ConnectTimeout, httpx.ConnectTimeout) or any(
        type(e) is urllib3.exceptions.ConnectTimeoutError for e in chain
    ):
        return False, f"could not connect within {timeouts.connect:g} s (connect timeout)"
    if has(urllib3.exceptions.NewConnectionError, httpx.ConnectError):
        return False, "could not connect"
    if has(requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError, httpx.ReadTimeout, TimeoutError):
        return True, f"no answer within {timeouts.read:g} s (read timeout)"
    if has(httpx.WriteTimeout):
        return True, f"could not finish sending within {timeouts.read:g} s (write timeout)"
    if has(
        ConnectionResetError, BrokenPipeError, urllib3.exceptions.ProtocolError, httpx.RemoteProtocolError
    ):
        return True, "connection closed before the answer"
    return True, f"network error ({type(exc).__name__})"

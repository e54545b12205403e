"""What every platform fake shares: a clock that can be skewed, rate-limit windows, and ways to misbehave.

The misbehaviours are the ones that decide whether a sender is exactly-once and never stuck: answering 429 (with a
reset that may lie in the past), storing a post and then stalling, reading a post request and never answering,
failing read-backs, and — outside any fake — a server that accepts connections and never says a word
(`SilentServer`) or one whose connection never opens (`Blackhole`).
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.posts: list[dict[str, Any]] = []
        self.post_requests = 0
        # X: (time on our clock, text) of every complete post request, refused or not
        self.requested: list[tuple[float, str]] = []
        self.read_requests = 0
        self.rate_limit_next = 0  # answer this many post requests with 429 ...
        self.reset_after_s = (
            1.0  # ... whose reset is this far ahead on the fake's clock (negative: in the past)
        )
        self.retry_after: str | None = None  # ... and, when set, this Retry-After header
        self.stall_after_store_s = 0.0  # store the post, then sleep this long before answering
        self.stall_request = 0  # ... or only the post request with this number (1-based), ...
        self.stall_request_s = 0.0  # ... this long (a kill between the parts of a thread)
        self.slow_store_s = 0.0  # take this long to create the post (a busy platform) before storing it
        self.hang_posts = 0  # read this many post requests, store nothing and never answer
        self.hang_request = 0  # ... or only the post request with this number (1-based)
        self.fail_reads = 0  # answer this many read-back requests with 503
        self.skew_s = 0.0  # the fake's clock minus ours
        self.media: dict[str, int] = {}
        self.duplicates_refused = 0
        self.refused_texts: list[str] = []  # X: texts refused as duplicates, in order
        self.windows: dict[str, list[float]] = {}  # window name → [window index, count]

    def now(self) -> float:
        return time.time() + self.skew_s

    def take(self, name: str) -> bool:
        """Consume one of a counter (rate_limit_next, hang_posts, fail_reads); True when one was left."""
        with self.lock:
            left = getattr(self, name)
            if left <= 0:
                return False
            setattr(self, name, left - 1)
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], state: FakeState, **conf: Any) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.state = state
        self.conf = conf

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (the crash tests do that) is not the fake's error; anything else is."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per response: avoids a 40 ms delayed-ACK stall per request

    def log_message(self, format: str, *args: Any) -> None:
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header comes from the fake's (possibly skewed) clock, as a real server's would."""
        return email.utils.formatdate(self.state.now() if timestamp is None else timestamp, usegmt=True)

    @property
    def state(self) -> FakeState:
        return self.server.state

    def body(self) -> bytes:
        """The whole request body; a client that died mid-body never gets its request processed (as on a real
        server), so a truncated body aborts the request here."""
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            self.close_connection = True
            raise ConnectionAbortedError(f"request body cut off at {len(data)} of {n} bytes")
        return data

    def reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def charge(
        self, windows: list[tuple[str, int, float]], cost: int = 1, from_first: bool = False
    ) -> tuple[bool, list[tuple[int, int, float, float]]]:
        """Charge `cost` against each (name, limit, period) window, all or none: fixed windows on the epoch, or
        (`from_first`) windows that open at the first request after the last one closed, as Bluesky's limiter
        (rate-limiter-flexible) keeps them, so a burst cannot straddle a boundary and get twice the limit.

        Returns (allowed, [(limit, remaining, reset epoch on the fake's clock, period)] per window).
        """
        now = self.state.now()
        with self.state.lock:
            slots = []
            for name, limit, period in windows:
                start = now if from_first else float(int(now // period)) * period
                slot = self.state.windows.setdefault(name, [start, 0.0])
                if (now >= slot[0] + period) if from_first else (slot[0] != start):
                    slot[0], slot[1] = start, 0.0
                slots.append((slot, limit, period))
            allowed = all(slot[1] + cost <= limit for slot, limit, _p in slots)
            if allowed:
                for slot, *_ in slots:
                    slot[1] += cost
            return allowed, [
                (limit, max(int(limit - slot[1]), 0), slot[0] + period, period)
                for slot, limit, period in slots
            ]

    def window(self, name: str, limit: int, period: float) -> tuple[bool, int, float]:
        """Count one request in one window: (allowed, remaining, reset epoch on the fake's clock)."""
        allowed, [(_limit, remaining, reset, _period)] = self.charge([(name, limit, period)])
        return allowed, remaining, reset

    def forced_429(self) -> float | None:
        """The reset instant (fake clock) of a 429 the test asked for, or None."""
        if not self.state.take("rate_limit_next"):
            return None
        return self.state.now() + self.state.reset_after_s

    def retry_after_header(self) -> dict[str, str]:
        return {"Retry-After": self.state.retry_after} if self.state.retry_after is not None else {}

    def hang(self) -> bool:
        """Read the request (already done by the caller), store nothing, never answer (until close)."""
        numbered = bool(self.state.hang_request) and self.state.post_requests == self.state.hang_request
        if not numbered and not self.state.take("hang_posts"):
            return False
        self.state.closed.wait()
        self.close_connection = True
        return True

    def slow(self) -> None:
        if self.state.slow_store_s:
            self.state.closed.wait(self.state.slow_store_s)

    def stall(self) -> None:
        if self.state.stall_after_store_s:
            self.state.closed.wait(self.state.stall_after_store_s)
        elif self.state.stall_request and self.state.post_requests == self.state.stall_request:
            self.state.closed.wait(self.state.stall_request_s)


class Fake:
    """A running fake: `url` for config, `state` to inspect and steer, `close()` when done."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], **conf: Any) -> None:
        self.state = FakeState()
        self.server = _Server(handler, self.state, **conf)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.state.closed.set()
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """Accepts every connection, reads what comes, and never answers: a platform that hung."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self._conns:
            conn.close()


class Blackhole:
    """A port whose connections never open: the listen queue is full, so the kernel drops every new SYN.

    This is what an unreachable host looks like to a client (SYN sent, nothing back), made on loopback.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        address = self.sock.getsockname()
        self.url = f"http://127.0.0.1:{address[1]}"
        self._fill: list[socket.socket] = []
        for _ in range(3):  # a backlog of 0 still queues one; fill it and more
            c = socket.socket()
            c.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                c.connect(address)
            self._fill.append(c)
        time.sleep(0.1)

    def close(self) -> None:
        for c in self._fill:
            c.close()
        self.sock.close()

"""A real threaded HTTP server on 127.0.0.1 serving a route table; it records every hit for assertions."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # added to the route's delay for this reply only (a page slow once)


@dataclass
class Route:
    """Replies are served in order; the last one repeats. `delay` sleeps before answering (slow pages)."""

    replies: list[Reply]
    delay: float = 0.0
    hits: int = 0
    head: Reply | None = None  # a different answer to HEAD (e.g. 405), when set

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.hits, len(self.replies) - 1)]
        self.hits += 1
        return reply


@dataclass
class Hit:
    path: str
    method: str
    at: float
    host: str


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self, head_only: bool) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits.append(Hit(path, self.command, time.monotonic(), self.headers.get("Host", "")))
            route = self.server.routes.get(path)
            if route is None:
                reply = Reply(404, b"<html><body>not found</body></html>", {"Content-Type": "text/html"})
            elif head_only and route.head is not None:
                reply = route.head
            else:
                reply = route.next_reply()
            delay = (route.delay if route else 0.0) + reply.delay
        if delay:
            time.sleep(delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._serve(False)

    def do_HEAD(self) -> None:
        self._serve(True)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def other_host_base(self) -> str:
        """Same server under another host name: links there count as external."""
        return f"http://localhost:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a client that went away (a crawl killed on purpose): not worth a traceback
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]


@contextmanager
def serve() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()

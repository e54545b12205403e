"""A loopback preview server for a build: static files plus real 301s for aliases from `_redirects.json`.

`pipeline run` starts it when the public site is not reachable, so the crawl audits the preview build.
"""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, unquote


class _Handler(SimpleHTTPRequestHandler):
    redirects: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        self._maybe_redirect() or self._pretty() or super().do_GET()

    def do_HEAD(self) -> None:
        self._maybe_redirect() or self._pretty() or super().do_HEAD()

    def _pretty(self) -> bool:
        """`/about` answers with `about.html` when only that exists, as GitHub Pages, Netlify and `jekyll serve`
        do for Jekyll's `.html` pages (never claims the request: the normal handler serves the file)."""
        path, _, query = self.path.partition("?")
        if path.endswith("/") or "." in path.rsplit("/", 1)[-1]:
            return False
        local = Path(self.translate_path(path))
        if not local.exists() and Path(str(local) + ".html").is_file():
            self.path = path + ".html" + (f"?{query}" if query else "")
        return False

    def _maybe_redirect(self) -> bool:
        path = unquote(self.path.split("?", 1)[0])  # `/zh/docs/%E5%8F%82…` is the alias `/zh/docs/参考/`
        target = self.redirects.get(path) or self.redirects.get(path.rstrip("/") + "/")
        if target:
            self.send_response(301)
            self.send_header("Location", quote(target, safe=":/?#[]@!$&'()*+,;=%~"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def log_message(self, format: str, *args: Any) -> None:
        return


class PreviewServer:
    """`with PreviewServer(folder) as base_url:` serves the folder on 127.0.0.1 at a free port."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        redirects_file = root / "_redirects.json"
        redirects = json.loads(redirects_file.read_text("utf-8")) if redirects_file.exists() else {}
        handler = type("Handler", (_Handler,), {"redirects": redirects})
        self.httpd = ThreadingHTTPServer((host, port), partial(handler, directory=str(root)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> str:
        self.thread.start()
        return self.base_url

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

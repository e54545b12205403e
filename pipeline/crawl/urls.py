"""URL helpers shared by the spider and the checks.

Pages declare *public* URLs (site.base_url) in canonical, og:url and hreflang, while the crawl may run against a
staging origin; both sides therefore normalise the same way and map public → crawl before looking anything up.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=262_144)
def normalize(url: str) -> str:
    """Lower-case scheme and host, drop the default port and the fragment, give an empty path a '/'."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def origin(url: str) -> str:
    parts = urlsplit(normalize(url))
    return f"{parts.scheme}://{parts.netloc}"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def join(base: str, path: str) -> str:
    """`base` is an origin without trailing slash; `path` a permalink or an absolute URL."""
    if path.startswith(("http://", "https://")):
        return normalize(path)
    if path.startswith("//"):
        return normalize(urlsplit(base).scheme + ":" + path)
    return normalize(base.rstrip("/") + "/" + path.lstrip("/"))


def base_of(url: str) -> str:
    """A site's base URL as compared: normalized, with its path (`https://istio.io/latest`), no trailing slash."""
    return normalize(url).rstrip("/")


class Mapper:
    """Maps URLs between the public base and the crawled base (identical unless crawling staging). A base is an
    origin and a path: a Hugo site whose baseURL is `https://istio.io/latest` serves `/zh/x/` there, and its
    preview build serves the same page at `http://127.0.0.1:8000/zh/x/`."""

    def __init__(self, public_base: str, crawl_base: str) -> None:
        self.public = base_of(public_base)
        self.crawl = base_of(crawl_base)

    def to_crawl(self, url: str) -> str:
        url = normalize(url)
        if self.public != self.crawl and (url == self.public or url.startswith(self.public + "/")):
            return self.crawl + url[len(self.public) :]
        return url

    def site_path(self, url: str) -> str:
        """The path of a public or crawled URL as the content writes it, under the site's base (`/zh/x/` for
        `https://istio.io/latest/zh/x/`); a URL outside the base keeps its whole path."""
        public = self.to_public(url)
        path = urlsplit(public).path or "/"
        if public == self.public or public.startswith(self.public + "/"):
            base = urlsplit(self.public).path
            return path[len(base) :] or "/"
        return path

    def to_public(self, url: str) -> str:
        url = normalize(url)
        if self.public != self.crawl and (url == self.crawl or url.startswith(self.crawl + "/")):
            return self.public + url[len(self.crawl) :]
        return url

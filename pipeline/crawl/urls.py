"""URL helpers shared by the spider and the checks.

Pages declare *public* URLs (site.base_url) in canonical, og:url and hreflang, while the crawl may run against a
staging origin; both sides therefore normalise the same way and map public → crawl before looking anything up.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A run of percent-escapes, and the ASCII characters RFC 3986 calls unreserved (an escape of one is the same URL).
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


def _unescape(match: re.Match[str]) -> str:
    """One form for a run of escapes: a UTF-8 character outside ASCII, or an unreserved ASCII one, is written
    as itself (RFC 3987's IRI ↔ URI mapping, RFC 3986 §6.2.2.2); any other byte stays escaped, in upper case."""
    raw = bytes.fromhex(match.group(0).replace("%", ""))
    text = raw.decode("utf-8", errors="surrogateescape")
    out: list[str] = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":  # a byte that is not UTF-8 (a Latin-1 `%E9`): leave it escaped
            out.append(f"%{ord(ch) - 0xDC00:02X}")
        elif ch.isascii() and ch not in _UNRESERVED:
            out.append(f"%{ord(ch):02X}")
        else:
            out.append(ch)
    return "".join(out)


def _one_form(part: str) -> str:
    return _ESCAPES.sub(_unescape, part) if "%" in part else part


@lru_cache(maxsize=262_144)
def normalize(url: str) -> str:
    """Lower-case scheme and host, drop the default port and the fragment, give an empty path a '/', and write
    percent-escapes one way. Hugo writes a non-ASCII path escaped (`/fa/posts/%D9%BE…/` in canonical, hreflang and
    the sitemap) where the Markdown's URL and the preview write the characters (`/fa/posts/پیاده‌روی/`), and
    Scrapy reports a response URL escaped: all are one URL, and compared raw they were CRAWL010/013/014/015/030/031/
    050/051 findings on every page with a non-ASCII slug. The unescaped form (an IRI) keeps messages readable;
    Scrapy escapes it again when it fetches. Unicode normalisation (NFC/NFD) is not applied: a server tells
    those paths apart."""
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
    return urlunsplit((scheme, netloc, _one_form(parts.path) or "/", _one_form(parts.query), ""))


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

"""The defect site: clean posts plus one planted defect per check, served by `server.serve()`.

`PLANTED` lists (rule, marker): the crawl must report that rule on a finding whose URL, file or message
contains the marker. Posts named clean-* must get no error or warning at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.crawl_support.server import Reply, Route, _Server
from tests.crawl_support.sitegen import (
    image_bytes,
    load_expected,
    page_html,
    sitemap_index,
    sitemap_xml,
    write_config,
    write_post,
)

PUBLIC = "https://blog.example"
HTML = {"Content-Type": "text/html; charset=utf-8"}
JPEG = {"Content-Type": "image/jpeg"}

EN_POSTS = [
    "clean-one",
    "clean-two",
    "gone",
    "boom",
    "chained",
    "looped",
    "alias-302",
    "bad-canonical",
    "bad-title",
    "bad-description",
    "no-og-image",
    "og-404",
    "og-dims",
    "nonrecip",
    "no-xdefault",
    "wrong-lang",
    "noindex",
    "not-in-sitemap",
    "private",
    "throttled",
    "slow",
    "broken-link",
    "mixed",
    "walled",
]
TRANSLATED = {"clean-one": "es", "nonrecip": "es", "no-xdefault": "es", "clean-two": "ar"}

PLANTED: list[tuple[str, str]] = [
    ("CRAWL001", "/articles/gone/"),
    ("CRAWL001", "/articles/boom/"),
    ("CRAWL002", "/articles/chained/"),
    ("CRAWL003", "/articles/chained/"),
    ("CRAWL004", "/articles/looped/"),
    ("CRAWL005", "/old/alias-302/"),
    ("CRAWL006", "/articles/walled/"),
    ("CRAWL010", "/articles/bad-canonical/"),
    ("CRAWL011", "/articles/bad-title/"),
    ("CRAWL012", "/articles/bad-description/"),
    ("CRAWL014", "/articles/no-og-image/"),
    ("CRAWL020", "/articles/og-404/"),
    ("CRAWL023", "/articles/og-dims/"),
    ("CRAWL024", "/articles/og-dims/"),
    ("CRAWL031", "/articles/nonrecip/"),
    ("CRAWL033", "/articles/no-xdefault/"),
    ("CRAWL040", "/articles/wrong-lang/"),
    ("CRAWL042", "/articles/noindex/"),
    ("CRAWL050", "/articles/not-in-sitemap/"),
    ("CRAWL051", "/about/"),
    ("CRAWL053", "/articles/private/"),
    ("CRAWL054", "/articles/draft-post/"),
    ("CRAWL060", "/articles/throttled/"),
    ("CRAWL061", "/articles/slow/"),
    ("CRAWL062", "/articles/mixed/"),
    ("CRAWL070", "/articles/nowhere/"),
    ("CRAWL071", "/ext/missing"),
    ("CRAWL073", "/articles/spin/"),
    ("CRAWL074", "/ext/spin"),
    ("CRAWL074", "/ext/far0"),
]
# Links into redirect traps from the broken-link post: an internal loop, an external loop, an external chain of 12.
TRAPS = [
    ("/articles/spin/", "a spinning page"),
    ("{other}/ext/spin", "a spinning site"),
    ("{other}/ext/far0", "far away"),
]


@dataclass
class DefectSite:
    root: Path
    config_path: Path
    server: _Server


def _meta(slug: str, lang: str, **extra: Any) -> dict[str, Any]:
    prefix = "" if lang == "en" else f"/{lang}"
    meta: dict[str, Any] = {
        "title": f"{slug.replace('-', ' ').title()} ({lang})",
        "description": f"All about {slug} in {lang}, with enough words to be a description.",
        "permalink": f"{prefix}/articles/{slug}/",
        "image": f"/images/{slug}.jpg",
        "translationKey": slug,
    }
    if lang != "en":
        meta["translation"] = {"status": "approved", "source": f"posts/{slug}.md"}
    meta.update(extra)
    return meta


def write_markdown(root: Path, server: _Server, crawl: dict[str, Any] | None = None) -> Path:
    content = root / "content"
    for slug in EN_POSTS:
        extra: dict[str, Any] = {}
        if slug == "clean-one":
            extra["aliases"] = ["/old/clean-one/"]
        if slug == "alias-302":
            extra["aliases"] = ["/old/alias-302/"]
        body = f"Intro for {slug}.\n\nSee [the other post](/articles/clean-two/).\n"
        if slug == "broken-link":
            body += f"\nA [dead link](/articles/nowhere/) and [a dead site]({server.other_host_base}/ext/missing).\n"
            for href, text in TRAPS:
                body += f"\nSee [{text}]({href.format(other=server.other_host_base)}).\n"
        write_post(content, f"posts/{slug}.md", _meta(slug, "en", **extra), body)
    for slug, lang in TRANSLATED.items():
        write_post(content, f"{lang}/posts/{slug}.md", _meta(slug, lang), f"Texto de {slug}.\n")
    write_post(content, "posts/draft-post.md", _meta("draft-post", "en", draft=True), "Not yet.\n")
    write_post(
        content,
        "es/posts/unapproved.md",
        _meta("clean-two", "es", translation={"status": "draft"}),
        "Borrador.\n",
    )
    settings = {
        "slow_page_ms": 300,
        "max_retry_after_s": 5,
        "concurrency": 8,
        "timeout_s": 10,
        **(crawl or {}),
    }
    return write_config(
        root,
        PUBLIC,
        {"en": "ltr", "es": "ltr", "ar": "rtl"},
        settings,
        database_url=f"sqlite:///{root / 'state.db'}",
    )


def build(root: Path, server: _Server, crawl: dict[str, Any] | None = None) -> DefectSite:
    config_path = write_markdown(root, server, crawl)
    _, expected = load_expected(config_path)
    routes: dict[str, Route] = {}
    crawl_base = server.base
    links = [("/articles/clean-one/", "Clean one"), (f"{server.other_host_base}/ext/ok", "A good site")]
    sitemap_urls: list[str] = []
    for page in expected.pages:
        path = page.url.removeprefix(PUBLIC)
        slug = page.post.slug
        kwargs: dict[str, Any] = {}
        own_links = list(links)
        if slug == "broken-link" and page.lang == "en":
            own_links += [
                ("/articles/nowhere/", "dead link"),
                (f"{server.other_host_base}/ext/missing", "a dead site"),
                *((href.format(other=server.other_host_base), text) for href, text in TRAPS),
            ]
        if slug == "bad-canonical":
            kwargs["edit_head"] = lambda h: h.replace(
                'rel="canonical" href="https://blog.example/articles/bad-canonical/"',
                'rel="canonical" href="https://blog.example/articles/somewhere-else/"',
            )
        elif slug == "bad-title":
            kwargs["edit_head"] = lambda h: h.replace("<title>Bad Title", "<title>Another Title")
        elif slug == "bad-description":
            kwargs["edit_head"] = lambda h: h.replace(
                'name="description" content="All about', 'name="description" content="Nothing about'
            )
        elif slug == "no-og-image":
            kwargs["edit_head"] = lambda h: "\n".join(
                line for line in h.split("\n") if 'property="og:image"' not in line
            )
        elif slug == "nonrecip" and page.lang == "es":
            kwargs["edit_head"] = lambda h: "\n".join(
                line for line in h.split("\n") if 'hreflang="en"' not in line
            )
        elif slug == "no-xdefault" and page.lang == "en":
            kwargs["edit_head"] = lambda h: "\n".join(
                line for line in h.split("\n") if "x-default" not in line
            )
        elif slug == "wrong-lang":
            kwargs["html_tag"] = '<html lang="fr" dir="ltr">'
        elif slug == "noindex":
            kwargs["edit_head"] = lambda h: h + '\n<meta name="robots" content="noindex, follow">'
        elif slug == "mixed":
            kwargs["body_extra"] = '<img src="http://cdn.blog.example/pixel.jpg" alt="">'
        body = page_html(page, own_links, **kwargs)
        route = Route([Reply(200, body, HTML)])
        if slug == "gone":
            route = Route([Reply(404, b"<html><body>gone</body></html>", HTML)])
        elif slug == "boom":
            route = Route([Reply(500, b"<html><body>oops</body></html>", HTML)])
        elif slug == "chained":
            route = Route([Reply(301, b"", {"Location": "/articles/chained-2/"})])
            routes["/articles/chained-2/"] = Route(
                [Reply(301, b"", {"Location": f"{crawl_base}/articles/chained-3/"})]
            )
            routes["/articles/chained-3/"] = Route([Reply(200, body, HTML)])
        elif slug == "looped":
            route = Route([Reply(301, b"", {"Location": "/articles/looped-b/"})])
            routes["/articles/looped-b/"] = Route([Reply(301, b"", {"Location": "/articles/looped/"})])
        elif slug == "throttled":
            route = Route(
                [
                    Reply(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"}),
                    Reply(200, body, HTML),
                ]
            )
        elif slug == "slow":
            route.delay = 0.6
        elif slug == "walled":
            route = Route([Reply(403, b"<html>challenge</html>", {"cf-mitigated": "challenge", **HTML})])
        routes[path] = route
        if slug != "not-in-sitemap":
            sitemap_urls.append(page.url)
        image = page.og_image.removeprefix(PUBLIC) if page.og_image else None
        if image and slug != "og-404":
            size = (1000, 500) if slug == "og-dims" else (1200, 630)
            routes[image] = Route([Reply(200, image_bytes(*size), JPEG)])
    for page in expected.pages:
        for alias in page.aliases:
            status = 302 if "alias-302" in alias else 301
            routes[alias.removeprefix(PUBLIC)] = Route([Reply(status, b"", {"Location": page.url})])
    sitemap_urls += [f"{PUBLIC}/articles/draft-post/", f"{PUBLIC}/about/", f"{PUBLIC}/"]
    routes["/robots.txt"] = Route(
        [
            Reply(
                200,
                f"User-agent: *\nDisallow: /articles/private/\nSitemap: {crawl_base}/sitemap.xml\n".encode(),
                {"Content-Type": "text/plain"},
            )
        ]
    )
    routes["/sitemap.xml"] = Route(
        [Reply(200, sitemap_index([f"{PUBLIC}/sitemap-posts.xml"]), {"Content-Type": "application/xml"})]
    )
    routes["/sitemap-posts.xml"] = Route(
        [Reply(200, sitemap_xml(sitemap_urls), {"Content-Type": "application/xml"})]
    )
    routes["/about/"] = Route(
        [Reply(200, b"<html lang='en'><head><title>About</title></head><body>about</body></html>", HTML)]
    )
    routes["/"] = Route(
        [
            Reply(
                200,
                b"<html lang='en'><head><title>Home</title></head><body><a href='/articles/clean-one/'>one</a></body></html>",
                HTML,
            )
        ]
    )
    routes["/ext/ok"] = Route([Reply(200, b"fine", {"Content-Type": "text/plain"})])
    routes["/articles/spin/"] = Route([Reply(302, b"", {"Location": "/articles/spin-2/"})])
    routes["/articles/spin-2/"] = Route([Reply(302, b"", {"Location": "/articles/spin/"})])
    routes["/ext/spin"] = Route([Reply(301, b"", {"Location": "/ext/spin"})])
    for i in range(12):
        routes[f"/ext/far{i}"] = Route([Reply(301, b"", {"Location": f"/ext/far{i + 1}"})])
    server.routes.update(routes)
    return DefectSite(root, config_path, server)

"""Site-wide checks: sitemap coverage, internal and external links, crawl limits.

Broken links are reported on the page that carries them; when that page is a post, the finding points at the
Markdown line holding the link (found by searching the body for the target's path), not at the front matter.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

from pipeline.crawl.checks import Checker, make
from pipeline.crawl.expected import ExpectedPage, ExpectedSet
from pipeline.crawl.index import OFFLINE_MIN_HOSTS, Record, is_unverifiable, unanswered
from pipeline.crawl.urls import normalize
from pipeline.findings import Finding


def body_line(page: ExpectedPage, href: str, text: str = "", site_path: str | None = None) -> int | None:
    """File line of the first body line mentioning the link's path (or full URL), or linking to it relative to
    the page (`[x](opencensus/)`, `[x](./pack.zip)` on the page `/docs/migration/`, `[x](../sibling/)`). A line
    that also holds the link's text wins: kubernetes.io links one page six times with different anchors
    (`#etcd`, `#kubelet`), and every finding was on the first of them. `site_path`: an internal target's path
    under the site's base, as the content writes it (`/zh/x/` on a site at `https://istio.io/latest`)."""
    parts = urlsplit(href)
    path = site_path or parts.path
    needles = [href, parts.path] if parts.path not in ("", "/") else [href]
    if path not in ("", "/"):
        needles.append(f"]({path}")
    here = page.post.path_url
    if here.endswith("/") and path.startswith(here) and len(path) > len(here):
        rel = unquote(path[len(here) :])
        needles += [f"]({rel}", f"](./{rel}", f"]({rel.rstrip('/')})", f"](./{rel.rstrip('/')})"]
    elif here.endswith("/") and path.startswith("/") and path not in ("", "/"):
        # istio.io's Ukrainian posts link the post before as `../steering-election/`.
        rel = unquote(posixpath.relpath(path, here))
        if rel.startswith("../"):
            tail = "/" if path.endswith("/") else ""
            needles += [f"]({rel}{tail}", f"]({rel})"]
    first: int | None = None
    for i, line in enumerate(page.post.body.split("\n")):
        if any(n and n in line for n in needles):
            if not text or f"[{text}]" in line:
                return page.post.body_file_line(i)
            if first is None:
                first = i
    return None if first is None else page.post.body_file_line(first)


def check_sitemap(checker: Checker, expected: ExpectedSet) -> Iterator[Finding]:
    ok = [s for s in checker.data.sitemaps if s.get("status") == 200 and not s.get("error")]
    if not ok and checker.data.sitemaps and all(s.get("skipped") for s in checker.data.sitemaps):
        return  # only sitemaps on other hosts, left alone as crawl.check_external says: nothing to judge
    if not ok:
        first = checker.data.sitemaps[0] if checker.data.sitemaps else {}
        why = first.get("error") or f"answers {first.get('status')}"
        yield make(
            "CRAWL052",
            None,
            None,
            f"sitemap {first.get('url', '/sitemap.xml')} {why}",
            first.get("url"),
            "sitemap",
        )
        return
    listed = {checker.mapper.to_public(loc) for loc in checker.data.sitemap_locs}
    published = expected.by_url()
    for url, page in published.items():
        if url not in listed and page.post.indexable:  # a 404 or noindex page is left out of sitemaps
            yield make(
                "CRAWL050",
                page.file,
                page.line("permalink"),
                f"{url} is not in the sitemap",
                url,
                "sitemap",
                lang=page.lang,
            )
    roots = {normalize(expected.public_base + "/")}
    for url in sorted(listed - set(published) - roots):
        post = expected.unpublished.get(url)
        if post is not None:
            from pipeline.content import display_path

            status = (
                "draft"
                if post.draft
                else f"page its generator holds back ({post.held})"
                if post.held
                else "unapproved translation"
            )
            yield make(
                "CRAWL054",
                display_path(post.path),
                post.line_of("permalink"),
                f"sitemap lists {url}, a {status}",
                url,
                "sitemap",
            )
        elif (
            urlsplit(url).path.strip("/").count("/") > 0
            or urlsplit(url).path.strip("/") not in checker.language_roots
        ):
            yield make(
                "CRAWL051", None, None, f"sitemap lists {url}, which is not a published post", url, "sitemap"
            )


def _broken(rec: Record | None) -> bool:
    if rec is None or is_unverifiable(rec):
        return False
    status = rec.get("status")
    return status is None or status >= 400


def _redirect_trap(rec: Record | None) -> str:
    """Why following a link never ends at a page (empty when it does): a loop, or more hops than we follow."""
    if rec is None:
        return ""
    hops = rec.get("hops") or []
    if rec.get("loop"):
        path = " → ".join([*(h["url"] for h in hops), hops[-1]["location"]]) if hops else ""
        return f"runs into a redirect loop ({path})" if path else "runs into a redirect loop"
    if rec.get("too_many_hops"):
        return f"redirects more than {len(hops)} times without reaching a page"
    return ""


def offline_hosts(checker: Checker) -> set[str]:
    """The hosts this crawl tried, when none of them answered and there are at least OFFLINE_MIN_HOSTS of them
    (else empty: the failures are the links' own)."""
    records = checker.data.external
    if any(rec.get("status") is not None for rec in records.values()):
        return set()
    hosts = {urlsplit(url).hostname or "" for url, rec in records.items() if unanswered(rec)}
    return hosts if len(hosts) >= OFFLINE_MIN_HOSTS else set()


def check_links(
    checker: Checker, expected: ExpectedSet, elsewhere: Callable[[str], bool] | None = None
) -> Iterator[Finding]:
    """Broken and trapped links. `elsewhere` (a preview build's crawl): internal paths the site serves from
    outside this content (site.urls.external, fallback pages), which the preview cannot hold. When no external
    host answered at all (`offline_hosts`), the unanswered external links are one CRAWL075 finding, not one
    CRAWL071 each: a nightly audit on a runner without outbound network reported every outbound link broken."""
    offline = offline_hosts(checker)
    unchecked: set[str] = set()
    by_crawl_url = {checker.mapper.to_crawl(p.url): p for p in expected.pages}
    for source_url, rec in checker.data.pages.items():
        facts = rec.get("facts")
        if not facts or rec.get("alias_of"):
            continue
        page = by_crawl_url.get(source_url)
        public_source = checker.mapper.to_public(source_url)
        for href, text in facts.get("links", []):
            crawl_href = checker.mapper.to_crawl(href)
            internal = crawl_href in checker.data.pages
            target = checker.data.pages.get(crawl_href) if internal else checker.external(normalize(href))
            if offline and not internal and unanswered(target):
                unchecked.add(href)
                continue
            detour = _redirect_trap(target)
            if detour:
                rule = "CRAWL073" if internal else "CRAWL074"
                message = f"link {text!r} → {href} {detour}" if text else f"link → {href} {detour}"
            elif _broken(target):
                assert target is not None
                status = target.get("status") or target.get("error")
                rule = "CRAWL070" if internal else "CRAWL071"
                message = (
                    f"link {text!r} → {href} answers {status}" if text else f"link → {href} answers {status}"
                )
            else:
                continue
            if (
                internal
                and elsewhere is not None
                and elsewhere(unquote(checker.mapper.site_path(crawl_href)))
            ):
                continue
            # Internal targets keyed by their public URL: the same link in a preview build on another port is
            # the same finding in the history.
            key = f"link:{checker.mapper.to_public(crawl_href) if internal else href}"
            if page is not None:
                line = body_line(page, href, text, checker.mapper.site_path(crawl_href) if internal else None)
                yield make(rule, page.file, line, message, page.url, key, lang=page.lang)
            else:
                yield make(rule, None, None, message, public_source, key)
    if unchecked:
        example = min(unchecked)
        error = (checker.external(normalize(example)) or {}).get("error") or "no answer"
        yield make(
            "CRAWL075",
            None,
            None,
            f"{len(unchecked)} external link(s) to {len(offline)} host(s) were not checked: none of the hosts "
            f"answered (e.g. {example}: {error}), so this machine seems to have no outbound network; run the "
            "crawl where it has, or set crawl.check_external = false",
            None,
            "external:offline",
        )


def check_limits(checker: Checker) -> Iterator[Finding]:
    stats = checker.data.stats
    if stats.get("limit_hit"):
        yield make(
            "CRAWL072",
            None,
            None,
            f"stopped after {stats.get('pages')} pages (crawl.max_pages); raise it to check the rest",
            None,
            "limit",
        )

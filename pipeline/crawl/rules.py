"""The crawl rules as data: stable ids, default severities, one doc line each (docs/crawl.md lists them)."""

from __future__ import annotations

from pipeline.findings import Rule

RULES: tuple[Rule, ...] = (
    Rule("CRAWL001", "error", "Published page does not answer 200 (4xx, 5xx or connection error).", "status"),
    Rule("CRAWL002", "error", "Published URL redirects instead of answering 200 directly.", "redirects"),
    Rule("CRAWL003", "warning", "Redirect chain longer than one hop.", "redirects"),
    Rule("CRAWL004", "error", "Redirect loop, or more than 10 hops.", "redirects"),
    Rule(
        "CRAWL005",
        "error",
        "Old slug (aliases/redirect_from) does not answer one 301 to the permalink.",
        "redirects",
    ),
    Rule(
        "CRAWL006", "info", "Page could not be verified: bot wall or rate limit answered instead.", "status"
    ),
    Rule("CRAWL007", "error", "Response larger than crawl.max_response_bytes; download cut off.", "status"),
    Rule("CRAWL010", "error", "Canonical link missing, duplicated or not the permalink.", "head"),
    Rule("CRAWL011", "error", "<title> differs from the front-matter title plus the site suffix.", "head"),
    Rule("CRAWL012", "error", "Meta description differs from the front-matter description.", "head"),
    Rule("CRAWL013", "error", "og:title, og:description or og:url missing or different.", "social"),
    Rule("CRAWL014", "error", "og:image missing or not the front-matter image.", "social"),
    Rule("CRAWL015", "warning", "twitter:card or twitter:image missing or different.", "social"),
    Rule("CRAWL020", "error", "og:image does not answer 200.", "images"),
    Rule("CRAWL021", "error", "og:image is not served as image/*, or cannot be decoded.", "images"),
    Rule("CRAWL022", "warning", "og:image is larger than crawl.image_max_bytes.", "images"),
    Rule("CRAWL023", "error", "og:image:width/height missing or not the decoded dimensions.", "images"),
    Rule("CRAWL024", "warning", "og:image smaller than 1200×630.", "images"),
    Rule("CRAWL030", "error", "hreflang cluster lacks a self-reference.", "hreflang"),
    Rule("CRAWL031", "error", "hreflang missing a translation, or not reciprocal.", "hreflang"),
    Rule("CRAWL032", "error", "hreflang code is not a valid language code.", "hreflang"),
    Rule("CRAWL033", "warning", "hreflang x-default missing or not the default-language page.", "hreflang"),
    Rule("CRAWL034", "error", "hreflang target does not answer 200 directly.", "hreflang"),
    Rule("CRAWL040", "error", "<html lang> is not the post's language.", "language"),
    Rule("CRAWL041", "error", "<html dir> does not match the language's direction (rtl).", "language"),
    Rule("CRAWL042", "error", "Published post carries noindex (meta robots or X-Robots-Tag).", "indexing"),
    Rule("CRAWL050", "error", "Published page missing from the sitemap.", "indexing"),
    Rule("CRAWL051", "warning", "Sitemap lists a URL that is not a published page.", "indexing"),
    Rule("CRAWL052", "error", "sitemap.xml missing or unreadable.", "indexing"),
    Rule("CRAWL053", "error", "Published page is disallowed by robots.txt.", "indexing"),
    Rule("CRAWL054", "error", "Sitemap lists a draft or unapproved translation.", "indexing"),
    Rule(
        "CRAWL060",
        "info",
        "Server asked to slow down (429/503 with Retry-After); honoured and retried.",
        "status",
    ),
    Rule(
        "CRAWL061",
        "warning",
        "Page slower than crawl.slow_page_ms, and again when timed alone.",
        "performance",
    ),
    Rule("CRAWL062", "warning", "Mixed content: http:// sub-resource on an https page.", "security"),
    Rule("CRAWL070", "error", "Broken internal link.", "links"),
    Rule("CRAWL071", "warning", "Broken external link.", "links"),
    Rule("CRAWL072", "info", "Crawl stopped at crawl.max_pages; some pages were not checked.", "status"),
    Rule(
        "CRAWL073",
        "error",
        "Internal link leads into a redirect loop, or through more than 10 redirects, and never reaches a page.",
        "links",
    ),
    Rule(
        "CRAWL074",
        "warning",
        "External link leads into a redirect loop, or through more than 10 redirects, and never reaches a page.",
        "links",
    ),
)

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

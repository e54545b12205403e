"""Checks of one published page against its expected values; each rule id in `rules.RULES` has a test.

Findings about a post carry its Markdown file and the front-matter line owning the value, so SARIF and editors
jump to the line to fix. Values are compared after entity decoding and whitespace folding, because templates
legitimately re-wrap and escape text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from pipeline.config import CrawlConfig
from pipeline.crawl.expected import OG_MIN_HEIGHT, OG_MIN_WIDTH, ExpectedPage
from pipeline.crawl.index import CrawlData, Record, is_unverifiable
from pipeline.crawl.urls import Mapper, normalize
from pipeline.findings import Finding
from pipeline.rules import ALL as RULES_BY_ID

HREFLANG_RE = re.compile(r"^(x-default|[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?)$")


def norm_text(value: str | None) -> str | None:
    return None if value is None else " ".join(unescape(value).split())


def make(
    rule: str, file: str | None, line: int | None, message: str, url: str | None, key: str, **data: Any
) -> Finding:
    return Finding(rule, RULES_BY_ID[rule].severity, file, line, message, url=url, data={"key": key, **data})


@dataclass
class Checker:
    """Everything a check needs: the crawl's records, the URL mapper and the crawl settings."""

    data: CrawlData
    mapper: Mapper
    config: CrawlConfig
    cache: dict[str, Record] = field(default_factory=dict)
    language_roots: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    def external(self, url: str) -> Record | None:
        """External link result from this crawl, else from the store's cache (checked within the TTL)."""
        return self.data.external.get(url) or self.cache.get(url)

    def page_record(self, url: str) -> Record | None:
        return self.data.pages.get(self.mapper.to_crawl(url))

    def add(self, page: ExpectedPage, rule: str, line_key: str, message: str, key: str = "") -> None:
        self.findings.append(
            make(rule, page.file, page.line(line_key), message, page.url, key or rule, lang=page.lang)
        )

    # --- the page itself --------------------------------------------------------------------------------

    def check_page(self, page: ExpectedPage) -> None:
        crawl_url = self.mapper.to_crawl(page.url)
        if crawl_url in self.data.disallowed:
            self.add(
                page,
                "CRAWL053",
                "permalink",
                f"robots.txt disallows {page.url}; search engines will not crawl it",
            )
            return
        rec = self.data.pages.get(crawl_url)
        if rec is None:
            return  # not reached (max_pages); CRAWL072 says so once
        if not self.check_status(page, rec):
            return
        facts = rec.get("facts")
        if facts is None:
            return
        self.check_head(page, facts, rec)
        self.check_social(page, facts)
        self.check_image(page, facts)
        self.check_hreflang(page, facts)

    def check_status(self, page: ExpectedPage, rec: Record) -> bool:
        """True when the page answered 200 directly, so its content can be checked."""
        for wait in rec.get("waited", []):
            self.add(
                page,
                "CRAWL060",
                "permalink",
                f"server answered {wait['status']} with Retry-After: {wait['seconds']:g} s; waited and retried",
            )
        if is_unverifiable(rec):
            why = "a bot wall" if rec.get("bot_wall") else "rate limiting"
            self.add(
                page,
                "CRAWL006",
                "permalink",
                f"answered {rec.get('status')} from {why}; not verified, not counted as broken",
            )
            return False
        hops = rec.get("hops", [])
        if rec.get("loop") or len(hops) >= 10:
            path = " → ".join(h["url"] for h in hops)
            self.add(page, "CRAWL004", "permalink", f"redirect loop or too many hops: {path}")
            return False
        if hops:
            chain = " → ".join(f"{h['status']} {h['location']}" for h in hops)
            self.add(
                page,
                "CRAWL002",
                "permalink",
                f"{page.url} redirects ({chain}); the permalink must answer 200 itself",
            )
            if len(hops) > 1:
                self.add(page, "CRAWL003", "permalink", f"redirect chain of {len(hops)} hops: {chain}")
        if rec.get("status") is None:
            rule = "CRAWL007" if rec.get("too_large") else "CRAWL001"
            self.add(page, rule, "permalink", f"could not fetch {page.url}: {rec.get('error')}")
            return False
        if rec["status"] != 200:
            self.add(
                page, "CRAWL001", "permalink", f"{rec['final_url']} answers {rec['status']}", key="status"
            )
            return False
        if rec.get("ms", 0) > self.config.slow_page_ms:
            again = f", {rec['ms_again']:.0f} ms again alone" if "ms_again" in rec else ""
            first = rec.get("ms_first", rec["ms"])
            self.add(
                page,
                "CRAWL061",
                "permalink",
                f"took {first:.0f} ms{again} (over crawl.slow_page_ms = {self.config.slow_page_ms})",
            )
        return not hops

    def check_head(self, page: ExpectedPage, facts: dict[str, Any], rec: Record) -> None:
        canonical = facts.get("canonical")
        if canonical is None:
            self.add(page, "CRAWL010", "permalink", f"no <link rel=canonical>; expected {page.canonical}")
        elif normalize(canonical) != page.canonical:
            self.add(page, "CRAWL010", "permalink", f"canonical is {canonical}, expected {page.canonical}")
        elif facts.get("canonicals", 0) > 1:
            self.add(
                page, "CRAWL010", "permalink", f"{facts['canonicals']} canonical links; keep exactly one"
            )
        if facts.get("titles", 0) > 1:
            self.add(
                page,
                "CRAWL011",
                "title",
                f"{facts['titles']} <title> elements; keep exactly one",
                key="titles",
            )
        title = norm_text(facts.get("title"))
        if title != norm_text(page.title):
            self.add(page, "CRAWL011", "title", f"<title> is {title!r}, expected {page.title!r}")
        if page.description is not None and norm_text(facts.get("description")) != norm_text(
            page.description
        ):
            self.add(
                page,
                "CRAWL012",
                "description",
                f"meta description is {facts.get('description')!r}, expected the front-matter description",
            )
        lang_key = "lang" if "lang" in page.post.key_lines else "permalink"
        html_lang = (facts.get("html_lang") or "").lower()
        if html_lang != page.hreflang.lower():
            self.add(
                page,
                "CRAWL040",
                lang_key,
                f'<html lang="{facts.get("html_lang") or ""}">, expected "{page.hreflang}"',
            )
        html_dir = (facts.get("html_dir") or "ltr").lower()
        if html_dir != page.dir:
            self.add(page, "CRAWL041", lang_key, f'<html dir="{html_dir}">, expected "{page.dir}"')
        robots = [*facts.get("robots", []), rec.get("headers", {}).get("x-robots-tag", "").lower()]
        if any("noindex" in r or r.strip() == "none" for r in robots):
            self.add(
                page,
                "CRAWL042",
                "permalink",
                "published post says noindex (meta robots or X-Robots-Tag); remove it",
            )
        mixed = facts.get("mixed", [])
        if mixed and page.url.startswith("https://"):
            self.add(
                page,
                "CRAWL062",
                "permalink",
                f"{len(mixed)} http:// sub-resource(s) on an https page, e.g. {mixed[0]}",
            )

    def check_social(self, page: ExpectedPage, facts: dict[str, Any]) -> None:
        meta = facts.get("meta", {})
        wanted = {"og:title": (page.og_title, "title"), "og:url": (page.url, "permalink")}
        if page.og_description is not None:
            wanted["og:description"] = (page.og_description, "description")
        for name, (value, key) in wanted.items():
            got = meta.get(name)
            if got is None:
                self.add(page, "CRAWL013", key, f"{name} missing; expected {value!r}", key=name)
            elif (normalize(got) if name == "og:url" else norm_text(got)) != (
                normalize(value) if name == "og:url" else norm_text(value)
            ):
                self.add(page, "CRAWL013", key, f"{name} is {got!r}, expected {value!r}", key=name)
        if page.og_image:
            got = meta.get("og:image")
            if not got:
                self.add(page, "CRAWL014", page.image_key, f"og:image missing; expected {page.og_image}")
            elif normalize(got) != page.og_image:
                self.add(page, "CRAWL014", page.image_key, f"og:image is {got}, expected {page.og_image}")
        tw_key = "twitterImage" if page.post.twitter_image else page.image_key
        card = meta.get("twitter:card")
        if card != page.twitter_card:
            self.add(
                page,
                "CRAWL015",
                tw_key,
                f"twitter:card is {card!r}, expected {page.twitter_card!r}",
                key="card",
            )
        if page.twitter_image:
            got = meta.get("twitter:image")
            if not got or normalize(got) != page.twitter_image:
                self.add(
                    page,
                    "CRAWL015",
                    tw_key,
                    f"twitter:image is {got!r}, expected {page.twitter_image}",
                    key="image",
                )

    def check_image(self, page: ExpectedPage, facts: dict[str, Any]) -> None:
        meta = facts.get("meta", {})
        url = meta.get("og:image")
        if not url:
            return
        rec = self.data.images.get(self.mapper.to_crawl(url))
        key = page.image_key
        if rec is None:
            return
        if rec.get("status") != 200:
            why = rec.get("error") or f"answers {rec.get('status')}"
            self.add(page, "CRAWL020", key, f"og:image {url} {why}")
            return
        ctype = rec.get("headers", {}).get("content-type", "")
        if not ctype.lower().startswith("image/") or "decode_error" in rec:
            self.add(
                page,
                "CRAWL021",
                key,
                f"og:image {url} is served as {ctype or 'no type'}{'; ' + rec['decode_error'] if 'decode_error' in rec else ''}",
            )
            return
        limit = self.config.image_max_bytes
        if rec.get("bytes", 0) > limit:
            self.add(
                page,
                "CRAWL022",
                key,
                f"og:image is {rec['bytes']:,} bytes, over crawl.image_max_bytes = {limit:,}",
            )
        width, height = rec.get("width"), rec.get("height")
        declared = (meta.get("og:image:width"), meta.get("og:image:height"))
        if declared[0] is None or declared[1] is None:
            self.add(page, "CRAWL023", key, f"og:image:width/height missing; the image is {width}×{height}")
        elif (str(declared[0]).strip(), str(declared[1]).strip()) != (str(width), str(height)):
            self.add(
                page,
                "CRAWL023",
                key,
                f"og:image declares {declared[0]}×{declared[1]} but decodes as {width}×{height}",
            )
        if width is not None and height is not None and (width < OG_MIN_WIDTH or height < OG_MIN_HEIGHT):
            self.add(
                page,
                "CRAWL024",
                key,
                f"og:image is {width}×{height}, smaller than {OG_MIN_WIDTH}×{OG_MIN_HEIGHT}",
            )

    def check_hreflang(self, page: ExpectedPage, facts: dict[str, Any]) -> None:
        entries: list[tuple[str, str]] = [(c, normalize(h)) for c, h in facts.get("hreflang", [])]
        if not entries and not page.cluster:
            return
        key = "translationKey" if "translationKey" in page.post.key_lines else "permalink"
        for code, _ in entries:
            if not HREFLANG_RE.match(code):
                self.add(
                    page,
                    "CRAWL032",
                    key,
                    f"hreflang={code!r} is not a valid language code",
                    key=f"code:{code}",
                )
        actual = set(entries)
        if not any(href == page.url for code, href in entries if code != "x-default"):
            self.add(page, "CRAWL030", key, f"hreflang links do not include this page ({page.url})")
        for code, url in page.cluster.items():
            if url != page.url and (code, url) not in actual:
                self.add(
                    page,
                    "CRAWL031",
                    key,
                    f'missing <link rel=alternate hreflang="{code}" href="{url}">',
                    key=f"missing:{code}",
                )
        if page.x_default and ("x-default", page.x_default) not in actual:
            self.add(page, "CRAWL033", key, f"x-default missing or wrong; expected {page.x_default}")
        for code, href in entries:
            if href == page.url:
                continue
            rec = self.page_record(href)
            if rec is None:
                continue
            if rec.get("status") != 200 or rec.get("hops"):
                self.add(
                    page,
                    "CRAWL034",
                    key,
                    f"hreflang {code} target {href} answers {rec.get('status')}"
                    + (" after redirects" if rec.get("hops") else ""),
                    key=f"target:{href}",
                )
                continue
            if code == "x-default":
                continue
            back = {normalize(h) for c, h in (rec.get("facts") or {}).get("hreflang", []) if c != "x-default"}
            if rec.get("facts") is not None and page.url not in back:
                self.add(
                    page,
                    "CRAWL031",
                    key,
                    f"not reciprocal: {href} ({code}) does not link back to this page",
                    key=f"reciprocal:{href}",
                )


def check_aliases(checker: Checker, page: ExpectedPage) -> Iterator[Finding]:
    target = checker.mapper.to_crawl(page.url)
    for alias in page.aliases:
        rec = checker.data.aliases.get(checker.mapper.to_crawl(alias))
        if rec is None:
            continue
        hops = rec.get("hops", [])
        if (
            len(hops) == 1
            and hops[0]["status"] == 301
            and checker.mapper.to_crawl(hops[0]["location"]) == target
        ):
            continue
        if not hops:
            what = f"answers {rec.get('status') or rec.get('error')}"
        else:
            what = "redirects " + " → ".join(f"{h['status']} {h['location']}" for h in hops)
        yield make(
            "CRAWL005",
            page.file,
            page.line(page.alias_key),
            f"old URL {alias} {what}; it must answer one 301 to {page.url}",
            page.url,
            f"alias:{alias}",
            lang=page.lang,
        )

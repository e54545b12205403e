"""Body structure rules from the Markdown tree, each finding on its own file line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from pipeline.content import Post
from pipeline.content.body_images import BodyImage, body_images
from pipeline.content.files import path_matcher
from pipeline.content.markdown import raw_html_nodes
from pipeline.text import char_count, graphemes
from pipeline.validate.prose import analyse, section_sentences, unit_words
from pipeline.validate.registry import Check, Env, Hit, registrar

CHECKS: list[Check] = []
_PLAIN_HTTP = re.compile(r"https?://([^/?#\[\]\t\r\n\x80-\U0010ffff]*)(?:[/?#]|\Z)")
rule = registrar(CHECKS, "structure")


@rule("MD001")
def no_body_h1(post: Post, env: Env) -> Iterator[Hit]:
    """A body H1 beside the layout's title H1 is a second H1. Pages whose layout prints no title (a Hugo home
    page rendering only `.Content`, as on the CNCF glossary) have their first body H1 as their heading."""
    cfg = env.config.validate_
    if not cfg.layout_renders_title:
        return
    untitled = env.memo.get("untitled_layouts")
    if untitled is None:
        untitled = env.memo["untitled_layouts"] = path_matcher(cfg.layout_renders_title_except)
    own_heading = untitled(post.rel)  # the first body H1 is the page's own heading
    what = "is a second H1" if own_heading else "duplicates the page title"
    for h in analyse(post).headings:
        if h.level == 1:
            if own_heading:
                own_heading = False
                continue
            yield Hit(h.line, f"H1 '{h.text[:60]}' {what}; make it an H2", f"h1:{h.text}")


@rule("MD002")
def heading_levels(post: Post, env: Env) -> Iterator[Hit]:
    previous = 1
    for h in analyse(post).headings:
        if h.level > previous + 1:
            yield Hit(
                h.line,
                f"heading jumps from H{previous} to H{h.level}; use H{previous + 1}",
                f"level:{h.text}",
            )
        previous = h.level


def _all_images(post: Post) -> list[BodyImage]:
    """Every body image, in line order: Markdown's `![alt](src)` and the Eleventy image shortcodes (read with
    the prose, pipeline.validate.prose), raw `<img>` tags and Hugo's `figure`/`img` shortcodes."""
    cached = post.extra.get("all_images")
    if cached is None:
        own = body_images(post)
        # Hugo's image shortcodes are read here too (their alt falls back to the caption, as Hugo's figure
        # does): the prose's reading of the same tag is left out, so one image is one finding.
        hugo = {(i.line, i.src) for i in own if i.kind == "shortcode"}
        found = [
            BodyImage(i.url, i.text, i.line, "markdown")
            for i in analyse(post).images
            if not (i.shortcode and (i.line, i.url.strip()) in hugo)
        ]
        found += own
        cached = post.extra["all_images"] = tuple(sorted(found, key=lambda i: i.line))
    return list(cached)


@rule("MD003")
def image_alt(post: Post, env: Env) -> Iterator[Hit]:
    for img in _all_images(post):
        if img.alt is None:
            what = "no alt attribute" if img.kind == "html" else "neither alt nor caption"
        elif img.alt == "" and img.kind == "html":
            continue  # `alt=""`: HTML's mark of a decorative image, skipped by screen readers on purpose
        elif not img.alt.strip():
            what = "no alt text"
        else:
            continue
        yield Hit(
            img.line,
            f"image '{img.src}' has {what}; describe it for screen readers and search",
            f"alt:{img.src}",
        )


@rule("MD008")
def alt_length(post: Post, env: Env) -> Iterator[Hit]:
    """Counted in user-perceived characters (graphemes), as a screen reader's buffer is, in every script."""
    limit = int(env.t(post.lang, "alt_max_chars"))
    for img in _all_images(post):
        n = graphemes(img.alt.strip()) if img.alt else 0
        if n > limit:
            yield Hit(
                img.line,
                f"alt text of '{img.src}' is {n} characters (at most {limit}); say what the image shows, "
                "put the rest in the caption",
                f"altlen:{img.src}",
                data={"chars": n},
            )


_IMAGE_EXT = re.compile(r"\.(?:png|jpe?g|gif|webp|avif|svg|bmp|tiff?|heic)$", re.IGNORECASE)


def _file_name(src: str) -> str:
    return unquote(urlsplit(src).path).rsplit("/", 1)[-1]


@rule("MD009")
def alt_is_file_name(post: Post, env: Env) -> Iterator[Hit]:
    """`alt="IMG_2041.jpg"`, `alt="hero-image"` for hero-image.png: a CMS or an editor pasted the name in. A
    name written out as words (`alt="Jaeger trace view"` for jaeger-trace-view.png) is someone's description."""
    for img in _all_images(post):
        alt = (img.alt or "").strip()
        name = _file_name(img.src)
        if not alt or not name or " " in alt:
            continue
        stem = _IMAGE_EXT.sub("", name)
        if _IMAGE_EXT.search(alt) or alt.casefold() == stem.casefold():
            yield Hit(
                img.line,
                f"alt text of '{img.src}' is its file name ('{alt}'); describe what the image shows",
                f"altname:{img.src}",
            )


_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


@rule("MD010")
def omitted_html(post: Post, env: Env) -> Iterator[Hit]:
    """Hugo's Markdown renderer puts `<!-- raw HTML omitted -->` where a post wrote raw HTML unless the site
    sets `markup.goldmark.renderer.unsafe` (read into site.raw_html): the `<img>`, `<table>` or `<a>` is not on
    the page, and nothing in the build says so. Comments and closing tags lose nothing a reader sees."""
    if post.raw_html != "omit" or "<" not in post.body:
        return
    data = post.body.encode("utf-8")
    seen: set[int] = set()
    at, newlines = 0, 0  # nodes come in document order: count the newlines once, not from the top per tag
    for offset, source in raw_html_nodes(post.syntax):
        tag = _OPEN_TAG.search(_HTML_COMMENT.sub("", source))
        if tag is None:
            continue
        if offset < at:
            at, newlines = 0, 0
        newlines += data.count(b"\n", at, offset)
        at = offset
        line = post.body_line + newlines
        if line in seen:
            continue
        seen.add(line)
        name = tag.group(1).lower()
        yield Hit(
            line,
            f"raw HTML <{name}> is left off the page: Hugo omits raw HTML written in Markdown unless "
            "markup.goldmark.renderer.unsafe is true; use Markdown or a shortcode instead",
            f"rawhtml:{' '.join(source.split())[:80]}",
        )


@rule("MD004")
def generic_links(post: Post, env: Env) -> Iterator[Hit]:
    generic = {g.lower() for g in env.t(post.lang, "generic_link_texts")}
    for link in analyse(post).links:
        if link.text.strip().lower().rstrip(".!…") in generic:
            yield Hit(
                link.line,
                f"link text '{link.text}' says nothing about the target; describe where it goes",
                f"link:{link.url}",
            )


def _netloc(url: str, env: Env) -> str:
    """urlsplit(url).netloc (~7 µs a call; a big site has 150,000 links). A plain http(s) URL whose host part
    is ASCII without brackets, tabs or newlines (where urlsplit has special cases) is cut by one regex."""
    plain = _PLAIN_HTTP.match(url)
    if plain is not None:
        return plain.group(1)
    memo: dict[str, str] = env.memo.setdefault("netloc", {})
    got = memo.get(url)
    if got is None:
        got = memo[url] = urlsplit(url).netloc
    return got


def _is_internal(url: str, env: Env) -> bool:
    if url.startswith("/") and not url.startswith("//"):
        return True
    if "//" not in url and "\t" not in url and "\r" not in url and "\n" not in url:
        return False  # urlsplit finds a netloc only after "//" (it drops tabs and newlines first)
    netloc = _netloc(url, env)
    base = env.memo.get("base_netloc")
    if base is None:
        base = env.memo["base_netloc"] = urlsplit(env.config.site.base_url).netloc
    return bool(netloc) and netloc == base


@rule("MD005")
def internal_links(post: Post, env: Env) -> Iterator[Hit]:
    """Links into the site must reach a page: resolved like the generator does (pipeline.content.links)."""
    index = env.site.links
    if index is None:
        return
    base = env.memo.get("base_netloc")
    if base is None:
        base = env.memo["base_netloc"] = urlsplit(env.config.site.base_url).netloc
    for link in analyse(post).links:
        url = link.url
        if url.startswith(("http://", "https://", "//")) and not _is_internal(url, env):
            continue
        if url.startswith(("#", "mailto:", "tel:")):
            continue
        target = index.resolve(post, url, base)
        if target is not None and not target.known:
            shown = unquote(url)
            if shown.startswith(("{{", "{%")):  # a shortcode as the dialect kept it: spaces were `+`
                shown = shown.replace("+", " ")
            if target.unbuilt:  # the file is there, its page is not: a 404 on the built site
                yield Hit(
                    link.line,
                    f"link to '{shown}' reaches no page: {target.unbuilt}; publish that page or remove the link",
                    f"link:{url}",
                )
                continue
            yield Hit(
                link.line,
                f"link to '{shown}' reaches no page of the site ({target.why}: {target.path}); fix the link, or "
                "list pages served from elsewhere in site.urls.external",
                f"link:{url}",
            )


@rule("MD006")
def outbound_link(post: Post, env: Env) -> Iterator[Hit]:
    if post.is_list_page:
        return  # a home or section page lists the site's own pages
    doc = analyse(post)
    if doc.units and not any(
        link.url.startswith(("http://", "https://")) and not _is_internal(link.url, env) for link in doc.links
    ):
        yield Hit(
            post.body_line,
            "no outbound link; cite a source readers can check",
            "outbound",
        )


@rule("MD007")
def min_words(post: Post, env: Env) -> Iterator[Hit]:
    if post.is_list_page:
        return  # a home or section page is a short introduction to the pages it lists
    units = analyse(post).units
    if env.t(post.lang, "length_unit") == "chars":  # Chinese, Japanese: no spaces, length in characters
        n = sum(char_count(u.text) for u in units)
        want = env.t(post.lang, "min_chars")
        if n < want:
            yield Hit(
                post.body_line,
                f"body has {n} characters (aim for at least {want})",
                "words",
                data={"chars": n},
            )
        return
    section_sentences(post)  # counts every unit's words as it splits sentences; readability reuses the split
    n = sum(unit_words(u) for u in units)  # = len(words(prose)): units are joined by newlines
    want = env.t(post.lang, "min_words")
    if n < want:
        yield Hit(post.body_line, f"body has {n} words (aim for at least {want})", "words", data={"words": n})

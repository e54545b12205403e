"""Where a link in a post's body goes, by the site's URL model: validate's internal-link check asks here.

A link is resolved the way the generator would: relative links against the page's URL (the browser's rule),
`.md` links against the file's folder (Hugo's and Eleventy's link resolution), Hugo `ref`/`relref` shortcodes and
Jekyll `{% post_url %}`/`{% link %}` tags by content path, with or without a trailing slash, `.html` or an
anchor. A target counts as known when a post (or an alias) has that URL, maybe under the post's own language
prefix (a localising link hook), when `site.urls.external` says the site serves it from elsewhere, or when
`site.urls.fallback` serves the default language's page there.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import unquote, urlsplit

from pipeline.content.listpages import list_pages
from pipeline.content.post import Post
from pipeline.content.urls import UrlModel

_REF = re.compile(
    r"""\{\{[<%]\s*(?:rel)?ref\s+(?:path=)?(?:"([^"]*)"|'([^']*)'|([^\s"'%>]+))(?:\s+lang=["']?([\w-]+))?""",
    re.I,
)
_POST_URL = re.compile(r"\{%-?\s*post_url\s+([^\s%]+)\s*-?%\}")
_LINK_TAG = re.compile(r"\{%-?\s*link\s+([^\s%]+)\s*-?%\}")
_SITE_PREFIX = re.compile(
    r"^\{\{-?\s*(?:site\.baseurl|site\.url|site\.url\s*\}\}\{\{\s*site\.baseurl)\s*-?\}\}"
)
_FILTERED = re.compile(r"""^\{\{-?\s*["']([^"']+)["']\s*\|\s*(?:relative_url|absolute_url|url)\s*-?\}\}""")
_ASSET = re.compile(r"\.(?!html?$|md$|markdown$)[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class Target:
    """A link that leads into the site: `known` says whether a page answers there."""

    path: str
    known: bool
    why: str = ""  # for unknown targets: what was looked for
    unbuilt: str = ""  # the target is a content file the generator writes no page for: why not


def link_key(path: str) -> str:
    """A page path as links reach it: `/a/b/index.html` is `/a/b/`. Case counts, as on every static host."""
    path = unquote(path)
    for tail in ("index.html", "index.htm"):
        if path.endswith("/" + tail):
            return path[: -len(tail)]
    return path if path.startswith("/") else "/" + path


def page_keys(path: str) -> tuple[str, ...]:
    """The keys a page answers on: a folder page `/a/` (and `/a`, which servers redirect), a file page
    `/a.html` also as `/a` (GitHub Pages, Netlify and `jekyll serve` serve extensionless URLs) — never `/a/`."""
    key = link_key(path)
    if key.endswith("/"):
        return (key,)
    if key.endswith((".html", ".htm")):
        return (key, key.rsplit(".", 1)[0])
    return (key,)


def link_keys(path: str) -> tuple[str, ...]:
    """The keys a link may reach: `/a` is the file page `/a` or the folder `/a/`."""
    key = link_key(path)
    if key.endswith("/") or key.endswith((".html", ".htm")):
        return (key,)
    return (key, key + "/")


class LinkIndex:
    """Every page path, alias and content path of a site, for resolving links from its posts."""

    def __init__(self, posts: Iterable[Post], urls: UrlModel) -> None:
        self.urls = urls
        self.known: set[str] = {"/"}  # page_keys of every page and alias
        self.by_rel: dict[str, Post] = {}
        self.logical: dict[tuple[str, str], Post] = {}
        self.basenames: dict[tuple[str, str], list[Post]] = {}
        self.external = tuple(urls.conv.external)
        self.fallback = dict(urls.conv.fallback)  # language ("*": any) → globs; `!glob` leaves paths out
        self.default_pages: set[str] = set()
        # Pages the generator renders from templates (Jekyll's `index.html`): known to links, and not written
        # by build, so a preview crawl leaves them to the public site as it does external ones.
        self.template_pages = {key for url in urls.template_pages for key in page_keys(url)}
        self.known |= self.template_pages
        index_files = set(urls.conv.index_files) | {"index", "_index"}
        posts = list(posts)
        generator = urls.conv.generator
        self.unbuilt: dict[str, str] = {}  # page key of a file that writes no page → why (see `unbuilt`)
        for post in posts:
            self.by_rel[post.rel] = post
            self.by_rel.setdefault(_norm_rel(post.rel), post)
            why = unbuilt(post, generator)
            if why:
                for url in (post.path_url, *post.url_aliases) if post.path_url else ():
                    self.unbuilt.update(dict.fromkeys(page_keys(url), f"{post.rel} {why}"))
            elif post.path_url:
                self.known.update(page_keys(post.path_url))
                if post.lang == urls.default_language:
                    self.default_pages.update(page_keys(post.path_url))
            for alias in post.url_aliases if not why else ():
                self.known.update(page_keys(alias))
            logical = _logical(post, index_files)
            self.logical.setdefault((post.lang, logical), post)
            base = logical.rsplit("/", 1)[-1]
            self.basenames.setdefault((post.lang, base), []).append(post)
        # List pages the generator makes from the posts (homes, sections, tags, pagers): pages links reach that
        # build does not write, so a preview crawl leaves them to the public site.
        self.lists = list_pages(posts, urls)
        self.derived = {key for url in self.lists.pages for key in page_keys(url)} - self.known
        self.known |= self.derived
        for key in self.known & self.unbuilt.keys():  # another file writes a page there
            del self.unbuilt[key]
        self._lowered: dict[str, str] | None = None

    def digest_rows(self) -> list[str]:
        """What a cached result depends on: the pages, why each unbuilt file writes none, and whether bare URLs
        are links (an Eleventy config file's `linkify: true` is no setting of ours: the config fingerprint
        misses it)."""
        rows = sorted(self.known) + sorted(f"{key}\t{why}" for key, why in self.unbuilt.items())
        return [*rows, f"\tlinkify={self.urls.linkify}"]

    def resolve(self, post: Post, href: str, base_netloc: str) -> Target | None:
        """The link's target, or None when it does not lead to a page of this site (another site, mail, an
        anchor on the same page, an image or download, a template this tool cannot evaluate)."""
        raw = unquote(href.strip())
        if "{{" in raw or "{%" in raw:
            return self._template(post, raw.replace("+", " "), base_netloc)  # the dialect kept spaces as +
        try:
            parts = urlsplit(raw)
        except ValueError:
            return None
        if parts.scheme and parts.scheme not in ("http", "https"):
            return None
        path = parts.path
        if parts.netloc:
            if parts.netloc.lower() != base_netloc.lower():
                return None
            # The site's own absolute URL: under a base path (Hugo's baseURL `https://istio.io/latest`) the
            # page path follows it, and the rest of the host (`/v1.20/`, an older version) is another site.
            base = urlsplit(self.urls.base_url).path.rstrip("/")
            if base:
                if path != base and not path.startswith(base + "/"):
                    return None
                path = path[len(base) :] or "/"
        if not path or _ASSET.search(path.rsplit("/", 1)[-1]):
            return None
        elif path.startswith("/") and not self._known(path):
            # `/WAI/tutorials/` on a site at `https://www.w3.org/WAI`: from the host's root, i.e. under the base
            # path, as the site's absolute URLs are (w3.org/WAI writes its links to other repositories so).
            base = urlsplit(self.urls.base_url).path.rstrip("/")
            if base and path.startswith(base + "/"):
                path = path[len(base) :]
        if path.lower().endswith((".md", ".markdown")):
            return self._content_link(post, path)
        if not path.startswith("/"):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(post.path_url or "/"), path))
            path = "/" + path.lstrip("/") + ("/" if parts.path.endswith("/") else "")
        return self._page(post, path)

    def _page(self, post: Post, path: str) -> Target:
        localized = self.urls.with_prefix("/" + path.lstrip("/"), post.lang)
        if self._known(path) or self._known(localized) or self.elsewhere(path):
            return Target(path, True)
        why = next(
            (self.unbuilt[k] for k in (*link_keys(path), *link_keys(localized)) if k in self.unbuilt), ""
        )
        if why:
            return Target(path, False, why.split(" ", 1)[1], unbuilt=why)
        pager = self.lists.pager(link_key(path))
        if pager is not None and pager[0] in self.lists.items:
            n = self.lists.items[pager[0]]
            return Target(
                path,
                False,
                f"{pager[0]} lists {n} page(s), {self.lists.pager_size} a page: no page {pager[1]}",
            )
        near = self._other_case(path)
        if near:
            return Target(path, False, f"{near} differs only in letter case; no page has that URL")
        return Target(path, False, "no page has that URL")

    def _other_case(self, path: str) -> str | None:
        """The page a link misses only by letter case (`/tags/Sleep/` for Hugo's `/tags/sleep/`)."""
        if self._lowered is None:
            self._lowered = {k.lower(): k for k in sorted(self.known)}
        return next((self._lowered[k.lower()] for k in link_keys(path) if k.lower() in self._lowered), None)

    def _known(self, path: str) -> bool:
        return any(key in self.known for key in link_keys(path))

    def elsewhere(self, path: str) -> bool:
        """A page this content does not write but the site serves: `site.urls.external`, or the default
        language's page at another language's prefix under `site.urls.fallback`."""
        key = link_key(path)
        if _globbed(path, self.external) or key in self.template_pages or key in self.derived:
            return True
        if self.lists.pager_known(key) or self.lists.pager_known(key + "/"):
            return True
        if not self.fallback:
            return False
        default = self.urls.default_language
        for lang in self.urls.languages:
            head = self.urls.prefix_for(lang)
            if head and lang != default and path.startswith(head + "/"):
                inner = path[len(head) :]
                globs = (*self.fallback.get(lang, ()), *self.fallback.get("*", ()))
                served = self.urls.with_prefix(inner, default)
                return _served(inner, globs) and any(k in self.default_pages for k in link_keys(served))
        return False

    def _content_link(self, post: Post, path: str) -> Target:
        """`[x](../sdk.md)`: a content file relative to this file's folder, or to the content root."""
        here = posixpath.dirname(post.rel)
        candidates = [posixpath.normpath(posixpath.join(here, path))] if not path.startswith("/") else []
        lang_dir = post.lang if post.rel.startswith(post.lang + "/") else ""
        root_rel = path.lstrip("/")
        candidates += [posixpath.join(lang_dir, root_rel) if lang_dir else root_rel, root_rel]
        for rel in candidates:
            target = self.by_rel.get(rel) or self.by_rel.get(_norm_rel(rel))
            if target is not None:
                return self._file(target)
        return Target(path, False, "no content file is there")

    def _file(self, target: Post) -> Target:
        """A link to a content file: known, unless the generator writes no page for it."""
        why = unbuilt(target, self.urls.conv.generator)
        if not why:
            return Target(target.path_url, True)
        return Target(target.path_url or target.rel, False, why, unbuilt=f"{target.rel} {why}")

    def _template(self, post: Post, raw: str, base_netloc: str) -> Target | None:
        ref = _REF.search(raw)
        if ref is not None:
            wanted = next(g for g in ref.groups()[:3] if g is not None)
            return self._ref(post, wanted.split("#", 1)[0], ref.group(4) or post.lang)
        tag = _POST_URL.search(raw)
        if tag is not None:
            name = tag.group(1).strip("'\"")
            hit = next((p for p in self.by_rel.values() if _post_name(p) == name), None)
            return self._file(hit) if hit else Target(name, False, "no post has that file name")
        tag = _LINK_TAG.search(raw)
        if tag is not None:
            rel = tag.group(1).strip("'\"").lstrip("/")
            # A collection document's path is relative to Jekyll's `collections_dir` (`_tips/writing.md`).
            inner = f"{self.urls.collections_dir}/{rel}" if self.urls.collections_dir else rel
            hit = self.by_rel.get(rel) or self.by_rel.get(inner)
            return self._file(hit) if hit else Target(rel, False, "no content file is there")
        expanded = expand(post, raw)
        if "{{" in expanded or "{%" in expanded:
            return None  # another template: what it prints is known only to the generator
        return self.resolve(post, expanded, base_netloc)

    def _ref(self, post: Post, wanted: str, lang: str) -> Target:
        """Hugo's ref/relref: a content path with or without extension, relative to this page's folder first,
        then to the content root; a bare name matches the one page of that name."""
        if not wanted:
            return Target(post.path_url, True)  # {{< ref "#anchor" >}}
        name = _strip_name(wanted)
        logical = _logical(post, {"index", "_index"})
        here = logical if _is_index(post) else posixpath.dirname(logical)
        tries = [name.lstrip("/")] if wanted.startswith("/") else [_norm(posixpath.join(here, name)), name]
        for candidate in tries:
            for language in dict.fromkeys((lang, self.urls.default_language)):
                hit = self.logical.get((language, candidate))
                if hit is not None:
                    return self._file(hit)
        if "/" not in name:
            hits = self.basenames.get((lang, name)) or self.basenames.get((self.urls.default_language, name))
            if hits and len(hits) == 1:
                return self._file(hits[0])
        return Target(wanted, False, "ref/relref finds no page")


_WRITER = {"hugo": "Hugo", "jekyll": "Jekyll", "eleventy": "Eleventy"}


def unbuilt(post: Post, generator: str) -> str:
    """Why the generator writes no page for `post` ("" when it writes one): a draft, a page scheduled for later
    or past its expiry date (pipeline.content.schedule), Hugo's `build: {render: never}` or `headless`, Jekyll's
    `published: false`, Eleventy's `permalink: false`. A page that names a redirect is served as one: Jekyll's
    `redirect_to` (jekyll-redirect-from writes it), or a `redirect` param that the site's templates turn into a
    host redirect (opentelemetry.io's `build: {render: link}` menu entries)."""
    who = _WRITER.get(generator, "the build")
    redirect = post.meta.get("redirect")
    if post.redirect_to or (isinstance(redirect, str) and redirect.strip()):
        return ""
    if post.held:
        kind, _, date = post.held.partition(" ")
        if kind == "expired":
            return f"expired on {date} (expiryDate): {who} does not build pages past it without buildExpired"
        setting = "future: true" if generator == "jekyll" else "buildFuture"
        return f"is scheduled for {date}: {who} does not build future pages without {setting}"
    # Eleventy has no drafts of its own, and Jekyll's are the files under `_drafts` (a `draft:` key is no
    # setting of Jekyll's): both build any other page.
    jekyll_draft = "_drafts" in post.rel.split("/")[:-1]
    if (post.draft and generator not in ("eleventy", "jekyll")) or jekyll_draft:
        how = "--drafts" if generator == "jekyll" else "buildDrafts" if generator == "hugo" else "publishing"
        return f"is a draft: {who} does not build it without {how}"
    if not post.path_url:
        if generator == "eleventy" and post.meta.get("permalink") is False:
            return "has permalink: false: Eleventy writes no page for it"
        return f"writes no page: {who} does not build it"
    if not post.renders:
        build = post.meta.get("build") or post.meta.get("_build")
        if isinstance(build, dict) and "render" in build:
            return f"has build.render: {str(build['render']).lower()}: {who} writes no page for it"
        if post.meta.get("headless") is True:
            return f"is headless: {who} writes no page for it"
        if post.meta.get("published") is False:
            return f"has published: false: {who} does not build it"
        return f"writes no page: {who} does not build it"
    return ""


_PARAM = re.compile(r"""\{\{[<%]\s*param\s+["']?([\w.-]+)["']?\s*[%>]\}\}""")
_PAGE_VAR = re.compile(r"\{\{-?\s*page\.([\w.-]+)\s*-?\}\}")


def expand(post: Post, raw: str) -> str:
    """The templates in a link that the post itself answers: Hugo's `{{% param x %}}` (page params: the front
    matter, or its `params:`), Liquid's `{{ page.x }}`, and the site's base URL (empty: paths are site-relative).
    Anything else is left as written."""

    def value(name: str) -> str | None:
        for table in (post.meta, post.meta.get("params")):
            if isinstance(table, dict):
                lowered = {str(k).lower(): v for k, v in table.items()}
                found = lowered.get(name.lower())
                if isinstance(found, str | int | float) and not isinstance(found, bool):
                    return str(found).strip()
        return None

    def sub(match: re.Match[str]) -> str:
        got = value(match.group(1))
        return match.group(0) if got is None else got

    out = _PAGE_VAR.sub(sub, _PARAM.sub(sub, raw))
    out = _SITE_PREFIX.sub("", out, count=1)
    filtered = _FILTERED.match(out)
    return filtered.group(1) + out[filtered.end() :] if filtered else out


def _norm_rel(rel: str) -> str:
    """Hugo (since 0.123) finds `Spice Kit.md` as `spice-kit.md`: lowercase, spaces as hyphens."""
    return unquote(rel).lower().replace(" ", "-")


def _globbed(path: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(path, g) or fnmatchcase(path.rstrip("/") + "/", g) for g in globs)


def _served(path: str, globs: tuple[str, ...]) -> bool:
    """Matched by a glob and by none of the `!glob`s (a Hugo mount's `files: ['! specs/**']`)."""
    leave = tuple(g[1:] for g in globs if g.startswith("!"))
    return _globbed(path, tuple(g for g in globs if not g.startswith("!"))) and not _globbed(path, leave)


def _strip_name(value: str) -> str:
    value = value.strip().rstrip("/")
    for ext in (".md", ".markdown"):
        if value.lower().endswith(ext):
            value = value[: -len(ext)]
    for tail in ("/_index", "/index"):
        if value.endswith(tail):
            value = value[: -len(tail)]
    return "" if value in ("_index", "index") else value


def _norm(path: str) -> str:
    out = posixpath.normpath(path)
    return "" if out == "." else out.lstrip("/")


def _is_index(post: Post) -> bool:
    return posixpath.basename(post.rel).split(".")[0] in ("index", "_index")


def _post_name(post: Post) -> str:
    return posixpath.basename(post.rel).rsplit(".", 1)[0] if "_posts/" in post.rel else ""


def _logical(post: Post, index_files: set[str]) -> str:
    """The content path Hugo's ref looks pages up by: no language folder, extension, language suffix or
    index file name (`docs/foo/_index.md` is `docs/foo`)."""
    rel = post.rel.split("/", 1)[1] if post.rel.startswith(post.lang + "/") else post.rel
    head, _, name = rel.rpartition("/")
    stem = name.split(".")[0]
    if stem in index_files:
        return head
    return f"{head}/{stem}" if head else stem

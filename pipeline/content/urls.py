"""The URL model: a post's public URL, computed in one place from its file path, front matter and the site's
generator conventions (`pipeline.conventions`).

Every stage reads the result from the post (`Post.path_url`, `Post.url`, `Post.url_aliases`): validate's link
check, build's page paths, cards' output names, social links, crawl's expectations and hreflang. Sources, in
order: the front-matter URL key (`permalink`, Hugo's `url`); a configured pattern (`site.permalink_pattern`,
Hugo's per-section `permalinks`, Jekyll's posts permalink); else the generator's path rules (Hugo page bundles
and `_index.md` sections, Jekyll `_posts/YYYY-MM-DD-title.md`, Eleventy input paths). Then the language prefix.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex

from pipeline.content.eleventy_data import DirectoryData, eleventy_linkify, ignore_globs
from pipeline.content.frontmatter import jekyll_date
from pipeline.content.jekyll import JekyllConfig, jekyll_config
from pipeline.conventions import PRESETS, TOKEN_RE, Conventions, resolve

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.content.post import Post

DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_TEMPLATE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}|\{%-?\s*(.*?)\s*-?%\}")
_NOT_SLUG = regex.compile(r"[^\p{L}\p{M}\p{N}]+")
PAGE_SUFFIXES = (".html", ".htm")
_LAST: dict[str, object] = {}


@dataclass(frozen=True)
class PostUrl:
    path: str  # site-relative, e.g. "/es/docs/foo/"; "" when the post writes no page (`permalink: false`)
    aliases: tuple[str, ...] = ()
    problem: str | None = None  # why the front-matter URL was not used (the file path's URL is, instead)


def bare_link_protocol(config: Config) -> str:
    """The protocol of bare `www.` links where the site links bare URLs (pipeline.content.linkify), "" where it
    does not: `site.linkify`, else the generator's — Hugo's Goldmark does (its config is read into
    `site.linkify`), Eleventy's markdown-it where its config file says `linkify: true` (with http, markdown-it's
    protocol), Jekyll's kramdown does not."""
    site = config.site
    on, protocol = site.linkify, site.linkify_protocol
    if on is None and site.generator == "eleventy":
        on = eleventy_linkify(config.content_root) is not None
        if "linkify_protocol" not in site.model_fields_set:
            protocol = "http"
    if on is None:
        on = site.generator == "hugo"
    return protocol if on else ""


def strip_accents(text: str) -> str:
    """Hugo's `removePathAccents`: decomposed, non-spacing marks removed, recomposed (`über` → `uber`,
    `Tiếng Việt` → `Tieng Viet`; `đ` has no decomposition and stays)."""
    if text.isascii():
        return text
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def slugify(text: str) -> str:
    """Jekyll's `:slug` / Eleventy's `slugify`: lowercase words of any script joined by hyphens."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def clean_path(value: str) -> str:
    """A URL path as a page has it: leading slash, no `.` segments or doubled slashes, a trailing slash unless it
    names a file (`/about.html`), `index.html` as its folder. `..` stays: build refuses such a page (BUILD001)
    rather than quietly moving it somewhere else."""
    trailing = value.rstrip().endswith("/")
    parts = [p for p in value.strip().split("/") if p and p != "."]
    if parts and parts[-1] == "index.html":
        parts, trailing = parts[:-1], True
    path = "/" + "/".join(parts)
    if not parts or trailing or "." not in parts[-1]:
        return path.rstrip("/") + "/"
    return path


class UrlModel:
    """One site's URL rules; `post_url` is the only function that turns a file into a public URL."""

    def __init__(
        self,
        conventions: Conventions,
        *,
        base_url: str = "http://127.0.0.1:8000",
        default_language: str = "en",
        languages: tuple[str, ...] = ("en",),
        code_shortcodes: tuple[str, ...] = (),
        raw_html: str = "render",
        linkify: str = "",
        date_zone: dt.tzinfo | None = None,
    ) -> None:
        self.conv = conventions
        # The site's Markdown dialect, which every post carries.
        self.code_shortcodes = code_shortcodes
        self.raw_html = raw_html
        self.linkify = linkify  # the protocol of bare `www.` links where bare URLs are links, else ""
        # Eleventy's JSON data files under the input folder (a permalink or lang there places the page).
        self.eleventy_data: DirectoryData | None = None
        # Jekyll's `timezone:`: dates are converted into it before they become URL parts. Hugo formats
        # `:year`/`:month` from the date as written (`p.Date().Year()`, hugo resources/page/permalinks.go; its
        # `timeZone` only places dates written without an offset, whose wall-clock date stays the same), so
        # Hugo and Eleventy sites keep None: the date as written.
        self.date_zone = date_zone
        self.base_url = base_url.rstrip("/")
        self.default_language = default_language
        self.languages = tuple(languages) or (default_language,)
        self._langs = set(self.languages)
        # Pages the generator renders from a template with front matter rather than from Markdown (Jekyll's
        # `vi/index.html`, `en/news/index.html`): links to them lead somewhere. Filled in by the loader.
        self.template_pages: frozenset[str] = frozenset()
        # Jekyll: `collections_dir`, and label → URL pattern of the collections that write pages (posts: None
        # for the site's posts permalink); a permalink without `/` or extension is a file page (`/x/ar` → x/ar.html).
        self.collections_dir = ""
        self.collections: dict[str, str | None] = {}

    @classmethod
    def from_config(cls, config: Config) -> UrlModel:
        site = config.site
        urls = site.urls
        exclude = list(site.exclude)
        zone = None
        own = JekyllConfig()
        include = site.include
        if site.generator == "jekyll":
            own = jekyll_config(config.content_root)
            zone = own.timezone
            posts = own.collections.get("posts") or own.permalink
            if urls.posts_permalink is None and posts is not None:
                urls = urls.model_copy(update={"posts_permalink": posts})
            if urls.language_prefix is None and own.found and not own.polyglot:
                # Without jekyll-polyglot, `lang:` places nothing: each translation writes its own permalink.
                urls = urls.model_copy(update={"language_prefix": "none"})
            if include is None and own.collections:
                include = [*PRESETS["jekyll"].include_dirs, *(f"_{label}" for label in own.collections)]
            exclude += own.exclude
        elif site.generator == "eleventy":
            exclude += ignore_globs(config.content_root)
        conv = resolve(
            site.generator,
            urls,
            site.front_matter,
            permalink_pattern=site.permalink_pattern,
            include=include,
            exclude=exclude,
        )
        model = cls(
            conv,
            base_url=site.base_url,
            default_language=site.default_language,
            languages=tuple(site.languages),
            code_shortcodes=tuple(site.code_shortcodes),
            raw_html=site.raw_html,
            linkify=bare_link_protocol(config),
            date_zone=zone,
        )
        if site.generator == "eleventy":
            model.eleventy_data = DirectoryData(config.content_root)
        model.collections_dir, model.collections = own.collections_dir, dict(own.collections)
        return model

    @classmethod
    def for_config(cls, config: Config) -> UrlModel:
        """`from_config`, remembered for the last config (a config is frozen): stages that ask per post
        (card lookups for thousands of social posts) build the model once."""
        cached = _LAST.get("model")
        if not isinstance(cached, UrlModel) or _LAST.get("config") is not config:
            cached = cls.from_config(config)
            _LAST.update(config=config, model=cached)
        return cached

    @classmethod
    def plain(cls, default_language: str = "en", languages: tuple[str, ...] = ()) -> UrlModel:
        """The rules of a site with no generator preset (tests, a draft parsed on its own)."""
        langs = tuple(languages) or (default_language,)
        return cls(PRESETS["none"], default_language=default_language, languages=langs)

    # --- languages -------------------------------------------------------------------------------------------

    def prefix_for(self, lang: str) -> str:
        policy = self.conv.language_prefix
        if policy == "all" or (policy == "non-default" and lang != self.default_language):
            return f"/{lang}"
        return ""

    def with_prefix(self, path: str, lang: str) -> str:
        prefix = self.prefix_for(lang)
        if not prefix or path == prefix + "/" or path.startswith(prefix + "/"):
            return path
        return prefix + path

    def without_prefix(self, path: str, lang: str) -> str:
        """The path without the post's own language segment (cards' `{path}`)."""
        head = f"/{lang}/"
        return "/" + path[len(head) :] if path.startswith(head) else path

    def name_language(self, stem: str) -> str | None:
        """`about.fr` → fr, when file names carry languages and fr is one of the site's."""
        if not self.conv.filename_language or "." not in stem:
            return None
        code = stem.rsplit(".", 1)[1]
        return code if code in self._langs else None

    def file_date(self, rel: str) -> dt.datetime | None:
        if not self.conv.date_in_filename:
            return None
        match = DATED_NAME.match(posixpath.basename(rel).rsplit(".", 1)[0])
        if match is None:
            return None
        try:  # midnight where the site is (Jekyll's `timezone:`), else UTC
            return dt.datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=self.date_zone or dt.UTC)
        except ValueError:
            return None

    def kind_renders(self, rel: str, lang_from_folder: bool) -> bool:
        """False when the page's Hugo kind is one the site disables (`disableKinds`): home (the top
        `_index`), taxonomy (`tags/_index`), term (`tags/go/_index`), section (another `_index`), page."""
        if not self.conv.disabled_kinds:
            return True
        parts = rel.split("/")[1:] if lang_from_folder else rel.split("/")
        if parts[-1].rsplit(".", 1)[0] != "_index":
            kind = "page"
        elif len(parts) == 1:
            kind = "home"
        elif parts[0] in self.conv.taxonomies and len(parts) <= 3:
            kind = "taxonomy" if len(parts) == 2 else "term"
        else:
            kind = "section"
        return kind not in self.conv.disabled_kinds

    def is_draft_path(self, rel: str) -> bool:
        return any(part in self.conv.drafts_dirs for part in rel.split("/")[:-1])

    # --- the URL ---------------------------------------------------------------------------------------------

    def post_url(
        self,
        rel: str,
        lang: str,
        meta: Mapping[str, Any],
        *,
        lang_from_folder: bool = False,
        name_lang: bool = False,
        date: dt.datetime | None = None,
    ) -> PostUrl:
        conv = self.conv
        parts = rel.split("/")
        if lang_from_folder and conv.language_folders == "strip":
            parts = parts[1:]
        stem = parts[-1].rsplit(".", 1)[0]
        if name_lang:
            stem = stem.rsplit(".", 1)[0]
        dirs = parts[:-1]
        collection = None
        inner = dirs[len(self.collections_dir.split("/")) :] if self.collections_dir else dirs
        if (
            not self.collections_dir or "/".join(dirs[: len(dirs) - len(inner)]) == self.collections_dir
        ) and inner:
            label = inner[0][1:] if inner[0].startswith("_") else None
            if label in self.collections or label in ("posts", "drafts"):
                dirs, collection = inner, (label if label in self.collections and label != "posts" else None)
        if self.date_zone is not None:
            # The file name's date is midnight where the site is: the same day, whatever the zone.
            written = jekyll_date(meta.get("date"), self.date_zone)
            date = written or (date.replace(tzinfo=self.date_zone) if date is not None else None)
        facts = _Facts(self, rel, lang, meta, dirs, stem, date, collection)
        problem = None
        for key in conv.url_keys:
            raw = meta.get(key)
            if raw is False:
                return PostUrl("", (), None)
            if isinstance(raw, str) and raw.strip():
                explicit, problem = self._explicit(raw.strip(), facts)
                if explicit is not None:
                    return PostUrl(explicit, self._aliases(meta, explicit, lang), None)
        path = self._derived(facts)
        return PostUrl(path, self._aliases(meta, path, lang), problem)

    def _explicit(self, value: str, facts: _Facts) -> tuple[str | None, str | None]:
        if "{{" in value or "{%" in value:
            value, problem = facts.template(value)
            if problem:
                return None, problem
        if value.startswith(("http://", "https://")):
            from urllib.parse import urlsplit

            value = urlsplit(value).path or "/"
        relative = not value.startswith("/")
        path = self._file_page(value, clean_path(value))
        mode = self.conv.explicit_prefix
        if mode == "always" or (mode == "relative" and relative):
            path = self.with_prefix(path, facts.lang)
        return path, None

    def _derived(self, f: _Facts) -> str:
        conv = self.conv
        is_section = f.stem in conv.index_files or (
            conv.folder_named_index and bool(f.dirs) and f.stem == f.dirs[-1]
        )
        post_dir = next((d for d in f.dirs if d in conv.posts_dirs), None)
        slug = f.meta.get("slug") if isinstance(f.meta.get("slug"), str) else None
        if f.collection is not None:  # a Jekyll collection's document: its collection's pattern
            pattern = self.collections[f.collection] or ""
            return self.with_prefix(self._file_page(f.expand(pattern), clean_path(f.expand(pattern))), f.lang)
        if post_dir is not None:  # Jekyll post: _posts/YYYY-MM-DD-title.md
            path = f.expand(conv.posts_permalink)
        elif conv.site_pattern is not None:
            path = "/" if is_section and not f.dirs else f.expand(conv.site_pattern)
        elif not is_section and f.dirs and f.dirs[0] in (patterns := self._permalinks(f.lang)):
            path = f.expand(patterns[f.dirs[0]])
        else:
            # Hugo's `[frontmatter] date = [':filename']`: `2024-01-02-name.md` is the page `name`.
            name = f.name if conv.date_in_filename and conv.generator == "hugo" else f.stem
            segs = list(f.dirs) if is_section else [*f.dirs, name]
            if slug and conv.slug_replaces_name and segs and f.stem != "_index":
                segs[-1] = slug
            section = f.dirs[0] if f.dirs else ""
            ugly = conv.ugly_urls.get(section, conv.ugly_urls.get("*", False))
            if (conv.pages_pretty and not ugly) or (is_section and not (ugly and segs)):
                path = "/" + "/".join(segs) + "/"
            else:
                path = "/" + "/".join(segs) + ".html"
        if conv.remove_path_accents:
            path = strip_accents(path)
        if conv.lowercase:
            path = path.lower().replace(" ", "-")
        return self.with_prefix(clean_path(path), f.lang)

    def _file_page(self, value: str, path: str) -> str:
        """Jekyll writes a permalink without a trailing `/` or an extension as a file, `/x/ar` → `x/ar.html`,
        served as `/x/ar` (its `page.url`; w3.org/WAI's translations are all such), not the folder `/x/ar/`."""
        last = value.strip().rsplit("/", 1)[-1]
        if self.conv.generator == "jekyll" and last and "." not in last and path != "/":
            return path.rstrip("/")
        return path

    def _permalinks(self, lang: str) -> Mapping[str, str]:
        return self.conv.language_permalinks.get(lang, self.conv.permalinks)

    def _aliases(self, meta: Mapping[str, Any], path: str, lang: str) -> tuple[str, ...]:
        value = meta.get("aliases")
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        out: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                continue
            alias = item.strip()
            if alias.startswith(("http://", "https://")):
                from urllib.parse import urlsplit

                alias = urlsplit(alias).path or "/"
            if alias.startswith("/"):
                alias = clean_path(alias)
                if self.conv.alias_prefix:
                    alias = self.with_prefix(alias, lang)
            elif self.conv.alias_prefix:  # Hugo: page-relative, i.e. beside the page
                alias = clean_path(
                    posixpath.normpath(posixpath.join(posixpath.dirname(path.rstrip("/")), alias))
                )
            else:
                alias = clean_path(alias)
            if alias != path and alias not in out:
                out.append(alias)
        return tuple(out)

    def card_path(self, post: Post, kind: str, pattern: str) -> str:
        """Where the cards stage writes a post's card when the post names none (`cards.output_pattern`):
        `{path}` is the page's URL path without its language, so no two pages share a card file."""
        inner = self.without_prefix(post.path_url or "/", post.lang).strip("/")
        inner = inner.rsplit(".", 1)[0] if inner.endswith(PAGE_SUFFIXES) else inner
        return pattern.format(lang=post.lang, slug=post.slug, path=inner or "index", kind=kind)


CARD_KEYS = {"og": "ogImage", "twitter": "twitterImage"}


def card_image(post: Post, kind: str, config: Config, urls: UrlModel | None = None) -> str | None:
    """The card a page shows and a social post attaches: the one the post names (`ogImage`/`twitterImage`),
    else the card the cards stage rendered for it (the file exists), else None. Build, crawl and social ask
    here, so nobody has to copy a card path into the front matter."""
    from pipeline.fsutil import UnsafePathError, safe_join

    named = post.meta.get(CARD_KEYS[kind])
    if isinstance(named, str) and named.strip():
        return named.strip()
    model = urls or UrlModel.for_config(config)
    path = model.card_path(post, kind, config.cards.output_pattern)
    try:
        return path if safe_join(config.static_root, path).is_file() else None
    except (UnsafePathError, ValueError, OSError):
        return None


class _Facts:
    """What a URL pattern or permalink template may name about one post."""

    def __init__(
        self,
        model: UrlModel,
        rel: str,
        lang: str,
        meta: Mapping[str, Any],
        dirs: list[str],
        stem: str,
        date: dt.datetime | None,
        collection: str | None = None,
    ) -> None:
        self.model, self.rel, self.lang, self.meta, self.dirs, self.stem = model, rel, lang, meta, dirs, stem
        self.collection = collection  # a Jekyll collection's label (dirs start with its `_<label>` folder)
        dated = DATED_NAME.match(stem)
        self.name = dated[4] if dated else stem  # Jekyll's :title, Eleventy's fileSlug
        if date is None and dated:
            try:
                date = dt.datetime(int(dated[1]), int(dated[2]), int(dated[3]), tzinfo=dt.UTC)
            except ValueError:
                date = None
        self.date = date

    def tokens(self) -> dict[str, str]:
        meta, d = self.meta, self.date
        slug_value = meta.get("slug") if isinstance(meta.get("slug"), str) else None
        title = str(meta["title"]) if isinstance(meta.get("title"), str) else ""
        conv = self.model.conv
        index = self.stem in conv.index_files or (
            conv.folder_named_index and self.dirs and self.stem == self.dirs[-1]
        )
        base = (self.dirs[-1] if self.dirs else "") if index else self.name
        post_dir = next((i for i, part in enumerate(self.dirs) if part in conv.posts_dirs), None)
        cats = list(self.dirs[:post_dir]) if post_dir is not None else []
        fm_cats = meta.get("categories")
        if isinstance(fm_cats, str):
            cats += fm_cats.split()
        elif isinstance(fm_cats, list):
            cats += [str(c) for c in fm_cats]
        out = {
            "title": slug_value or self.name if post_dir is not None else (slugify(title) or base),
            "slug": slug_value
            or (slugify(self.name) if post_dir is not None else "")
            or (slugify(title) if conv.generator == "hugo" else "")  # Hugo: slug, else the title urlized
            or base,
            "filename": base,
            "fileslug": base,
            "contentbasename": base,
            "basename": base,
            "name": base,
            "slugorfilename": slug_value or base,
            "slugorcontentbasename": slug_value or base,
            "section": self.dirs[0] if self.dirs else "",
            "sections": "/".join(self.dirs),
            "path": "/".join(self.dirs[:post_dir] if post_dir is not None else self.dirs),
            "categories": "/".join(dict.fromkeys(c.lower() for c in cats)),
            "output_ext": ".html",
            "lang": self.lang,
            "collection": "posts",
        }
        if self.collection is not None:  # Jekyll's Document#url_placeholders
            out.update(
                collection=self.collection,
                path="/".join([*self.dirs[1:], self.stem]),
                name=slugify(self.stem),
                title=slug_value or self.stem,
            )
        if d is not None:
            out.update(
                year=f"{d.year:04d}",
                short_year=f"{d.year % 100:02d}",
                month=f"{d.month:02d}",
                i_month=str(d.month),
                monthname=d.strftime("%B").lower(),
                day=f"{d.day:02d}",
                i_day=str(d.day),
                y_day=f"{d.timetuple().tm_yday:03d}",
                yearday=str(d.timetuple().tm_yday),
                week=f"{d.isocalendar()[1]:02d}",
                short_day=d.strftime("%a"),
                weekday=str(d.isoweekday() % 7),
                hour=f"{d.hour:02d}",
                minute=f"{d.minute:02d}",
                second=f"{d.second:02d}",
            )
        return out

    def expand(self, pattern: str) -> str:
        tokens = self.tokens()
        return TOKEN_RE.sub(lambda m: tokens.get(m.group(1) or m.group(2), ""), pattern)

    def template(self, value: str) -> tuple[str, str | None]:
        """An Eleventy/Liquid permalink template with the expressions real sites use; anything else is a
        problem (the file path's URL is used and the loader says why)."""
        tokens = self.tokens()
        problem: list[str] = []

        def evaluate(match: re.Match[str]) -> str:
            expr = (match.group(1) or match.group(2) or "").strip()
            name, *filters = [p.strip() for p in expr.split("|")]
            name = name.strip("'\"") if name[:1] in "'\"" else name
            if expr.startswith(("'", '"')):
                text = name
            elif name in ("page.fileSlug", "fileSlug"):
                text = tokens["fileslug"]
            elif name in ("page.filePathStem", "filePathStem"):
                text = "/" + self.rel.rsplit(".", 1)[0]
            elif name in ("page.lang", "lang", "locale", "page.locale"):
                text = self.lang
            elif name.startswith("page.date") or name == "date":
                text = self.date.strftime("%Y/%m/%d") if self.date else ""
            elif re.fullmatch(r"[A-Za-z_][\w.]*", name) and isinstance(self.meta.get(name), str | int):
                text = str(self.meta[name])
            else:
                problem.append(expr)
                return ""
            for flt in filters:
                if flt.split(":")[0].strip() in ("slugify", "slug", "url_encode", "downcase", "lower"):
                    text = slugify(text) if flt.startswith("slug") else text.lower()
            return text

        out = _TEMPLATE.sub(evaluate, value)
        if problem:
            return out, f"permalink template {{{{ {problem[0]} }}}} cannot be evaluated here"
        return out, None

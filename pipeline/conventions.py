"""Site generator conventions as data: how Hugo, Jekyll and Eleventy sites name languages, sections, bundles and
URLs, and which front-matter keys mean the same thing.

Ground floor: pydantic models for the config (`[site.urls]`, `[site.front_matter]`) and the presets, nothing of
the pipeline imported. `site.generator` picks a preset; every key of `[site.urls]` overrides one of its
conventions. `pipeline.content.urls` turns a resolved `Conventions` into each post's URL, the one place URLs
are computed (validate, build, cards, social, crawl and hreflang read `Post.path_url`).

Sources for the presets: Hugo's "URL management", "Content organization" and "Multilingual" docs (language
folders and `post.<lang>.md` suffixes, page bundles, `_index.md` sections, `url`/`slug`, lowercased paths,
site-relative `aliases` since v0.155); Jekyll's "Permalinks" docs (`_posts/YYYY-MM-DD-title.md`, the built-in
styles, `:categories` from folders and front matter, pages as `/:path/:basename:output_ext`) with polyglot's
`lang:` prefixing; Eleventy's "Permalinks" docs (input path → `/path/name/`, `index` and a file named like its
folder stand for the folder, `permalink:` templates with `page.fileSlug`, `permalink: false`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Generator = Literal["none", "hugo", "jekyll", "eleventy"]
GENERATORS: tuple[str, ...] = ("none", "hugo", "jekyll", "eleventy")

# Jekyll's built-in permalink styles (posts); a style that ends in "/" makes pages folders too ("pretty").
JEKYLL_STYLES: dict[str, str] = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}

# Tokens a URL pattern may use, as `:name` (Hugo, Jekyll) or `{name}` (this tool's site.permalink_pattern).
TOKENS = frozenset(
    {
        "year", "short_year", "month", "i_month", "monthname", "day", "i_day", "y_day", "yearday", "week",
        "short_day", "weekday", "hour", "minute", "second", "title", "slug", "filename", "fileslug",
        "contentbasename", "slugorfilename", "slugorcontentbasename", "basename", "name", "section",
        "sections", "categories", "path", "output_ext", "lang", "collection",
    }
)  # fmt: skip
TOKEN_RE = re.compile(r"\{([a-z_]+)\}|:([a-z_]+)")


def unknown_tokens(pattern: str) -> list[str]:
    return [name for m in TOKEN_RE.finditer(pattern) if (name := m.group(1) or m.group(2)) not in TOKENS]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UrlSettings(_Settings):
    """`[site.urls]`: each key left out keeps the generator preset's convention."""

    language_prefix: Literal["non-default", "all", "none"] | None = Field(
        None,
        description="Which languages' URLs start with /<lang>/: 'non-default' (Hugo, Jekyll polyglot), 'all' "
        "(Hugo's defaultContentLanguageInSubdir), 'none' (the path already carries it, Eleventy).",
    )
    language_folders: Literal["strip", "keep"] | None = Field(
        None,
        description="A leading language folder (content/<lang>/...) is left out of the URL ('strip', Hugo) or is "
        "part of it ('keep', Jekyll and Eleventy).",
    )
    filename_language: bool | None = Field(
        None, description="`post.<lang>.md` names the language (Hugo's translation by file name)."
    )
    language_dirs: dict[str, str] = Field(
        default_factory=dict,
        description="Content folder → language, where a language's folder is not named by its code (Hugo's "
        "per-language `contentDir`), e.g. {arabic = 'ar'}.",
    )
    ugly_urls: bool | dict[str, bool] | None = Field(
        None,
        description="Hugo's `uglyURLs`: pages and sections end in .html, not / (`/posts/a.html`, `/posts.html`); "
        "a table limits it to sections, e.g. {books = true}.",
    )
    disable_kinds: list[Literal["home", "section", "page", "taxonomy", "term"]] = Field(
        default_factory=list,
        description="Kinds of page the generator does not render (Hugo's `disableKinds`): their files are read and "
        "validated but expect no page.",
    )
    taxonomies: list[str] | None = Field(
        None, description="Folders of taxonomy pages (Hugo's `taxonomies`; default tags, categories)."
    )
    lowercase: bool | None = Field(None, description="Paths from file names are lowercased (Hugo's default).")
    remove_path_accents: bool | None = Field(
        None,
        description="Accents are stripped from paths made from file names, slugs and terms (Hugo's "
        "`removePathAccents`, default false): `content/posts/über.md` is `/posts/uber/`.",
    )
    pager_size: int | None = Field(
        None,
        ge=1,
        description="Pages per list page (Hugo's `pagination.pagerSize`, default 10): links to `<list>/page/N/` "
        "are judged by the pages under the list.",
    )
    pager_path: str | None = Field(
        None, description="The pagination segment (Hugo's `pagination.path`: page)."
    )
    index_files: list[str] | None = Field(
        None, description="File names (no extension) that stand for their folder: index, _index."
    )
    posts_permalink: str | None = Field(
        None,
        description="Jekyll posts' permalink: a built-in style (date, pretty, ordinal, weekdate, none) or a "
        "pattern such as '/blog/:year/:title/'.",
    )
    permalinks: dict[str, str] = Field(
        default_factory=dict,
        description="Per-section URL patterns (Hugo's `permalinks`), e.g. {posts = '/:year/:month/:slug/'}.",
    )
    language_permalinks: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per-language `permalinks` over the site's (Hugo's `languages.<lang>.permalinks`), e.g. "
        "{fr = {posts = '/articles/:slug/'}}.",
    )
    date_in_filename: bool | None = Field(
        None,
        description="`YYYY-MM-DD-name.md` gives the page its date (Jekyll, Eleventy; Hugo's `[frontmatter] date "
        "= [':filename', ...]`, where `name` is its slug too).",
    )
    external: list[str] = Field(
        default_factory=list,
        description="URL path globs the site serves from outside this content (Hugo mounts, other tools), e.g. "
        "['/docs/specs/**']; links to them are not reported.",
    )
    fallback: list[str] | dict[str, list[str]] = Field(
        default_factory=list,
        description="URL path globs under which a language without its own page serves the default language's "
        "page at its own prefix (Hugo mounts or a sites matrix), e.g. ['/docs/**']; a table gives them per "
        "language ('*': every one), e.g. {pt = ['/docs/**', '/ecosystem/**']}; a glob starting with ! leaves "
        "those paths out.",
    )

    @field_validator("posts_permalink")
    @classmethod
    def _known_style_or_tokens(cls, value: str | None) -> str | None:
        if value is not None and value not in JEKYLL_STYLES:
            bad = unknown_tokens(value)
            if bad or not value.startswith("/"):
                raise ValueError(
                    f"must be one of {', '.join(JEKYLL_STYLES)} or a pattern starting with '/'"
                    + (f" (unknown token :{bad[0]})" if bad else "")
                )
        return value

    @field_validator("permalinks")
    @classmethod
    def _known_tokens(cls, value: dict[str, str]) -> dict[str, str]:
        for section, pattern in value.items():
            bad = unknown_tokens(pattern)
            if bad:
                raise ValueError(f"{section}: unknown token :{bad[0]} (tokens: {', '.join(sorted(TOKENS))})")
        return value

    @field_validator("language_permalinks")
    @classmethod
    def _known_tokens_per_language(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for lang, patterns in value.items():
            for section, pattern in patterns.items():
                bad = unknown_tokens(pattern)
                if bad:
                    raise ValueError(f"{lang}.{section}: unknown token :{bad[0]}")
        return value


class FrontMatterSettings(_Settings):
    """`[site.front_matter]`: more names for the keys the pipeline reads, and values every page gets."""

    aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description="More names for a key the pipeline reads, e.g. {description = ['teaser']}; keys match "
        "case-insensitively either way.",
    )
    cascade: list[Any] = Field(
        default_factory=list,
        description="Front-matter values pages get unless they set their own (Hugo's site `cascade`; read from "
        "its config), each with an optional `target` {path, kind, lang, environment}, e.g. [{build = {render = "
        "'never'}, target = {path = '/**/_includes/**'}}]. Sections' own `cascade:` keys are read too.",
    )

    @field_validator("aliases")
    @classmethod
    def _known_keys(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = [k for k in value if k not in KNOWN_KEYS]
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a key the pipeline reads ({', '.join(sorted(KNOWN_KEYS))})"
            )
        return value


# Keys the pipeline reads, each with the other names every site may use; matched case-insensitively.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "title": (),
    "description": (),
    "date": (),
    "tags": (),
    "categories": ("category",),
    "image": (),
    "imageAlt": ("image_alt",),
    "ogImage": ("og_image",),
    "ogImageAlt": ("og_image_alt",),
    "twitterImage": ("twitter_image",),
    "permalink": (),
    "url": (),
    "slug": (),
    "lang": ("language",),
    "draft": (),
    "preview": (),
    "keyphrase": (),
    "linkTitle": ("link_title",),
    "aliases": ("redirect_from",),
    "redirect_to": (),  # jekyll-redirect-from: the page is a redirect (`[site.front_matter]` can add more names)
    "translationKey": ("translation_key",),
    "lastmod": ("updated", "last_modified_at"),
    "translation": (),
    "validate": (),
    "card": (),
    "layout": (),
}
KNOWN_KEYS = frozenset(COMMON_ALIASES)

# Text keys whose HTML entities are decoded on load (`Pr&aacute;cticas` is `Prácticas` everywhere after that).
TEXT_KEYS = ("title", "description", "preview", "linkTitle", "imageAlt", "ogImageAlt", "keyphrase", "tags")


@dataclass(frozen=True)
class Conventions:
    """One site's URL and front-matter conventions: a preset with the config's overrides applied."""

    generator: str = "none"
    language_prefix: Literal["non-default", "all", "none"] = "non-default"
    language_folders: Literal["strip", "keep"] = "strip"
    filename_language: bool = False
    language_dirs: Mapping[str, str] = field(default_factory=dict)  # folder → language (Hugo's contentDir)
    ugly_urls: Mapping[str, bool] = field(default_factory=dict)  # Hugo: section ("*": all) → `.html` URLs
    disabled_kinds: frozenset[str] = frozenset()  # Hugo's disableKinds: home, section, page, taxonomy, term
    taxonomies: tuple[str, ...] = ("tags", "categories")
    lowercase: bool = False
    remove_path_accents: bool = False  # Hugo's removePathAccents: `über` → `uber` in derived paths
    # Hugo makes list pages no file holds: each language's home, top-level sections, taxonomies and their
    # terms, and their pagination (`/posts/page/2/`).
    list_pages: bool = False
    pager_size: int = 10
    pager_path: str = "page"
    index_files: tuple[str, ...] = ("index", "_index")
    folder_named_index: bool = False  # Eleventy: posts/foo/foo.md is /posts/foo/
    url_keys: tuple[str, ...] = ("permalink",)  # front-matter keys that give the whole URL
    explicit_prefix: Literal["never", "relative", "always"] = "never"  # language prefix on those URLs
    slug_replaces_name: bool = True  # `slug:` replaces the file name's segment
    alias_prefix: bool = False  # site-relative aliases get the language prefix (Hugo ≥ 0.155)
    site_pattern: str | None = "/articles/{slug}/"  # every derived URL (generator "none"), else None
    posts_dirs: tuple[str, ...] = ()  # Jekyll: _posts, _drafts
    drafts_dirs: tuple[str, ...] = ()
    posts_permalink: str = JEKYLL_STYLES["date"]
    pages_pretty: bool = True  # pages end in / (else :output_ext)
    permalinks: Mapping[str, str] = field(default_factory=dict)
    language_permalinks: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict
    )  # lang → all its patterns
    date_in_filename: bool = False  # YYYY-MM-DD-name.md gives the date
    front_matter_required: bool = False  # Jekyll: a file without front matter is a static file, not a page
    front_matter_after_blank_lines: bool = False  # Hugo: blank lines may come before the opening `---`
    include_dirs: tuple[
        str, ...
    ] = ()  # underscore folders that hold pages (every other one is skipped; "*": all)
    exclude: tuple[str, ...] = ()
    external: tuple[str, ...] = ()
    fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language ("*": any) → globs
    unpublished_keys: bool = False  # Hugo: build.render never/link, headless; Jekyll: published: false
    key_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(COMMON_ALIASES))


def _aliases(**extra: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out = dict(COMMON_ALIASES)
    for key, names in extra.items():
        out[key] = out[key] + names
    return out


PRESETS: dict[str, Conventions] = {
    "none": Conventions(),
    "hugo": Conventions(
        generator="hugo",
        filename_language=True,
        lowercase=True,
        list_pages=True,
        url_keys=("url",),
        explicit_prefix="relative",
        alias_prefix=True,
        site_pattern=None,
        unpublished_keys=True,
        front_matter_after_blank_lines=True,
        # Hugo skips only `.` names and `~` backups (source.IgnoreFile): kubernetes.io keeps its blog posts in
        # content/<lang>/blog/_posts/; folders a site keeps out (otel's _includes) say so with `cascade:
        # build: render: never` (pipeline.content.cascade).
        include_dirs=("*",),
        key_aliases=_aliases(
            description=("summary",), date=("publishDate", "pubdate", "published"), image=("images",)
        ),
    ),
    "jekyll": Conventions(
        generator="jekyll",
        language_folders="keep",
        index_files=("index",),
        explicit_prefix="always",
        slug_replaces_name=False,
        site_pattern=None,
        posts_dirs=("_posts", "_drafts"),
        drafts_dirs=("_drafts",),
        pages_pretty=False,
        date_in_filename=True,
        front_matter_required=True,
        include_dirs=("_posts", "_drafts"),
        exclude=("node_modules/**", "vendor/**", "Gemfile*"),
        unpublished_keys=True,
        key_aliases=_aliases(
            description=("excerpt", "summary"), lang=("locale",), translationKey=("ref", "lang_ref")
        ),
    ),
    "eleventy": Conventions(
        generator="eleventy",
        language_prefix="none",
        language_folders="keep",
        index_files=("index",),
        folder_named_index=True,
        slug_replaces_name=False,
        site_pattern=None,
        date_in_filename=True,
        exclude=("node_modules/**",),
        key_aliases=_aliases(lang=("locale",)),
    ),
}


def resolve(
    generator: str,
    urls: UrlSettings,
    front_matter: FrontMatterSettings,
    *,
    permalink_pattern: str | None,
    include: list[str] | None,
    exclude: list[str],
) -> Conventions:
    """The preset for `generator` with every configured override applied."""
    conv = PRESETS[generator]
    changes: dict[str, object] = {}
    for name in (
        "language_prefix",
        "language_folders",
        "filename_language",
        "lowercase",
        "remove_path_accents",
    ):
        value = getattr(urls, name)
        if value is not None:
            changes[name] = value
    if urls.index_files is not None:
        changes["index_files"] = tuple(urls.index_files)
    if urls.posts_permalink is not None:
        style = urls.posts_permalink
        changes["posts_permalink"] = JEKYLL_STYLES.get(style, style)
        changes["pages_pretty"] = JEKYLL_STYLES.get(style, style).endswith("/")
    if urls.permalinks:
        changes["permalinks"] = dict(urls.permalinks)
    if urls.language_permalinks:
        root = dict(urls.permalinks or conv.permalinks)
        changes["language_permalinks"] = {k: {**root, **v} for k, v in urls.language_permalinks.items()}
    if urls.date_in_filename is not None:
        changes["date_in_filename"] = urls.date_in_filename
    if urls.language_dirs:
        changes["language_dirs"] = dict(urls.language_dirs)
    if urls.ugly_urls is not None:
        ugly = urls.ugly_urls
        changes["ugly_urls"] = {"*": ugly} if isinstance(ugly, bool) else dict(ugly)
    changes["disabled_kinds"] = frozenset(urls.disable_kinds)
    if urls.taxonomies is not None:
        changes["taxonomies"] = tuple(urls.taxonomies)
    if urls.pager_size is not None:
        changes["pager_size"] = urls.pager_size
    if urls.pager_path is not None:
        changes["pager_path"] = urls.pager_path.strip("/")
    if permalink_pattern:
        changes["site_pattern"] = permalink_pattern
    if include is not None:
        changes["include_dirs"] = tuple(include)
    changes["exclude"] = conv.exclude + tuple(exclude)
    changes["external"] = tuple(urls.external)
    fallback = urls.fallback if isinstance(urls.fallback, dict) else {"*": urls.fallback}
    changes["fallback"] = {lang: tuple(globs) for lang, globs in fallback.items() if globs}
    if front_matter.aliases:
        merged = dict(conv.key_aliases)
        for key, names in front_matter.aliases.items():
            merged[key] = tuple(dict.fromkeys((*merged.get(key, ()), *names)))
        changes["key_aliases"] = merged
    return replace(conv, **changes)  # type: ignore[arg-type]

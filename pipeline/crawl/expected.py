"""The expected set: what every published page *should* say, computed from the Markdown alone.

Generic crawlers can only say "title missing" or "too long"; we know the exact title, description, canonical,
social tags, hreflang cluster and redirects each page must carry, so the checks compare for equality and point
back at the front-matter line that owns the value. `render_head` writes the same expectations out as HTML so
`pipeline build` (and the tests) produce exactly what the crawl checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from pipeline.content import display_path
from pipeline.content.assets import image_site_path
from pipeline.content.urls import UrlModel, card_image
from pipeline.crawl.urls import join
from pipeline.langtags import hreflang_code

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.content import ContentSet, Post

OG_MIN_WIDTH, OG_MIN_HEIGHT = 1200, 630


@dataclass
class ExpectedPage:
    """One published post or approved translation, with every tag value the live page must carry."""

    post: Post
    file: str
    url: str  # public absolute URL (site.base_url + permalink)
    lang: str
    hreflang: str
    dir: str
    title: str
    description: str | None
    og_title: str
    og_description: str | None
    og_image: str | None
    twitter_card: str
    twitter_image: str | None
    aliases: list[str] = field(default_factory=list)
    alias_key: str = "aliases"
    cluster: dict[str, str] = field(default_factory=dict)  # hreflang code → public URL, incl. self
    x_default: str | None = None

    @property
    def canonical(self) -> str:
        return self.url

    def line(self, key: str) -> int:
        return self.post.line_of(key)

    @property
    def image_key(self) -> str:
        return "ogImage" if self.post.og_image else "image"


@dataclass
class ExpectedSet:
    pages: list[ExpectedPage]
    unpublished: dict[str, Post]  # public URL → draft or unapproved post (must not be in the sitemap)
    public_base: str

    def by_url(self) -> dict[str, ExpectedPage]:
        return {p.url: p for p in self.pages}


def permalink_of(post: Post) -> str:
    """The post's public path, from the one URL model (pipeline.content.urls)."""
    return post.path_url


def build_expected(config: Config, content: ContentSet) -> ExpectedSet:
    base = config.site.base_url
    urls = content.urls or UrlModel.from_config(config)
    pages: list[ExpectedPage] = []
    unpublished: dict[str, Post] = {}
    for post in content.posts:
        if not post.path_url or not post.renders:
            continue  # the generator writes no page for it
        url = join(base, post.path_url)
        if not post.published:
            unpublished[url] = post
            continue
        title = post.shown_title(config.site.name_for(post.lang))
        image = card_image(post, "og", config, urls) or image_site_path(post, post.image)
        og_image = join(base, image) if image else None
        tw = card_image(post, "twitter", config, urls) or image
        twitter_image = join(base, tw) if tw else None
        alias_key = post.key_names.get("aliases", "aliases")
        pages.append(
            ExpectedPage(
                post=post,
                file=display_path(post.path),
                url=url,
                lang=post.lang,
                hreflang=hreflang_code(config, post.lang),
                dir=config.site.direction(post.lang),
                title=config.site.title_with_suffix(title, post.lang),
                description=post.description,
                og_title=title,
                og_description=post.description,
                og_image=og_image,
                twitter_card="summary_large_image" if twitter_image else "summary",
                twitter_image=twitter_image,
                aliases=[join(base, a) for a in post.url_aliases],
                alias_key=alias_key,
            )
        )
    groups: dict[str, list[ExpectedPage]] = {}
    for page in pages:
        groups.setdefault(page.post.translation_key, []).append(page)
    for members in groups.values():
        if len(members) < 2:
            continue
        cluster = {m.hreflang: m.url for m in members}
        default = next((m.url for m in members if m.lang == config.site.default_language), None)
        for m in members:
            m.cluster = dict(cluster)
            m.x_default = default
    return ExpectedSet(pages, unpublished, base)


def render_head(page: ExpectedPage, og_width: int = OG_MIN_WIDTH, og_height: int = OG_MIN_HEIGHT) -> str:
    """The exact head tags the crawl expects (docs/crawl.md); values HTML-escaped."""

    def attr(value: str) -> str:
        return escape(value, quote=True)

    lines = [
        '<meta charset="utf-8">',
        f"<title>{escape(page.title, quote=False)}</title>",
    ]
    if page.description is not None:
        lines.append(f'<meta name="description" content="{attr(page.description)}">')
    lines.append(f'<link rel="canonical" href="{attr(page.canonical)}">')
    for code, url in sorted(page.cluster.items()):
        lines.append(f'<link rel="alternate" hreflang="{attr(code)}" href="{attr(url)}">')
    if page.x_default:
        lines.append(f'<link rel="alternate" hreflang="x-default" href="{attr(page.x_default)}">')
    lines.append(f'<meta property="og:title" content="{attr(page.og_title)}">')
    if page.og_description is not None:
        lines.append(f'<meta property="og:description" content="{attr(page.og_description)}">')
    lines.append(f'<meta property="og:url" content="{attr(page.url)}">')
    if page.og_image:
        lines.append(f'<meta property="og:image" content="{attr(page.og_image)}">')
        lines.append(f'<meta property="og:image:width" content="{og_width}">')
        lines.append(f'<meta property="og:image:height" content="{og_height}">')
    lines.append(f'<meta name="twitter:card" content="{attr(page.twitter_card)}">')
    if page.twitter_image:
        lines.append(f'<meta name="twitter:image" content="{attr(page.twitter_image)}">')
    return "\n".join(lines)


def html_open_tag(page: ExpectedPage) -> str:
    return f'<html lang="{escape(page.hreflang, quote=True)}" dir="{page.dir}">'

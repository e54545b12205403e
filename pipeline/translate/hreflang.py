"""A post's hreflang set, for the build and crawl stages: itself, its approved translations, x-default.

Drafts that are not approved are not published, so they never appear. Codes come from
`site.languages.<code>.hreflang` when set (e.g. zh-Hans), else the folder code as a BCP 47 tag (`zh_tw` is
`zh-TW`: an underscore is not valid in hreflang, `<html lang>` or schema.org's inLanguage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.langtags import hreflang_code

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.content import ContentSet, Post


def _url(config: Config, post: Post) -> str | None:
    """From the one URL model (pipeline.content.urls); None when the post writes no page."""
    if not post.path_url or not post.renders:
        return None
    return config.site.base_url + post.path_url


def hreflang_set(content: ContentSet, post: Post, config: Config) -> list[tuple[str, str]]:
    """[(hreflang, absolute URL)] sorted by code, x-default last; empty when the post writes no page."""
    versions: dict[str, Post] = {}
    for other in content.groups().get(post.translation_key, []):
        if other is post or other.published:
            versions.setdefault(other.lang, other)
    versions[post.lang] = post
    out: list[tuple[str, str]] = []
    for lang in sorted(versions):
        url = _url(config, versions[lang])
        if url:
            out.append((hreflang_code(config, lang), url))
    default = versions.get(config.site.default_language)
    if default is not None:
        url = _url(config, default)
        if url:
            out.append(("x-default", url))
    return out


def direction(config: Config, lang: str) -> str:
    """'rtl' or 'ltr' for the `dir` attribute of a language's pages."""
    return config.site.direction(lang)

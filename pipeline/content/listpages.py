"""The list pages a generator makes that no content file holds, so links to them are not reported as broken.

Hugo (https://gohugo.io/content-management/sections/, /taxonomies/, /templates/pagination/) renders, per
language: the home page; a section page for every top-level content folder, with or without an `_index.md`
(deeper folders are sections only with one, and then they are posts already); a taxonomy page (`/tags/`) and a
term page (`/tags/sleep/`) for every term the language's pages use, the term urlized as Hugo does (spaces as
hyphens, punctuation dropped, lowercased unless `disablePathToLower`); and, where a layout paginates, the list's
later pages at `<list>/page/N/`. Whether a layout paginates is in its templates, which this tool does not read,
so a pager link counts as a page when the list could have that many pages at the site's pager size.
Kinds in `disableKinds` are not made. Jekyll and Eleventy make none of these without a plugin or a template.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.content.post import Post
from pipeline.content.urls import UrlModel, strip_accents

_KEEP = frozenset("._-+~#%")


def urlize(term: str, lowercase: bool = True, accents: bool = True) -> str:
    """A term as Hugo's `urlize` writes it in a path: letters, marks and digits of any script kept, spaces as
    hyphens, other punctuation dropped; accents stripped where `accents` is False (`removePathAccents`)."""
    if not accents:
        term = strip_accents(term)
    out = []
    for ch in term.strip():
        if ch.isspace():
            out.append("-")
        elif ch in _KEEP or unicodedata.category(ch)[0] in "LMN":
            out.append(ch)
    text = "".join(out)
    return text.lower() if lowercase else text


@dataclass
class ListPages:
    """`pages`: path keys of the made list pages; `items`: each pageable list's key → how many entries it lists."""

    pages: set[str] = field(default_factory=set)
    items: dict[str, int] = field(default_factory=dict)
    pager_size: int = 10
    pager_path: str = "page"

    def pager(self, path: str) -> tuple[str, int] | None:
        """`/posts/page/3/` → ("/posts/", 3); None when the path is no pager URL."""
        parts = path.rstrip("/").rsplit("/", 2)
        if len(parts) != 3 or parts[1] != self.pager_path or not parts[2].isdigit():
            return None
        return (parts[0] + "/", int(parts[2]))

    def pager_known(self, path: str) -> bool | None:
        """Whether a pager URL can exist (None: not a pager URL of a list page this site makes or holds)."""
        found = self.pager(path)
        if found is None or found[0] not in self.items:
            return None
        return 2 <= found[1] <= max(1, math.ceil(self.items[found[0]] / self.pager_size))


def list_pages(posts: Iterable[Post], urls: UrlModel) -> ListPages:
    conv = urls.conv
    out = ListPages(pager_size=conv.pager_size, pager_path=conv.pager_path)
    if not conv.list_pages:
        return out
    off = conv.disabled_kinds
    live = [p for p in posts if p.path_url and p.renders and not p.draft and not p.held]
    sections = {
        _folder(p.rel): p.path_url for p in live if _stem(p.rel) == "_index"
    }  # folders with an _index
    terms: dict[tuple[str, str], set[str]] = {}  # (lang, taxonomy) → urlized terms
    for post in live:
        home = urls.with_prefix("/", post.lang)
        if "home" not in off:
            out.pages.add(home)
        if post.is_list_page:
            out.items.setdefault(post.path_url, 0)
            continue
        lists = {home}
        section = _section_url(post, urls)
        if section is not None:
            lists.add(section)
            if "section" not in off:
                out.pages.add(section)
        folder = _folder(post.rel)
        while folder:
            if folder in sections:
                lists.add(sections[folder])
            folder = _folder(folder)
        for taxonomy in conv.taxonomies:
            for term in _terms(post.meta.get(taxonomy)):
                slug = urlize(term, conv.lowercase, not conv.remove_path_accents)
                if not slug:
                    continue
                terms.setdefault((post.lang, taxonomy), set()).add(slug)
                term_url = urls.with_prefix(f"/{taxonomy}/{slug}/", post.lang)
                lists.add(term_url)
                if "term" not in off:
                    out.pages.add(term_url)
        for url in lists:
            out.items[url] = out.items.get(url, 0) + 1
    for (lang, taxonomy), slugs in terms.items():
        listing = urls.with_prefix(f"/{taxonomy}/", lang)
        out.items[listing] = len(slugs)
        if "taxonomy" not in off:
            out.pages.add(listing)
    return out


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].split(".", 1)[0]


def _folder(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


def _section_url(post: Post, urls: UrlModel) -> str | None:
    """The URL of the top-level section holding the post (None for a page at the root of its language)."""
    parts = post.rel.split("/")
    head, rest = (parts[:1], parts[1:]) if post.lang_from_folder else ([], parts)
    dirs = rest[:-1]
    if dirs and _stem(post.rel) in urls.conv.index_files:
        dirs = dirs[:-1]  # a leaf bundle's folder is the page, not a section
    if not dirs:
        return None
    rel = "/".join([*head, dirs[0], "_index.md"])
    return urls.post_url(rel, post.lang, {}, lang_from_folder=post.lang_from_folder).path or None


def _terms(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
    return []

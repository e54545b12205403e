"""Images that live beside their page: `blog/foo/index.md` with `hero: hero.png` in the same folder.

Eleventy page folders and Hugo page bundles keep a post's images next to its `index.md`; a relative path on
such a page names that file, and the site serves it under the page's URL (web.dev's layout writes
`page.url + hero`; Hugo publishes bundle resources beside the page). The stages used to look for `hero.png` at
the static root only: validate said the hero did not exist (IMG002), cards rendered without it, and the page's
og:image pointed at `/hero.png`. A relative path with no such file beside the page is read from the static
root as before.

Hugo shares a bundle's resources with the article's other languages: "each page bundle inherits the resources
of its linked translated pages' bundles except for the content files … File from current language bundle, if
present. First file found across bundles by order of language Weight", and resources take a language the way
pages do, by file name (`hero.fr.png`) or by directory (https://gohugo.io/content-management/multilingual/
#page-bundles). That holds for translation by file name (`index.md` + `index.es.md` in one folder), by content
directory (`content/en/blog/x/` and `content/ja/blog/x/`) and for bundles linked by `translationKey` (Hugo
0.123, gohugoio/hugo#11540); since 0.123 a shared resource is published once, not per language, and its
URL is the owning bundle's (gohugoio/hugo#11453; the embedded image render hook, on by default for
multilingual single-host sites, points a page's `![](hero.png)` there). So `content/ja/blog/x/index.md`
with `image: hero.png` and no copy of it reads `content/en/blog/x/hero.png`, served at `/blog/x/hero.png`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from pipeline.content.frontmatter import ContentError
from pipeline.content.post import Bundle, Post
from pipeline.fsutil import UnsafePathError, safe_join

if TYPE_CHECKING:
    from pipeline.conventions import Conventions

_FOLDER_PAGES = ("index", "_index")
# How the social ledger names an image that lives beside its page (its path under the content root), so the
# worker, which sends long after planning and knows no post, reads the same file: `content:blog/a/hero.png`.
CONTENT_MEDIA = "content:"


def is_folder_page(post: Post) -> bool:
    """A page whose folder holds its resources: `index.md`, `_index.md`, and Hugo's `index.es.md` (the Spanish
    page of the same bundle)."""
    parts = post.path.stem.split(".")
    return parts[0] in _FOLDER_PAGES and (len(parts) == 1 or (len(parts) == 2 and parts[1] == post.lang))


def link_bundles(posts: Iterable[Post], languages: Sequence[str]) -> None:
    """Give every Hugo bundle page the bundles of its translations (see the module docstring); a page with no
    translated bundle keeps none and reads only its own folder."""
    order = {lang: n for n, lang in enumerate(languages)}
    groups: dict[str, list[Post]] = {}
    for post in posts:
        post.bundles = ()
        if is_folder_page(post):
            groups.setdefault(post.translation_key, []).append(post)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda p: (order.get(p.lang, len(order)), p.lang, str(p.path)))
        linked = tuple(Bundle(p.lang, p.path.parent, p.path_url) for p in group)
        for post in group:
            post.bundles = linked


def link_hugo_bundles(
    posts: Sequence[Post],
    conv: Conventions,
    languages: Sequence[str],
    root: Path | None = None,
    load: Callable[[Path], Post] | None = None,
) -> None:
    """`link_bundles` on a Hugo site (no other generator shares a page's files); with `load` (a run over some
    files) their translations' files are read too (`bundle_peers`), to link them, not to check them."""
    if conv.generator != "hugo":
        return
    peers = bundle_peers(posts, root, languages, conv.language_dirs, load) if load and root else []
    link_bundles([*posts, *peers], languages)


def bundle_peers(
    posts: Sequence[Post],
    root: Path,
    languages: Sequence[str],
    language_dirs: Mapping[str, str],
    load: Callable[[Path], Post],
) -> list[Post]:
    """The translations of these bundle pages that a run over some files did not load, so `link_bundles` sees
    them: `index.<lang>.md` beside a page, and the same path under every other language's folder (its code,
    or its `language_dirs` folder). Files that do not load are skipped (their own runs say why)."""
    folders = {code: next((d for d, c in language_dirs.items() if c == code), code) for code in languages}
    have = {post.path.resolve() for post in posts}
    found: dict[Path, Post] = {}
    for post in posts:
        if not is_folder_page(post):
            continue
        kind = post.path.stem.split(".")[0]
        candidates = [p for p in post.path.parent.glob(kind + ".*") if p.suffix in (".md", ".markdown")]
        if post.lang_from_folder:
            rest = post.rel.split("/", 1)[1]
            candidates += [root / folder / rest for folder in folders.values()]
        for path in candidates:
            resolved = path.resolve()
            if resolved in have or resolved in found or not path.is_file():
                continue
            try:
                found[resolved] = load(path)
            except (ContentError, OSError):
                continue
    return list(found.values())


def _named(value: str, lang: str) -> str:
    """`images/hero.png` as language `lang`'s resource: `images/hero.<lang>.png`."""
    folder, _, name = value.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    named = f"{stem}.{lang}.{ext}" if dot and stem else f"{name}.{lang}"
    return f"{folder}/{named}" if folder else named


def resource(post: Post, value: str | None, shared: bool = True) -> tuple[Path, str] | None:
    """The file a relative image path names in the page's bundle, or in a translation's bundle Hugo shares
    with it, and the site path it is served at (without the page's URL: ""). Never outside those folders.
    `shared=False`: the page's own folder only (a raw `<img src>` is no resource lookup: the browser asks for
    the file under the page's own URL)."""
    if not value or not value.strip() or not is_folder_page(post):
        return None
    value = value.strip()
    if value.startswith(("/", "http://", "https://", "//", "data:")):
        return None
    own = Bundle(post.lang, post.path.parent, post.path_url)
    others = [b for b in post.bundles if (b.lang, b.folder) != (own.lang, own.folder)] if shared else []
    plain = value.removeprefix("./")
    for bundle in (own, *others):
        names = [_named(plain, bundle.lang), value] if post.bundles and shared else [value]
        for name in names:
            try:
                path = safe_join(bundle.folder, name)
            except UnsafePathError:
                continue
            if not path.is_file():
                continue
            if name == value and shared:  # of no language: published once, with the first language's page
                bundle = next((b for b in post.bundles if b.folder == bundle.folder), bundle)
            url = bundle.path_url.rstrip("/") + "/" + plain if bundle.path_url else ""
            return path, url
    return None


def page_resource(post: Post, value: str | None, shared: bool = True) -> Path | None:
    """The file a relative image path names beside a folder page (or in a translation's bundle it shares),
    when it is there (never outside those folders)."""
    found = resource(post, value, shared)
    return found[0] if found else None


def image_site_path(post: Post, value: str | None) -> str | None:
    """The site path an image is served at: a bundle file under its bundle page's URL (a shared one: the bundle
    it lives in), anything else as written."""
    found = resource(post, value) if post.path_url else None
    return found[1] if found and found[1] else value


def media_reference(post: Post, value: str | None, content_root: Path) -> str | None:
    """What a social post stores for the image it attaches: a page's own file as `content:<path under the
    content root>`, anything else (a static path, a rendered card) as written."""
    beside = page_resource(post, value)
    if beside is None or value is None:
        return value
    try:
        return CONTENT_MEDIA + beside.relative_to(content_root.resolve()).as_posix()
    except ValueError:  # a page outside the content root (mounted from elsewhere): not one we may read later
        return value


def media_file(stored: str, static_root: Path, content_root: Path) -> Path:
    """The file a stored media path names, inside its root; raises UnsafePathError for one that leaves it (a
    ledger row is data: it may have been edited)."""
    if stored.startswith(CONTENT_MEDIA):
        return safe_join(content_root, stored[len(CONTENT_MEDIA) :])
    return safe_join(static_root, stored)


def local_image(
    post: Post,
    src: str,
    static_root: Path,
    page_at: Callable[[str], Post | None] | None = None,
    shared: bool = True,
) -> Path | UnsafePathError | None:
    """The file an image in the body names (`<img src>`, `![](src)`), as the site serves it: beside a folder
    page, else under the static root at the page-relative URL, else beside the page whose folder URL it names
    (`page_at`: a page by its path URL). None where the src names no local file this can know: remote,
    `data:`, a template, or a relative path on a page that is not a folder page (its URL, not its file,
    decides). The path may not exist (a missing image); an UnsafePathError is a path that leaves its root.
    `shared`: a Hugo resource lookup (Markdown image, shortcode), which finds a translation's bundle file."""
    src = src.strip()
    if "{{" in unquote(src) or "{%" in unquote(src):
        # Liquid the page answers itself, as links do: `{{ "/img/x.png" | relative_url }}` (w3.org/WAI's
        # thumbnails), which was looked up as a file named after the template (IMG002 on every such image).
        from pipeline.content.links import expand

        src = expand(post, unquote(src).replace("+", " "))  # the dialect kept spaces as +
    if not src or "{{" in src or "{%" in src or src.startswith(("//", "#")):
        return None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return None
    beside = page_resource(post, path, shared)
    if beside is not None:
        return beside
    if not path.startswith("/"):
        if not is_folder_page(post) or not post.path_url:
            return None
        path = posixpath.normpath(posixpath.join(post.path_url, path))
    try:
        found = safe_join(static_root, path)
    except UnsafePathError as exc:
        return exc
    if found.is_file() or page_at is None:
        return found
    folder, _, name = path.rpartition("/")
    owner = page_at(folder + "/")
    if owner is not None and (served := page_resource(owner, name, shared=False)) is not None:
        return served
    return found

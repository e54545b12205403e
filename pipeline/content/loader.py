"""Loading a content tree: walk the Markdown files, read each into a `Post`, turn bad files into findings.

Malformed input never raises out of `load_content`: it becomes an error `Finding` naming file and line; the rest load.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.content.assets import link_hugo_bundles
from pipeline.content.cascade import Entry, section_files
from pipeline.content.cascade import apply as apply_cascade
from pipeline.content.cascade import entries as cascade_entries
from pipeline.content.eleventy_data import apply as apply_eleventy_data
from pipeline.content.eleventy_data import notice as eleventy_data_notice
from pipeline.content.files import (
    MARKDOWN_SUFFIXES,
    TEMPLATE_SUFFIXES,
    display_path,
    iter_markdown,
    path_filter,
    relative_path,
)
from pipeline.content.frontmatter import (
    ContentError,
    parse_date,
    parse_toml_front,
    parse_yaml_front,
    split_front_matter,
)
from pipeline.content.jekyll import jekyll_config
from pipeline.content.keys import canonical_keys
from pipeline.content.post import Post
from pipeline.content.schedule import mark_held
from pipeline.content.urls import UrlModel
from pipeline.findings import Finding
from pipeline.fsutil import has_undecodable
from pipeline.rules import CONTENT

if TYPE_CHECKING:
    from pipeline.config import Config


LOAD_RULES = CONTENT  # the catalogue's table (pipeline.rules)


@dataclass
class ContentSet:
    posts: list[Post]
    problems: list[Finding]
    root: Path
    skipped: int = 0
    urls: UrlModel | None = None  # the site's URL model the posts were loaded with

    def by_path_url(self) -> dict[str, list[Post]]:
        """Public path → the posts that claim it (more than one is a collision)."""
        out: dict[str, list[Post]] = {}
        for post in self.posts:
            if post.path_url:
                out.setdefault(post.path_url, []).append(post)
        return out

    def alternates(self, post: Post) -> dict[str, Post]:
        """lang → the version of this article in that language that is published (the post itself always)."""
        out = {other.lang: other for other in self.groups().get(post.translation_key, []) if other.published}
        out[post.lang] = post
        return out

    def select(self, paths: Sequence[Path] | None) -> list[Post]:
        """The posts a command was pointed at (files or folders); all of them when it was pointed at none."""
        match = path_filter(paths)
        return [post for post in self.posts if match(post.path)]

    def refresh(self, paths: Iterable[Path], config: Config) -> None:
        """Re-read these files after a stage wrote them (drafts written, card paths filled in): changed posts
        are replaced, new ones added, and a file that no longer loads becomes a finding as at load time."""
        wanted = {Path(p).resolve() for p in paths if str(p).lower().endswith(MARKDOWN_SUFFIXES)}
        if not wanted:
            return
        shown = {display_path(p) for p in wanted}
        self.posts = [post for post in self.posts if post.path.resolve() not in wanted]
        self.problems = [f for f in self.problems if f.file not in shown]
        self.urls = self.urls or UrlModel.from_config(config)
        fresh: list[Post] = []
        for path in sorted(wanted):
            if not path.is_file():
                continue
            try:
                post = load_post(
                    path,
                    self.root,
                    default_lang=config.site.default_language,
                    languages=list(config.site.languages),
                    max_bytes=config.site.max_file_bytes,
                    site=self.urls,
                )
            except ContentError as exc:
                self.problems.append(Finding(exc.rule, "error", display_path(path), exc.line, str(exc)))
                continue
            self.posts.append(post)
            fresh.append(post)
        self.problems += _cascade(config, self.urls, fresh, self.root, None, self.posts)
        _mark_held(config, fresh)
        self.posts.sort(key=lambda post: post.path)
        link_hugo_bundles(self.posts, self.urls.conv, list(config.site.languages))  # a new draft's too

    def by_lang(self, lang: str) -> list[Post]:
        return [p for p in self.posts if p.lang == lang]

    def groups(self) -> dict[str, list[Post]]:
        """translationKey → every language version of one article."""
        out: dict[str, list[Post]] = {}
        for post in self.posts:
            out.setdefault(post.translation_key, []).append(post)
        return out


def load_post(
    path: Path,
    root: Path,
    *,
    default_lang: str = "en",
    languages: Iterable[str] = (),
    max_bytes: int = 5_000_000,
    walked_root: Path | None = None,
    site: UrlModel | None = None,
) -> Post:
    """Read one file into a Post; raise ContentError for anything malformed.

    `walked_root` (the resolved root) says `path` came from walking the root, which follows a folder symlink only
    where it leads inside the root (`iter_markdown`), so only the file itself can lead out: one lstat instead of
    resolving every path component, which was a third of the load time on a 10,000-post site. The page's `rel`
    is its path as walked (`collections/_about/x.md`, where Jekyll reads it), not the link's target."""
    root_resolved = walked_root or root.resolve()
    if has_undecodable(str(path)):
        raise ContentError(
            "CONTENT002",
            "file name is not valid UTF-8 (its URL, reports and the store need text): rename the file",
            1,
        )
    try:
        if walked_root is not None and not os.path.islink(path):
            resolved = walked_root / path.relative_to(root)
        else:
            resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):
        raise ContentError("CONTENT010", "symlink loop or unreadable path", 1) from None
    if root_resolved != resolved and root_resolved not in resolved.parents:
        if path.is_symlink():
            raise ContentError(
                "CONTENT010",
                f"symlink points outside the content root ({resolved}); copy the file in instead",
                1,
            )
        raise ContentError("CONTENT010", f"file is outside the content root {root_resolved}", 1)
    try:
        size = resolved.stat().st_size
        if size > max_bytes:
            raise ContentError(
                "CONTENT001",
                f"file is {size:,} bytes, over the {max_bytes:,}-byte cap (site.max_file_bytes); split it",
                1,
            )
        raw = resolved.read_bytes()
    except OSError as exc:
        raise ContentError("CONTENT001", f"cannot read file: {exc.strerror}", 1) from None
    rel = resolved.relative_to(root_resolved).as_posix()  # resolving is ~half the load time: do it once
    return parse_post(raw, path, root, default_lang=default_lang, languages=languages, rel=rel, site=site)


def _site_language(value: str, langs: set[str]) -> str | None:
    """`EN` or `en-US` on a site that publishes `en`, `zh-TW` on one that publishes `zh_tw`: the same language,
    written another way."""
    lowered = {lang.lower().replace("_", "-"): lang for lang in langs}  # a site's `zh_tw` is `zh-TW` too
    wanted = value.strip().lower().replace("_", "-")
    return lowered.get(wanted) or lowered.get(wanted.split("-")[0])


def parse_post(
    raw: bytes,
    path: Path,
    root: Path,
    *,
    default_lang: str = "en",
    languages: Iterable[str] = (),
    rel: str | None = None,
    site: UrlModel | None = None,
) -> Post:
    """Read one file's bytes into a Post with its URL (`site`: the site's URL model; a plain one without)."""
    if b"\x00" in raw[:8192]:
        raise ContentError(
            "CONTENT003", "file contains NUL bytes and looks binary; it is not a Markdown post", 1
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            "CONTENT002",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            line,
        ) from None
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    # Normalise only files that use CRLF throughout: a mixed file stays as is, so dumps() stays byte-exact.
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf == text.count("\n") else "\n"
    if newline == "\n" and "\n" not in text and "\r" in text:
        newline = (
            "\r"  # classic Mac line ends: read as lines (it looked like unclosed front matter), kept on write
        )
    if newline != "\n":
        text = text.replace(newline, "\n")
    if site is None:
        site = UrlModel.plain(default_lang, tuple(languages))
    split = split_front_matter(text, site.conv.front_matter_after_blank_lines)
    fmt, fm, body, body_line = split.fmt, split.fm, split.body, split.body_line
    parsed = "\n" * split.lead_lines + fm  # the parsers count file lines from line 2
    duplicates: list[tuple[str, int, int]] | None = [] if site.conv.generator == "jekyll" else None
    if fmt == "yaml":
        meta, key_lines = parse_yaml_front(parsed, duplicates)
    elif fmt == "toml":
        meta, key_lines = parse_toml_front(parsed)
    else:
        meta, key_lines = {}, {}
    if rel is None:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.name
    from_data: list[str] = []
    if site.eleventy_data is not None:  # Eleventy's JSON template and directory data, under the front matter
        data, _ = site.eleventy_data.for_template(rel)
        from_data = apply_eleventy_data(meta, data) if data else []
    meta, key_lines, key_names = canonical_keys(meta, key_lines, site.conv.key_aliases)
    canonical = {written: name for name, written in key_names.items()} if from_data else {}
    langs = set(languages)
    first = rel.split("/", 1)[0] if "/" in rel else ""
    first = site.conv.language_dirs.get(first, first)  # Hugo's contentDir `content/arabic` holds ar
    lang_from_folder = first in langs
    name_lang = site.name_language(rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    if lang_from_folder:
        lang = first
    elif name_lang is not None:
        lang = name_lang
    elif isinstance(meta.get("lang"), str) and meta["lang"]:
        lang = meta["lang"]
        if langs and lang not in langs:
            lang = _site_language(lang, langs) or lang
        if langs and lang not in langs:
            # The language picks thresholds, folders and URLs (`lang: ../x` reached the sitemap): only known ones.
            raise ContentError(
                "CONTENT012",
                f"lang {lang!r} is not a language of this site ({', '.join(sorted(langs))}); fix it, or add "
                "it under [site.languages]",
                key_lines.get("lang", 1),
            )
    else:
        lang = default_lang
    base_rel = rel.split("/", 1)[1] if lang_from_folder else rel
    tkey = meta.get("translationKey")
    translation_key = str(tkey) if tkey else base_rel.rsplit(".", 1)[0]
    if name_lang is not None and not tkey:
        translation_key = translation_key.rsplit(".", 1)[0]  # about.fr → about, beside about.md
    if site.is_draft_path(rel):
        meta.setdefault("draft", True)  # Jekyll's _drafts
    file_date = site.file_date(rel)
    url = site.post_url(
        rel,
        lang,
        meta,
        lang_from_folder=lang_from_folder,
        name_lang=name_lang is not None,
        date=parse_date(meta.get("date")) or file_date,
    )
    return Post(
        path=path,
        rel=rel,
        fm_format=fmt,
        fm_text=fm,
        meta=meta,
        key_lines=key_lines,
        body=body,
        body_line=body_line,
        lang=lang,
        translation_key=translation_key,
        hash=hashlib.sha256(raw).hexdigest(),
        lang_from_folder=lang_from_folder,
        newline=newline,
        bom=bom,
        opener=split.opener,
        closer=split.closer,
        path_url=url.path,
        url=site.base_url + url.path if url.path else "",
        url_aliases=url.aliases,
        renders=_renders(meta, site.conv.unpublished_keys) and site.kind_renders(rel, lang_from_folder),
        file_date=file_date,
        date_zone=site.date_zone,
        key_names=key_names,
        code_shortcodes=site.code_shortcodes,
        raw_html=site.raw_html,
        linkify=site.linkify,
        cascaded=tuple(canonical.get(k, k) for k in from_data),
        extra={
            **({"url_problem": url.problem} if url.problem else {}),
            **({"duplicate_keys": duplicates} if duplicates else {}),
        },
    )


def _renders(meta: dict[str, object], generator_keys: bool) -> bool:
    """No page of content: a redirect (`redirect_to`), Hugo's `build: {render: never|link}` and `headless: true`,
    Jekyll's `published: false`."""
    if isinstance(meta.get("redirect_to"), str) and str(meta["redirect_to"]).strip():
        return False
    if not generator_keys:
        return True
    build = meta.get("build") or meta.get("_build")
    if isinstance(build, dict) and str(build.get("render", "always")).lower() in ("never", "link", "false"):
        return False
    return meta.get("headless") is not True and meta.get("published") is not False


def load_content(config: Config, paths: Sequence[Path] | None = None) -> ContentSet:
    """Load every post under the content root; bad files become findings, never exceptions."""
    root = config.content_root
    posts: list[Post] = []
    problems: list[Finding] = []
    if not root.is_dir():
        problems.append(
            Finding(
                "CONTENT001",
                "error",
                str(root),
                None,
                f"content folder {root} does not exist; set site.content_dir",
            )
        )
        return ContentSet(posts, problems, root)
    site = UrlModel.from_config(config)
    load = _site_loader(config, root, site, walked_root=None if paths else root.resolve())
    skipped = 0
    for path in iter_markdown(root, paths, site):
        try:
            post = load(path)
        except ContentError as exc:
            problems.append(Finding(exc.rule, "error", display_path(path), exc.line, str(exc)))
            continue
        if post.fm_format == "none" and site.conv.front_matter_required:
            skipped += 1  # Jekyll copies a Markdown file without front matter as it is: not a page
            continue
        problems += [  # Jekyll keeps the last value and builds the page: so do we, and say so
            Finding(
                "CONTENT005",
                "warning",
                display_path(path),
                line,
                f"key {key!r} appears twice (lines {first} and {line}); Jekyll uses the last one — keep one",
            )
            for key, first, line in post.extra.pop("duplicate_keys", [])
        ]
        problem = post.extra.pop("url_problem", None)
        if problem:
            problems.append(
                Finding(
                    "CONTENT015",
                    "warning",
                    display_path(path),
                    post.line_of(next((k for k in site.conv.url_keys if k in post.meta), "permalink")),
                    f"{problem}; the page's URL is taken from its file path ({post.path_url}) — write the "
                    "permalink out, or check that URL",
                )
            )
        posts.append(post)
    problems += _cascade(config, site, posts, root, paths)
    _mark_held(config, posts)
    link_hugo_bundles(posts, site.conv, list(config.site.languages), root, load if paths else None)
    if not paths:  # the Hugo site's mounts that could not be read, once per whole-site run
        problems += [
            Finding("CONTENT018", "warning", display_path(Path(file)), line or None, what)
            for file, line, what in config.hugo_problems
        ]
    # A snippet a cascade keeps from rendering (Hugo's `_includes` with `build: {render: never}`) needs none.
    problems += [_no_front_matter(post) for post in posts if post.fm_format == "none" and post.renders]
    if site.conv.front_matter_required or site.conv.generator == "hugo":
        site.template_pages = frozenset(_template_pages(config, root, site))
    if site.conv.generator == "eleventy" and not paths:
        unread = eleventy_data_notice(root)
        if unread is not None:
            problems.append(Finding("CONTENT016", "info", display_path(unread[0]), None, unread[1]))
    if site.eleventy_data is not None:
        problems += [
            Finding("CONTENT016", "warning", display_path(file), line or None, f"data file {what}")
            for file, line, what in site.eleventy_data.problems
        ]
    return ContentSet(posts, problems, root, skipped=skipped, urls=site)


def _mark_held(config: Config, posts: list[Post]) -> None:
    site = config.site
    future = site.build_future
    if future is None and site.generator == "jekyll":  # `future:` in the site's own _config.yml
        future = jekyll_config(config.content_root).future
    mark_held(posts, site.generator, future, site.build_expired)


def _no_front_matter(post: Post) -> Finding:
    late = post.body.lstrip(" \t\r\n")[:3] in ("---", "+++")  # the generator reads line 1 only
    return Finding(
        "CONTENT011",
        "warning",
        display_path(post.path),
        1,
        "front matter must start on line 1; remove the blank lines before its first '---'"
        if late
        else "no front matter; start the file with a '---' YAML block",
    )


def _cascade(
    config: Config,
    site: UrlModel,
    posts: list[Post],
    root: Path,
    paths: Sequence[Path] | None,
    others: Sequence[Post] = (),
) -> list[Finding]:
    """Hugo's `cascade` (site config and sections' front matter) applied to `posts`, in this one place; the
    sections above a run's files are read for it too (`others`: posts already loaded)."""
    if site.conv.generator != "hugo" and not config.site.front_matter.cascade:
        return []
    site_entries: list[Entry] = []
    problems: list[Finding] = []
    origin = config.origins.get("site.front_matter.cascade")
    where = "site.front_matter.cascade" + (f" ({origin})" if origin else "")
    for value in config.site.front_matter.cascade:
        more, bad = cascade_entries(value, None, None, where, 0)
        site_entries += more
        problems += bad
    ancestors = list(others)
    if paths:
        have = {post.path.resolve() for post in posts}
        load = _site_loader(config, root, site)
        for path in section_files(root, posts, have, MARKDOWN_SUFFIXES):
            try:
                ancestors.append(load(path))
            except ContentError:
                continue  # reported when the section itself is checked

    def renders(post: Post) -> bool:
        return _renders(post.meta, site.conv.unpublished_keys) and site.kind_renders(
            post.rel, post.lang_from_folder
        )

    problems += apply_cascade(
        posts, site_entries, site.conv.taxonomies, site.conv.key_aliases, renders, ancestors, display_path
    )
    return problems


def _site_loader(
    config: Config, root: Path, site: UrlModel, walked_root: Path | None = None
) -> Callable[[Path], Post]:
    """load_post with the site's settings: Markdown posts and Jekyll's HTML pages are read alike."""
    languages = list(config.site.languages)

    def load(path: Path) -> Post:
        return load_post(
            path,
            root,
            default_lang=config.site.default_language,
            languages=languages,
            max_bytes=config.site.max_file_bytes,
            walked_root=walked_root,
            site=site,
        )

    return load


def _template_pages(config: Config, root: Path, site: UrlModel) -> Iterator[str]:
    """URLs of the HTML files: with front matter Jekyll renders them as pages at their permalink, without it
    copies them to their own path (the stages read only Markdown). Hugo renders HTML content with front matter
    as pages too (istio.io's generated reference pages are `docs/reference/…/index.html`). A file that cannot be
    read is no page here: it is the generator's to report."""
    load = _site_loader(config, root, site)
    for path in iter_markdown(root, None, site, suffixes=TEMPLATE_SUFFIXES):
        try:
            with path.open("rb") as fh:
                head = fh.read(4)
                opener = head.rstrip(b"\r\n")
                hugo = not site.conv.front_matter_required  # Hugo's TOML and JSON front matter too
                if opener != b"---" and not (hugo and (opener == b"+++" or head.startswith(b"{"))):
                    if site.conv.front_matter_required:  # Jekyll copies it; Hugo: content needs front matter
                        yield "/" + relative_path(path, root)
                    continue
            post = load(path)
        except (ContentError, OSError):
            continue
        if post.path_url and post.renders:
            yield post.path_url

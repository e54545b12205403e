"""`Post`: one Markdown file as every stage sees it, loaded once and shared.

Who fills what: the loader sets the file facts (path, front matter with key lines, body, language, hash); the
Markdown dialect (`pipeline.content.markdown`) parses the body on first use and caches it on the post, so no
stage parses a body twice; stages may add to `extra`. The loader also gives every post its public URL from the
site's URL model (`pipeline.content.urls`): `path_url`, `url`, `url_aliases`, the only URL any stage uses.
Front-matter keys arrive under the pipeline's names whatever the file's spelling (`pipeline.content.keys`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pipeline.content.frontmatter import FrontFormat, jekyll_date, parse_date, update_front_matter
from pipeline.fsutil import atomic_write_text

if TYPE_CHECKING:
    from markdown_it.token import Token

    from pipeline.content.markdown import Node

FALSE_WORDS = frozenset({"false", "no", "off", "0", ""})


class Bundle(NamedTuple):
    """One language's page bundle of an article: the folder its resources sit in, and the page's URL (where
    the generator publishes them)."""

    lang: str
    folder: Path
    path_url: str


# `translation.status` values of this tool's drafts (translate.drafts.status_of) and review states.
_WORKFLOW_STATES = frozenset({"draft", "in-review", "approved", "machine", "needs-review"})


@dataclass
class Post:
    """One Markdown file. Stages read it and add to `extra`; nobody re-parses the file."""

    path: Path
    rel: str
    fm_format: FrontFormat
    fm_text: str
    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int
    lang: str
    translation_key: str
    hash: str
    lang_from_folder: bool = False
    newline: str = "\n"
    bom: bool = False
    opener: str = ""
    closer: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    path_url: str = ""  # site-relative public path ("/es/docs/foo/"); "" when the post writes no page
    url: str = ""  # absolute: site.base_url + path_url
    url_aliases: tuple[str, ...] = ()  # old paths (aliases / redirect_from) that redirect here
    renders: bool = True  # False: the generator writes no page for it (Hugo `build.render: never|link`)
    file_date: dt.datetime | None = None  # from a YYYY-MM-DD- file name, where the generator reads one
    key_names: dict[str, str] = field(default_factory=dict)  # pipeline key → the file's own spelling
    cascaded: tuple[str, ...] = ()  # meta keys an ancestor's (or the site's) `cascade` gave, not the file
    date_zone: dt.tzinfo | None = None  # Jekyll's `timezone:` (pipeline.content.urls.UrlModel.date_zone)
    cascade_sources: dict[str, str] = field(default_factory=dict)  # cascaded key → "file:line" that writes it
    code_shortcodes: tuple[str, ...] = ()  # the site's Hugo shortcodes whose content is code (`text`)
    raw_html: str = "render"  # "omit": the generator drops raw HTML from the page (Hugo without `unsafe`)
    linkify: str = ""  # the protocol of bare `www.` links where the site links bare URLs (Hugo), else ""
    held: str = (
        ""  # "scheduled 2027-01-04" / "expired 2026-03-26": the generator leaves it out now (schedule.py)
    )
    held_until: dt.datetime | None = None  # the instant `held` names
    # Every language's bundle of this article, in the site's language order, this page's own among them;
    # empty where resources are not shared (pipeline.content.assets.link_bundles).
    bundles: tuple[Bundle, ...] = ()

    # --- typed accessors for the known keys -------------------------------------------------------------

    def _str(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    @property
    def title(self) -> str | None:
        return self._str("title")

    @property
    def description(self) -> str | None:
        return self._str("description")

    @property
    def preview(self) -> str | None:
        return self._str("preview")

    @property
    def permalink(self) -> str | None:
        """The front-matter `permalink` as written (text only: Eleventy's `permalink: false` is not one)."""
        value = self.meta.get("permalink")
        return value if isinstance(value, str) and value.strip() else None

    @property
    def link_title(self) -> str | None:
        """Hugo's `linkTitle` (menus, breadcrumbs), else the title."""
        return self._str("linkTitle") or self.title

    @property
    def image(self) -> str | None:
        """The hero: `image: x`, Hugo's `images: [x, ...]` (the first), Jekyll SEO's `image: {path: x}`."""
        value = self.meta.get("image")
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        elif isinstance(value, dict):
            value = value.get("path") or value.get("url")
        return value if isinstance(value, str) else None

    @property
    def og_image(self) -> str | None:
        return self._str("ogImage")

    @property
    def twitter_image(self) -> str | None:
        return self._str("twitterImage")

    @property
    def redirect_to(self) -> str | None:
        """The page is a redirect to this URL (jekyll-redirect-from's `redirect_to`, or a name the site maps)."""
        return self._str("redirect_to")

    @property
    def keyphrase(self) -> str | None:
        return self._str("keyphrase")

    @property
    def draft(self) -> bool:
        """`draft: "no"` is not a draft; any other text that is not clearly false is (never publish by mistake).
        SEO002 asks for a real boolean either way."""
        value = self.meta.get("draft", False)
        if isinstance(value, str):
            return value.strip().lower() not in FALSE_WORDS
        return bool(value)

    @property
    def tags(self) -> list[str]:
        value = self.meta.get("tags")
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(v) for v in value]
        taxonomies = self.meta.get("taxonomies")  # Zola/Hugo TOML style
        if isinstance(taxonomies, dict) and isinstance(taxonomies.get("tags"), list):
            return [str(v) for v in taxonomies["tags"]]
        return []

    @property
    def date(self) -> dt.datetime | None:
        if self.date_zone is not None:  # a Jekyll site: the date as Jekyll reads it in the site's zone
            return jekyll_date(self.meta.get("date"), self.date_zone) or self.file_date
        return parse_date(self.meta.get("date")) or self.file_date

    @property
    def slug(self) -> str:
        """The last segment of the post's URL (a bundle's or section's folder name, not `index`), before a last
        segment that is only the page's language (`/videos/typing/zh-hans`, as sites that end each translation's
        permalink with its language write them): `zh-hans` is no slug (SEO023 said the file `typing.zh-hans.md`
        should be renamed, and `{slug}` card paths of every such page of a language were one file)."""
        for link in (self.path_url, self.permalink):
            if link:
                parts = [p for p in link.split("/") if p]
                if len(parts) > 1 and parts[-1].lower() == self.lang.lower():
                    parts = parts[:-1]
                if parts:
                    return parts[-1].rsplit(".", 1)[0] if parts[-1].endswith((".html", ".htm")) else parts[-1]
        return Path(self.rel).stem

    def shown_title(self, site_name: str) -> str:
        """The title the page is shown with: its own, else what the generator shows for an untitled page — the
        site's title on a home page (Hugo's `.Title` there), else the slug. A language's home page (`/ar/`) is
        not titled with its URL's last segment, the language code: social posts said "ar", the preview's <title>
        too."""
        if self.title:
            return self.title
        return site_name if self.is_home else self.slug

    @property
    def is_home(self) -> bool:
        """The site's or a language's home page (`/`, `/ar/`)."""
        parts = [p for p in self.path_url.split("/") if p]
        return bool(self.path_url) and (
            not parts or (len(parts) == 1 and parts[0] == self.lang and self.is_list_page)
        )

    @property
    def is_list_page(self) -> bool:
        """A home or section page (Hugo's `_index.md`, a language's home): it introduces and lists other pages,
        so article rules (length, outbound links) do not apply."""
        if Path(self.rel).name.split(".")[0] == "_index":
            return True
        parts = [p for p in self.path_url.split("/") if p]
        return bool(self.path_url) and (not parts or (len(parts) == 1 and parts[0] == self.lang))

    @property
    def translation(self) -> dict[str, Any]:
        value = self.meta.get("translation")
        return value if isinstance(value, dict) else {}

    @property
    def is_translation(self) -> bool:
        """A translation this tool's workflow tracks: its `translation:` block names the source it was made from
        or has one of the workflow's states. A site's own `translation:` notes (w3.org/WAI's human translations
        carry `translation: {last_updated: …, status: outdated}`) do not make a published page an unapproved
        draft."""
        block = self.translation
        return "source_hash" in block or str(block.get("status", "")).strip().lower() in _WORKFLOW_STATES

    @property
    def indexable(self) -> bool:
        """Whether search engines are meant to index the page: not an error page (`404.html`, `/404/`, as
        Eleventy and Jekyll sites write theirs), not `robots: noindex` (or `noindex: true`) in front matter."""
        last = self.path_url.rstrip("/").rsplit("/", 1)[-1]
        if last in ("404", "404.html"):
            return False
        robots = self.meta.get("robots")
        if isinstance(robots, str) and "noindex" in robots.lower():
            return False
        return self.meta.get("noindex") is not True

    @property
    def publishable(self) -> bool:
        """A page is written, not a draft, and (for translations) approved by a human: on the site now, or from
        its date on where the generator holds future posts (`held`)."""
        if self.draft or not self.renders or not self.path_url:
            return False
        return not self.is_translation or self.translation.get("status") == "approved"

    @property
    def published(self) -> bool:
        """Publishable and on the site now (not held back by a date still to come)."""
        return self.publishable and not self.held

    def line_of(self, key: str) -> int:
        """File line of a front-matter key (1-based); the opening delimiter's line when absent."""
        return self.key_lines.get(key, 1)

    # --- Markdown: parsed on first use, once, by the site's one dialect ---------------------------------------

    @cached_property
    def tokens(self) -> list[Token]:
        """markdown-it tokens of the body (translate's segmenting and build's HTML share them); `token.map` is
        rebased so `map[0] + 1` is the 1-based line in the file."""
        from pipeline.content.markdown import parse_tokens

        return parse_tokens(
            self.body, self.body_line - 1, code_shortcodes=self.code_shortcodes, linkify=self.linkify
        )

    @cached_property
    def syntax(self) -> Node:
        """The body's syntax tree for the checks (validate): fast, and safe on any input (see content.markdown)."""
        from pipeline.content.markdown import parse_tree

        return parse_tree(self.body, self.code_shortcodes, self.linkify)

    def body_file_line(self, body_line_index: int) -> int:
        """Convert a 0-based line index within the body to a 1-based file line."""
        return self.body_line + body_line_index

    # --- writing ----------------------------------------------------------------------------------------

    def dumps(
        self,
        updates: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        body: str | None = None,
    ) -> str:
        """Return the file text with front-matter `updates` applied round-trip safely and an optional new body."""
        fm = self.fm_text
        if self.key_names:  # write under the file's own spelling (`Title:` stays `Title:`)
            updates = {self.key_names.get(k, k): v for k, v in (updates or {}).items()}
            remove = [self.key_names.get(k, k) for k in remove]
        if updates or remove:
            fm = update_front_matter(
                self.fm_format if self.fm_format != "none" else "yaml", fm, updates or {}, remove
            )
        new_body = self.body if body is None else body
        if self.fm_format == "none" and not (updates or remove):
            text = new_body
        else:
            opener = self.opener or "---\n"
            closer = self.closer or "---\n"
            if new_body and not closer.endswith("\n"):
                closer += "\n"
            if fm and not fm.endswith("\n"):
                fm += "\n"
            text = f"{opener}{fm}{closer}{new_body}"
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text

    def write(
        self, updates: Mapping[str, Any] | None = None, remove: Iterable[str] = (), body: str | None = None
    ) -> str:
        text = self.dumps(updates, remove, body)
        atomic_write_text(self.path, text)
        return text

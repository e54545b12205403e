"""`Post`: one Markdown file as every stage sees it, loaded once and shared.

Who fills what: the loader sets the file facts (path, front matter with key lines, body, language, hash); the
Markdown dialect (`pipeline.content.markdown`) parses the body on first use and caches it on the post, so no
stage parses a body twice; stages may add to `extra`. A computed public URL belongs here too, next to `slug`,
once the site's URL rules are modelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.content.frontmatter import FrontFormat, parse_date, update_front_matter
from pipeline.fsutil import atomic_write_text

if TYPE_CHECKING:
    from markdown_it.token import Token

    from pipeline.content.markdown import Node

FALSE_WORDS = frozenset({"false", "no", "off", "0", ""})


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
        return self._str("permalink")

    @property
    def image(self) -> str | None:
        return self._str("image")

    @property
    def og_image(self) -> str | None:
        return self._str("ogImage")

    @property
    def twitter_image(self) -> str | None:
        return self._str("twitterImage")

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
        return parse_date(self.meta.get("date"))

    @property
    def slug(self) -> str:
        if self.permalink:
            parts = [p for p in self.permalink.split("/") if p]
            if parts:
                return parts[-1]
        return Path(self.rel).stem

    @property
    def translation(self) -> dict[str, Any]:
        value = self.meta.get("translation")
        return value if isinstance(value, dict) else {}

    @property
    def is_translation(self) -> bool:
        return bool(self.translation)

    @property
    def published(self) -> bool:
        """Published = not a draft, and (for translations) approved by a human."""
        if self.draft:
            return False
        return not self.is_translation or self.translation.get("status") == "approved"

    def line_of(self, key: str) -> int:
        """File line of a front-matter key (1-based); the opening delimiter's line when absent."""
        return self.key_lines.get(key, 1)

    # --- Markdown: parsed on first use, once, by the site's one dialect ---------------------------------------

    @cached_property
    def tokens(self) -> list[Token]:
        """markdown-it tokens of the body (translate's segmenting and build's HTML share them); `token.map` is
        rebased so `map[0] + 1` is the 1-based line in the file."""
        from pipeline.content.markdown import parse_tokens

        return parse_tokens(self.body, self.body_line - 1)

    @cached_property
    def syntax(self) -> Node:
        """The body's syntax tree for the checks (validate): fast, and safe on any input (see content.markdown)."""
        from pipeline.content.markdown import parse_tree

        return parse_tree(self.body)

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

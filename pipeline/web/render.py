"""Markdown to HTML for previews: raw HTML in the source is escaped, never passed through."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@cache
def _md() -> MarkdownIt:
    # html=False escapes raw HTML blocks; markdown-it's validateLink drops javascript:/data: link targets.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_html(text: str) -> Markup:
    # Safe to mark: rendered with html=False, so every tag in the input arrives escaped.
    return Markup(_md().render(text))

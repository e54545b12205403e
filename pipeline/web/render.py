"""Markdown to HTML for previews, in the site's dialect: raw HTML in the source is escaped, never passed through."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from pipeline.content.html import markdown_to_html, render_html
from pipeline.content.markdown import MarkdownError, parse_tokens

if TYPE_CHECKING:
    from markdown_it.token import Token


def markdown_html(text: str) -> Markup:
    # Safe to mark: the dialect's renderer escapes raw HTML and drops javascript:/data: link targets.
    return Markup(markdown_to_html(text))


def _images(tokens: list[Token]) -> list[Token]:
    """Image tokens: children of inline tokens (markdown-it keeps inline children one level deep)."""
    return [c for tok in tokens for c in (tok.children or []) if c.type == "image"]


def preview_html(body: str, image_src: Callable[[str], str | None], linkify: str = "") -> Markup:
    """A post body as the build renders it (the same tokens and renderer: footnotes, tables, images), with each
    image's address replaced by `image_src(src)` so the preview can load it from the site's files (None drops
    the image's address: a missing file shows as its alt text, not as a request to somewhere else). `linkify`:
    the site links bare URLs (pipeline.content.linkify), as the built page will."""
    try:
        tokens = parse_tokens(body, linkify=linkify)
    except MarkdownError:
        return markdown_html(body)
    for tok in _images(tokens):
        tok.attrSet("src", image_src(str(tok.attrGet("src") or "")) or "")
    return Markup(render_html(tokens))

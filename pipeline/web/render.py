"""Markdown to HTML for previews, in the site's dialect: raw HTML in the source is escaped, never passed through."""

from __future__ import annotations

from markupsafe import Markup

from pipeline.content.markdown import markdown_to_html


def markdown_html(text: str) -> Markup:
    # Safe to mark: the dialect's renderer escapes raw HTML and drops javascript:/data: link targets.
    return Markup(markdown_to_html(text))

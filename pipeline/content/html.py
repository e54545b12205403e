"""HTML of the site's Markdown dialect (pipeline.content.markdown's tokens): the preview's and the web UI's.

Raw HTML in a post is shown as text, never run (or, where the generator omits it, left off as Hugo does);
markdown-it's link validation drops javascript:/vbscript:/data: targets.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from pipeline.content.markdown import MarkdownError, parse_tokens, tokens_parser

if TYPE_CHECKING:
    from markdown_it.token import Token


@cache
def _html_renderer() -> Any:
    """The dialect's renderer, except that raw HTML is shown as text: previews never run a post's markup."""
    from markdown_it.common.utils import escapeHtml
    from markdown_it.renderer import RendererHTML

    def escaped(tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if isinstance(env, dict) and env.get("omit_html"):  # as Hugo's Goldmark writes it without `unsafe`
            return OMITTED_HTML + ("\n" if tokens[idx].block else "")
        return escapeHtml(tokens[idx].content)

    renderer = RendererHTML()
    rules: dict[str, Any] = renderer.rules
    rules.update(getattr(tokens_parser().renderer, "rules", {}))  # the footnote plugin's rules too
    rules["html_block"] = escaped
    rules["html_inline"] = escaped
    plain_link = rules.get("link_open")

    def link_open(tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        resolve = env.get("links") if isinstance(env, dict) else None
        href = tokens[idx].attrs.get("href")
        if resolve is None or not isinstance(href, str):
            return str(
                plain_link(tokens, idx, options, env)
                if plain_link
                else renderer.renderToken(tokens, idx, options, env)
            )
        token = copy.copy(tokens[idx])  # the post's tokens are shared: change a copy
        token.attrs = {**token.attrs, "href": resolve(href)}
        return str(renderer.renderToken([token], 0, options, env))

    rules["link_open"] = link_open
    return renderer


OMITTED_HTML = "<!-- raw HTML omitted -->"


def render_html(
    tokens: Sequence[Token], links: Callable[[str], str] | None = None, omit_html: bool = False
) -> str:
    """HTML for tokens from `parse_tokens` (or `Post.tokens`); raw HTML in the source arrives escaped (or, with
    `omit_html`, as the comment Hugo leaves in its place) and markdown-it's link validation drops
    javascript:/vbscript:/data: targets. `links` maps each link target (build turns `[x](other.md)` into the
    page's URL, as the generator's link resolution does)."""
    env: dict[str, Any] = {"links": links} if links is not None else {}
    if omit_html:
        env["omit_html"] = True
    return str(_html_renderer().render(list(tokens), tokens_parser().options, env))


def markdown_to_html(text: str) -> str:
    """Parse and render text that is not a post (a draft segment in the web UI); never raises."""
    try:
        return render_html(parse_tokens(text))
    except MarkdownError:
        from markdown_it.common.utils import escapeHtml

        return f"<pre>{escapeHtml(text)}</pre>\n"

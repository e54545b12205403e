"""Hugo shortcodes in the preview, which cannot run them.

Rendered as Markdown they were text such as `{{< glossary_tooltip text="पॉड" term_id="pod" >}}` in the middle of a
sentence, and on a right-to-left page the bidi algorithm scrambled their brackets and quotes. A shortcode with a
`text=` parameter (kubernetes.io's glossary tooltips) shows that text, as the site shows it; any other is shown as
itself in left-to-right `<code class="shortcode">`, so a reviewer sees where the site inserts something. Code
blocks and inline code keep their shortcodes as written (docs that explain shortcodes quote them there).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from pipeline.build.site_values import fill
from pipeline.content.shortcodes import SHORTCODE, shown_text

# Where a shortcode stands in HTML-escaped text (`{{&lt; name args &gt;}}`, `{{% name args %}}`); what it shows is
# read from the unescaped form by the one definition in pipeline.content.shortcodes.
_ESCAPED = re.compile(r"\{\{(?:&lt;|%)\s*/?\s*[\w.-]+.*?(?:&gt;|%)\}\}", re.DOTALL)
_CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)
_PARAM_NAME = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+))""")


def _one(param: Callable[[str], str | None] | None, match: re.Match[str]) -> str:
    code = SHORTCODE.fullmatch(html.unescape(match.group(0)))
    shown = shown_text(code.group(4)) if code and not code.group(2) else ""
    if code and code.group(3) == "param" and param is not None and (name := _PARAM_NAME.match(code.group(4))):
        shown = param(next(g for g in name.groups() if g is not None)) or ""
    if shown:
        return html.escape(shown, quote=False)
    return f'<code class="shortcode" dir="ltr">{match.group(0)}</code>'


def for_preview(
    body_html: str,
    values: Mapping[str, Any] | None = None,
    param: Callable[[str], str | None] | None = None,
) -> str:
    """`body_html` with the shortcodes outside code shown as described above; `values` fills Liquid/Nunjucks
    variables (pipeline.build.site_values), `param` answers Hugo's `{{< param "x" >}}`."""
    if "{{" not in body_html:
        return body_html
    sub = partial(_one, param)

    def text(part: str) -> str:
        part = _ESCAPED.sub(sub, part)
        return fill(part, values) if values else part

    return "".join(part if i % 2 else text(part) for i, part in enumerate(_CODE.split(body_html)))

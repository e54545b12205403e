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

from pipeline.content.shortcodes import SHORTCODE, shown_text

# Where a shortcode stands in HTML-escaped text (`{{&lt; name args &gt;}}`, `{{% name args %}}`); what it shows is
# read from the unescaped form by the one definition in pipeline.content.shortcodes.
_ESCAPED = re.compile(r"\{\{(?:&lt;|%)\s*/?\s*[\w.-]+.*?(?:&gt;|%)\}\}", re.DOTALL)
_CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)


def _one(match: re.Match[str]) -> str:
    code = SHORTCODE.fullmatch(html.unescape(match.group(0)))
    shown = shown_text(code.group(4)) if code and not code.group(2) else ""
    if shown:
        return html.escape(shown, quote=False)
    return f'<code class="shortcode" dir="ltr">{match.group(0)}</code>'


def for_preview(body_html: str) -> str:
    """`body_html` with the shortcodes outside code shown as described above."""
    if "{{" not in body_html:
        return body_html
    parts = _CODE.split(body_html)
    return "".join(part if i % 2 else _ESCAPED.sub(_one, part) for i, part in enumerate(parts))

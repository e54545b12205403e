"""Hugo shortcodes as the site's readers see them: one definition for validate's prose and the build's preview.

`{{< glossary_tooltip text="पॉड" term_id="pod" >}}` shows its `text` (kubernetes.io's glossary tooltips); a
`comment` shortcode's content is never rendered; any other shortcode (`{{< figure … >}}`, `{{% capture %}}`) is
markup the theme fills in, not prose of the file. Validate and the preview used to carry a pattern each.
(Hugo expands shortcodes before Markdown; the preview sees them after it, so a back-quoted `text=` value has
become inline code there and the shortcode is shown as written.)
"""

from __future__ import annotations

import re

# Groups: the delimiter (`<` or `%`), `/` on a closing tag, the name, the arguments.
SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w.-]+)(.*?)\s*[%>]\}\}", re.DOTALL)
_TEXT_PARAM = re.compile(r"""\btext\s*=\s*(?:"([^"]*)"|`([^`]*)`)""")


def shown_text(arguments: str) -> str:
    """The text a shortcode with these arguments puts on the page: its `text=` value, else nothing."""
    param = _TEXT_PARAM.search(arguments)
    return next((g for g in param.groups() if g is not None), "") if param else ""

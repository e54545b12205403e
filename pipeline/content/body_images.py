"""Images a body writes as raw HTML or as a Hugo shortcode, for validate's image rules and translate's alt text.

Real Hugo, Jekyll and Eleventy posts place many of their images as `<img src="/x.png" alt="…">` (alone, in a
`<figure>`, inline in a sentence) or `{{< figure src="x.png" alt="…" >}}`. Markdown's parser sees only raw HTML
or a template there, so their alt text went unchecked, a missing file went unreported and the alt text was
never offered for translation. The patterns live here once: validate reads the images, translate cuts the
alt value out of the tag (`ALT_IN_TAG`: everything around the value stays as written).

Hugo's built-in `figure` renders `alt` from its `alt` parameter, else from its caption (plainified); an
`img`/`image` shortcode is a theme's, read by the same parameter names. An HTML `alt=""` marks an image as
decorative (HTML's own rule, which screen readers follow): it is an alt text, not a missing one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pipeline.content.markdown import block_tokens
from pipeline.content.post import Post

# One `<img …>` tag; quoted attribute values are taken whole, so a `>` inside one does not end the tag.
IMG_TAG = re.compile(r"""<img\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
# A Hugo image shortcode (`{{</* figure */>}}`, the way docs show shortcode syntax, is not one).
HUGO_IMG = re.compile(r"\{\{([<%])\s*(figure|img|image)\b(.*?)\s*[%>]\}\}", re.IGNORECASE | re.DOTALL)
_SC_ARG = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|'([^']*)')""")

# The alt value inside a tag, for translation: (everything up to the opening quote, the quote, the value, the
# rest of the tag). Quoted values are skipped whole before `alt`, so `title="x alt='y'"` is never taken.
_TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')"""
_SC_BODY = r"(?:(?![%>]\}\}).)"
ALT_IN_TAG = re.compile(
    rf"""(<img\b{_TAG_BODY}*?\salt\s*=\s*(["']))((?:(?!\2).)*)(\2{_TAG_BODY}*>)"""
    rf"""|(\{{\{{[<%]\s*(?:figure|img|image)\b{_SC_BODY}*?\salt\s*=\s*(["`]))((?:(?!\6).)*)(\6{_SC_BODY}*[%>]\}}\}})""",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?-->|\{\{[<%]\s*comment\s*[%>]\}\}.*?\{\{[<%]\s*/comment\s*[%>]\}\}", re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_ANY_IMG = re.compile(r"<img\b", re.IGNORECASE)
_MAYBE_CODE = re.compile(r"```|~~~|^(?: {4}|\t)", re.MULTILINE)


def alt_parts(m: re.Match[str]) -> tuple[int, int]:
    """The span of the alt value in an `ALT_IN_TAG` match (whichever of its two forms matched)."""
    group = 3 if m.group(1) is not None else 7
    return m.start(group), m.end(group)


@dataclass(frozen=True, slots=True)
class BodyImage:
    src: str
    alt: str | None  # None: the tag sets no alt at all (a figure: neither alt nor caption)
    line: int  # the file line the tag opens on
    kind: str  # "html" | "shortcode"


def _html_attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, dq, sq, bare in _ATTR.findall(text):
        out.setdefault(name.lower(), html.unescape(dq or sq or bare))
    return out


def _code_ranges(post: Post) -> list[tuple[int, int]]:
    """Body line ranges (0-based, end exclusive) of fenced and indented code blocks (a block parse only where
    the body has a fence or an indented line at all)."""
    if _MAYBE_CODE.search(post.body) is None:
        return []
    first = post.body_line
    return [
        (tok.map[0] - first + 1, tok.map[1] - first + 1)
        for tok in block_tokens(post)
        if tok.type in ("fence", "code_block") and tok.map
    ]


def body_images(post: Post) -> list[BodyImage]:
    """The body's raw-HTML and shortcode images outside code and comments, in order; cached on the post."""
    cached = post.extra.get("body_images")
    if cached is not None:
        return list(cached)
    body = post.body
    found: list[BodyImage] = []
    raw = post.raw_html != "omit"  # Hugo without `unsafe` drops a raw <img>: no image on the page (MD010)
    if (raw and _ANY_IMG.search(body)) or ("{{" in body and HUGO_IMG.search(body)):
        found = _scan(post, body)
    post.extra["body_images"] = tuple(found)
    return found


def _scan(post: Post, body: str) -> list[BodyImage]:
    code = _code_ranges(post)
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(body)]
    hits: list[tuple[int, str, str | None, str]] = []
    for m in IMG_TAG.finditer(body) if post.raw_html != "omit" else ():
        attrs = _html_attrs(m.group(1))
        hits.append((m.start(), attrs.get("src", "").strip(), attrs.get("alt"), "html"))
    for m in HUGO_IMG.finditer(body):
        args = {k.lower(): a or b or c for k, a, b, c in _SC_ARG.findall(m.group(3))}
        alt = args.get("alt")
        if alt is None and args.get("caption", "").strip():
            alt = html.unescape(_TAGS.sub("", args["caption"]))  # Hugo: `caption | markdownify | plainify`
        src = args.get("src") or args.get("link") or ""  # istio.io's `{{< image link="./x.png" >}}`
        hits.append((m.start(), src.strip(), alt, "shortcode"))
    out: list[BodyImage] = []
    for start, src, alt, kind in sorted(hits, key=lambda h: h[0]):
        if any(a <= start < b for a, b in comments):
            continue
        line_start = body.rfind("\n", 0, start) + 1
        row = body.count("\n", 0, start)
        if any(a <= row < b for a, b in code) or body.count("`", line_start, start) % 2:
            continue  # a post about HTML or shortcodes shows them as code
        out.append(BodyImage(src, alt, post.body_line + row, kind))
    return out

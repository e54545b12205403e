"""Markdown-aware segmentation with placeholders, and the byte-exact round-trip law.

A document becomes a list of parts: literal strings that are kept verbatim (code, HTML, list markers, blank
lines) and `Segment`s of translatable text. Inside a segment, inline markup (code spans, link targets, URLs,
emphasis markers, escapes, raw HTML, template tags, soft line breaks, do-not-translate terms) is replaced by
numbered placeholders `⟦n⟧`, so the model only ever sees prose. Every source character lands in exactly one
literal or placeholder, which is why `assemble(parts)` returns the source byte for byte.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.content.body_images import ALT_IN_TAG, alt_parts
from pipeline.content.markdown import HEADING_ATTRS, parse_tokens

if TYPE_CHECKING:
    from markdown_it.token import Token

PH_OPEN, PH_CLOSE = "⟦", "⟧"
PLACEHOLDER_RE = re.compile(r"⟦(\d+)⟧")

# Inline pieces kept out of the model, in priority order. Link/image text is translated; their targets are not.
# `tmpl` includes kramdown's attribute lists and extensions (`{:#what}`, `{:.left width="67"}`, `{:toc}`,
# `{::options toc_levels="2" /}`, `{::nomarkdown}` … `{:/}`): markup, whose ids and classes an engine translated.
_INLINE = re.compile(
    r"""
    (?P<code>(?P<ticks>`+)(?:(?!(?P=ticks)).)+?(?P=ticks))
  | (?P<tmpl>\{\{.*?\}\}|\{%.*?%\}|\{<.*?>\}|\{\{<.*?>\}\}|\{:[^{}\n]*\})
  | (?P<auto><(?:https?://|mailto:)[^>\s]+>)
  | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*?)?/?>|<!--.*?-->)
  | (?P<foot>\[\^[^\]\s]+\])
  | (?P<link>!?\[(?P<text>(?:[^\[\]\n\\]|\\.|\[[^\[\]\n]*\])*)\]
        (?P<dest>\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)|\[[^\]\n]*\])?)
  | (?P<url>(?:https?://|www\.)[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'"*_])
  | (?P<email>[\w.+-]+@[\w-]+\.[\w.-]*\w)
  | (?P<esc>\\[!-/:-@\[-`{-~])
  | (?P<ent>&(?:\#\d{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)
  | (?P<brk>(?:[ \t]*\\|[ \t]*)\n[ \t]*(?:>[ \t]?)*[ \t]*)
  | (?P<emph>\*{1,3}|~~|(?<!\w)_{1,3}|_{1,3}(?!\w)|==)
    """,
    re.VERBOSE | re.DOTALL,
)

# Block prefixes: indentation, quote markers, list markers, task boxes, heading hashes, footnote labels.
_FIRST_PREFIX = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:\[[ xX]\][ \t]+)?"
    r"(?:#{1,6}(?:[ \t]+|$))?(?:\[\^[^\]\s]+\]:[ \t]*)?"
)
_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$|[ \t]+$")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"((?<!\\)\|)")
# An image shortcode's alt text is prose of the page (web.dev's `{% Img src="…", alt="…" %}`): it is translated
# as `![alt](src)`'s is, in a paragraph and in a raw `<figure>` line alike; the rest of the tag is kept as written.
_IMG_ALT = re.compile(
    r"""(\{%-?[ \t]*(?:img|image)\b(?:(?!%\}).)*?\balt[ \t]*=[ \t]*(["']))((?:(?!\2).)*)(\2(?:(?!%\}).)*%\})""",
    re.IGNORECASE | re.DOTALL,
)
# Hugo's image shortcodes: its own `{{< figure src="…" alt="…" >}}` and a site's `{{< image link="./x.png"
# alt="…" >}}` (istio.io), over several lines of a paragraph too. A `figure` also shows readers its `caption`
# (Markdown: Hugo renders it with `markdownify`) and its `title` (https://gohugo.io/shortcodes/figure/); every
# other argument (src, link, class, …) is kept as written.
_HUGO_IMG = re.compile(
    r"\{\{[<%][ \t]*(figure|img|image)\b((?:(?![%>]\}\}).)*)[%>]\}\}", re.IGNORECASE | re.DOTALL
)
# One shortcode argument: `name = "value"` (Go-quoted), `` name = `raw` ``, or a positional one; values are
# taken whole, so `title="x alt='y'"` is never read as an alt.
_SC_ARG = re.compile(
    r"""([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|`[^`]*`|'[^']*')|"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+"""
)
_SHOWN_ARGS = {"figure": ("alt", "caption", "title")}
# The opening of a value translated text goes into (`<img … alt="`, `{{< figure caption="`), for escaping.
_OPEN_VALUE = re.compile(r"""\s(?:alt|caption|title)\s*=\s*(["'`])$""", re.IGNORECASE)


def _value_spans(tag: str) -> list[tuple[int, int, bool]]:
    """(start, end, is Markdown) of the reader-visible values in one image tag with non-blank text: a Hugo
    image shortcode's alt (a figure's caption and title too), a Liquid/Nunjucks image's or `<img>`'s alt."""
    hugo = _HUGO_IMG.fullmatch(tag)
    if hugo is not None:
        shown = _SHOWN_ARGS.get(hugo.group(1).lower(), ("alt",))
        spans = []
        for arg in _SC_ARG.finditer(hugo.group(2)):
            name, value = arg.group(1), arg.group(2)
            if name and name.lower() in shown and value[1:-1].strip():
                start = hugo.start(2) + arg.start(2) + 1
                spans.append((start, start + len(value) - 2, name.lower() == "caption"))
        return spans
    liquid = _IMG_ALT.fullmatch(tag)
    if liquid is not None:
        return [(liquid.start(3), liquid.end(3), False)] if liquid.group(3).strip() else []
    m = ALT_IN_TAG.fullmatch(tag)
    if m is None:
        return []
    start, end = alt_parts(m)
    return [(start, end, False)] if tag[start:end].strip() else []


def in_attribute(text: str, before: str) -> str:
    """`text` as it goes after `before`: where `before` opens an alt value, a translation's own quote marks
    (`"` in `alt="…"`) are escaped the way that tag reads them, so they cannot end the value early. Source
    text never holds the quote that delimits it: the source stays byte for byte."""
    m = _OPEN_VALUE.search(before[-200:])
    if m is None or m.group(1) not in text:
        return text
    q = m.group(1)
    tail = before[-200:]
    if tail.lower().rfind("<img") > max(tail.rfind("{{"), tail.rfind("{%")):  # an HTML attribute
        return text.replace(q, "&quot;" if q == '"' else "&#39;" if q == "'" else q)
    return text.replace(q, "'") if q == "`" else text.replace(q, "\\" + q)  # Hugo/Nunjucks strings


@dataclass
class Segment:
    """Translatable text: `template` with `⟦n⟧` standing for placeholders[n-1]."""

    id: str
    template: str
    placeholders: list[str] = field(default_factory=list)
    kind: str = "body"
    # The tag text just before a segment that is an attribute value on its own (`<img … alt="`), so every
    # rendering of a translation escapes its quotes alike (the draft, the record that spots hand edits).
    opened_by: str = ""

    def render(self, template: str | None = None, before: str = "") -> str:
        """Substitute placeholders into a (translated) template; unknown numbers are left as written. `before`
        is the text the segment follows (an alt value's opening quote: see `in_attribute`)."""
        text = self.template if template is None else template
        out: list[str] = []
        pos = 0
        last = before or self.opened_by
        for m in PLACEHOLDER_RE.finditer(text):
            out.append(
                in_attribute(text[pos : m.start()], last) if template is not None else text[pos : m.start()]
            )
            idx = int(m.group(1)) - 1
            held = self.placeholders[idx] if 0 <= idx < len(self.placeholders) else m.group(0)
            opened = _OPEN_VALUE.search(last[-200:])
            if opened is None or opened.group(1) in held or _OPEN_VALUE.search(held[-200:]):
                last = held  # else still inside the value (a link in a caption): its opening still counts
            out.append(held)
            pos = m.end()
        out.append(in_attribute(text[pos:], last) if template is not None else text[pos:])
        return "".join(out)

    @property
    def source(self) -> str:
        return self.render()

    @property
    def plain(self) -> str:
        """The prose only (placeholders removed): what QA measures lengths and numbers on."""
        return PLACEHOLDER_RE.sub(" ", self.template)


Part = str | Segment


def normalize(template: str) -> str:
    """Memory key text: NFC, whitespace collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", template).split())


def assemble(parts: Sequence[Part], translations: dict[str, str] | None = None) -> str:
    """Join parts; a segment uses its translated template from `translations` (by id) when given."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            tpl = translations.get(part.id) if translations else None
            out.append(part.render(tpl, out[-1] if out else ""))
    return "".join(out)


def segments_of(parts: Iterable[Part]) -> list[Segment]:
    return [p for p in parts if isinstance(p, Segment)]


def _dnt_regex(terms: Sequence[str]) -> re.Pattern[str] | None:
    terms = [t for t in terms if t.strip()]
    if not terms:
        return None
    alts = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


class Segmenter:
    """Cuts text into parts; `protect` lists do-not-translate terms that travel as placeholders;
    `code_shortcodes` are the site's Hugo shortcodes whose content is code (kept as written)."""

    def __init__(self, protect: Sequence[str] = (), code_shortcodes: Sequence[str] = ()) -> None:
        self._dnt = _dnt_regex(protect)
        self._code_shortcodes = tuple(code_shortcodes)
        self._counter = 0

    # --- inline -------------------------------------------------------------------------------------------

    def _pieces(self, text: str) -> list[tuple[bool, str]]:
        """(is_placeholder, text) pieces covering `text` exactly."""
        out: list[tuple[bool, str]] = []
        pos = 0
        for m in _INLINE.finditer(text):
            if m.start() > pos:
                out.extend(self._text_pieces(text[pos : m.start()]))
            if m.group("link") is not None:
                whole, inner = m.group(0), m.group("text")
                dest = m.group("dest") or ""
                if (not dest or dest in ("[]",)) or not inner.strip():
                    out.append((True, whole))  # shortcut/collapsed references: the label must not change
                else:
                    opener = "![" if whole.startswith("!") else "["
                    out.append((True, opener))
                    out.extend(self._pieces(inner))
                    out.append((True, "]" + dest))
            elif (m.group("tmpl") is not None or m.group("html") is not None) and (
                spans := _value_spans(m.group(0))
            ):
                tag, at = m.group(0), 0
                for start, end, markdown in spans:
                    out.append((True, tag[at:start]))
                    value = tag[start:end]
                    out.extend(self._pieces(value) if markdown else self._text_pieces(value))
                    at = end
                out.append((True, tag[at:]))
            else:
                out.append((True, m.group(0)))
            pos = m.end()
        if pos < len(text):
            out.extend(self._text_pieces(text[pos:]))
        return out

    def _text_pieces(self, text: str) -> list[tuple[bool, str]]:
        if self._dnt is None:
            return [(False, text)]
        out: list[tuple[bool, str]] = []
        pos = 0
        for m in self._dnt.finditer(text):
            if m.start() > pos:
                out.append((False, text[pos : m.start()]))
            out.append((True, m.group(0)))
            pos = m.end()
        if pos < len(text):
            out.append((False, text[pos:]))
        return out

    def inline(self, text: str, seg_id: str, kind: str = "body") -> list[Part]:
        """Parts for one run of inline text: outer whitespace stays literal, markup at either end stays inside.

        Markup at the ends is part of the segment (as placeholders), never peeled off into the literal text
        around it: a list item that opens in bold (`**Pregnant people** should…`) would otherwise show its
        closing `**` but not its opening one, and a translator who put the opener back would write `****`."""
        pieces = self._pieces(text)
        # Merge neighbours of the same type so `**[` is one placeholder.
        merged: list[tuple[bool, str]] = []
        for is_ph, chunk in pieces:
            if not chunk:
                continue
            if merged and merged[-1][0] == is_ph:
                merged[-1] = (is_ph, merged[-1][1] + chunk)
            else:
                merged.append((is_ph, chunk))
        if not any(not is_ph and chunk.strip() for is_ph, chunk in merged):
            whole = "".join(chunk for _, chunk in merged)
            return [whole] if whole else []
        lead = trail = ""
        if not merged[0][0]:
            first = merged[0][1]
            lead = first[: len(first) - len(first.lstrip())]
            merged[0] = (False, first.lstrip())
        if not merged[-1][0]:
            last = merged[-1][1]
            trail = last[len(last.rstrip()) :]
            merged[-1] = (False, last.rstrip())
        merged = [(is_ph, chunk) for is_ph, chunk in merged if chunk]
        template_parts: list[str] = []
        placeholders: list[str] = []
        for is_ph, chunk in merged:
            if is_ph:
                placeholders.append(chunk)
                template_parts.append(f"{PH_OPEN}{len(placeholders)}{PH_CLOSE}")
            else:
                template_parts.append(chunk)
        seg = Segment(seg_id, "".join(template_parts), placeholders, kind)
        parts: list[Part] = []
        if lead:
            parts.append(lead)
        if any(ch.isalpha() for ch in seg.plain):
            parts.append(seg)
        else:
            parts.append(seg.source)
        if trail:
            parts.append(trail)
        return parts

    # --- blocks -------------------------------------------------------------------------------------------

    def _next_id(self, prefix: str = "b") -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def body(self, body: str, tokens: Sequence[Token] | None = None, line_offset: int = 0) -> list[Part]:
        """Parts for a Markdown body; the dialect's block tokens say which lines hold prose. `tokens` (maps
        shifted by `line_offset`, e.g. a post's shared parse in file lines) saves parsing the body again."""
        self._counter = 0
        lines = [line + "\n" for line in body.split("\n")]
        lines[-1] = lines[-1][:-1]
        if not lines[-1]:
            lines.pop()
        if tokens is None:
            tokens, line_offset = (
                parse_tokens(body, blocks_only=True, code_shortcodes=self._code_shortcodes),
                0,
            )
        ranges: dict[int, tuple[int, str]] = {}  # first line -> (end line, kind)
        table_lines: set[int] = set()
        code_lines: set[int] = set()
        html_blocks: dict[int, int] = {}  # first line -> end line of raw HTML blocks holding an image
        in_table = 0
        for i, tok in enumerate(tokens):
            if tok.type == "html_block" and tok.map and "<img" in tok.content.lower():
                html_blocks[tok.map[0] - line_offset] = tok.map[1] - line_offset
            if tok.type in ("fence", "code_block") and tok.map:
                code_lines.update(range(tok.map[0] - line_offset, tok.map[1] - line_offset))
            if tok.type == "table_open":
                in_table += 1
                if tok.map:
                    table_lines.update(range(tok.map[0] - line_offset, tok.map[1] - line_offset))
            elif tok.type == "table_close":
                in_table -= 1
            elif tok.type == "inline" and tok.map and not in_table:
                start, end = tok.map[0] - line_offset, tok.map[1] - line_offset
                opener = tokens[i - 1] if i else None
                if opener is not None and opener.type == "heading_open" and opener.markup in ("=", "-"):
                    end = start + max(1, end - start - 1)  # setext underline stays literal
                ranges.setdefault(
                    start, (end, "heading" if opener and opener.type == "heading_open" else "body")
                )
        parts: list[Part] = []
        n = 0
        while n < len(lines):
            if n in table_lines:
                parts.extend(self._table_row(lines[n]))
                n += 1
                continue
            if n in ranges:
                end, kind = ranges[n]
                end = min(max(end, n + 1), len(lines))
                parts.extend(self._block(lines[n:end], kind))
                n = end
                continue
            if n in html_blocks:  # raw HTML: an `<img>` may span lines, so the block is read whole
                end = min(html_blocks[n], len(lines))
                parts.extend(self._alt_texts("".join(lines[n:end])))
                n = max(end, n + 1)
                continue
            if ("{%" in lines[n] or "{{" in lines[n]) and n not in code_lines:
                parts.extend(self._alt_texts(lines[n]))
            else:
                parts.append(lines[n])
            n += 1
        return parts

    def _alt_texts(self, text: str) -> list[Part]:
        """Raw HTML or a template line with image tags: their alt texts are segments, the rest stays as written."""
        low = text.lower()
        if "alt" not in low and "caption" not in low and "title" not in low:
            return [text]
        spans = [(m.start(3), m.end(3)) for m in _IMG_ALT.finditer(text) if m.group(3).strip()]
        for m in _HUGO_IMG.finditer(text):
            spans += [(m.start() + a, m.start() + b) for a, b, _ in _value_spans(m.group(0))]
        spans += [alt_parts(m) for m in ALT_IN_TAG.finditer(text)]
        out: list[Part] = []
        pos = 0
        for start, end in sorted(spans):
            if start < pos or not text[start:end].strip():
                continue
            out.append(text[pos:start])
            for part in self.inline(text[start:end], self._next_id(), "body"):
                if isinstance(part, Segment):
                    part.opened_by = text[max(0, start - 200) : start]
                out.append(part)
            pos = end
        out.append(text[pos:])
        return [p for p in out if p != ""]

    def _block(self, block_lines: list[str], kind: str) -> list[Part]:
        text = "".join(block_lines)
        newline = text[len(text.rstrip("\n")) :]
        text = text[: len(text) - len(newline)]
        prefix = _FIRST_PREFIX.match(text)
        pre = prefix.group(0) if prefix else ""
        content = text[len(pre) :]
        suffix = ""
        if kind == "heading":
            close = _HEADING_CLOSE.search(content)
            if close:
                suffix = close.group(0)
                content = content[: close.start()]
            attrs = HEADING_ATTRS.search(content)  # `{#what-it-is}` is the anchor other pages link to: kept
            if attrs:
                suffix = attrs.group(0) + suffix
                content = content[: attrs.start()]
        out: list[Part] = [pre] if pre else []
        out.extend(self.inline(content, self._next_id(), kind))
        if suffix or newline:
            out.append(suffix + newline)
        return out

    def _table_row(self, line: str) -> list[Part]:
        if _TABLE_SEP.match(line.rstrip("\n")):
            return [line]
        out: list[Part] = []
        for chunk in _CELL_SPLIT.split(line):
            if chunk == "|" or not chunk.strip():
                out.append(chunk)
            else:
                body = chunk.rstrip("\n")
                out.extend(self.inline(body, self._next_id(), "cell"))
                if len(body) < len(chunk):
                    out.append(chunk[len(body) :])
        return out

    def value(self, key: str, value: str) -> list[Part]:
        """A front-matter string value: one segment (or none when it holds no prose)."""
        return self.inline(value, f"fm:{key}", "meta")


def segment_body(body: str, protect: Sequence[str] = ()) -> list[Part]:
    return Segmenter(protect).body(body)


def placeholder_counts(template: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    for m in PLACEHOLDER_RE.finditer(template):
        counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    return counts


def placeholders_ok(segment: Segment, template: str) -> bool:
    """Every placeholder exactly once, no invented numbers."""
    want = {i: 1 for i in range(1, len(segment.placeholders) + 1)}
    return placeholder_counts(template) == want

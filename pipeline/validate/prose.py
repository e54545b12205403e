"""The prose of a post, as the readability and structure rules see it.

Built from the post's syntax tree (`Post.syntax`, see pipeline.content.markdown: the fast Rust engine where it
is safe, markdown-it-py otherwise, one node shape). Code, raw HTML,
URLs and front matter never reach the prose; headings, paragraphs, list items and table cells are units, each
with its file line, grouped into sections between headings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pipeline.content import Post
from pipeline.content.markdown import heading_attributes, parse_tokens, tree_from_tokens
from pipeline.content.shortcodes import SHORTCODE, shown_text
from pipeline.langtags import primary
from pipeline.text import bengali_danda, blank_urls, split_sentences, words
from pipeline.wordbreak import words_in_texts

SKIP_INLINE = frozenset({"code_inline", "html_inline", "autolink", "footnote_ref", "image"})
BLOCK_UNITS = frozenset({"paragraph", "heading", "lheading", "tcell", "th", "td"})


@dataclass
class Unit:
    kind: str  # paragraph | heading | item | cell
    text: str
    line: int
    level: int = 0
    n_words: int = -1  # len(words(text)), filled once by whoever counts first (see unit_words)
    after_markup: bool = False  # the block opens with inline code, raw HTML or an image (left out of `text`)


@dataclass
class Section:
    title: str
    line: int
    level: int
    units: list[Unit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(u.text for u in self.units if u.kind != "heading")


@dataclass
class Link:
    url: str
    text: str
    line: int
    shortcode: bool = False  # an Eleventy image shortcode: its src names a CDN path, not a file of the site


@dataclass
class Sentence:
    text: str
    line: int
    words: list[str]
    kind: str = "paragraph"  # the unit's kind: heading | paragraph | item | cell
    # Its real opening was inline code or markup the text leaves out (`` `SetName()` は… ``): words[0] is then a
    # particle or verb from the middle of the sentence, not how it opens.
    after_markup: bool = False


@dataclass
class Doc:
    units: list[Unit]
    sections: list[Section]
    headings: list[Unit]
    links: list[Link]
    images: list[Link]
    by_section: list[list[Sentence]] | None = None  # filled by section_sentences

    @property
    def first_paragraph(self) -> str:
        for unit in self.units:
            if unit.kind == "paragraph":
                return unit.text
        return ""

    @cached_property
    def prose(self) -> str:
        return "\n".join(u.text for u in self.units)

    @cached_property
    def lower_prose(self) -> str:
        return self.prose.lower()


def unit_words(unit: Unit) -> int:
    """Word count of a unit, counted once per post (readability's sentence pass fills it as it goes)."""
    if unit.n_words < 0:
        unit.n_words = len(words(blank_urls(unit.text)))
    return unit.n_words


def sentences_of(units: Sequence[Unit], lang: str) -> list[Sentence]:
    """Sentences with their words; headings, list items and cells are units of their own. Also records each
    unit's word count: a unit's words are exactly its sentences' words (no word spans the whitespace or the
    terminal punctuation between sentences), so nothing counts words twice."""
    return _grouped_sentences([units], lang)[0]


def _grouped_sentences(groups: Sequence[Sequence[Unit]], lang: str) -> list[list[Sentence]]:
    """sentences_of for each group of units (a post's sections), with the words of all of them found in one
    pass (pipeline.wordbreak.words_in_texts: one ICU call per post, not per paragraph)."""
    items: list[tuple[str, list[tuple[int, int]]]] = []
    for units in groups:
        for unit in units:
            text = unit.text
            spans = [(0, len(text))] if unit.kind == "heading" else split_sentences(text, lang)
            items.append((blank_urls(text), spans))
    found = iter(zip(items, words_in_texts(items, lang), strict=True))
    result: list[list[Sentence]] = []
    for units in groups:
        out: list[Sentence] = []
        append = out.append
        for unit, ((_, spans), lists) in zip(units, found, strict=False):  # `found` runs on
            text, line = unit.text, unit.line
            if unit.kind == "heading":
                ws = lists[0]
                unit.n_words = len(ws)
                if ws:
                    append(Sentence(text, line, ws, "heading"))
                continue
            n = 0
            for (start, end), ws in zip(spans, lists, strict=True):
                if ws:
                    append(Sentence(text[start:end], line, ws, unit.kind, unit.after_markup and n == 0))
                    n += len(ws)
            unit.n_words = n
        result.append(out)
    return result


def section_sentences(post: Post) -> list[list[Sentence]]:
    """Each section's sentences in the post's language, split once per post (readability and word counts)."""
    doc = analyse(post)
    if doc.by_section is None:
        doc.by_section = _grouped_sentences([section.units for section in doc.sections], primary(post.lang))
    return doc.by_section


class _Lines:
    """Byte offset → 1-based file line (markdown-it-pyrs source maps are UTF-8 byte offsets)."""

    def __init__(self, body: str, first_line: int) -> None:
        data = body.encode("utf-8")
        self.starts = [0]
        pos = data.find(b"\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = data.find(b"\n", pos + 1)
        self.first = first_line

    def line(self, offset: int) -> int:
        return self.first + bisect_right(self.starts, offset) - 1


_LEADING_MARKUP = frozenset({"code_inline", "html_inline", "image"})


def _opens_with_markup(children: Any) -> bool:
    """Whether the first inline node with content is one the text leaves out (code, raw HTML, an image)."""
    for child in children:
        name = child.name
        if name == "text" and not child.meta.get("content", "").strip():
            continue
        if name == "link":  # [`awsproxy` extension](…): the link's own text opens the same way
            return _opens_with_markup(child.children)
        return name in _LEADING_MARKUP
    return False


# Hugo shortcodes are markup (pipeline.content.shortcodes). Counted as prose they were sentences of parameter
# names ("figure src … alt … caption", 23 words) and the opening words READ014 compared.


def _without_shortcodes(text: str, in_comment: bool) -> tuple[str, bool, bool]:
    """(the text Hugo shows of `text`, whether a `comment` is still open at its end, whether the text opens
    with a shortcode that shows nothing: its first word is then not how the sentence opens)."""
    parts: list[str] = []
    pos = 0
    opens_hidden = False
    lead = len(text) - len(text.lstrip())
    for m in SHORTCODE.finditer(text):
        if not in_comment:
            parts.append(text[pos : m.start()])
        closing, name = m.group(2), m.group(3)
        shown = ""
        if name == "comment":
            in_comment = not closing
        elif not in_comment:
            shown = shown_text(m.group(4))
            parts.append(shown or " ")
        if m.start() == lead and not shown:
            opens_hidden = True
        pos = m.end()
    if not in_comment:
        parts.append(text[pos:])
    return re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip(), in_comment, opens_hidden


# Liquid (Jekyll, Eleventy) runs before Markdown: `{% include notice.html %}` puts markup on the page and
# `{{ site.version }}` a value the site fills in; kramdown's attribute lists (`{: #irb}`, `{:toc}`) set HTML
# attributes. None of it is prose: counted, `{% include faq-notice.md %}` was a two-word English sentence.
# (Hugo's `{{< >}}`/`{{% %}}` are shortcodes, read above.)
_LIQUID = re.compile(r"(?<!\{)\{%.*?%\}(?!\})|\{\{(?![<%]).*?\}\}", re.DOTALL)
_KRAMDOWN_ATTRS = re.compile(r"\{:[^{}\n]*\}")


_LIQUID_COMMENT = re.compile(r"\{%-?[ \t]*(end)?comment[ \t]*-?%\}")


def _outside_liquid_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    """(the text outside `{% comment %}` … `{% endcomment %}`, whether one is still open at its end): the
    comment renders nothing, and it may span paragraphs, so the state carries from one unit to the next."""
    if not in_comment and _LIQUID_COMMENT.search(text) is None:
        return text, False  # the word "comment" in a sentence
    parts: list[str] = []
    pos = 0
    for m in _LIQUID_COMMENT.finditer(text):
        if not in_comment:
            parts.append(text[pos : m.start()])
        in_comment = m.group(1) is None
        pos = m.end()
    if not in_comment:
        parts.append(text[pos:])
    return re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip(), in_comment


def _without_liquid(text: str) -> tuple[str, bool]:
    """(the text without Liquid tags and kramdown attribute lists, whether it opened with one)."""
    lead = len(text) - len(text.lstrip())
    opens = False
    for rx in (_LIQUID, _KRAMDOWN_ATTRS):
        first = rx.search(text)
        if first is None:
            continue
        opens = opens or first.start() == lead
        text = rx.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip(), opens


# Eleventy image shortcodes put an <img> on the page, in a paragraph or inside raw `<figure>` HTML alike:
# web.dev's `{% Img src="image/x/y.png", alt="…", width="400" %}` (keyword arguments) and eleventy-img's
# documented `{% image "cat.jpg", "A cat" %}` (source, then alt). Their alt text is checked as `![alt](src)`'s.
_IMG_SHORTCODE = re.compile(r"\{%-?[ \t]*(?:img|image)\b(.*?)-?%\}", re.DOTALL | re.IGNORECASE)
# Hugo's own `{{< figure src="…" alt="…" >}}` and a site's `{{< image link="./x.png" alt="…" >}}` (istio.io): named
# arguments only, the image in `src` or `link`.
_HUGO_IMG_SHORTCODE = re.compile(
    r"\{\{[<%][ \t]*(?:figure|img|image)\b(.*?)[%>]\}\}", re.DOTALL | re.IGNORECASE
)
_SC_NAMED = re.compile(r"""(\w+)[ \t]*=[ \t]*(?:"([^"]*)"|'([^']*)')""")
_SC_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")


def _shortcode_images(body: str, code: list[tuple[int, int]], lines: _Lines) -> list[Link]:
    """The image shortcodes of the body outside code blocks (`code`: their byte ranges) and inline code."""
    out: list[Link] = []
    for m in [*_IMG_SHORTCODE.finditer(body), *_HUGO_IMG_SHORTCODE.finditer(body)]:
        start = len(body[: m.start()].encode("utf-8"))
        line_start = body.rfind("\n", 0, m.start()) + 1
        if any(a <= start < b for a, b in code) or body.count("`", line_start, m.start()) % 2:
            continue
        args = m.group(1)
        named = {k.lower(): a if a is not None else b for k, a, b in _SC_NAMED.findall(args)}
        if m.re is _HUGO_IMG_SHORTCODE:
            src, alt = named.get("src") or named.get("link", ""), named.get("alt", "")
        elif named:
            src, alt = named.get("src", ""), named.get("alt", "")
        else:
            plain = [a or b for a, b in _SC_STRING.findall(args)]
            src, alt = [*plain, "", ""][:2]
        out.append(Link(src, alt, lines.line(start), shortcode=True))
    return out


_SKIP_BLOCKS = frozenset({"fence", "code_block", "html_block", "footnote_container", "footnote_def", "hr"})
_TEXT_BLOCKS = frozenset({"paragraph", "tcell", "th", "td"})
# Block nodes a list item can hold besides its own inline text: each goes through the normal block walk, so code
# and raw HTML inside an item stay out of the prose and a table or heading inside one keeps its own units.
_BLOCKS = _SKIP_BLOCKS | frozenset(
    {"paragraph", "heading", "lheading", "bullet_list", "ordered_list", "blockquote", "table", "list_item"}
)


def _node_line(node: Any, line: int, lines: _Lines | None) -> int:
    """The file line an inline node starts on, or the block's `line` where the node has no source map."""
    if lines is None:
        return line
    srcmap = node.srcmap
    return lines.line(srcmap[0]) if srcmap else line


def _inline_text(
    children: Any, links: list[Link], images: list[Link], line: int, lines: _Lines | None = None
) -> str:
    """Concatenated text of inline nodes. Hot: one call per block and per link, so every attribute read of a
    Rust node (each builds a Python object) is done at most once. A link or image is on its own line (`lines`
    reads its source map): in a paragraph wrapped over several lines the block's first line is not where the
    fifth link is (markdown-it-py's inline tokens have no map: they keep the block's `line`)."""
    parts: list[str] = []
    append = parts.append
    for child in children:
        name = child.name
        if name == "text":
            append(child.meta.get("content", ""))
        elif name == "softbreak" or name == "hardbreak":
            append(" ")
        elif name == "link":
            here = _node_line(child, line, lines)
            text = _inline_text(child.children, links, images, here, lines)
            links.append(Link(child.meta.get("url", ""), text, here))
            append(text)
        elif name == "autolink":
            url = child.meta.get("url", "")
            links.append(Link(url, url, _node_line(child, line, lines)))
        elif name == "image":
            here = _node_line(child, line, lines)
            alt = _inline_text(child.children, [], [], here, lines)
            images.append(Link(child.meta.get("url", ""), alt, here))
        elif name in SKIP_INLINE or name.startswith("footnote"):
            continue
        else:
            kids = child.children
            if kids:
                append(_inline_text(kids, links, images, line, lines))
            else:
                append(child.meta.get("content", ""))
    return "".join(parts)


def _walked(children: Any) -> None:
    """What `_doc`'s walker is re-pointed to once the walk is done (see there)."""


def analyse(post: Post) -> Doc:
    """Read the syntax tree once per post; rules share the result through `post.extra['doc']`."""
    cached = post.extra.get("doc")
    if isinstance(cached, Doc):
        return cached
    try:
        doc = _doc(post, post.syntax)
    except RecursionError:  # a fast-parser tree deeper than Python's stack: the safe engine's is capped
        tree = tree_from_tokens(
            post.body, parse_tokens(post.body, code_shortcodes=post.code_shortcodes, linkify=post.linkify)
        )
        tree.meta.setdefault(
            "problem", "Markdown nests too deeply for the checks; deeper structure is read as text"
        )
        post.__dict__["syntax"] = tree
        doc = _doc(post, tree)
    post.extra["doc"] = doc
    return doc


def _doc(post: Post, tree: Any) -> Doc:
    lines = _Lines(post.body, post.body_line)
    line_of = lines.line
    body_line = post.body_line
    units: list[Unit] = []
    headings: list[Unit] = []
    links: list[Link] = []
    images: list[Link] = []
    intro = Section("", post.body_line, 0)
    sections: list[Section] = [intro]

    in_comment = False
    in_liquid_comment = False

    def add(kind: str, text: str, line: int, children: Any = ()) -> None:
        nonlocal in_comment, in_liquid_comment
        after = False
        if "{{" in text or in_comment:
            text, in_comment, after = _without_shortcodes(text, in_comment)
        if in_liquid_comment or "comment" in text:
            text, in_liquid_comment = _outside_liquid_comments(text, in_liquid_comment)
        if "{" in text:
            text, hidden = _without_liquid(text)
            after = after or hidden
        text = bengali_danda(text)
        if text:
            unit = Unit(kind, text, line, after_markup=after or _opens_with_markup(children))
            units.append(unit)
            sections[-1].units.append(unit)

    def visit(children: Any) -> None:
        for node in children:
            name = node.name
            if name in _SKIP_BLOCKS:
                if liquid and (name == "fence" or name == "code_block") and node.srcmap:
                    code.append(node.srcmap)
                continue
            if name == "heading" or name == "lheading":
                srcmap = node.srcmap
                line = line_of(srcmap[0]) if srcmap else body_line
                text = _inline_text(node.children, links, images, line, lines).strip()
                if "{{" in text:  # `## {{% heading "whatsnext" %}}`: a heading the theme writes, kept as is
                    text = _without_shortcodes(text, False)[0] or text
                if text.endswith("}"):  # `## What it is {#what-it-is}`: the id is no words of the heading
                    text = heading_attributes(text)[0]
                text = bengali_danda(text)
                unit = Unit("heading", text, line, int(node.meta.get("level", 1)))
                units.append(unit)
                headings.append(unit)
                sections.append(Section(text, line, unit.level, [unit]))
            elif name in _TEXT_BLOCKS:
                srcmap = node.srcmap
                line = line_of(srcmap[0]) if srcmap else body_line
                kids = node.children  # each read of a Rust node's children builds them anew: read once
                text = _inline_text(kids, links, images, line, lines).strip()
                add("cell" if name != "paragraph" else "paragraph", text, line, kids)
            elif name == "list_item":
                srcmap = node.srcmap
                line = line_of(srcmap[0]) if srcmap else body_line
                # Tight list items hold inline children directly; loose ones hold paragraphs. Either may hold
                # nested lists, code, quotes or tables, which are walked as blocks in their place.
                inline: list[Any] = []
                run_line = line  # text after a nested block starts on its own line, not the item's first
                after_block = False
                for child in node.children:
                    n = child.name
                    if n not in _BLOCKS:
                        if not inline and after_block:
                            csrc = child.srcmap
                            run_line = line_of(csrc[0]) if csrc else line
                        inline.append(child)
                        continue
                    after_block = True
                    if inline:
                        add(
                            "item",
                            _inline_text(inline, links, images, run_line, lines).strip(),
                            run_line,
                            inline,
                        )
                        inline = []
                    if n == "paragraph":
                        csrc = child.srcmap
                        pline = line_of(csrc[0]) if csrc else line
                        kids = child.children
                        add("item", _inline_text(kids, links, images, pline, lines).strip(), pline, kids)
                    elif n == "bullet_list" or n == "ordered_list":
                        visit(child.children)
                    else:
                        visit([child])
                if inline:
                    add(
                        "item", _inline_text(inline, links, images, run_line, lines).strip(), run_line, inline
                    )
            else:
                visit(node.children)

    liquid = "{%" in post.body or "{{" in post.body  # template tags: Liquid's or Hugo's shortcodes
    code: list[tuple[int, int]] = []
    visit(tree.children)
    if liquid:
        images.extend(_shortcode_images(post.body, code, lines))
        images.sort(key=lambda i: i.line)
    # `visit` is a recursive closure: its cell refers to itself, a cycle that kept every Unit, Link and Section
    # of the post alive until the cyclic collector ran (nearly all the garbage of a validate run). Re-pointing
    # the cell breaks the cycle: they are freed by reference counting when the post's Doc is dropped.
    visit = _walked
    if not intro.units:
        sections.pop(0)
    return Doc(units, sections, headings, links, images)

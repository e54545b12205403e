"""The site's Markdown dialect, defined once; the only module that builds Markdown parsers.

Dialect: CommonMark + GFM tables + strikethrough + footnotes, raw HTML recognised (checks skip it, renderers
escape it). Every stage parses through here, so a footnote, a table or a raw `<div>` means the same thing in
validate, translate, build and the web UI.

Two engines of the same parser family, one dialect:

- markdown-it-py (pure Python) gives tokens with line maps (translate's segmenting, build's and the web UI's
  HTML). It cannot take the process down: nesting stops at `MAX_NESTING` levels (deeper lines are not parsed
  as structure) and every failure is a Python exception.
- markdown-it-pyrs (the Rust port of markdown-it) builds the syntax tree the checks walk, ~7× faster — the
  difference between validating 3,500 posts in seconds or in most of a minute. It is not safe on hostile input:
  it panics (`PanicException`, a BaseException a process pool cannot pickle back) on a stray backtick in link
  text, overflows its stack (a segfault) on ~100k nested `>`, and is quadratic in emphasis delimiters within
  one paragraph. So `parse_tree` gives it only bodies that a linear pre-scan shows to be shallow and
  delimiter-light, and uses markdown-it-py — converted to the same node shape — for anything else and after
  any panic. The pre-scan costs under 1% of a cold validate (0.08 s CPU over the 3,500 corpus posts); 8 of
  those posts (deep nesting, thousands of emphasis delimiters) take the slower path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.content.linkify import has_bare_links, linkify_rule

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from pipeline.content.post import Post


EXTENSIONS = ("table", "strikethrough", "footnote")
MAX_NESTING = 20  # markdown-it's CommonMark preset: containers and inline markup deeper than this stay text
# A line starting with this many container characters (`>`, list markers, indentation) may nest deeper than
# the fast parser's stack allows: such bodies take the safe parser.
DEEP_PREFIX = 64
# Σ (emphasis/link delimiters per paragraph)²: the fast parser's work on delimiter runs grows with the square
# (a paragraph of 8,000 `*a ` takes 0.2 s; 20,000 took 5 s). Above this budget the safe parser, linear, runs.
DELIMITER_BUDGET = 64_000_000

# The safe engine's trees are at most this deep, whatever markdown-it-py nests (it caps containers at
# MAX_NESTING but not emphasis pairs): every walker of a tree may recurse.
MAX_TREE_DEPTH = 64
_NESTING_PROBLEM = (
    f"Markdown nests deeper than {MAX_TREE_DEPTH} levels; deeper structure is read as plain text and deeper "
    "lines may not be checked, translated or rendered as structure — flatten the nesting"
)
_DEEP_FIRST = re.compile(rf"[ \t>*+\-\d.)]{{{DEEP_PREFIX}}}")  # on the first line (match)
# Any later line: a literal `\n` first lets `re` skip to candidates, 4× faster than `^` under re.M.
_DEEP = re.compile(rf"\n[ \t>*+\-\d.)]{{{DEEP_PREFIX}}}")
# kramdown's `<aside markdown="1">`: Markdown inside a raw HTML block, on a line of its own.
_MD_BLOCK = re.compile(
    r"""^[ ]{0,3}<([A-Za-z][A-Za-z0-9-]*)\b[^>\n]*?\bmarkdown\s*=\s*(["']?)(?:1|block|span)\2[^>\n]*>[ \t]*$""",
    re.M,
)
# A template in a link target: a Hugo shortcode (`[x]({{< ref "a/b" >}})`) or Liquid (`[x]({{ site.url }}/a/)`,
# `[1]: {{ site.url }}/vi/`, `({% link a.md %})`). The generator expands it before Markdown sees the link; read
# as written, its spaces end the target and the link (or a whole block of reference definitions) is plain text.
_TMPL = r"(?:\{\{[^\n]*?\}\}|\{%[^\n]*?%\})"
_TEMPLATE_DEST = re.compile(rf"\]\(((?:{_TMPL}|[^\s()])*?{_TMPL}(?:{_TMPL}|[^\s()])*)\)")
# A reference definition (not a footnote's, not an `<…>` target, which may hold spaces) whose target holds one.
_TEMPLATE_REF = re.compile(
    rf"^([ ]{{0,3}}\[(?!\^)[^\]\n]+\]:[ \t]*)(?!<)((?:{_TMPL}|\S)*?{_TMPL}(?:{_TMPL}|\S)*)", re.M
)
_REF_HINT = re.compile(r"\]:[ \t]*[^\s<]*\{[{%]")  # one scan: is there any such definition at all?
# Jekyll's `{% highlight ruby %}` … `{% endhighlight %}` (Liquid, run before kramdown): a code block.
_HIGHLIGHT = re.compile(r"^([ \t]*)\{%-?[ \t]*highlight[ \t]+([A-Za-z0-9_+#.-]+)[^%\n]*-?%\}[ \t]*$")
_END_HIGHLIGHT = re.compile(r"^([ \t]*)\{%-?[ \t]*endhighlight[ \t]*-?%\}[ \t]*$")
# Hugo hands a code shortcode's inner content, unrendered, to a template that prints it as a code block: the
# built-in `{{< highlight go "linenos=table" >}}` … `{{< /highlight >}}` and a site's own (istio.io's
# `{{< text bash >}}`, named in `site.code_shortcodes`). The first positional argument is the language.
HUGO_CODE_SHORTCODES = ("highlight",)
_NAMED_LANG = re.compile(
    r"""[ \t](?:syntax|lang|language)[ \t]*=[ \t]*["']?([A-Za-z0-9_+#.-]+)"""
)  # `syntax=bash`
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_LEADING_TICKS = re.compile(r"[ \t]*(`+)")


class MarkdownError(Exception):
    """The body could not be parsed at all; `line` is the body line (1-based) where it went wrong, if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class Node(Protocol):
    """A syntax tree node: markdown-it-pyrs' `Node`, or `TreeNode` built from markdown-it-py tokens."""

    @property
    def name(self) -> str: ...

    @property
    def children(self) -> Sequence[Node]: ...

    @property
    def srcmap(self) -> tuple[int, int] | None: ...  # UTF-8 byte offsets into the body

    @property
    def meta(self) -> Mapping[str, Any]: ...


@dataclass(slots=True)
class TreeNode:
    name: str
    srcmap: tuple[int, int] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    children: list[TreeNode] = field(default_factory=list)
    depth: int = 0


# --- engines -------------------------------------------------------------------------------------------------


# `## What it is {#what-it-is}`: heading attributes, as Goldmark (Hugo's default `parser.attribute.title`) and
# kramdown read them — an id, classes, key=value pairs in braces at the end of the heading line. They are no
# words of the heading: not counted, not sent to a translation engine, rendered as the heading's id.
# `## History {: #history }` is the same with the colon of kramdown's attribute lists and of markdown-it-attrs
# configured with `leftDelimiter: '{:'` (web.dev's Eleventy); that plugin needs no space before it
# (`## 機能{: #architecture }` in web.dev's Japanese posts), and a bare `#` in it sets nothing. Goldmark needs no
# space before the brace either: istio.io's Chinese pages write `## 准备{#prerequisites}`.
HEADING_ATTRS = re.compile(r"(?:[ \t]*\{[ \t]*(?=[#.])|[ \t]*\{:[ \t]*)([^{}\n]*)\}[ \t]*$")


def heading_attributes(text: str) -> tuple[str, dict[str, str]]:
    """(the heading's text without its trailing `{#id .class}` block, the attributes it sets)."""
    m = HEADING_ATTRS.search(text)
    if m is None:
        return text, {}
    attrs: dict[str, str] = {}
    classes = []
    for part in m.group(1).split():
        if part.startswith("#") and len(part) > 1:
            attrs["id"] = part[1:]
        elif part.startswith(".") and len(part) > 1:
            classes.append(part[1:])
        elif "=" in part:
            key, _, value = part.partition("=")
            attrs[key] = value.strip("\"'")
    if classes:
        attrs["class"] = " ".join(classes)
    return text[: m.start()], attrs


def _heading_attribute_rule(state: Any) -> None:
    """Core rule: a heading's trailing attribute block becomes its attributes (the preview's `id=`)."""
    tokens = state.tokens
    for i in range(len(tokens) - 1):
        opener, inline = tokens[i], tokens[i + 1]
        if opener.type != "heading_open" or not inline.children or "{" not in inline.content:
            continue
        last = inline.children[-1]
        if last.type != "text":
            continue
        text, attrs = heading_attributes(last.content)
        if text != last.content:
            last.content = text
            inline.content = heading_attributes(inline.content)[0]
            for key, value in attrs.items():
                opener.attrSet(key, value)


@cache
def tokens_parser(linkify: str = "") -> MarkdownIt:
    """markdown-it-py with the dialect's extensions (tokens, line maps, HTML rendering). `linkify`: the protocol
    of bare `www.` links where the site links bare URLs (pipeline.content.linkify), "" where it does not."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"]).use(footnote_plugin)
    md.core.ruler.push("heading_attributes", _heading_attribute_rule)
    if linkify:
        md.core.ruler.push("goldmark_linkify", linkify_rule(linkify))
    return md


@cache
def _blocks_parser() -> MarkdownIt:
    """The dialect with inline parsing off: block structure and line maps at a fifth of the cost."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"]).use(footnote_plugin)
    md.disable(["inline", "footnote_tail"], ignoreInvalid=True)
    return md


@cache
def _fast_parser() -> Any:
    import markdown_it_pyrs

    parser: Any = markdown_it_pyrs.MarkdownIt("commonmark")
    return parser.enable_many(list(EXTENSIONS))


def warm() -> None:
    """Build the engines before forking workers, so each worker does not build its own."""
    tokens_parser()
    _blocks_parser()
    _fast_parser()


# --- the checks' syntax tree ---------------------------------------------------------------------------------


def fast_parser_safe(body: str) -> str | None:
    """Why the fast parser must not see this body (None: it may). Linear in the body's length."""
    line = 1 if _DEEP_FIRST.match(body) else None
    if line is None and (deep := _DEEP.search(body)) is not None:
        line = body.count("\n", 0, deep.start()) + 2  # the line after the matched newline
    if line is not None:
        return f"nests more than {DEEP_PREFIX // 2} levels deep at body line {line}"
    total = body.count("*") + body.count("_") + body.count("~") + body.count("[")
    if total * total <= DELIMITER_BUDGET:  # Σ n² ≤ (Σ n)²: no paragraph split can exceed the budget
        return None
    work = 0
    for run in body.split("\n\n"):
        if len(run) < 64:
            continue
        n = run.count("*") + run.count("_") + run.count("~") + run.count("[")
        work += n * n
        if work > DELIMITER_BUDGET:
            return "has paragraphs with thousands of emphasis or link delimiters"
    return None


def _blank(line: str) -> str:
    """Spaces of the line's UTF-8 length: line numbers and byte offsets of everything after stay as they were."""
    return " " * len(line.encode("utf-8"))


def markdown_in_html(body: str) -> str:
    """The body as kramdown reads `<tag markdown="1">` blocks: the opening and closing tag lines become blank
    lines (same length), so the Markdown between them is parsed as Markdown by validate, translate and build
    instead of swallowed into one raw HTML block. Other bodies come back unchanged (one substring test)."""
    if "markdown" not in body:
        return body
    lines = body.split("\n")
    changed = False
    i = 0
    while i < len(lines):
        opening = _MD_BLOCK.match(lines[i])
        if opening is None:
            i += 1
            continue
        closing = re.compile(rf"^[ ]{{0,3}}</{re.escape(opening.group(1))}\s*>[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), None)
        if end is None:
            i += 1
            continue
        lines[i], lines[end] = _blank(lines[i]), _blank(lines[end])
        changed = True
        i += 1
    return "\n".join(lines) if changed else body


def _template_links(body: str) -> str:
    """`[x]({{< ref "a/b" >}})` and `[1]: {{ site.url }}/a/` as the links the generator makes of them: spaces
    inside the target become `+` (same length), which a link target may hold; `pipeline.content.links` reads
    them back."""
    if "]({" in body:
        body = _TEMPLATE_DEST.sub(lambda m: "](" + m.group(1).replace(" ", "+") + ")", body)
    if "]:" in body and _REF_HINT.search(body):
        body = _TEMPLATE_REF.sub(lambda m: m.group(1) + m.group(2).replace(" ", "+"), body)
    return body


def _fence_line(line: str, indent: str, fence: str, info: str = "") -> str | None:
    """A fence line as long in UTF-8 as `line` (source maps stay byte offsets); None when it cannot be."""
    out = indent + fence + info
    pad = len(line.encode("utf-8")) - len(out.encode("utf-8"))
    return out + " " * pad if pad >= 0 else None


@cache
def _code_tags(names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(opening, closing) line patterns of the code shortcodes `names`; groups: indent, language."""
    alt = "|".join(re.escape(n) for n in names)
    opening = re.compile(
        rf"^([ \t]*)\{{\{{[<%][ \t]*(?:{alt})(?:[ \t]+\"?([A-Za-z0-9_+#.-]+)\"?(?=[ \t%>]))?[^\n]*?[%>]\}}\}}[ \t]*$"
    )
    closing = re.compile(rf"^([ \t]*)\{{\{{[<%][ \t]*/[ \t]*(?:{alt})[ \t]*[%>]\}}\}}[ \t]*$")
    return opening, closing


def highlight_blocks(body: str, code_shortcodes: Sequence[str] = ()) -> str:
    """Jekyll's `{% highlight lang %}` blocks and Hugo's code shortcodes (`HUGO_CODE_SHORTCODES` and the site's
    `code_shortcodes`) as the fenced code blocks they render to: the tag lines become fence lines of the same
    length, so the code inside is code for every stage (not prose to count, identify or translate: Apertium
    turned `$ kind create cluster` into `$ Amable crea grupo`) and line numbers stay. Tags inside a fenced block
    (a post about Liquid or shortcodes) stay as they are."""
    tags: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
    if "{%" in body and "highlight" in body:
        tags.append((_HIGHLIGHT, _END_HIGHLIGHT))
    if "{{" in body:
        names = tuple(sorted({*HUGO_CODE_SHORTCODES, *code_shortcodes}))
        if any(name in body for name in names):
            tags.append(_code_tags(names))
    if not tags:
        return body
    lines = body.split("\n")
    fenced: str | None = None  # the open fence of a code block the post itself wrote
    i = 0
    while i < len(lines):
        line = lines[i]
        if fenced is not None:
            if line.lstrip(" ").startswith(fenced) and not line.strip().strip(fenced[0]):
                fenced = None
            i += 1
            continue
        if (own := _FENCE.match(line)) is not None:
            fenced = own.group(1)
            i += 1
            continue
        opening = end = closing = None
        for start_tag, end_tag in tags:
            opening = start_tag.match(line)
            if opening is not None:
                end = next((j for j in range(i + 1, len(lines)) if end_tag.match(lines[j])), None)
                closing = end_tag.match(lines[end]) if end is not None else None
                break
        if opening is None or end is None:
            i += 1
            continue
        ticks = (len(m.group(1)) for ln in lines[i + 1 : end] if (m := _LEADING_TICKS.match(ln)))
        # Longer than any backtick run a line of the code opens with, so the code cannot close the fence.
        fence = "`" * max(3, max(ticks, default=0) + 1)
        lang = opening.group(2) or ((named := _NAMED_LANG.search(line)) and named.group(1)) or ""
        first = _fence_line(line, opening.group(1), fence, lang)
        if first is None:  # a tag too short for its language: the block is code all the same
            first = _fence_line(line, opening.group(1), fence)
        last = _fence_line(lines[end], closing.group(1) if closing else "", fence)
        if first is not None and last is not None:
            lines[i], lines[end] = first, last
        i = end + 1
    return "\n".join(lines)


def dialect_body(body: str, code_shortcodes: Sequence[str] = ()) -> str:
    """The body as the site's generator hands it to Markdown: same length and lines, Liquid code blocks and
    Hugo code shortcodes as fences, kramdown's `markdown="1"` blocks as Markdown, template link targets as
    links."""
    body = markdown_in_html(body)
    liquid = "{%" in body  # each test is a scan of the body: the common body (no template) takes four
    hugo = "{{" in body
    if liquid or hugo:
        body = highlight_blocks(body, code_shortcodes)
    return _template_links(body) if liquid or hugo else body


def parse_tree(body: str, code_shortcodes: Sequence[str] = (), linkify: str = "") -> Node:
    """The body's syntax tree for the checks. Never crashes the process; raises MarkdownError (a normal
    exception) only when neither engine can read the body. The root's `meta["problem"]` says why the safe
    engine was used on a body that nests deeper than it follows. Where the site links bare URLs (`linkify`:
    the protocol of `www.` links) a body that may hold one takes the safe engine, which links them."""
    body = dialect_body(body, code_shortcodes)
    problem = fast_parser_safe(body)
    if problem is None and linkify and has_bare_links(body):
        problem = "has bare links"
    if problem is None:
        try:
            tree: Node = _fast_parser().tree(body)
            return tree
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # pyo3's PanicException derives from BaseException
            pass
    root = tree_from_tokens(body, parse_tokens(body, linkify=linkify))
    if problem and problem.startswith("nests"):
        root.meta["problem"] = (
            f"Markdown {problem}; only {MAX_NESTING} levels are read as structure, deeper lines are not "
            "checked, translated or rendered — flatten the nesting"
        )
    return root


def parse_tokens(
    body: str,
    line_offset: int = 0,
    blocks_only: bool = False,
    code_shortcodes: Sequence[str] = (),
    linkify: str = "",
) -> list[Token]:
    """markdown-it-py tokens of the body; `line_offset` is added to every line map (file lines for a post).
    `blocks_only` leaves inline content unparsed (each `inline` token keeps its text); `linkify` as in
    `tokens_parser`."""
    try:
        parser = _blocks_parser() if blocks_only else tokens_parser(linkify)
        tokens = parser.parse(dialect_body(body, code_shortcodes))
    except RecursionError:
        raise MarkdownError("the Markdown nests too deeply to parse; flatten it") from None
    except (ValueError, IndexError, KeyError, TypeError) as exc:  # a parser bug on odd input: one finding
        raise MarkdownError(f"the Markdown could not be parsed ({type(exc).__name__}: {exc})") from None
    if line_offset:
        stack = list(tokens)
        while stack:
            tok = stack.pop()
            if tok.map:
                tok.map = [tok.map[0] + line_offset, tok.map[1] + line_offset]
            if tok.children:
                stack.extend(tok.children)
    return tokens


_OPEN_NAMES = {
    "paragraph_open": "paragraph",
    "blockquote_open": "blockquote",
    "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list",
    "list_item_open": "list_item",
    "table_open": "table",
    "thead_open": "thead",
    "tbody_open": "tbody",
    "tr_open": "trow",
    "th_open": "tcell",
    "td_open": "tcell",
    "em_open": "em",
    "strong_open": "strong",
    "s_open": "strikethrough",
    "footnote_block_open": "footnote_container",
    "footnote_open": "footnote_def",
}
_LEAF_NAMES = {"footnote_anchor": "footnote_ref_anchor"}


def tree_from_tokens(body: str, tokens: Sequence[Token]) -> TreeNode:
    """The fast parser's node shape from markdown-it-py tokens (iterative: depth never reaches Python's stack).

    Block source maps become byte offsets of their first and last line; tight list items hold their inline
    nodes directly, as markdown-it-pyrs builds them."""
    data = body.encode("utf-8")
    starts = [0]
    pos = data.find(b"\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = data.find(b"\n", pos + 1)

    def srcmap(tok: Token) -> tuple[int, int] | None:
        if not tok.map:
            return None
        first, last = tok.map
        return starts[min(first, len(starts) - 1)], starts[last] if last < len(starts) else len(data)

    root = TreeNode("root", (0, len(data)))
    stack: list[TreeNode] = [root]
    for tok in tokens:
        if tok.type == "inline":
            first = tok.map[0] if tok.map else None
            _inline(
                tok.children or [], stack[-1], srcmap, root, starts if first is not None else [], first or 0
            )
        else:
            _add(tok, stack, srcmap, root)
    return root


def _inline(
    children: Sequence[Token], parent: TreeNode, srcmap: Any, root: TreeNode, starts: list[int], row: int
) -> None:
    """Inline tokens in document order; an image's alt text is walked before its next sibling, without
    recursion (`![![![…` nests images as deep as the input does). markdown-it-py maps no inline token to a
    line: a link or image gets the start of the line it is on (`row`, the block's first line, plus the line
    breaks before it), as the fast engine's source maps give it, so a finding names that line."""
    work: list[tuple[Iterator[Token], list[TreeNode]]] = [(iter(children), [parent])]
    while work:
        tokens, stack = work[-1]
        tok = next(tokens, None)
        if tok is None:
            work.pop()
            continue
        kind = tok.type
        if kind == "softbreak" or kind == "hardbreak":
            row += 1
        if kind != "image":
            _add(tok, stack, srcmap, root)
            if kind == "link_open" and starts and stack[-1].name in ("link", "autolink"):
                at = starts[min(row, len(starts) - 1)]
                stack[-1].srcmap = (at, at)
            continue
        host = stack[-1]
        if host.depth >= MAX_TREE_DEPTH:  # alt text joins the host (see _add)
            root.meta.setdefault("problem", _NESTING_PROBLEM)
            work.append((iter(tok.children or []), [host]))
            continue
        where = (starts[min(row, len(starts) - 1)],) * 2 if starts else None
        node = TreeNode("image", where, {"url": str(tok.attrs.get("src", ""))}, depth=host.depth + 1)
        host.children.append(node)
        work.append((iter(tok.children or []), [node]))


def _add(tok: Token, stack: list[TreeNode], srcmap: Any, root: TreeNode) -> None:
    parent = stack[-1]
    if tok.nesting == -1:
        if len(stack) > 1:
            stack.pop()
        return
    if tok.nesting == 1:
        if (tok.type == "paragraph_open" and tok.hidden) or parent.depth >= MAX_TREE_DEPTH:
            # A tight list item's inline nodes belong to the item. Past MAX_TREE_DEPTH (markdown-it nests
            # emphasis pairs without a limit) a node's content joins its parent, so no walker of the tree
            # ever recurses deeper than that.
            if not tok.hidden:
                root.meta.setdefault("problem", _NESTING_PROBLEM)
            stack.append(parent)
            return
        if tok.type == "heading_open":
            name = "heading" if tok.markup.startswith("#") else "lheading"
            node = TreeNode(name, srcmap(tok), {"level": int(tok.tag[1:] or 1)})
        elif tok.type == "link_open":
            href = str(tok.attrs.get("href", ""))
            if tok.markup in ("autolink", "linkify"):
                node = TreeNode("autolink", None, {"url": href})
            else:
                node = TreeNode("link", None, {"url": href, "title": str(tok.attrs.get("title", ""))})
        else:  # table cells carry no line map in markdown-it-py: they are on their row's line
            name = _OPEN_NAMES.get(tok.type, tok.type.removesuffix("_open"))
            node = TreeNode(name, srcmap(tok) or (parent.srcmap if name == "tcell" else None))
        node.depth = parent.depth + 1
        parent.children.append(node)
        stack.append(node)
        return
    if tok.type in (
        "fence",
        "code_block",
        "html_block",
        "html_inline",
        "code_inline",
        "text",
        "text_special",
    ):
        meta: dict[str, Any] = {"content": tok.content}
        if tok.type == "fence":
            meta["info"] = tok.info
        node = TreeNode(tok.type if tok.type != "text_special" else "text", srcmap(tok), meta)
    else:
        node = TreeNode(_LEAF_NAMES.get(tok.type, tok.type), srcmap(tok))
    parent.children.append(node)


def block_tokens(post: Post) -> list[Token]:
    """Tokens for the body's block structure (translate's segmenting), maps in file lines: the post's full
    parse when a stage already made it, else a blocks-only parse (a fifth of the cost)."""
    full = post.__dict__.get("tokens")
    if full is not None:
        return list(full)
    return parse_tokens(post.body, post.body_line - 1, blocks_only=True, code_shortcodes=post.code_shortcodes)


def raw_html_nodes(tree: Node) -> list[tuple[int, str]]:
    """(byte offset, source) of each raw HTML block and inline tag, in document order; a node without a source
    map (the safe engine's inline nodes) takes its block's offset. Iterative, as every walker here."""
    out: list[tuple[int, str]] = []
    stack: list[tuple[Node, int]] = [(tree, 0)]
    while stack:
        node, at = stack.pop()
        srcmap = node.srcmap
        if srcmap:
            at = srcmap[0]
        name = node.name
        if name == "html_block" or name == "html_inline":
            out.append((at, str(node.meta.get("content", ""))))
            continue
        stack.extend((child, at) for child in reversed(node.children))
    return out


def empty_tree() -> TreeNode:
    return TreeNode("root", (0, 0))

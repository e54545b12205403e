"""Bare URLs as links, as Hugo's Markdown renderer makes them: Goldmark's linkify extension
(`markup.goldmark.extensions.linkify`, on by default; https://gohugo.io/configuration/markup/#linkify).

On a Hugo site `see https://example.org/x.` or `www.example.org` in text is a link on the built page: it counts as
a source (MD006), is checked when it leads into the site (MD005) and is an `<a href>` in the preview. The rules
follow Goldmark's: a URL (`http`, `https`, `ftp`) or `www.` address whose host ends in a lower-case top-level
domain, or an e-mail address, starting a line or after whitespace, `*`, `_`, `~` or `(`; never inside link text
or brackets that may still become link text; path characters are ASCII; a trailing `.`, unbalanced `)` or
`&entity;` and then trailing `?!.,:*_~` are not part of it. `www.` addresses take the site's protocol (Hugo's
`linkifyProtocol`, default https).

markdown-it-pyrs' own `linkify` and `autolink_ext` plugins are not Goldmark's rules and not safe: `autolink_ext`
panics on a non-ASCII character after a URL and links nothing after non-ASCII text in a paragraph (every CJK page);
`linkify` links `xhttps://…` and takes a Chinese full stop into the URL. So one implementation, this one, runs as
a core rule of the markdown-it-py engine, and `parse_tree` gives a body in which `has_bare_links` finds a candidate
to that engine.
"""

from __future__ import annotations

import re
from typing import Any

_PATH = r"""(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=();,'">^{}\[\]`]*)?"""
_HOST = r"[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-z]+"
_URL = re.compile(rf"(?:https?|ftp)://{_HOST}(?::\d+)?{_PATH}")
_WWW = re.compile(rf"www\.{_HOST}{_PATH}")
_EMAIL = re.compile(
    r"[-!#-'*+./0-9=?A-Z^-~]+@"
    r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_TRIGGERS = frozenset(" \t\n\r\f\v*_~(")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_TRAILING = frozenset("?!.,:*_~")
_HINT = re.compile(r"://|www\.|@")  # 4× faster to scan for than the schemes themselves
_LOCAL = frozenset("-!#$%&'*+./=?^_`{|}~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Where in the source a bare link may start: a line head, after a trigger character, `|` (a table cell's start)
# or `>` (a quote's paragraph); not after `](` (a link's own target).
_SOURCE_TRIGGERS = frozenset(" \t\n\r\f\v*_~(|>")
# A fence line: up to 3 spaces in (more is code or a list item's fence, whose URLs then count), maybe in quotes;
# a backtick fence's info string holds no backtick.
_FENCE_LINE = re.compile(r"^(?:[ ]{0,3}>[ ]?)*[ ]{0,3}(`{3,}(?=[^`\n]*$)|~{3,})", re.M)
_OUT_OF_QUOTE = re.compile(r"\n(?![ ]{0,3}>)")  # a line that is not in a block quote
_REF_LABEL = re.compile(r"(?:^|\n)[ \t>]*\[[^\]\n]+\]:\Z")  # `[label]:` alone on the line so far


def _match(text: str, at: int) -> tuple[int, str] | None:
    """(end, kind) of the link Goldmark reads at `at` (a trigger position), kind "url", "www" or "email"."""
    m = _URL.match(text, at)
    kind = "url"
    if m is None:
        m, kind = _WWW.match(text, at), "www"
    if m is not None:
        end = m.end()
        last = text[end - 1]
        if last == ".":
            end -= 1
        elif last == ")":
            closing = text.count(")", at, end) - text.count("(", at, end)
            if closing > 0:
                end -= closing
        elif last == ";":
            i = end - 2
            while i >= at and text[i].isascii() and text[i].isalnum():
                i -= 1
            if i != end - 2 and i >= at and text[i] == "&":
                end = i
    else:
        if text[at] in _ASCII_PUNCT:
            return None
        e = _EMAIL.match(text, at)
        if e is None:
            return None
        end, kind = e.end(), "email"
        at_sign = text.index("@", at)
        if "." not in text[at_sign : end - 1]:
            return None
        if end < len(text) and text[end] in "-_":
            return None
    while end - 1 > at and text[end - 1] in _TRAILING:
        end -= 1
    return end, kind


def find_links(text: str, head: bool = True, label: int = 0) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each bare link in a run of text. `head`: the text starts a line or follows a
    trigger; `label`: how many `[` opened before it are still open (link text in the making: no links)."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for m in _HINT.finditer(text):
        # A candidate's start: the scheme or `www.` itself, or for an e-mail the run of local characters
        # before its `@`, back to the trigger.
        start = _hint_start(text, m)
        if start < 0:
            continue
        if m.group() == "@":
            while start > 0 and text[start - 1] not in _TRIGGERS and text[start - 1] != "@":
                start -= 1
        if start < pos:
            continue
        if start > 0 and text[start - 1] not in _TRIGGERS:
            continue
        if start == 0 and not head:
            continue
        if label + text.count("[", 0, start) - text.count("]", 0, start) > 0:
            continue
        got = _match(text, start)
        if got is None:
            continue
        out.append((start, got[0], got[1]))
        pos = got[0]
    return out


def has_bare_links(body: str) -> bool:
    """Whether a body may hold a bare link: a candidate Goldmark would link, not in a reference definition or a
    fenced code block (a superset: indented code, comments and raw HTML count). Linear in the body."""
    if "://" not in body and "www." not in body and "@" not in body:
        return False
    fences: list[tuple[int, int]] | None = None
    for m in _HINT.finditer(body):
        start = _hint_start(body, m)
        if start < 0:
            continue
        if m.group() == "@":  # an address starts after any trigger in the run of characters before `@`
            at = start
            while start > 0 and body[start - 1] in _LOCAL:
                start -= 1
            start = next((i for i in range(start, at) if _may_start(body, i)), at)
        if not _may_start(body, start):
            continue
        # A link's own target, on its line or the next: `](https://…`, `[x]: https://…`, `[x]:⏎  https://…`.
        before = body[max(0, start - 300) : start].rstrip()
        if before.endswith("](") or (before.endswith("]:") and _REF_LABEL.search(before)):
            continue
        if fences is None:
            fences = _fenced(body)
        if not any(a <= start < b for a, b in fences):
            return True
    return False


def _hint_start(text: str, m: re.Match[str]) -> int:
    """Where the candidate `m` found starts: before its scheme for `://` (-1: no scheme Goldmark links)."""
    at = m.start()
    if m.group() != "://":
        return at
    for scheme in ("https", "http", "ftp"):
        if at >= len(scheme) and text.startswith(scheme, at - len(scheme)):
            return at - len(scheme)
    return -1


def _may_start(body: str, start: int) -> bool:
    prev = body[start - 1] if start else "\n"
    if prev not in _SOURCE_TRIGGERS or (prev == "(" and start > 1 and body[start - 2] == "]"):
        return False
    return _match(body, start) is not None


def _fenced(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the fenced code blocks: a fence closes on the next fence line of its character
    at least as long; an unclosed one runs to the end."""
    out: list[tuple[int, int]] = []
    opened: re.Match[str] | None = None
    for m in _FENCE_LINE.finditer(body):
        fence = m.group(1)
        if opened is not None and ">" in body[opened.start() : opened.start(1)]:
            quote_end = _OUT_OF_QUOTE.search(body, opened.end())  # a quote's fence ends with the quote
            if quote_end is not None and quote_end.start() < m.start():
                out.append((opened.start(), quote_end.start()))
                opened = None
        if opened is None:
            opened = m
        elif fence[0] == opened.group(1)[0] and len(fence) >= len(opened.group(1)):
            out.append((opened.start(), m.end()))
            opened = None
    if opened is not None:
        end = len(body)
        if ">" in body[opened.start() : opened.start(1)]:
            quote_end = _OUT_OF_QUOTE.search(body, opened.end())
            end = quote_end.start() if quote_end is not None else end
        out.append((opened.start(), end))
    return out


_HEAD_AFTER = frozenset(
    {"softbreak", "hardbreak", "em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}
)


def linkify_rule(protocol: str) -> Any:
    """A markdown-it-py core rule: bare links in text tokens become `link_open`/`text`/`link_close` (markup
    "linkify"), `www.` ones with `protocol`."""
    from markdown_it.token import Token

    def rule(state: Any) -> None:
        md = state.md
        for block in state.tokens:
            if block.type != "inline" or not block.children or not _HINT.search(block.content):
                continue
            out: list[Token] = []
            in_link = 0
            label = 0
            previous: Token | None = None
            for tok in block.children:
                if tok.type == "link_open":
                    in_link += 1
                elif tok.type == "link_close":
                    in_link -= 1
                if tok.type != "text" or in_link:
                    out.append(tok)
                    previous = tok
                    continue
                text = tok.content
                head = previous is None or previous.type in _HEAD_AFTER
                found = find_links(text, head, label)
                label = max(0, label + text.count("[") - text.count("]"))
                previous = tok
                if not found:
                    out.append(tok)
                    continue
                pos = 0
                for start, end, kind in found:
                    if start > pos:
                        out.append(_text(Token, text[pos:start], tok.level))
                    shown = text[start:end]
                    href = {"email": "mailto:", "www": protocol + "://"}.get(kind, "") + shown
                    href = md.normalizeLink(href)
                    if not md.validateLink(href):
                        out.append(_text(Token, shown, tok.level))
                    else:
                        opener = Token(
                            "link_open", "a", 1, attrs={"href": href}, markup="linkify", info="auto"
                        )
                        opener.level = tok.level
                        out += [opener, _text(Token, shown, tok.level + 1)]
                        out.append(
                            Token("link_close", "a", -1, markup="linkify", info="auto", level=tok.level)
                        )
                    pos = end
                if pos < len(text):
                    out.append(_text(Token, text[pos:], tok.level))
            block.children = out

    return rule


def _text(token: Any, content: str, level: int) -> Any:
    return token("text", "", 0, content=content, level=level)

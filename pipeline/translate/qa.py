"""QA checks per translated segment, as data: stable id, message, check function (Weblate-style).

A failing segment becomes needs-review with the reasons listed; checks compare the rendered source and
target (placeholders substituted) so they see exactly what the reader will.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pipeline.rules import ALL
from pipeline.translate.segment import PLACEHOLDER_RE, Segment

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+")
_PAIRS = (("**", "**"), ("`", "`"), ("[", "]"), ("(", ")"), ("~~", "~~"))
# Raw HTML as CommonMark and browsers see it: '<' directly followed by a tag name, a comment, a declaration or a
# processing instruction ('< b' and '&lt;b&gt;' are text).
_HTML = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)|<!--|<!\[CDATA\[|<![A-Za-z]|<\?")
# Where a URL can hide in Markdown or HTML: inline link/image targets, autolinks, reference definitions, attributes.
_URL_SLOTS = (
    re.compile(r"\]\(\s*<?([^\s)>]*)"),
    re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>"),
    re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M),
    re.compile(
        r"""(?:href|src|action|formaction|poster|background|data|srcset|xlink:href)\s*=\s*["']?\s*([^"'\s>]+)""",
        re.I,
    ),
)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_BAD_SCHEMES = ("javascript", "vbscript", "data")
# Rules whose failure blocks approval (CLI import and web UI) until the text is fixed: what they catch runs in
# a reader's browser once the site generator renders the draft.
BLOCKING = frozenset({"TQA008"})


@dataclass(frozen=True)
class QAContext:
    segment: Segment
    template: str
    source: str
    target: str
    glossary: Mapping[str, str]


@dataclass(frozen=True)
class QARule:
    """A check of a machine-translated segment; its id and doc are in pipeline/rules.py (TRANSLATION_QA)."""

    id: str
    check: Callable[[QAContext], str | None]

    @property
    def doc(self) -> str:
        return ALL[self.id].doc


def _numbers(text: str) -> Counter[str]:
    return Counter(n.replace(",", ".") for n in _NUMBER.findall(text))


def _check_numbers(c: QAContext) -> str | None:
    src, tgt = (
        _numbers(PLACEHOLDER_RE.sub(" ", c.segment.template)),
        _numbers(PLACEHOLDER_RE.sub(" ", c.template)),
    )
    if src != tgt:
        missing = sorted((src - tgt).elements())
        extra = sorted((tgt - src).elements())
        return f"numbers differ (missing {missing or '-'}, extra {extra or '-'})"
    return None


def _check_urls(c: QAContext) -> str | None:
    if sorted(_URL.findall(c.source)) != sorted(_URL.findall(c.target)):
        return "URLs differ from the source"
    return None


def _check_placeholders(c: QAContext) -> str | None:
    found = Counter(int(m.group(1)) for m in PLACEHOLDER_RE.finditer(c.template))
    want = Counter(range(1, len(c.segment.placeholders) + 1))
    if found != want:
        return "inline markup placeholders missing, duplicated or invented"
    return None


def _check_balance(c: QAContext) -> str | None:
    for left, right in _PAIRS:
        if left == right:
            if c.source.count(left) % 2 == 0 and c.target.count(left) % 2:
                return f"unbalanced '{left}' in the translation"
        elif (c.source.count(left) - c.source.count(right)) != (c.target.count(left) - c.target.count(right)):
            return f"unbalanced '{left}{right}' in the translation"
    return None


def _check_glossary(c: QAContext) -> str | None:
    src, tgt = c.source.lower(), c.target.lower()
    for term, required in c.glossary.items():
        if re.search(rf"(?<!\w){re.escape(term.lower())}(?!\w)", src) and required.lower() not in tgt:
            return f"glossary: '{term}' must be translated as '{required}'"
    return None


def _check_length(c: QAContext) -> str | None:
    s, t = len(c.segment.plain.strip()), len(PLACEHOLDER_RE.sub(" ", c.template).strip())
    if s >= 20 and t and not 0.4 <= t / s <= 2.5:
        return f"length ratio {t / s:.2f} is an outlier (expected 0.4-2.5)"
    return None


def _check_empty(c: QAContext) -> str | None:
    if c.segment.plain.strip() and not PLACEHOLDER_RE.sub("", c.template).strip():
        return "translation is empty"
    return None


def _tags(text: str) -> Counter[str]:
    return Counter(
        (m.group(1) + m.group(2).lower()) if m.group(2) else m.group(0) for m in _HTML.finditer(text)
    )


def _scheme(url: str) -> str:
    """The scheme a browser would see: entities decoded, Markdown escapes removed, tabs/newlines and leading
    controls dropped (the URL standard strips them, which is how `java&#x09;script:` still runs)."""
    url = _ESCAPED.sub(r"\1", html.unescape(url))
    url = re.sub(r"[\t\n\r]", "", url).lstrip("".join(chr(c) for c in range(33)))
    head, sep, _ = url.partition(":")
    return head.lower() if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", head) else ""


def _bad_urls(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for slot in _URL_SLOTS:
        for m in slot.finditer(text):
            scheme = _scheme(m.group(1))
            if scheme in _BAD_SCHEMES:
                found[scheme] += 1
    return found


def _check_unsafe_markup(c: QAContext) -> str | None:
    tags = sorted((_tags(c.target) - _tags(c.source)).elements())
    schemes = sorted((_bad_urls(c.target) - _bad_urls(c.source)).elements())
    problems = []
    if tags:
        shown = ", ".join(dict.fromkeys(t if t.startswith("<") else f"<{t.lstrip('/')}>" for t in tags))
        problems.append(f"raw HTML the source does not have ({shown})")
    if schemes:
        problems.append(f"{'/'.join(dict.fromkeys(schemes))}: link(s) the source does not have")
    if problems:
        return "; ".join(problems) + " — remove it before approving"
    return None


def blocking(qa: Iterable[str]) -> list[str]:
    """The QA notes that forbid approving a segment."""
    return [note for note in qa if note.split(":", 1)[0] in BLOCKING]


QA_RULES: tuple[QARule, ...] = (
    QARule("TQA001", _check_numbers),
    QARule("TQA002", _check_urls),
    QARule("TQA003", _check_placeholders),
    QARule("TQA004", _check_balance),
    QARule("TQA005", _check_glossary),
    QARule("TQA006", _check_length),
    QARule("TQA007", _check_empty),
    QARule("TQA008", _check_unsafe_markup),
)


def run_qa(segment: Segment, template: str, glossary: Mapping[str, str] | None = None) -> list[str]:
    """Return 'TQAnnn: reason' strings for every failing rule (all rules run)."""
    ctx = QAContext(segment, template, segment.source, segment.render(template), glossary or {})
    out = []
    for rule in QA_RULES:
        problem = rule.check(ctx)
        if problem:
            out.append(f"{rule.id}: {problem}")
    return out

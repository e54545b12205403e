"""QA checks per translated segment, as data: stable id, name, explanation, check function (Weblate-style).

A failing segment becomes needs-review with the reasons listed; checks compare the rendered source and
target (placeholders substituted) so they see exactly what the reader will. Severity comes from the rule
catalogue: an error must be fixed before the segment can be approved, a warning fixed or dismissed with a
reason. The checks are cheap, so the review screen runs them again on every view: a glossary edited since the
machine ran, or a changed source, is judged by what holds now, not by what was stored.
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
_PH_ANY = re.compile(r"⟦[^⟦⟧\s]{0,12}⟧?|⟧")


@dataclass(frozen=True)
class QAContext:
    segment: Segment
    template: str
    source: str
    target: str
    glossary: Mapping[str, str]


@dataclass(frozen=True)
class QARule:
    """A check of a translated segment; its id, severity and doc are in pipeline/rules.py (TRANSLATION_QA),
    its short name and what a translator should do about it here."""

    id: str
    name: str
    check: Callable[[QAContext], str | None]
    fix: str = ""

    @property
    def doc(self) -> str:
        return ALL[self.id].doc

    @property
    def severity(self) -> str:
        return ALL[self.id].severity


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


def placeholder_problems(segment: Segment, template: str) -> list[str]:
    """What is wrong with the template's placeholders, one phrase each: missing, extra, unknown or broken."""
    found = Counter(int(m.group(1)) for m in PLACEHOLDER_RE.finditer(template))
    problems: list[str] = []
    for n, markup in enumerate(segment.placeholders, start=1):
        if not found[n]:
            problems.append(f"⟦{n}⟧ ({_short(markup)}) is missing")
        elif found[n] > 1:
            problems.append(f"⟦{n}⟧ ({_short(markup)}) appears {found[n]} times")
    for n in sorted(found):
        if not 1 <= n <= len(segment.placeholders):
            problems.append(f"⟦{n}⟧ does not exist in the source")
    for m in _PH_ANY.finditer(PLACEHOLDER_RE.sub("", template)):
        problems.append(f"broken placeholder '{m.group(0)}'")
    return problems


def _short(markup: str, width: int = 24) -> str:
    flat = " ".join(markup.split()) or "line break"
    return flat if len(flat) <= width else flat[: width - 10] + "…" + flat[-9:]


def _check_placeholders(c: QAContext) -> str | None:
    problems = placeholder_problems(c.segment, c.template)
    return "; ".join(problems) if problems else None


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


QA_RULES: tuple[QARule, ...] = (
    QARule(
        "TQA001",
        "Numbers",
        _check_numbers,
        "Every number, dose and unit of the source must appear in the translation (digits, not words). "
        "Dismiss with a reason only when a number was rightly rewritten.",
    ),
    QARule("TQA002", "URLs", _check_urls, "Keep every web address exactly as in the source."),
    QARule(
        "TQA003",
        "Placeholders",
        _check_placeholders,
        "Each ⟦n⟧ stands for markup of the source (bold, a link, code, a footnote, HTML): keep each one exactly "
        "once, around the words it belongs to. Click a chip in the source, or press Alt+T, to insert one.",
    ),
    QARule(
        "TQA004",
        "Markdown balance",
        _check_balance,
        "Markup typed into the text (**, `, [ ], ( ), ~~) must open and close; use the placeholders instead.",
    ),
    QARule(
        "TQA005",
        "Glossary term",
        _check_glossary,
        "The site's glossary requires this translation of a term (translate.glossary in the config).",
    ),
    QARule(
        "TQA006",
        "Length",
        _check_length,
        "The translation is much shorter or longer than the source: often a sentence left out or repeated.",
    ),
    QARule(
        "TQA007", "Empty", _check_empty, "Write a translation; an empty segment would blank the page there."
    ),
    QARule(
        "TQA008",
        "Unsafe markup",
        _check_unsafe_markup,
        "Raw HTML or a javascript:/data: link that the source does not have would run in readers' browsers.",
    ),
)
BY_ID: dict[str, QARule] = {r.id: r for r in QA_RULES}
# Notes the engines leave on their output (pipeline.translate.stage), shown and judged like QA warnings.
ENGINE_NOTES: dict[str, tuple[str, str]] = {
    "TRANSLATE004": (
        "Markup moved",
        "The engine lost inline markup, so the text between placeholders was translated piece by piece: "
        "check the word order around them.",
    ),
    "TRANSLATE005": (
        "Not translated",
        "The engine failed on this segment; the source text stands here. Translate it by hand.",
    ),
}


@dataclass(frozen=True)
class Issue:
    """One QA finding on a segment as the review screen shows and the approval gate judges it."""

    rule: str
    message: str
    severity: str  # error | warning
    name: str
    explain: str
    dismissed: Mapping[str, object] | None = None  # {reason, who, at} when a translator dismissed it

    @property
    def open(self) -> bool:
        return self.dismissed is None


def rule_of(note: str) -> str:
    return note.split(":", 1)[0].strip()


def describe(note: str, dismissed: Mapping[str, object] | None = None) -> Issue:
    rule = rule_of(note)
    message = note.split(":", 1)[1].strip() if ":" in note else note
    if rule in BY_ID:
        qa = BY_ID[rule]
        return Issue(
            rule,
            message,
            qa.severity,
            qa.name,
            qa.fix or qa.doc,
            dismissed if qa.severity != "error" else None,
        )
    name, explain = ENGINE_NOTES.get(rule, (rule, ""))
    return Issue(rule, message, "warning", name, explain, dismissed)


def is_error(note: str) -> bool:
    rule = rule_of(note)
    return rule in BY_ID and BY_ID[rule].severity == "error"


def blocking(qa: Iterable[str]) -> list[str]:
    """The QA notes no dismissal can clear: errors, fixed only by changing the text."""
    return [note for note in qa if is_error(note)]


def current_notes(
    segment: Segment, target: str, origin: str, stored: Iterable[str], glossary: Mapping[str, str] | None
) -> list[str]:
    """The QA notes that hold now: the checks run again (today's glossary), plus the engine's own notes while
    the text is still the engine's."""
    engine = [n for n in stored if not rule_of(n).startswith("TQA")] if origin == "machine" else []
    return engine + run_qa(segment, target, glossary)


def run_qa(segment: Segment, template: str, glossary: Mapping[str, str] | None = None) -> list[str]:
    """Return 'TQAnnn: reason' strings for every failing rule (all rules run)."""
    ctx = QAContext(segment, template, segment.source, segment.render(template), glossary or {})
    out = []
    for rule in QA_RULES:
        problem = rule.check(ctx)
        if problem:
            out.append(f"{rule.id}: {problem}")
    return out

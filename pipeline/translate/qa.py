"""QA checks per translated segment, as data: stable id, message, check function (Weblate-style).

A failing segment becomes needs-review with the reasons listed; checks compare the rendered source and
target (placeholders substituted) so they see exactly what the reader will.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.translate.segment import PLACEHOLDER_RE, Segment

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+")
_PAIRS = (("**", "**"), ("`", "`"), ("[", "]"), ("(", ")"), ("~~", "~~"))


@dataclass(frozen=True)
class QAContext:
    segment: Segment
    template: str
    source: str
    target: str
    glossary: Mapping[str, str]


@dataclass(frozen=True)
class QARule:
    id: str
    doc: str
    check: Callable[[QAContext], str | None]


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


QA_RULES: tuple[QARule, ...] = (
    QARule("TQA001", "Numbers, units and doses equal the source's.", _check_numbers),
    QARule("TQA002", "URLs equal the source's.", _check_urls),
    QARule("TQA003", "Every inline-markup placeholder appears exactly once.", _check_placeholders),
    QARule("TQA004", "Markdown delimiters stay balanced.", _check_balance),
    QARule("TQA005", "Required glossary terms are used.", _check_glossary),
    QARule("TQA006", "Target/source length ratio is not an outlier.", _check_length),
    QARule("TQA007", "Translation is not empty.", _check_empty),
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

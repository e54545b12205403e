"""Rules as data: each check module declares (rule, function) pairs; the stage runs every one for every post.

A check yields `Hit`s; the stage turns them into `Finding`s with the rule's id, the configured severity (a hit
may escalate, e.g. a grade over the error threshold) and the post's file. Thresholds live in DEFAULTS and are
overridden by `[validate.thresholds]` and `[validate.language_thresholds.<lang>]`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.findings import Rule, Severity

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.content import Post

# Part of every cache key: bump when a rule's findings change for the same input, so cached results are redone.
# 2: READ020 no longer crashes on ı/İ/ſ; code, HTML and tables in list items are not prose; section names cut at a word.
# 3: SEO002 checks that `draft` is a boolean.
RULES_VERSION = "3"

DEFAULTS: dict[str, Any] = {
    "title_max_px": 580,
    "title_font_px": 20,
    "description_min_chars": 120,
    "description_max_chars": 156,
    "description_max_px": 920,
    "description_font_px": 14,
    "preview_min_chars": 50,
    "preview_max_chars": 300,
    "hero_min_width": 1200,
    "hero_min_height": 630,
    "keyphrase_heading_share": 0.30,
    "keyphrase_density_min": 0.5,
    "keyphrase_density_max": 3.0,
    "min_words": 300,
    "grade_warning": 8.0,
    "grade_error": 10.0,
    "reading_ease_min": 50.0,
    "long_sentence_words": 20,
    "long_sentence_share": 0.25,
    "paragraph_max_words": 150,
    "section_max_words": 300,
    "passive_max_share": 0.10,
    "transition_min_share": 0.30,
    "repeated_start_run": 3,
    "generic_link_texts": [
        "click here",
        "here",
        "read more",
        "more",
        "this link",
        "link",
        "learn more",
        "this",
    ],
}

LANGUAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "de": {
        "long_sentence_words": 20,
        "reading_ease_min": 40.0,
        "generic_link_texts": ["hier klicken", "hier", "mehr", "weiterlesen", "mehr erfahren", "dieser link"],
    },
    "es": {
        "long_sentence_words": 25,
        "generic_link_texts": ["haga clic aquí", "haz clic aquí", "aquí", "leer más", "más", "este enlace"],
    },
    "fr": {
        "long_sentence_words": 25,
        "generic_link_texts": ["cliquez ici", "ici", "lire la suite", "en savoir plus"],
    },
    "it": {"long_sentence_words": 25, "generic_link_texts": ["clicca qui", "qui", "leggi di più", "di più"]},
    "nl": {"generic_link_texts": ["klik hier", "hier", "lees meer", "meer"]},
    "ru": {"generic_link_texts": ["нажмите здесь", "здесь", "подробнее", "читать далее", "тут"]},
}


@dataclass
class Hit:
    line: int | None
    message: str
    key: str = ""
    severity: Severity | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SiteIndex:
    """Cross-post facts (uniqueness, link targets) computed once before the per-post rules run."""

    titles: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, list[str]] = field(default_factory=dict)
    permalinks: dict[str, list[str]] = field(default_factory=dict)
    known_permalinks: set[str] = field(default_factory=set)


@dataclass
class Env:
    config: Config
    site: SiteIndex
    now: dt.datetime
    static_root: Path
    _thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # per-run caches rules share (e.g. parsed URLs)

    def t(self, lang: str, key: str) -> Any:
        merged = self._thresholds.get(lang)
        if merged is None:
            base = lang.split("-")[0]
            merged = {
                **DEFAULTS,
                **LANGUAGE_DEFAULTS.get(base, {}),
                **self.config.validate_.thresholds,
                **self.config.validate_.language_thresholds.get(lang, {}),
            }
            self._thresholds[lang] = merged
        return merged[key]


CheckFn = Callable[["Post", Env], Iterable[Hit]]


@dataclass(frozen=True)
class Check:
    rule: Rule
    fn: CheckFn
    languages: frozenset[str] | None = None  # None = every language


def registrar(checks: list[Check], category: str) -> Callable[..., Callable[[CheckFn], CheckFn]]:
    """`@rule("SEO001", "error", "doc")` appends a Check to the module's table; nothing else happens at import."""

    def rule(
        rule_id: str, severity: Severity, doc: str, languages: Iterable[str] | None = None
    ) -> Callable[[CheckFn], CheckFn]:
        def wrap(fn: CheckFn) -> CheckFn:
            checks.append(
                Check(Rule(rule_id, severity, doc, category), fn, frozenset(languages) if languages else None)
            )
            return fn

        return wrap

    return rule


def all_checks() -> list[Check]:
    from pipeline.validate import images, keyphrase, metadata, readability, structure

    return [*metadata.CHECKS, *keyphrase.CHECKS, *images.CHECKS, *structure.CHECKS, *readability.CHECKS]


def all_rules() -> dict[str, Rule]:
    from pipeline.content import LOAD_RULES

    rules = {r.id: r for r in LOAD_RULES}
    for check in all_checks():
        rules[check.rule.id] = check.rule
    return rules

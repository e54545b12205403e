"""Which language-dependent rules run for which languages, and why the others do not: one table, as data.

A readability formula applied to a language it was not calibrated for does not give a rough answer, it gives a
wrong one (Flesch–Kincaid on Spanish reports grades years too high; on Bengali or Japanese it counts syllables it
cannot see). Such a rule is switched off for that language, and the run says so once — the language, the rule
and the reason — instead of guessing or staying silent. `[validate] rule_languages = { READ003 = ["en", "pt"] }`
changes a rule's list (`["*"]`: every language) for a site that has better evidence.

The table itself is data in the rule catalogue (pipeline/rule_settings.py, VALIDATE_LANGUAGES, with its evidence);
docs/rules.md lists it under "Rules by language".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.langtags import primary
from pipeline.rule_settings import (
    VALIDATE_LANGID_REASON,
    VALIDATE_LANGID_RULES,
    VALIDATE_LANGUAGES,
)

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.validate.registry import Check


@dataclass(frozen=True)
class Support:
    languages: frozenset[str] | None  # None: every language
    reason: str  # why the rule does not run for the others, as the run reports it


def _langid_languages() -> frozenset[str]:
    from pipeline.langid import LABELS

    return LABELS


RULE_LANGUAGES: dict[str, Support] = {
    rid: Support(frozenset(langs), reason) for rid, (langs, reason) in VALIDATE_LANGUAGES.items()
}
# Rules whose bounds are measured per script (`measured` below): they run for a language
# whose script has a measured bound and say so once for the others. SEO012's 120–156 characters are English's;
# pipeline.validate.registry.DESCRIPTION_SCALE holds the other scripts' bounds, measured in the SERP fonts.
VALIDATE_MEASURED_RULES: dict[str, str] = {
    "SEO012": "no description length has been measured for their script (English's 120–156 characters hold "
    "for Latin, Greek, Cyrillic and the scripts in validate's description table); SEO013 still checks the "
    "description's width in pixels, which is what search results cut — set validate.language_thresholds.<lang> "
    "description_min_chars and description_max_chars to measure it in characters",
}
LANGID_RULES = VALIDATE_LANGID_RULES
LANGID_REASON = VALIDATE_LANGID_REASON


def support(rule_id: str) -> Support | None:
    if rule_id in LANGID_RULES:
        return Support(_langid_languages(), LANGID_REASON)
    if rule_id in VALIDATE_MEASURED_RULES:
        return Support(None, VALIDATE_MEASURED_RULES[rule_id])
    return RULE_LANGUAGES.get(rule_id)


def languages(rule_id: str) -> frozenset[str] | None:
    """The table's languages for a rule (None: every language); what the rule decorators declare."""
    got = RULE_LANGUAGES.get(rule_id)
    return got.languages if got else None


def measured(lang: str, config: Config) -> bool:
    """Whether SEO012's character bounds were measured for `lang`: English's hold for the scripts drawn by the
    Latin font (Latin, Greek, Cyrillic: pipeline.typeset.scripts); other scripts have bounds only where
    validate's table (pipeline.validate.registry: ja, zh, ko, DESCRIPTION_SCALE) or the site's
    `language_thresholds` gives them. Google cuts a snippet by pixel width, not characters, so a character
    bound is only as good as the width per character it was scaled by."""
    from pipeline.typeset.scripts import LANG_SCRIPTS
    from pipeline.validate.registry import LANGUAGE_DEFAULTS

    base = primary(lang)
    own = (
        config.validate_.language_thresholds.get(lang) or config.validate_.language_thresholds.get(base) or {}
    )
    if "description_min_chars" in own or "description_max_chars" in own:
        return True
    if "description_min_chars" in LANGUAGE_DEFAULTS.get(base, {}):
        return True
    return LANG_SCRIPTS.get(base, "latin") == "latin"


FORMULA_RULES = ("READ001", "READ002", "READ003")  # the rules that read syllable counts


def needs_syllables(lang: str, config: Config) -> bool:
    """Whether any syllable-based formula runs for `lang` under this config."""
    base = primary(lang)
    off = set(config.validate_.disable)
    for rid in FORMULA_RULES:
        if rid in off:
            continue
        wanted = config.validate_.rule_languages.get(rid)
        if wanted is not None:
            if "*" in wanted or base in {primary(w) for w in wanted}:
                return True
        elif base in (languages(rid) or ()):
            return True
    return False


def effective_checks(checks: Sequence[Check], config: Config) -> list[Check]:
    """The checks with the table's languages, as `[validate] rule_languages` overrides them."""
    overrides = config.validate_.rule_languages
    out: list[Check] = []
    for check in checks:
        rid = check.rule.id
        if rid in overrides:
            wanted = overrides[rid]
            langs = None if "*" in wanted else frozenset(primary(w) for w in wanted)
            out.append(dataclasses.replace(check, languages=langs))
        elif rid in LANGID_RULES:
            out.append(dataclasses.replace(check, languages=_langid_languages()))
        elif rid in VALIDATE_MEASURED_RULES:
            langs = frozenset(primary(lang) for lang in config.site.languages if measured(lang, config))
            out.append(dataclasses.replace(check, languages=langs))
        else:
            out.append(check)
    return out


def notes(checks: Sequence[Check], post_languages: Iterable[str], disabled: Iterable[str] = ()) -> list[str]:
    """One line per rule that this run skips for some of its languages: which languages and why."""
    langs = sorted(set(post_languages))  # named as the site names them (zh-cn, zh-tw), looked up as `zh`
    off = set(disabled)
    lines: list[str] = []
    for check in checks:
        rid = check.rule.id
        if check.languages is None or rid in off:
            continue
        skipped = [lang for lang in langs if primary(lang) not in check.languages]
        if not skipped:
            continue
        info = support(rid)
        reason = info.reason if info else "the site's validate.rule_languages leaves these languages out"
        lines.append(
            f"{rid} is not run for {', '.join(skipped)}: {reason} "
            f"(validate.rule_languages.{rid} changes this)"
        )
    return lines

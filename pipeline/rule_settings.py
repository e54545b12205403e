"""The validate settings the catalogue's rules read: thresholds with their defaults, and the languages each
language-dependent rule runs for (with the evidence). Data only, beside pipeline/rules.py and as low in the import
graph: config.py checks `[validate.thresholds]` against it, docsgen prints it, validate applies it."""

from __future__ import annotations

from typing import Any

# Validate thresholds and their defaults; `[validate.thresholds]` and `[validate.language_thresholds.<lang>]`
# override them (config.py checks the keys and kinds against this table).
VALIDATE_THRESHOLDS: dict[str, Any] = {
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
    # Screen readers read alt text in one go, without pause or navigation (WebAIM's 125-character guidance).
    "alt_max_chars": 125,
    "keyphrase_heading_share": 0.3,
    "keyphrase_density_min": 0.5,
    "keyphrase_density_max": 3.0,
    "min_words": 300,
    "grade_warning": 12.0,
    "grade_error": 16.0,
    "reading_ease_min": 50.0,
    "long_sentence_words": 20,
    "long_sentence_share": 0.25,
    "paragraph_max_words": 150,
    "section_max_words": 300,
    "passive_max_share": 0.1,
    "transition_min_share": 0.3,
    "repeated_start_run": 3,
    # Articles READ014 reads past (the opening is then the article and the next word, as Yoast's sentence
    # beginnings do): three sentences opening "A plataforma", "A API", "A especificação" are not repetitive.
    # Per language in pipeline/validate/registry.py LANGUAGE_DEFAULTS; none for languages without articles.
    "opening_articles": [],
    # Length in "words" or "chars" (characters without spaces: Chinese and Japanese); the *_chars values are
    # Japanese's (pipeline/validate/registry.py LANGUAGE_DEFAULTS), for a language a site switches to "chars".
    "length_unit": "words",
    "min_chars": 600,
    "long_sentence_chars": 75,
    "paragraph_max_chars": 550,
    "section_max_chars": 1100,
    # Language check (LANG001-003, docs/validate.md)
    "langid_min_confidence": 0.9,
    "langid_own_script_share": 0.2,
    "langid_declared_prior": 10.0,
    "langid_title_min_letters": 12,
    "langid_description_min_letters": 30,
    "langid_paragraph_min_letters": 40,
    "langid_run_min_letters": 80,
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

LENGTH_UNITS = ("words", "chars")

# Languages a language-dependent validate rule runs for, and why not the others (pipeline.validate.langsupport
# applies the table; `validate.rule_languages` overrides it). Rules not listed run in every language. Evidence:
# Flesch–Kincaid is calibrated on English school grades and syllables (Kincaid et al. 1975; textstat and Yoast
# apply it to English only); Flesch Reading Ease has published constants for the languages in textstat's
# LANG_CONFIGS (Amstad for de, Fernández Huerta for es, Flesch–Vacca for it, Douma for nl), and our syllable
# counts exist for them (CMUdict, pyphen); the passive-voice patterns and the word lists are English.
_ENGLISH = ("en",)
VALIDATE_LANGUAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "READ001": (_ENGLISH, "Flesch–Kincaid grades are calibrated on English school grades and syllables"),
    "READ002": (_ENGLISH, "Flesch–Kincaid grades are calibrated on English school grades and syllables"),
    "READ003": (
        ("en", "de", "es", "fr", "it", "nl", "ru", "hu"),
        "Flesch Reading Ease has published constants only for en, de, es, fr, it, nl, ru, hu (textstat)",
    ),
    "READ013": (_ENGLISH, "passive voice is recognised by English auxiliaries and participles"),
    "READ015": (_ENGLISH, "the transition-word list is English"),
    "READ020": (_ENGLISH, "the plain-language list is English"),
}
# The language check runs for the languages its offline identifier's model knows (pipeline.langid.LABELS).
VALIDATE_LANGID_RULES = ("LANG001", "LANG002", "LANG003")
VALIDATE_LANGID_REASON = "the offline language identifier (py3langid) has no model for this language"

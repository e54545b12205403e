"""Which way a language's text runs, for `dir` on every place the UI shows text in a post's language.

The site's `site.languages.<code>.dir` decides when it is set; a language the site lists without `dir`, or one it
does not list (a social account's language, a language in a finding), falls back to what the code says: an RTL
script subtag (`az-Arab`) or a language written right to left by default. Without this, Arabic post text in a
left-to-right box puts its punctuation and Latin words (URLs, hashtags) on the wrong side.
"""

from __future__ import annotations

from pipeline.config import SiteConfig

# ISO 639 codes whose default script runs right to left (CLDR likely-subtags: Arab, Hebr, Thaa, Syrc, Nkoo, Adlm).
RTL_LANGUAGES = frozenset(
    {
        "ar",
        "arc",
        "azb",
        "bal",
        "bqi",
        "ckb",
        "dv",
        "fa",
        "glk",
        "he",
        "iw",
        "ks",
        "lrc",
        "mzn",
        "nqo",
        "pnb",
        "prs",
        "ps",
        "sd",
        "sdh",
        "syr",
        "ug",
        "ur",
        "yi",
    }
)
RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr"})


def direction(site: SiteConfig, lang: str | None) -> str:
    """ "rtl" or "ltr" for text in `lang` (a BCP 47 code as the site or a platform spells it)."""
    if not lang:
        return "ltr"
    conf = site.languages.get(lang)
    if conf is not None and "dir" in conf.model_fields_set:
        return conf.dir
    parts = lang.replace("_", "-").lower().split("-")
    if any(len(p) == 4 and p in RTL_SCRIPTS for p in parts[1:]):
        return "rtl"
    if any(len(p) == 4 and p.isalpha() for p in parts[1:]):
        return "ltr"  # an explicit script that is not RTL (e.g. ku-Latn)
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"

"""Which way a language's text runs when the site does not say: from its BCP 47 code alone.

An RTL script subtag (`az-Arab`) or a language written right to left by default (`fa`, `ar`, `he`, `ur`) is
"rtl"; an explicit other script (`ku-Latn`) or any other language is "ltr". `SiteConfig.direction` (build, crawl,
translation drafts) and the web UI (pipeline.web.bidi) both ask here, so a Persian page is `dir="rtl"` without a
`dir` line in the config, as Hugo sites (kubernetes.io, docsy-example) leave it out for LTR languages only.
"""

from __future__ import annotations

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


def code_direction(lang: str) -> str:
    """ "rtl" or "ltr" for a language code, by its script subtag or its default script."""
    parts = lang.replace("_", "-").lower().split("-")
    if any(len(p) == 4 and p in RTL_SCRIPTS for p in parts[1:]):
        return "rtl"
    if any(len(p) == 4 and p.isalpha() for p in parts[1:]):
        return "ltr"  # an explicit script that is not RTL (e.g. ku-Latn)
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"

"""Which way a language's text runs, for `dir` on every place the UI shows text in a post's language.

The site's `site.languages.<code>.dir` decides when it is set; a language the site lists without `dir`, or one it
does not list (a social account's language, a language in a finding), falls back to what the code says: an RTL
script subtag (`az-Arab`) or a language written right to left by default. Without this, Arabic post text in a
left-to-right box puts its punctuation and Latin words (URLs, hashtags) on the wrong side.
"""

from __future__ import annotations

from pipeline.config import SiteConfig
from pipeline.langdir import RTL_LANGUAGES, RTL_SCRIPTS

__all__ = ["RTL_LANGUAGES", "RTL_SCRIPTS", "direction"]


def direction(site: SiteConfig, lang: str | None) -> str:
    """ "rtl" or "ltr" for text in `lang` (a BCP 47 code as the site or a platform spells it)."""
    if not lang:
        return "ltr"
    return site.direction(lang)

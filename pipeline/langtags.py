"""A site's language codes as the rest of the world reads them.

Sites name languages after their folders, and folders are often POSIX locales: ruby-lang.org has `zh_cn` and
`zh_tw`, others `pt_BR`. The site's code stays what it is (URLs, config keys, file names), but everything that
looks a language up (which rules apply, thresholds, segmentation, fonts) asks for its primary subtag, and
everything written for others (hreflang, `<html lang>`, schema.org, the platforms' language fields) gets a
BCP 47 tag: an underscore is never valid there, and `zh_tw` is not Chinese to anyone who splits on `-`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Config

_SEPARATOR = re.compile(r"[-_]")


def primary(code: str) -> str:
    """The language itself: `zh_tw`, `zh-Hant-TW` and `ZH` are all `zh`."""
    return _SEPARATOR.split(code.strip(), maxsplit=1)[0].lower()


def bcp47(code: str) -> str:
    """`zh_tw` → `zh-TW`, `sr_latn` → `sr-Latn`, `es_419` → `es-419`, with the conventional casing; a code
    that is already a tag comes back the same (cased)."""
    if not isinstance(code, str):  # a template's missing value: nothing to tag
        return code
    parts = [p for p in _SEPARATOR.split(code.strip()) if p]
    if not parts:
        return code
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())  # script
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())  # region
        else:
            out.append(part.lower())
    return "-".join(out)


# Argos keys packages by bare ISO 639-1 codes plus two of its own: `zt` (Chinese, Traditional; `zh` is
# Simplified) and `pb` (Portuguese, Brazil). Sites name them zh_tw, zh-Hant, zh-HK, zh-cn, pt-br.
_TRADITIONAL = frozenset({"hant", "tw", "hk", "mo"})


def _has_script(parts: list[str]) -> bool:
    return any(len(p) == 4 and p.isalpha() for p in parts[1:])


def argos_code(code: str) -> str:
    """The code Argos names the site language's packages by (`zh-tw` → `zt`, `zh_cn` → `zh`, `pt-br` → `pb`,
    `fa-IR` → `fa`); a script subtag outside Chinese (`sr_latn`) stays, as the bare language may be written
    in another script."""
    parts = bcp47(code).split("-")
    head, rest = parts[0].lower(), {p.lower() for p in parts[1:]}
    if head in ("zh", "zho", "cmn"):
        return "zt" if rest & _TRADITIONAL else "zh"
    if head == "pt" and "br" in rest:
        return "pb"
    return code if _has_script(parts) else head


def package_codes(code: str) -> list[str]:
    """The codes a translation package for the site's language `code` may carry, best first: the code itself,
    its BCP 47 spellings, then Argos's code for it (`argos_code`), and for Chinese the script-named spellings;
    a region-only code also finds the bare language (`pt_br` → `pb`, then `pt`)."""
    tag = bcp47(code)
    parts = tag.split("-")
    out = [code, tag, tag.replace("-", "_"), argos_code(code)]
    if out[-1] == "zt":
        out += ["zh_Hant", "zh-Hant"]
    elif out[-1] == "zh" and len(parts) > 1:
        out += ["zh_Hans", "zh-Hans"]
    elif len(parts) == 2 and not _has_script(parts):
        out.append(parts[0])
    return list(dict.fromkeys(out))


def hreflang_code(config: Config, lang: str) -> str:
    """The tag a page of `lang` is announced with (hreflang, `<html lang>`, the sitemap): the language's own
    `hreflang` setting, else its code as BCP 47. One definition for the build, the crawl's expectations and the
    translation's hreflang sets, so the crawl expects exactly what the build writes."""
    conf = config.site.languages.get(lang)
    return (conf.hreflang if conf and conf.hreflang else bcp47(lang)).strip()

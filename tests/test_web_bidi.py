"""Which way text runs in the web UI: the site's `dir` when set, else what the language code says."""

from __future__ import annotations

from pipeline.config import SiteConfig
from pipeline.web.bidi import direction


def test_direction_by_language() -> None:
    site = SiteConfig.model_validate(
        {
            "default_language": "en",
            "languages": {
                "en": {},
                "ar": {},
                "he": {"dir": "rtl"},
                "fa": {"dir": "ltr"},
                "ur": {"name": "اردو"},
            },
        }
    )
    assert direction(site, "ar") == "rtl"  # listed without dir: Arabic still runs right to left
    assert direction(site, "ur") == "rtl"
    assert direction(site, "he") == "rtl"
    assert direction(site, "fa") == "ltr"  # the site said so
    assert direction(site, "en") == "ltr"
    assert direction(site, "ar-EG") == "rtl" and direction(site, "ps_AF") == "rtl"  # unlisted, region subtags
    assert (
        direction(site, "az-Arab") == "rtl" and direction(site, "ku-Latn") == "ltr"
    )  # script subtags decide
    assert direction(site, "ckb") == "rtl" and direction(site, "yi") == "rtl"
    assert direction(site, "") == "ltr" and direction(site, None) == "ltr" and direction(site, "ja") == "ltr"

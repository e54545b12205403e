"""Which way text runs in the web UI: the site's `dir` when set, else what the language code says."""

from __future__ import annotations

from pathlib import Path

from pipeline.build.stage import run_stage as build
from pipeline.config import SiteConfig, load_config
from pipeline.stages import Context
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


def test_preview_of_an_rtl_page_without_a_dir_line(tmp_path: Path) -> None:
    """A Hugo site lists `[languages.fa]` without a direction (docsy-example): the preview wrote its Persian pages
    as `dir="ltr"`, while the web UI already said rtl. Build, crawl and drafts ask SiteConfig.direction."""
    site = SiteConfig.model_validate(
        {"default_language": "en", "languages": {"en": {}, "fa": {}, "ur": {"dir": "ltr"}}}
    )
    assert site.direction("fa") == "rtl" and site.direction("ur") == "ltr" and site.direction("en") == "ltr"
    content = tmp_path / "content"
    (content / "fa" / "docs").mkdir(parents=True)
    (content / "fa" / "docs" / "intro.md").write_text(
        "---\ntitle: راهنمای شروع\ndescription: چگونه پروژه را نصب و اجرا کنیم\n---\n\nاین صفحه مراحل نصب را توضیح می‌دهد.\n"
        '\n{{% pageinfo color="warning" %}}\n\nیک {{< glossary_tooltip text="گره" term_id="node" >}} تازه.\n\n'
        "```\n{{< note >}}\n```\n",
        encoding="utf-8",
    )
    config_file = tmp_path / "site.toml"
    config_file.write_text(
        f"[site]\nname = 'T'\nbase_url = 'https://t.example'\ngenerator = 'hugo'\ncontent_dir = '{content}'\n"
        f"static_dir = '{tmp_path / 'static'}'\noutput_dir = '{tmp_path / 'out'}'\n"
        "default_language = 'en'\n[site.languages.en]\nname = 'English'\n[site.languages.fa]\nname = 'فارسی'\n",
        encoding="utf-8",
    )
    result = build(Context(config=load_config(config_file)))
    html = (Path(result.data["output"]) / "fa" / "docs" / "intro" / "index.html").read_text("utf-8")
    assert '<html lang="fa" dir="rtl">' in html
    # Shortcodes the preview cannot run: left to right in <code> (they were bidi-scrambled text), a tooltip
    # shows its text as the site does, and code blocks keep theirs as written.
    assert '<code class="shortcode" dir="ltr">{{% pageinfo color=&quot;warning&quot; %}}</code>' in html
    assert "یک گره تازه." in html
    assert "<pre><code>{{&lt; note &gt;}}\n</code></pre>" in html

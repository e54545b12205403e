"""Images a body writes as raw HTML (`<img>`, `<figure><img></figure>`) or a Hugo shortcode (`figure`, `img`).

Real Hugo, Jekyll and Eleventy posts place many images this way. Validate saw none of them (raw HTML and
templates are no Markdown images): a missing alt, a file name as alt and a missing file went unreported, and
translate kept their alt text in the source language. Fixtures: a Hugo site with a page bundle.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pipeline.config import load_config
from pipeline.stages import Context
from tests.validate_support import trial_site

POST = "---\ntitle: {title}\ndate: 2024-05-06\n---\n\n"
LONG_ALT = "A long row of bean plants climbing wooden poles in a kitchen garden " * 3  # 204 characters
# 130 graphemes of Japanese (over 125), 65 of Hindi written in 130+ code points (under 125)
JA_ALT = "畑の豆" * 43 + "豆"
HI_ALT = "हिंदी" * 26


def _site(tmp: Path) -> Path:
    body = (
        "Our garden in spring.\n"  # line 6
        '<img src="hero.png" alt="Three trees in a row">\n'  # 7: beside the page: fine
        "![Three trees](hero.png)\n"
        "<figure>\n"  # 9
        '  <img src="/images/missing.png"\n'  # 10: IMG002 on the tag's own line
        '       alt="Rows of beans">\n'
        "</figure>\n"
        "\n"
        'A logo <img src="/images/logo.png" class="x"> in a sentence.\n'  # 14: MD003 (no alt attribute)
        "\n"
        '<img src="/images/logo.png" alt="">\n'  # 16: decorative, as HTML means it
        "\n"
        '<img src="/images/logo.png" alt="logo.png">\n'  # 18: MD009
        "\n"
        f'<img src="/images/logo.png" alt="{LONG_ALT}">\n'  # 20: MD008
        "\n"
        '{{< figure src="beans.png" caption="Beans in rows" >}}\n'  # 22: alt from the caption; IMG002
        "\n"
        '{{< figure src="hero.png" >}}\n'  # 24: MD003 (neither alt nor caption)
        "\n"
        '<img src="../../../../../../etc/passwd" alt="Not a picture">\n'  # 26: IMG001
        "\n"
        "```html\n"
        '<img src="in-code.png">\n'
        "```\n"
        "\n"
        'Write `<img src="inline-code.png">` or <!-- <img src="commented.png"> --> to add one.\n'
        "\n"
        '<img src="/posts/other/shared.png" alt="Another page\'s image">\n'  # 34: that page's bundle file
        '<img src="https://cdn.example/remote.png" alt="A picture served elsewhere">\n'
    )
    ja = (
        f'<img src="/images/logo.png" alt="{JA_ALT}">\n\n<img src="/images/logo.png" alt="{HI_ALT}">\n\n'
        "![三本の木](hero.png)\n\n"  # line 10: Hugo shares the English bundle's hero.png with its translations
        '<img src="hero.png" alt="三本の木">\n'  # line 12: raw HTML is no resource lookup: not there (IMG002)
    )
    config_file = trial_site(
        tmp,
        tmp / "content",
        {
            "en/posts/garden/index.md": POST.format(title="Garden") + body,
            "en/posts/other/index.md": POST.format(title="Other") + "Text.\n",
            "ja/posts/garden/index.md": POST.format(title="庭") + ja,
        },
        ("en", "ja"),
        {"name": "Garden Notes", "base_url": "https://garden.example", "generator": "hugo"},
    )
    for path in (
        "content/en/posts/garden/hero.png",
        "static/images/logo.png",
        "content/en/posts/other/shared.png",
    ):
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (40, 30), (20, 120, 60)).save(tmp / path)
    return config_file


def test_raw_html_and_shortcode_images_are_checked_on_their_own_lines(tmp_path: Path) -> None:
    from pipeline.validate.stage import run_stage

    config = load_config(_site(tmp_path))
    found = run_stage(Context(config=config), use_cache=False).findings
    rules = ("MD003", "MD008", "MD009", "IMG001", "IMG002")
    got = sorted((f.file.split("/")[-4], f.rule, f.line) for f in found if f.rule in rules)
    assert got == [
        ("en", "IMG001", 26),
        ("en", "IMG002", 10),
        ("en", "IMG002", 22),
        ("en", "MD003", 14),
        ("en", "MD003", 24),
        ("en", "MD008", 20),
        ("en", "MD009", 18),
        ("ja", "IMG002", 12),
        ("ja", "MD008", 6),  # Japanese: 130 characters; the Hindi alt is 65 graphemes, not 130 code points
    ]
    missing = next(f for f in found if f.rule == "IMG002" and f.line == 10)
    assert "'/images/missing.png' not found" in missing.message


def test_alt_text_of_raw_html_and_figures_is_translated_and_the_tag_kept(tmp_path: Path) -> None:
    from pipeline.translate.segment import Segment, assemble, segment_body

    body = (
        'Intro with <img src="/i/a.png" alt="A small garden"> inline.\n'
        "\n"
        "<figure>\n"
        '  <img src="hero.png"\n'
        '       alt="Three trees in a row" class="wide">\n'
        "  <figcaption>Trees</figcaption>\n"
        "</figure>\n"
        "\n"
        '{{< figure src="beans.png" alt="Beans on a pole" >}}\n'
        "\n"
        '<img src="x.png" alt="">\n'
        "\n"
        "```html\n"
        '<img src="code.png" alt="Code stays code">\n'
        "```\n"
    )
    parts = segment_body(body)
    segments = [p for p in parts if isinstance(p, Segment)]
    assert [s.template for s in segments] == [
        "Intro with ⟦1⟧A small garden⟦2⟧ inline.",
        "Three trees in a row",
        "⟦1⟧Beans on a pole⟦2⟧",
    ]
    assert assemble(parts) == body
    # A translation that quotes keeps the tag whole: the quote is escaped as the tag reads it.
    out = assemble(
        parts,
        {s.id: s.template.replace("trees", '"árboles"').replace("Beans", 'Judías "altas"') for s in segments},
    )
    assert out == body.replace("trees", "&quot;árboles&quot;").replace("Beans", 'Judías \\"altas\\"')
    # Each segment renders its translation as the draft holds it: the record that spots hand edits agrees.
    assert segments[1].render('Tres "árboles" en fila') == "Tres &quot;árboles&quot; en fila"

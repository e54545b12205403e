"""What a trial on a real multilingual Eleventy site (a developer blog translated into six languages) found wrong.

Fixtures are our own text in the shape of such a site: input folder `src/site/content/<lang>/blog/<slug>/index.md`,
front matter `title, subhead, description, authors, date, updated, hero, alt, tags`, headings with
markdown-it-attrs ids (`## History {: #history }`), Nunjucks shortcodes `{% Img %}` and `{% Aside %}`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.stages import Context
from tests.validate_support import assert_heading_ids, trial_site


def eleventy_site(tmp: Path, posts: dict[str, str], languages: tuple[str, ...] = ("en", "ja")) -> Path:
    """An Eleventy site with an input folder holding `<lang>/` folders; returns its config file."""
    site = {"name": "Dev Notes", "base_url": "https://notes.example", "generator": "eleventy"}
    aliases = '[site.front_matter]\naliases = { image = ["hero"], imageAlt = ["alt"] }\n'
    return trial_site(tmp, tmp / "src" / "site" / "content", posts, languages, site, aliases)


POST = "---\ntitle: {title}\nsubhead: A short line under the title.\nauthors:\n  - someone\ndate: 2021-02-03\n---\n\n"


def test_colon_attribute_lists_on_headings_are_ids_not_words(tmp_path: Path) -> None:
    # Every heading of the site ends `{: #id }` (markdown-it-attrs with leftDelimiter '{:'), its Japanese posts
    # without a space before it: validate quoted "section 'History {: #history }'", the translation segmenter
    # sent the id to the engine, and the preview printed it inside the <h2>.
    body = "## 庭の歴史{: #history }\n\n庭には木があります。\n\n## 今後 {: # later }\n\n木は育ちます。\n"
    config_file = eleventy_site(tmp_path, {"ja/blog/garden/index.md": POST.format(title="庭") + body})
    html = ['<h2 id="history">庭の歴史</h2>', "<h2>今後</h2>"]
    assert_heading_ids(config_file, body, ["庭の歴史", "今後"], "ja/blog/garden/index.html", html)


def test_image_shortcodes_are_images_whose_alt_text_is_checked(tmp_path: Path) -> None:
    # The site's images are `{% Img src="image/<id>/<name>.png", alt="…" %}`, most inside raw `<figure>` HTML:
    # validate saw no image at all, so a missing alt was never reported (an empty `![](x.png)` is, MD003).
    from pipeline.content.loader import load_content
    from pipeline.validate.prose import analyse

    body = (
        "Intro text here.\n"  # line 9
        "\n"
        '<figure>{% Img src="image/u1/a.png", alt="A bar chart", width="400" %} <figcaption>Bars</figcaption>'
        "</figure>\n"  # line 11
        "\n"
        'See {% Img src="image/u1/b.png", width="800", height="400" %} inline.\n'  # line 13
        "\n"
        "```md\n"
        '{% Img src="image/u1/in-a-fence.png" %}\n'
        "```\n"
        "\n"
        'Write `{% Img src="image/u1/in-code.png" %}` to add one.\n'
        "\n"
        '{% image "photos/cat.jpg", "" %}\n'  # line 21: eleventy-img's positional form
    )
    config_file = eleventy_site(tmp_path, {"en/blog/charts/index.md": POST.format(title="Charts") + body})
    post = load_content(load_config(config_file)).posts[0]
    assert [(i.url, i.text, i.line) for i in analyse(post).images] == [
        ("image/u1/a.png", "A bar chart", 11),
        ("image/u1/b.png", "", 13),
        ("photos/cat.jpg", "", 21),
    ]
    from pipeline.validate.stage import run_stage

    found = run_stage(Context(config=load_config(config_file)), use_cache=False).findings
    assert sorted(f.line for f in found if f.rule == "MD003") == [13, 21]
    assert "Img" not in " ".join(u.text for u in analyse(post).units)  # still no words of the prose


def test_a_hero_beside_its_page_is_found_served_and_carded(tmp_path: Path) -> None:
    # Older posts keep `hero: hero.png` beside their index.md (the layout writes page.url + hero): validate said
    # the hero did not exist (IMG002, an error on every such post), cards rendered without it (CARD003) and the
    # preview's og:image pointed at /hero.png. A hero that is nowhere still is an error.
    from PIL import Image

    from pipeline.build.stage import run_stage as build
    from pipeline.cards.stage import plan
    from pipeline.content.loader import load_content
    from pipeline.crawl.expected import build_expected
    from pipeline.validate.stage import run_stage

    hero = "---\ntitle: {title}\ndate: 2021-02-03\nhero: {hero}\nalt: Two round icons side by side\n---\n\nText.\n"
    config_file = eleventy_site(
        tmp_path,
        {
            "en/blog/icons/index.md": hero.format(title="Icons", hero="hero.png"),
            "en/blog/cdn/index.md": hero.format(title="Elsewhere", hero="image/u1/abc.png"),
        },
        languages=("en",),
    )
    Image.new("RGB", (1300, 700), (20, 90, 160)).save(tmp_path / "src/site/content/en/blog/icons/hero.png")
    config = load_config(config_file)
    found = run_stage(Context(config=config), use_cache=False).findings
    assert [f.file.split("/")[-2] for f in found if f.rule == "IMG002"] == ["cdn"]
    content = load_content(config)
    planned, problems = plan(Context(config=config), content.posts)
    assert [f.file.split("/")[-2] for f in problems if f.rule == "CARD003"] == ["cdn"]
    assert any(p.spec.hero is not None and p.spec.hero.name == "hero.png" for p in planned)
    pages = {p.url: p for p in build_expected(config, content).pages}
    page = pages["https://notes.example/en/blog/icons/"]
    assert page.og_image == "https://notes.example/en/blog/icons/hero.png"
    build(Context(config=config))
    site = tmp_path / "_site" / "en" / "blog" / "icons"
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://notes.example/en/blog/icons/hero.png">' in html
    assert '<meta property="og:image:width" content="1300">' in html
    assert (site / "hero.png").read_bytes() == (
        tmp_path / "src/site/content/en/blog/icons/hero.png"
    ).read_bytes()


def test_eleventy_javascript_data_files_are_said_to_be_unread_once(tmp_path: Path) -> None:
    # Directory data in JavaScript (`blog/blog.11tydata.js`, `ja/ja.11tydata.js`) can set permalink and lang; it
    # is code this tool does not run, and it said nothing, so a URL a data file changes was silently wrong. JSON
    # data files are read (tests/test_eleventy_data.py).
    from pipeline.content.loader import load_content

    files = {
        "en/blog/blog.11tydata.js": "module.exports = {layout: 'post'};\n",
        "ja/ja.11tydata.js": "module.exports = () => ({lang: 'ja'});\n",
        "en/docs/docs.json": '{"permalink": "/guides/{{ page.fileSlug }}/"}\n',
        "en/docs/intro/intro.json": '{"tags": ["guide"]}\n',
        "en/docs/intro/index.md": POST.format(title="Intro") + "Text.\n",
        "en/docs/other.json": "{}\n",  # a data file only where it is named after its folder or a template
    }
    config_file = eleventy_site(tmp_path, files)
    content = load_content(load_config(config_file))
    notes = [f for f in content.problems if f.rule == "CONTENT016"]
    assert len(notes) == 1 and notes[0].severity == "info"
    assert notes[0].file.endswith("en/blog/blog.11tydata.js")
    assert "(en/blog/blog.11tydata.js and 1 more)" in notes[0].message
    intro = content.posts[0]
    assert intro.path_url == "/guides/intro/" and intro.tags == ["guide"]
    hugo = config_file.read_text(encoding="utf-8").replace('generator = "eleventy"', 'generator = "hugo"')
    config_file.write_text(hugo, encoding="utf-8")
    assert not [f for f in load_content(load_config(config_file)).problems if f.rule == "CONTENT016"]


def test_sentences_opening_with_an_article_are_compared_past_it(tmp_path: Path) -> None:
    # Portuguese and Spanish translations open sentence after sentence with an article ("A plataforma…",
    # "A especificação…"): READ014 said "3 sentences in a row start with 'A'". The opening is now the article
    # and the word after it, in the languages that have articles; the same noun three times is still reported.
    from pipeline.validate.stage import run_stage

    varied = {
        "pt": "A casa fica perto do rio. A rua tem muitas árvores. A praça abre cedo todos os dias.",
        "es": "La casa está cerca del río. La calle tiene árboles. La plaza abre temprano cada día.",
        "en": "The house is near the river. The street has many trees. The square opens early every day.",
    }
    same = "A casa fica perto do rio. A casa tem muitas janelas. A casa abre cedo todos os dias."
    posts = {
        f"{lang}/blog/town/index.md": POST.format(title="Town") + text + "\n" for lang, text in varied.items()
    }
    posts["pt/blog/house/index.md"] = POST.format(title="Casa") + same + "\n"
    config_file = eleventy_site(tmp_path, posts, languages=("en", "es", "pt"))
    found = run_stage(Context(config=load_config(config_file)), use_cache=False).findings
    hits = [(f.file.split("/")[-2], f.message) for f in found if f.rule == "READ014"]
    assert hits == [("house", "3 sentences in a row start with 'A casa'; vary the openings")]


def test_image_shortcode_alt_text_is_translated_and_the_tag_kept(tmp_path: Path) -> None:
    # A translated draft kept every `{% Img … alt="…" %}` alt text in the source language (the whole tag was one
    # placeholder, and a raw `<figure>` line was not read at all); `![alt](src)` alt text was translated.
    from pipeline.translate.segment import Segment, segment_body

    body = (
        '<figure>{% Img src="image/u1/a.png", alt="A bar chart of sales", width="100%" %}</figure>\n'
        "\n"
        'See {% Img src="image/u1/b.png", alt="A pie chart" %} here.\n'
        "\n"
        "```html\n"
        '<p>{% Img src="image/u1/c.png", alt="Code stays code" %}</p>\n'
        "```\n"
    )
    parts = segment_body(body)
    assert [p.template for p in parts if isinstance(p, Segment)] == [
        "A bar chart of sales",
        "See ⟦1⟧A pie chart⟦2⟧ here.",
    ]
    assert "".join(p if isinstance(p, str) else p.source for p in parts) == body
    translated = "".join(
        p if isinstance(p, str) else p.render(p.template.replace("chart", "Diagramm")) for p in parts
    )
    assert 'alt="A bar Diagramm of sales", width="100%" %}</figure>' in translated
    assert '{% Img src="image/u1/b.png", alt="A pie Diagramm" %}' in translated
    assert 'alt="Code stays code"' in translated

"""What a trial on a real multilingual Hugo site (a service-mesh project's docs and blog in English, Chinese and
Ukrainian) found wrong.

Fixtures are our own text in the shape of such a site: `content/<lang>/docs/<section>/<page>/index.md`, front
matter `title, description, weight, keywords, owner, test`, numbered steps holding the site's own code shortcode
(`{{< text bash >}}` … `{{< /text >}}`, printed by its template as `<pre><code>`), Chinese headings with Goldmark
ids and no space before them (`## 准备{#prerequisites}`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.stages import Context
from tests.validate_support import assert_heading_ids, trial_site
from tests.web_support.browser import chromium_browser

PAGE = "---\ntitle: {title}\ndescription: {description}\nweight: 30\nkeywords: [garden,setup]\nowner: team\ntest: no\n---\n\n"


def hugo_site(tmp: Path, posts: dict[str, str], code_shortcodes: str = "") -> Path:
    """A Hugo site with `content/<lang>/` folders for en and zh; returns its config file."""
    site = {"name": "Mesh Garden", "base_url": "https://garden.example", "generator": "hugo"}
    config = trial_site(tmp, tmp / "content", posts, ("en", "zh"), site)
    if code_shortcodes:
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[site]\n", f"[site]\n{code_shortcodes}\n", 1), encoding="utf-8")
    return config


# Chinese steps around a block of shell commands and their English output (the shape of the site's setup pages).
STEPS = (
    "按照以下步骤准备花园。\n"  # line 10
    "\n"
    "1. 使用下列命令创建一个花园：\n"  # line 12
    "\n"
    "    {{< text bash >}}\n"
    "    $ garden create bed --name north-bed\n"
    "    Created the north bed with three rows of tomatoes and beans.\n"
    "    The watering schedule is set to every morning at six.\n"
    "    {{< /text >}}\n"
    "\n"
    "    `--name` 用于为花园指定一个名字。\n"  # line 20
    "\n"
    "{{< text syntax=yaml snip_id=bed >}}\n"
    "rows: three\n"
    "{{< /text >}}\n"
    "\n"
    "{{< highlight go >}}\n"
    'fmt.Println("water the plants every morning before the sun is high")\n'
    "{{< /highlight >}}\n"
    "\n"
    "更多介绍，请看[这里](/zh/docs/missing/)。\n"  # line 30
)


def test_code_shortcodes_are_code_for_every_stage(tmp_path: Path) -> None:
    # Every setup page runs its commands in `{{< text bash >}}` blocks inside numbered steps. Read as prose, the
    # English output was "2 paragraphs read as English, not Chinese" (LANG003) on the Chinese pages, its words
    # were counted, the translation engine rewrote the commands (`$ kind create cluster` came back from Apertium
    # as `$ Amable crea grupo`) and the preview printed the shortcode lines as text. Hugo's own `highlight`
    # needs no configuration; the site's `text` is named in `site.code_shortcodes`.
    from pipeline.build.stage import run_stage as build
    from pipeline.content.loader import load_content
    from pipeline.translate.drafts import segmenter_for
    from pipeline.translate.segment import assemble, segments_of
    from pipeline.validate.prose import analyse
    from pipeline.validate.stage import run_stage

    page = PAGE.format(title="花园", description="为花园准备苗床的说明。") + STEPS
    config_file = hugo_site(tmp_path, {"zh/docs/garden/index.md": page}, 'code_shortcodes = ["text"]')
    config = load_config(config_file)
    post = load_content(config).posts[0]
    prose = " ".join(u.text for u in analyse(post).units)
    assert "garden create" not in prose and "watering" not in prose and "fmt.Println" not in prose
    assert "使用下列命令创建一个花园" in prose and "用于为花园指定一个名字" in prose
    found = run_stage(Context(config=config), use_cache=False).findings
    assert not [f for f in found if f.rule == "LANG003"], found
    assert [f.line for f in found if f.rule == "MD005"] == [30]  # lines after the blocks stay where they are

    parts = segmenter_for(config).body(post.body)
    assert assemble(parts) == post.body  # the shortcode lines and the commands are kept byte for byte
    texts = [s.plain for s in segments_of(parts)]
    assert not any("garden create" in t or "watering" in t or "Println" in t for t in texts), texts
    assert any("用于为花园指定一个名字" in t for t in texts)

    build(Context(config=config))
    html = (config.root / config.site.output_dir / "zh/docs/garden/index.html").read_text(encoding="utf-8")
    assert '<code class="language-bash">$ garden create bed --name north-bed' in html
    assert '<code class="language-go">' in html and '<code class="language-yaml">rows: three' in html
    assert "{{&lt; text" not in html and "text bash" not in html


def test_without_the_setting_only_hugos_own_highlight_is_code(tmp_path: Path) -> None:
    from pipeline.content.loader import load_content
    from pipeline.validate.prose import analyse

    page = PAGE.format(title="花园", description="为花园准备苗床的说明。") + STEPS
    config = load_config(hugo_site(tmp_path, {"zh/docs/garden/index.md": page}))
    prose = " ".join(u.text for u in analyse(load_content(config).posts[0]).units)
    assert "fmt.Println" not in prose and "watering" in prose


def test_heading_ids_need_no_space_before_the_brace(tmp_path: Path) -> None:
    # The Chinese pages write `## 准备{#prerequisites}` (Goldmark reads an attribute block wherever the heading
    # line ends in one): validate quoted "section '为 kind 设置操作界面{#setup-Dashboard-for-kind}'", the
    # segmenter sent the id to the engine and the preview printed it inside the <h2>.
    body = "## 准备{#prerequisites}\n\n花园里有树。\n\n## 为花园设置界面{#setup-Dashboard}\n\n因为树。\n"
    page = PAGE.format(title="花园", description="为花园准备苗床的说明。") + body
    config_file = hugo_site(tmp_path, {"zh/docs/garden/index.md": page})
    html = ['<h2 id="prerequisites">准备</h2>', '<h2 id="setup-Dashboard">为花园设置界面</h2>']
    assert_heading_ids(config_file, body, ["准备", "为花园设置界面"], "zh/docs/garden/index.html", html)


chromium = pytest.fixture(scope="module", name="chromium")(chromium_browser)


@pytest.mark.browser
def test_long_command_lines_scroll_inside_their_block_on_a_phone(tmp_path: Path, chromium: Any) -> None:
    # The setup pages' command output is wide (`kubectl get pods` tables): on a 390 px phone the preview's
    # <pre> ran past the screen and the whole page scrolled sideways. The block scrolls, the page does not.
    from pipeline.build.stage import run_stage as build

    wide = "    $ garden list beds --all-namespaces --output wide --show-labels --sort-by .metadata.name\n"
    body = "1. 列出所有苗床：\n\n    {{< text bash >}}\n" + wide + "    {{< /text >}}\n"
    page = PAGE.format(title="花园", description="为花园准备苗床的说明。") + body
    config = load_config(hugo_site(tmp_path, {"zh/docs/garden/index.md": page}, 'code_shortcodes = ["text"]'))
    build(Context(config=config))
    html = config.root / config.site.output_dir / "zh/docs/garden/index.html"
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    try:
        tab = context.new_page()
        tab.goto(html.as_uri())
        assert tab.locator("pre").count() == 1
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_a_site_under_a_base_path_builds_and_crawls_as_one(tmp_path: Path) -> None:
    # Hugo's baseURL is `https://istio.io/latest` (every version of the docs lives under its own path). The
    # preview wrote /zh/x/ while crawl asked for /latest/zh/x/ (all 17 pages CRAWL001 404), the preview's
    # redirects and index linked /latest/… (every alias CRAWL005, every index link 404), and a broken link
    # written `../sibling/` had no line.
    from pipeline.build.server import PreviewServer
    from pipeline.build.stage import run_stage as build
    from pipeline.config import with_overrides
    from pipeline.crawl.stage import run_stage as crawl

    posts = {
        "zh/blog/2025/results/index.md": PAGE.format(title="结果", description="选举结果的公告。")
        + "我们宣布了结果。\n\n请看[上一篇](../election/)和[花园](/zh/docs/garden/)。\n",  # line 12
        "zh/docs/garden/index.md": "---\ntitle: 花园\ndescription: 花园的说明。\naliases:\n  - /zh/help/garden/\n---\n\n花园里有树。\n",
    }
    site = {"name": "Mesh Garden", "base_url": "https://garden.example/latest", "generator": "hugo"}
    config_file = trial_site(tmp_path, tmp_path / "content", posts, ("en", "zh"), site)
    config = with_overrides(load_config(config_file), {"crawl": {"check_external": False}})
    ctx = Context(config=config)
    build(ctx)
    out = config.root / config.site.output_dir
    assert (out / "zh/docs/garden/index.html").is_file()
    assert '"/zh/help/garden/": "/zh/docs/garden/"' in (out / "_redirects.json").read_text(encoding="utf-8")
    assert 'href="/zh/docs/garden/"' in (out / "index.html").read_text(encoding="utf-8")
    with PreviewServer(out) as url:
        result = crawl(ctx, base_url=url, history_key="preview")
    assert result.counts["expected"] == 2
    found = [(f.rule, f.line, f.message) for f in result.findings]
    assert [(rule, line) for rule, line, _ in found] == [("CRAWL070", 12)], found
    assert "/zh/blog/2025/election/" in found[0][2]


def test_crawl_maps_a_base_path_both_ways() -> None:
    from pipeline.crawl.urls import Mapper

    m = Mapper("https://istio.example/latest", "http://127.0.0.1:8000")
    assert m.to_crawl("https://istio.example/latest/zh/x/") == "http://127.0.0.1:8000/zh/x/"
    assert m.to_public("http://127.0.0.1:8000/zh/x/?a=1") == "https://istio.example/latest/zh/x/?a=1"
    assert m.to_crawl("https://istio.example/v1.20/x/") == "https://istio.example/v1.20/x/"  # another version
    assert m.site_path("http://127.0.0.1:8000/zh/x/") == "/zh/x/"
    live = Mapper("https://istio.example/latest", "https://istio.example/latest")
    assert live.site_path("https://istio.example/latest/zh/x/") == "/zh/x/"
    assert live.site_path("https://istio.example/latest") == "/"


def test_absolute_links_to_the_site_follow_its_base_path(tmp_path: Path) -> None:
    # Chinese pages link `https://istio.io/latest/docs/…` in full: validate took `/latest/docs/…` for the page
    # path and said no page has it (MD005); a link to another version of the docs on the same host
    # (`/v1.20/…`) is no page of this site either way.
    from pipeline.validate.stage import run_stage

    body = (
        "请看[花园](https://garden.example/latest/zh/docs/garden/)。\n\n"  # line 10
        "请看[旧版](https://garden.example/v1.20/zh/docs/garden/)。\n\n"
        "请看[缺失](https://garden.example/latest/zh/docs/missing/)。\n"  # line 14
    )
    posts = {
        "zh/docs/garden/index.md": PAGE.format(title="花园", description="为花园准备苗床的说明。")
        + "花园里有树。\n",
        "zh/docs/links/index.md": PAGE.format(title="链接", description="花园的链接。") + body,
    }
    site = {"name": "Mesh Garden", "base_url": "https://garden.example/latest", "generator": "hugo"}
    config = load_config(trial_site(tmp_path, tmp_path / "content", posts, ("en", "zh"), site))
    found = run_stage(Context(config=config), use_cache=False).findings
    assert [(f.line, f.message.split("'")[1]) for f in found if f.rule == "MD005"] == [
        (14, "https://garden.example/latest/zh/docs/missing/")
    ]


def test_hugo_image_shortcodes_are_images_whose_alt_is_checked_and_translated(tmp_path: Path) -> None:
    # The blog's pictures are `{{< image width="75%" link="./cover.png" alt="…" >}}` over several lines (the
    # site's shortcode; Hugo's own is `{{< figure src alt >}}`): validate saw no image, so a missing alt was never
    # reported (MD003), and the Spanish draft kept the English alt text.
    from pipeline.content.loader import load_content
    from pipeline.translate.drafts import segmenter_for
    from pipeline.translate.segment import assemble, segments_of
    from pipeline.validate.prose import analyse
    from pipeline.validate.stage import run_stage

    body = (
        "The garden book is out.\n"  # line 10
        "\n"
        '{{< image width="75%"\n'  # line 12
        '    link="./cover.png"\n'
        '    alt="The cover of the garden book"\n'
        "    >}}\n"
        "\n"
        # line 17: no alt (a `caption=` would be its alt: Hugo's figure writes the caption there when alt is empty)
        '{{< figure src="/img/beds.png" title="Raised beds" >}}\n'
        "\n"
        '`{{< figure src="/img/in-code.png" >}}` writes a figure.\n'
    )
    page = PAGE.format(title="Garden book", description="The garden book is out.") + body
    config = load_config(hugo_site(tmp_path, {"en/blog/book/index.md": page}))
    post = load_content(config).posts[0]
    assert [(i.url, i.text, i.line) for i in analyse(post).images] == [
        ("./cover.png", "The cover of the garden book", 12),
        ("/img/beds.png", "", 17),
    ]
    found = run_stage(Context(config=config), use_cache=False).findings
    assert [f.line for f in found if f.rule == "MD003"] == [17]
    parts = segmenter_for(config).body(post.body)
    assert assemble(parts) == post.body
    assert "⟦1⟧The cover of the garden book⟦2⟧" in [s.template for s in segments_of(parts)]


def test_hugo_html_content_files_are_pages_that_links_reach(tmp_path: Path) -> None:
    # The reference docs are generated as `docs/reference/config/…/index.html` with front matter (Hugo renders
    # HTML content like Markdown): every link to them was "reaches no page of the site" (MD005). An HTML file in
    # a leaf bundle is a resource, and one without front matter is no content, as in Hugo.
    from pipeline.validate.stage import run_stage

    body = (
        "See [the API](/docs/reference/api/) and [the TOML one](/docs/reference/toml/).\n\n"  # line 10
        "Not pages: [a resource](/docs/guide/extra/), [no front matter](/docs/reference/bare/).\n"  # line 12
    )
    posts = {
        "en/docs/guide/index.md": PAGE.format(title="Guide", description="How to plant a bed.") + body,
        "en/docs/guide/extra.html": "---\ntitle: Extra\n---\n<p>Part of the guide.</p>\n",
        "en/docs/reference/api/index.html": "---\ntitle: API\n---\n<h2>Fields</h2>\n",
        "en/docs/reference/toml/index.html": "+++\ntitle = 'TOML'\n+++\n<p>x</p>\n",
        "en/docs/reference/bare/index.html": "<p>No front matter.</p>\n",
    }
    config = load_config(hugo_site(tmp_path, posts))
    found = run_stage(Context(config=config), use_cache=False).findings
    assert sorted((f.line, f.message.split("'")[1]) for f in found if f.rule == "MD005") == [
        (12, "/docs/guide/extra/"),
        (12, "/docs/reference/bare/"),
    ]

"""What a trial on a real multilingual Hugo glossary (one term per file, many scripts) found wrong.

Fixtures are our own text in the shape of such a site: `content/<lang>/<term>.md`, term pages with `title`,
`status`, `category` and `tags`, paragraphs wrapped one sentence per line, RTL languages among them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.findings import Finding
from pipeline.stages import Context
from pipeline.validate.stage import run_stage
from tests.validate_support import assert_heading_ids, trial_site


def hugo_site(tmp: Path, posts: dict[str, str], languages: tuple[str, ...] = ("en", "ar")) -> Path:
    """A Hugo site with a `content/<lang>/` folder per language; returns its config file."""
    site = {"name": "Glossary", "base_url": "https://glossary.example", "generator": "hugo"}
    return trial_site(tmp, tmp / "content", posts, languages, site)


def findings(config_file: Path, rule: str) -> list[Finding]:
    found = run_stage(Context(config=load_config(config_file)), use_cache=False).findings
    return [f for f in found if f.rule == rule]


TERM = "---\ntitle: {title}\nstatus: Completed\ncategory: concept\n---\n\n"


def test_each_link_of_a_wrapped_paragraph_is_reported_on_its_own_line(tmp_path: Path) -> None:
    # Glossary paragraphs are written one sentence per line; a broken link on the fourth line of the paragraph
    # was reported on its first line (every link of a block took the block's line).
    body = (
        "A grove is a group of [trees](/tree/) that grow together.\n"  # line 7
        "Each tree in a grove shares water with the others.\n"
        "A gardener tends the grove as one thing.\n"
        "Groves can grow [wider](/no-such-term/) or [taller](/also-missing/).\n"  # line 10
        "\n"
        "* a list item with [a link](/gone/)\n"  # line 12
        "\t* a nested item with ![a picture](/images/none.png) and [one more](/away/)\n"  # line 13
    )
    config = hugo_site(
        tmp_path, {"en/grove.md": TERM.format(title="Grove") + body, "en/tree.md": TERM.format(title="Tree")}
    )
    lines = {f.message.split("'")[1]: f.line for f in findings(config, "MD005")}
    assert lines == {"/no-such-term/": 10, "/also-missing/": 10, "/gone/": 12, "/away/": 13}


def test_an_untitled_language_home_page_is_not_titled_with_its_language_code(tmp_path: Path) -> None:
    # content/ar/_index.md written without front matter: Hugo titles the home page with the site's title. The
    # social plan said "ar https://…/ar/" and the preview's <title> was "ar".
    from pipeline.build.stage import run_stage as build
    from pipeline.content.loader import load_content
    from pipeline.social.compose import compose

    config_file = hugo_site(
        tmp_path,
        {
            "ar/_index.md": "\n# مسرد الحديقة\n\nنص قصير عن الحديقة.\n",
            "ar/tree.md": TERM.format(title="شجرة") + "نص عن الشجرة.\n",
            "en/_index.md": "Words about the garden.\n",
        },
    )
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text + '[[social.accounts]]\nname = "m"\nplatform = "mastodon"\napi_base_url = "https://m.example"\n'
        'credentials_env = { access_token = "M_TOKEN" }\n',
        encoding="utf-8",
    )
    config = load_config(config_file, environ={})
    posts = {p.rel: p for p in load_content(config).posts}
    account = config.social.accounts[0]
    assert compose(config, account, posts["ar/_index.md"]).text.startswith(
        "Glossary\n\nhttps://glossary.example/ar/"
    )
    assert compose(config, account, posts["en/_index.md"]).text.startswith(
        "Glossary\n\nhttps://glossary.example/?"
    )
    assert compose(config, account, posts["ar/tree.md"]).text.startswith("شجرة")
    build(Context(config=config))
    html = (tmp_path / "_site" / "ar" / "index.html").read_text(encoding="utf-8")
    assert "<title>Glossary" in html and "<title>ar" not in html
    # Its card too carries the site's title (it was refused: CARD011 "post has no title").
    from pipeline.cards.stage import run_stage as cards

    result = cards(Context(config=config))
    assert not [f for f in result.findings if f.rule == "CARD011"]
    assert (tmp_path / "static" / "images" / "cards" / "ar" / "index-og.jpg").is_file()


def test_a_key_without_a_space_after_its_colon_is_reported_on_its_own_line(tmp_path: Path) -> None:
    # `category:تقنية` (no space: not a YAML key) was reported on the closing `---`, two lines on, as
    # "could not find expected ':'"; an unclosed quote likewise at the end of the front matter.
    config = hugo_site(
        tmp_path,
        {
            "ar/tree.md": "---\ntitle: شجرة\ncategory:مفهوم\nstatus: Completed\n---\n\nنص.\n",
            "en/tree.md": '---\ntitle: "Tree\nstatus: Completed\n---\n\nText.\n',
        },
    )
    found = {str(f.file).rsplit("/", 2)[-2]: f for f in findings(config, "CONTENT005")}
    assert found["ar"].line == 3
    assert "'category:مفهوم' is not `key: value`; put a space after the colon" in found["ar"].message
    assert found["en"].line == 2


def test_an_empty_tag_is_named_as_such_not_given_an_empty_slug(tmp_path: Path) -> None:
    # `tags: ["application", "fundamental", ""]` got "tag '' is not a slug; use … (e.g. '')".
    meta = '---\ntitle: Tree\ntags: ["plant", "基礎", ""]\n---\n\nText.\n'
    config = hugo_site(tmp_path, {"en/tree.md": meta})
    assert [(f.line, f.message) for f in findings(config, "SEO031")] == [
        (3, "an empty tag; remove it from `tags`")
    ]


def test_a_hugo_language_named_zh_cn_uses_the_argos_zh_package(tmp_path: Path, _isolated_state: Path) -> None:
    # The glossary's folders are zh-cn and zh-tw (Hugo language keys); Argos names its packages zh and zt. With
    # en→zh installed, `translate --to zh-cn` said "no Argos package for en→zh-cn (`pipeline models install en
    # zh-cn` …)", a command that cannot succeed either.
    from pipeline.stages import StageSkipped
    from pipeline.translate.stage import run_stage as translate
    from tests.translate_support.site import POST, install, make_context

    languages: dict[str, dict[str, str]] = {"en": {}, "zh-cn": {}, "zh-tw": {}}
    ctx = make_context(tmp_path, {"en/term.md": POST}, {"languages": ["zh-tw"]}, {"languages": languages})
    with pytest.raises(StageSkipped, match=r"en→zh-tw \(`pipeline models install en zt`"):
        translate(ctx)
    install(_isolated_state, "upper", "en", "zh")
    ctx = make_context(tmp_path, {"en/term.md": POST}, {"languages": ["zh-cn"]}, {"languages": languages})
    assert translate(ctx).counts["drafts_written"] == 1
    assert (tmp_path / "content" / "zh-cn" / "term.md").is_file()
    from pipeline.langtags import argos_code

    assert [argos_code(c) for c in ("zh-cn", "zh-TW", "zh_Hant", "zh-Hans", "pt-br", "pt", "ar", "fa-IR")] == [
        "zh", "zt", "zt", "zh", "pb", "pt", "ar", "fa",
    ]  # fmt: skip


def test_installing_zh_cn_from_the_index_installs_argos_zh(
    tmp_path: Path, _isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pipeline models install en zh-cn` looked the pair up in the Argos index as written: no such entry.
    import functools
    import http.server
    import json
    import shutil
    import threading

    from pipeline.translate.packages import download_and_install
    from tests.translate_support.site import package_file

    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(package_file("copy", "en", "zh"), served / "translate-en_zh.argosmodel")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    entry = {"from_code": "en", "to_code": "zh", "links": [f"{base}/translate-en_zh.argosmodel"]}
    (served / "index.json").write_text(json.dumps([entry]), encoding="utf-8")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PIPELINE_ARGOS_INDEX_URL", f"{base}/index.json")
        pkg = download_and_install(_isolated_state, "en", "zh-cn")
    finally:
        server.shutdown()
        server.server_close()
    assert (pkg.from_code, pkg.to_code) == ("en", "zh")


def test_with_no_engine_for_any_target_the_skip_names_every_target(
    tmp_path: Path, _isolated_state: Path
) -> None:
    from pipeline.stages import StageSkipped
    from pipeline.translate.stage import run_stage as translate
    from tests.translate_support.site import POST, make_context

    ctx = make_context(
        tmp_path,
        {"en/term.md": POST},
        {"languages": ["ar", "zh-cn"]},
        {"languages": {"en": {}, "ar": {}, "zh-cn": {}}},
    )
    with pytest.raises(StageSkipped) as info:
        translate(ctx)
    assert "en→ar" in str(info.value) and "en→zh-cn" in str(info.value)


def test_hugo_reads_front_matter_after_blank_lines(tmp_path: Path) -> None:
    # The glossary's ko and zh-cn home pages start with an empty line, then `---`. Hugo's page lexer skips
    # whitespace before the delimiter; we said "no front matter" and "'title' is missing", and read the block
    # as a thematic break and a setext heading.
    from pipeline.content.loader import load_content

    home = '\n---\ntitle: "花园词汇表"\n---\n\n## 关于\n\n花园里有很多树。\n'
    broken = "\n\n---\ntitle: 树\ncategory:概念\n---\n\n树。\n"
    config_file = hugo_site(
        tmp_path, {"zh-cn/_index.md": home, "zh-cn/tree.md": broken}, languages=("en", "zh-cn")
    )
    config = load_config(config_file)
    content = load_content(config)
    post = next(p for p in content.posts if p.rel == "zh-cn/_index.md")
    assert post.title == "花园词汇表" and post.body_line == 5 and post.line_of("title") == 3
    assert post.dumps() == home  # the blank line stays where it was
    assert post.dumps({"description": "树"}).startswith('\n---\ntitle: "花园词汇表"\ndescription:')
    assert not [f for f in content.problems if f.rule == "CONTENT011"]
    assert [
        (f.line, "'category:概念' is not `key: value`" in f.message)
        for f in findings(config_file, "CONTENT005")
    ] == [(5, True)]

    other = config_file.read_text(encoding="utf-8").replace('generator = "hugo"', 'generator = "eleventy"')
    config_file.write_text(other, encoding="utf-8")  # Eleventy (gray-matter) reads line 1 only
    problems = {f.file: f.message for f in load_content(load_config(config_file)).problems}
    assert (
        "front matter must start on line 1; remove the blank lines before its first '---'"
        in problems.values()
    )


def test_heading_ids_are_attributes_not_words(tmp_path: Path) -> None:
    # zh-tw terms write `## 是什麼 {#what-it-is}` (Goldmark heading attributes, on by default in Hugo): the id was
    # part of the heading's text in validate, sent to the translation engine, and shown as text by the preview.
    body = "## 花園是什麼 {#what-it-is}\n\n花園裡有樹。\n\n## 為何 {.note #why}\n\n因為樹。\n"
    config_file = hugo_site(
        tmp_path, {"zh-tw/garden.md": TERM.format(title="花園") + body}, languages=("en", "zh-tw")
    )
    html = ['<h2 id="what-it-is">花園是什麼</h2>', '<h2 id="why" class="note">為何</h2>']
    assert_heading_ids(config_file, body, ["花園是什麼", "為何"], "zh-tw/garden/index.html", html)


def test_a_home_layout_without_title_makes_the_body_h1_the_heading(tmp_path: Path) -> None:
    # The glossary's layouts/home.html renders `.Content` only; every language's home page writes its own
    # `# …` H1, and MD001 called each one a duplicate of the title the layout never prints.
    h1s = "# حديقة\n\nنص.\n\n# ثانية\n"
    home = '---\ntitle: "حديقة"\n---\n\n' + h1s
    config_file = hugo_site(tmp_path, {"ar/_index.md": home, "ar/tree.md": TERM.format(title="شجرة") + h1s})
    assert [(f.file.rsplit("/", 1)[-1], f.line) for f in findings(config_file, "MD001") if f.file] == [
        ("_index.md", 5), ("_index.md", 9), ("tree.md", 7), ("tree.md", 11),
    ]  # fmt: skip
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace(
            "[validate]\n", '[validate]\nlayout_renders_title_except = ["_index.md", "*/_index.md"]\n'
        ),
        encoding="utf-8",
    )
    hits = [(f.file.rsplit("/", 1)[-1], f.line, f.message) for f in findings(config_file, "MD001") if f.file]
    assert hits[0] == ("_index.md", 9, "H1 'ثانية' is a second H1; make it an H2")
    assert [h[:2] for h in hits[1:]] == [("tree.md", 7), ("tree.md", 11)]


def test_urdu_and_hindi_sentence_limits_follow_their_word_counts(tmp_path: Path) -> None:
    # Urdu and Hindi write postpositions and auxiliaries as words: the glossary's Urdu container and devops pages
    # have 1.35× the words of their English originals, and READ010 called most of their sentences long.
    sentence = " ".join(["باغ"] * 23) + "۔"  # 23 words: long in English terms, not for Urdu's 27
    body = "\n\n".join(" ".join([sentence] * 2) for _ in range(3)) + "\n"
    config = hugo_site(tmp_path, {"ur/garden.md": TERM.format(title="باغ") + body}, languages=("en", "ur"))
    assert findings(config, "READ010") == []
    longer = " ".join(["باغ"] * 28) + "۔"
    (tmp_path / "content" / "ur" / "garden.md").write_text(
        TERM.format(title="باغ") + "\n\n".join(" ".join([longer] * 2) for _ in range(3)) + "\n",
        encoding="utf-8",
    )
    assert [f.rule for f in findings(config, "READ010")] == ["READ010"]


def test_a_heading_ends_a_run_of_same_openings(tmp_path: Path) -> None:
    # A Hindi term page: the intro's last two sentences and the next section's first one open with the term;
    # they were "3 sentences in a row" across the heading. Within one section a run still counts.
    body = (
        "बगीचा एक जगह है। बगीचा हरा है।\n\n## समस्या\n\nबगीचा बड़ा है। पेड़ ऊँचे हैं।\n\n"
        "## समाधान\n\nपानी दें। पानी रोज़ दें। पानी सुबह दें।\n"
    )
    config = hugo_site(tmp_path, {"hi/garden.md": TERM.format(title="बगीचा") + body}, languages=("en", "hi"))
    assert [(f.line, f.message) for f in findings(config, "READ014")] == [
        (15, "3 sentences in a row start with 'पानी'; vary the openings")
    ]

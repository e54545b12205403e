"""What a trial on a real multilingual Jekyll site (an accessibility initiative's site: resources in Jekyll
collections, translations as `index.<lang>.md` beside the English page) found wrong.

Fixtures are our own text in the shape of such a site: `_config.yml` with `collections_dir: collections` and
`collections:` (`output: true`, per-collection `permalink`, `posts` with its own pattern), no jekyll-polyglot;
pages under `pages/` and `collections/_<label>/`; each translation writes its own `permalink:` with the language
at the end and no trailing slash (`/intro/zh-hans`), `lang:`, `ref:` naming the English page, and the site's own
`translation:` notes (`last_updated`, `status: outdated`) on human translations.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.stages import Context
from tests.validate_support import trial_site

CONFIG = """\
title: Example Access
baseurl: "/preview"
collections_dir: collections
collections:
  videos:
    output: true
    permalink: /:collection/:path/
  guides:
    output: true
    permalink: /library/:name/
  notes:
    output: false
  posts:
    output: true
    permalink: /news/:year-:month-:day/:title/
plugins:
  - jekyll-seo-tag
"""

PAGE = "---\ntitle: {title}\nlang: {lang}\npermalink: {permalink}\nref: {ref}\n{more}---\n\n{body}\n"

EN_BODY = (
    "Start with the [typing video](/videos/typing/), read the [first steps](/library/first-steps/) and the "
    "[news](/news/2024-02-03/new-guide/). The page is also in [Chinese](/intro/zh-hans) and "
    "[Arabic](/intro/ar).\n"
)
NOTES = "translation:\n  last_updated: 2024-01-05\n  status: outdated\n"

POSTS = {
    "pages/intro/index.md": PAGE.format(
        title="Getting started", lang="en", permalink="/intro/", ref="/intro/", more="", body=EN_BODY
    ),
    "pages/intro/index.zh-hans.md": PAGE.format(
        title="入门指南", lang="zh-hans", permalink="/intro/zh-hans", ref="/intro/", more=NOTES,
        body="先看[打字视频](/videos/typing/zh-hans)，再读英文版[入门](/intro/)。",
    ),
    "pages/intro/index.ar.md": PAGE.format(
        title="البداية", lang="ar", permalink="/intro/ar   # the language at the end, no slash", ref="/intro/",
        more=NOTES, body="شاهد [الفيديو](/videos/typing/) ثم اقرأ [الصفحة الإنجليزية](/intro/).",
    ),
    "collections/_videos/typing.md": "---\ntitle: Typing without a mouse\nlang: en\nref: /videos/typing/\n---\n\n"
    "A short film about typing.\n",
    "collections/_videos/typing.zh-hans.md": PAGE.format(
        title="不用鼠标打字", lang="zh-hans", permalink="/videos/typing/zh-hans", ref="/videos/typing/", more="",
        body="一部关于打字的短片。",
    ),
    "collections/_guides/first-steps.md": "---\ntitle: First steps\n---\n\nSteps to take first.\n",
    "collections/_notes/private.md": "---\ntitle: Internal note\n---\n\nNot published: output is false.\n",
    "collections/_posts/2024-02-03-new-guide.md": "---\ntitle: A new guide\n---\n\nThe guide is out.\n",
}  # fmt: skip


def wai_site(tmp: Path, config_yml: str = CONFIG) -> Path:
    site = {"name": "Example Access", "base_url": "https://access.example/WAI", "generator": "jekyll"}
    config_file = trial_site(tmp, tmp / "site", POSTS, ("en", "zh-hans", "ar", "es"), site)
    (tmp / "site" / "_config.yml").write_text(config_yml, encoding="utf-8")
    return config_file


def _urls(config_file: Path) -> dict[str, str]:
    from pipeline.content.loader import load_content

    return {p.rel: p.path_url for p in load_content(load_config(config_file)).posts}


def test_collections_that_output_are_pages_at_their_collection_permalinks(tmp_path: Path) -> None:
    # Most of the site lives in collections (`collections/_<label>/`): they were underscore folders, so no page of
    # theirs was read, and every link to one was an MD005 error; posts under `collections/_posts` got
    # `/collections/2024/02/03/new-guide.html` (the folder taken for a category, the posts' own permalink unread).
    urls = _urls(wai_site(tmp_path))
    assert urls["collections/_videos/typing.md"] == "/videos/typing/"  # /:collection/:path/
    assert urls["collections/_guides/first-steps.md"] == "/library/first-steps/"  # /library/:name/
    assert urls["collections/_posts/2024-02-03-new-guide.md"] == "/news/2024-02-03/new-guide/"
    assert "collections/_notes/private.md" not in urls  # output: false writes no pages
    from pipeline.validate.stage import run_stage

    found = run_stage(Context(config=load_config(tmp_path / "site.toml")), use_cache=False).findings
    assert [f.message for f in found if f.rule == "MD005"] == []


def test_translations_keep_their_own_permalinks_and_are_file_pages(tmp_path: Path) -> None:
    # Without jekyll-polyglot `lang:` moves no page: `/intro/zh-hans` was taken as `/zh-hans/intro/zh-hans/`. A
    # permalink without a trailing slash or extension is written as `intro/zh-hans.html` and served as
    # `/intro/zh-hans` (the folder `/intro/zh-hans/` does not exist on the site).
    from pipeline.build.stage import run_stage as build
    from pipeline.content.loader import load_content
    from pipeline.crawl.expected import build_expected

    urls = _urls(wai_site(tmp_path))
    assert urls["pages/intro/index.zh-hans.md"] == "/intro/zh-hans"
    assert urls["pages/intro/index.ar.md"] == "/intro/ar"
    assert urls["collections/_videos/typing.zh-hans.md"] == "/videos/typing/zh-hans"
    config = load_config(tmp_path / "site.toml")
    pages = {p.url: p for p in build_expected(config, load_content(config)).pages}
    english = pages["https://access.example/WAI/intro/"]
    assert english.cluster == {  # `ref:` groups the translations with the English page
        "en": "https://access.example/WAI/intro/",
        "zh-Hans": "https://access.example/WAI/intro/zh-hans",
        "ar": "https://access.example/WAI/intro/ar",
    }
    build(Context(config=config))
    out = tmp_path / "_site"
    assert (out / "intro" / "zh-hans.html").is_file() and not (out / "intro" / "zh-hans").exists()
    assert '<html lang="ar" dir="rtl">' in (out / "intro" / "ar.html").read_text(encoding="utf-8")


def test_a_language_at_the_end_of_the_url_is_no_slug(tmp_path: Path) -> None:
    # `typing.zh-hans.md` at `/videos/typing/zh-hans`: SEO023 said the slug 'zh-hans' differs from the file name
    # 'typing' (rename one), and a `{slug}` card pattern gave every zh-hans page of the site the same card file.
    from pipeline.content.loader import load_content
    from pipeline.validate.stage import run_stage

    config = load_config(wai_site(tmp_path))
    posts = {p.rel: p for p in load_content(config).posts}
    assert posts["collections/_videos/typing.zh-hans.md"].slug == "typing"
    assert posts["pages/intro/index.zh-hans.md"].slug == "intro"
    found = run_stage(Context(config=config), use_cache=False).findings
    assert [f.file for f in found if f.rule == "SEO023"] == []


def test_polyglot_sites_still_get_the_language_prefix(tmp_path: Path) -> None:
    # jekyll-polyglot (a `languages:` list) serves `lang: zh-hans` pages under /zh-hans/: that stays.
    polyglot = CONFIG + 'languages: ["en", "zh-hans", "ar"]\n'
    assert _urls(wai_site(tmp_path, polyglot))["pages/intro/index.zh-hans.md"] == "/zh-hans/intro/zh-hans"


def test_a_sites_own_translation_notes_do_not_make_a_page_a_draft(tmp_path: Path) -> None:
    # The site's human translations carry `translation: {last_updated, status: outdated}`, which was read as
    # this tool's machine-draft block: every such page was an unapproved draft — built noindex, not expected by
    # the crawl, never announced by social, and not translated from either.
    from pipeline.content.loader import load_content
    from pipeline.crawl.expected import build_expected

    config = load_config(wai_site(tmp_path))
    posts = {p.rel: p for p in load_content(config).posts}
    assert posts["pages/intro/index.zh-hans.md"].publishable
    expected = {p.url for p in build_expected(config, load_content(config)).pages}
    assert "https://access.example/WAI/intro/ar" in expected
    draft = posts["pages/intro/index.md"]
    machine = PAGE.format(
        title="Primeros pasos", lang="es", permalink="/es/intro/", ref="/intro/",
        more=f"translation:\n  status: draft\n  source_hash: {draft.hash}\n  approved: 0\n  total: 3\n",
        body="Texto.",
    )  # fmt: skip
    (tmp_path / "site" / "es" / "pages" / "intro").mkdir(parents=True)
    (tmp_path / "site" / "es" / "pages" / "intro" / "index.md").write_text(machine, encoding="utf-8")
    es = next(p for p in load_content(config).posts if p.lang == "es")
    assert es.is_translation and not es.publishable  # our own drafts still wait for approval


def test_drafts_go_beside_the_source_with_the_sites_permalink_style(
    tmp_path: Path, _isolated_state: Path
) -> None:
    # Drafts went to `es/collections/_videos/typing.md` (an underscore folder outside collections_dir: the site
    # never builds it) with `permalink: /es/videos/typing/`, while the site names translations `typing.<lang>.md`
    # beside the source, permalinks ending in the language. An article people already translated into the
    # language (found by `ref:`) got a second, machine page of the same article.
    from pipeline.config import with_overrides
    from pipeline.content.loader import load_content
    from pipeline.translate.stage import run_stage
    from tests.translate_support.site import install

    install(_isolated_state, "upper")
    config_file = wai_site(tmp_path)
    people = PAGE.format(
        title="Guía", lang="es", permalink="/es/library/first-steps/", ref="/library/first-steps/", more="",
        body="Pasos.",
    )  # fmt: skip
    (tmp_path / "site" / "pages" / "es").mkdir(parents=True)
    (tmp_path / "site" / "pages" / "es" / "first-steps.md").write_text(people, encoding="utf-8")
    guide = tmp_path / "site" / "collections" / "_guides" / "first-steps.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("---\n\n", "ref: /library/first-steps/\n---\n\n")
    )
    translate = {"languages": ["es"], "beam_size": 1, "engines": {"*": ["argos"]}}
    config = with_overrides(load_config(config_file), {"translate": translate})
    result = run_stage(Context(config=config), paths=[tmp_path / "site" / "collections"])
    assert result.counts["human_translations"] == 1  # first-steps: people translated it
    drafts = sorted(p.relative_to(tmp_path / "site").as_posix() for p in result.outputs)
    assert "collections/_videos/typing.es.md" in drafts and not any("first-steps" in d for d in drafts)
    posts = {p.rel: p for p in load_content(config).posts}
    assert posts["collections/_videos/typing.es.md"].path_url == "/videos/typing/es"  # as its zh-hans sibling
    # The posts' pattern names no language and no prefix is added: the draft claimed the source's URL (BUILD002).
    news = [p.path_url for p in posts.values() if p.lang == "es" and "_posts" in p.rel]
    assert news == ["/es/news/2024-02-03/new-guide/"]


def test_kramdown_attribute_lists_and_extensions_are_not_translated() -> None:
    # Every page's block IALs, image attributes and kramdown extensions went to the engine: `{:#what}` came back
    # `{:#Qué}` (anchors other pages link to, gone), `{:.left width="67"}` as `{:.Ancho izquierdo="67"}` and
    # `{::options toc_levels="2" /}` as `{::Opciones toc_nivela="2" /}`.
    from pipeline.translate.segment import Segment, segment_body

    body = (
        '{::options toc_levels="2" /}\n\n{::nomarkdown}\n{% include box.html title="Summary" %}\n{:/}\n\n'
        "## What it is\n{:#what}\n\nA mouse is hard to use.\n\n"
        '![A crossed mouse](/img/no-mouse.png){:.left width="67"} Some people type instead.\n{:.note}\n'
    )
    parts = segment_body(body)
    assert [p.template for p in parts if isinstance(p, Segment)] == [  # what the engine gets
        "What it is",
        "A mouse is hard to use.",
        "⟦1⟧A crossed mouse⟦2⟧ Some people type instead.⟦3⟧",
    ]
    assert "".join(p if isinstance(p, str) else p.template for p in parts) == body.replace(
        '![A crossed mouse](/img/no-mouse.png){:.left width="67"} Some people type instead.\n{:.note}',
        "⟦1⟧A crossed mouse⟦2⟧ Some people type instead.⟦3⟧",
    )


def test_a_key_written_twice_keeps_the_page_as_jekyll_does(tmp_path: Path) -> None:
    # A resource's English page wrote `navigation:` and `lang:` twice. Jekyll's YAML reader keeps the last value
    # and builds the page; the loader refused the file (CONTENT005 error), so the page was missing from every
    # stage and each link to it was an MD005 error. It is loaded now, with a warning on the second key.
    from pipeline.content.loader import load_content

    twice = (
        "---\ntitle: Writing tips\nlang: en\nnav:\n  next: /a/\npermalink: /tips/writing/\nnav:\n  next: /b/\n"
        "lang: en   # again\n---\n\nShort text.\n"
    )
    config_file = wai_site(tmp_path)
    (tmp_path / "site" / "collections" / "_videos" / "writing.md").write_text(twice, encoding="utf-8")
    content = load_content(load_config(config_file))
    post = next(p for p in content.posts if p.rel.endswith("_videos/writing.md"))
    assert post.path_url == "/tips/writing/" and post.meta["nav"] == {"next": "/b/"}
    assert [(f.rule, f.severity, f.line) for f in content.problems if "writing" in f.file] == [
        ("CONTENT005", "warning", 7),
        ("CONTENT005", "warning", 9),
    ]
    # A stage that writes from it (a translation draft) crashed on the key (ruamel's DuplicateKeyError): it
    # writes one key, with the value Jekyll used.
    text = post.dumps({"title": "Consejos"})
    assert text.count("nav:") == 1 and "next: /b/" in text and "next: /a/" not in text


def test_link_tags_to_collection_documents_and_links_under_the_base_path(tmp_path: Path) -> None:
    # `{% link _guides/first-steps.md %}` names a collection document relative to `collections_dir`, as Jekyll
    # reads it: "no content file is there". `/WAI/library/first-steps/` on a site at `https://access.example/WAI`
    # starts from the host's root, as the site's absolute URLs do: it was looked up as `/WAI/library/…`.
    from pipeline.validate.stage import run_stage

    body = "See [one]({% link _guides/first-steps.md %}), [two](/WAI/library/first-steps/) and [three](/WAI/gone/).\n"
    config_file = wai_site(tmp_path)
    page = tmp_path / "site" / "pages" / "intro" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    found = run_stage(Context(config=load_config(config_file)), use_cache=False).findings
    assert [f.message.split(" reaches")[0] for f in found if f.rule == "MD005"] == ["link to '/WAI/gone/'"]
    assert "no page has that URL: /gone/" in next(f.message for f in found if f.rule == "MD005")
    from pipeline.build.stage import run_stage as build

    # The preview serves the site at its root, so it links the pages there.
    build(Context(config=load_config(config_file)))
    html = (tmp_path / "_site" / "intro" / "index.html").read_text(encoding="utf-8")
    assert html.count('href="/library/first-steps/"') == 3 and 'href="/gone/"' in html


def test_images_whose_src_is_a_liquid_url_filter_are_looked_up_by_their_path(tmp_path: Path) -> None:
    # `![]({{ "/img/thumbs/typing.jpg" | relative_url }})` (an overview page's thumbnails) was looked up as a file
    # named after the template: IMG002 "not found" on every thumbnail, present or not.
    from PIL import Image

    from pipeline.validate.stage import run_stage

    body = (
        '[![A keyboard]({{ "/img/thumbs/typing.jpg" | relative_url }})<br>Typing]({{ "/videos/typing/" | '
        'relative_url }})\n\n![Missing]({{ "/img/thumbs/gone.jpg" | relative_url }})\n'
    )
    config_file = wai_site(tmp_path)
    (tmp_path / "static" / "img" / "thumbs").mkdir(parents=True)
    Image.new("RGB", (32, 18), (9, 9, 9)).save(tmp_path / "static" / "img" / "thumbs" / "typing.jpg")
    page = tmp_path / "site" / "pages" / "intro" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    found = run_stage(Context(config=load_config(config_file)), use_cache=False).findings
    missing = [f.message for f in found if f.rule == "IMG002"]
    assert len(missing) == 1 and "img/thumbs/gone.jpg" in missing[0], missing


def test_collections_linked_in_from_elsewhere_in_the_repository_are_read(tmp_path: Path) -> None:
    # The site keeps each resource in `_external/resources/<repo>/` (excluded in `_config.yml`) and links it in:
    # `collections/_videos` → `../_external/resources/videos/_videos/`. Folder symlinks were never followed, so
    # on a real checkout every such collection had no pages. One leading out of the site is still not followed.
    from pipeline.content.loader import load_content

    config_file = wai_site(tmp_path, CONFIG + "exclude:\n  - _external\n")
    site = tmp_path / "site"
    moved = site / "_external" / "resources" / "videos"
    moved.mkdir(parents=True)
    (site / "collections" / "_videos").rename(moved / "_videos")
    (site / "collections" / "_videos").symlink_to("../_external/resources/videos/_videos/")
    outside = tmp_path / "elsewhere" / "_guides"
    outside.mkdir(parents=True)
    (outside / "secret.md").write_text("---\ntitle: Not ours\n---\n\nOutside.\n", encoding="utf-8")
    (site / "collections" / "_guides" / "more").symlink_to(outside)
    (site / "collections" / "_guides" / "loop").symlink_to("..")
    urls = _urls(config_file)
    assert urls["collections/_videos/typing.md"] == "/videos/typing/"
    assert urls["collections/_videos/typing.zh-hans.md"] == "/videos/typing/zh-hans"
    assert not any("_external" in rel or "secret" in rel or "loop" in rel for rel in urls)
    assert len(load_content(load_config(config_file)).posts) == len(urls)


SNAPSHOT = Path(os.environ.get("WAI_SNAPSHOT", "/tmp/wai/site.toml"))


@pytest.mark.skipif(not SNAPSHOT.is_file(), reason="the real-site snapshot is not on this machine")
def test_the_snapshot_if_present() -> None:
    from pipeline.content.loader import load_content

    posts = {p.rel: p for p in load_content(load_config(SNAPSHOT)).posts}
    intro = "pages/fundamentals/introduction/index.ar.md"
    assert posts[intro].path_url == "/fundamentals/accessibility-intro/ar" and posts[intro].publishable
    assert posts["collections/_perspective-videos/keyboard.md"].path_url == "/perspective-videos/keyboard/"

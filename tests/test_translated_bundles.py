"""A translated Hugo page bundle without its own copy of the images reads its translations' (Hugo shares them).

On real multilingual Hugo sites (opentelemetry.io: `content/en/blog/x/` with the images, `content/ja/blog/x/`
with only `index.md`; other sites: `index.md` + `index.bn.md` in one folder) the translated page's hero and
body images live in the default language's bundle. Validate reported them missing (IMG002), cards refused the
page (CARD003), social attached nothing and the preview showed no image. Hugo's rule
(https://gohugo.io/content-management/multilingual/#page-bundles): the page's own language's file first, then
the first translation's bundle by language order; a shared file is published once, under its bundle's URL.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pipeline.build.stage import run_stage as build
from pipeline.cards.stage import run_stage as cards
from pipeline.config import Config, load_config
from pipeline.content.assets import image_site_path, media_file, media_reference, page_resource
from pipeline.content.loader import load_content
from pipeline.crawl.expected import build_expected
from pipeline.stages import Context
from tests.validate_support import run_validate, trial_site

EN = (
    "---\ntitle: A garden in spring\ndate: 2026-03-02\nimage: hero.png\nimageAlt: Three trees\n"
    "description: What grows first in a small garden, and when to plant it.\n---\n\n"
    "The first green comes from the trees.\n\n![A row of trees](trees.png)\n\n"
    '{{{{< figure src="trees.png" link="https://garden.example/trees" class="wide" title="Spring trees"\n'
    'caption="Three *young* trees, see [the guide](https://garden.example/guide)." alt="Trees" >}}}}\n'
)
JA = (
    "---\ntitle: 春の庭\ndate: 2026-03-02\nimage: hero.png\nimageAlt: 三本の木\n"
    "description: 小さな庭で最初に育つもの。\n---\n\n最初の緑は木から来ます。\n\n![木の列](trees.png)\n\n"
    '{{{{< figure src="trees.png" alt="木" >}}}}\n'
)
BN = JA.replace("春の庭", "বসন্তের বাগান").replace("最初の緑は木から来ます。", "প্রথম সবুজ আসে গাছ থেকে।")


def _png(path: Path, color: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 630), color).save(path)


def _by_directory(tmp: Path) -> Config:
    content = tmp / "content"
    config = trial_site(
        tmp,
        content,
        {"en/blog/garden/index.md": EN.format(), "ja/blog/garden/index.md": JA.format()},
        ("en", "ja"),
        {"name": "Garden", "base_url": "https://garden.example", "generator": "hugo"},
    )
    _png(content / "en/blog/garden/hero.png", (30, 110, 60))
    _png(content / "en/blog/garden/trees.png", (60, 90, 30))
    (tmp / "static").mkdir(exist_ok=True)
    return load_config(config)


def _by_file_name(tmp: Path) -> Config:
    content = tmp / "content"
    config = trial_site(
        tmp,
        content,
        {"posts/garden/index.md": EN.format(), "posts/garden/index.bn.md": BN.format()},
        ("en", "bn"),
        {"name": "Garden", "base_url": "https://garden.example", "generator": "hugo"},
    )
    _png(content / "posts/garden/hero.png", (30, 110, 60))
    _png(content / "posts/garden/trees.png", (60, 90, 30))
    (tmp / "static").mkdir(exist_ok=True)
    return load_config(config)


def _post(config: Config, lang: str):  # type: ignore[no-untyped-def]
    return next(p for p in load_content(config).posts if p.lang == lang)


def test_a_translated_bundle_reads_the_default_languages_files_and_names_their_one_url(
    tmp_path: Path,
) -> None:
    config = _by_directory(tmp_path)
    content = config.content_root.resolve()
    ja = _post(config, "ja")
    assert ja.path_url == "/ja/blog/garden/"
    assert page_resource(ja, "hero.png") == content / "en/blog/garden/hero.png"
    assert image_site_path(ja, "hero.png") == "/blog/garden/hero.png"  # published once, with its bundle
    assert media_reference(ja, "hero.png", config.content_root) == "content:en/blog/garden/hero.png"
    assert media_file("content:en/blog/garden/hero.png", config.static_root, content).is_file()
    expected = {page.lang: page for page in build_expected(config, load_content(config)).pages}
    assert expected["ja"].og_image == "https://garden.example/blog/garden/hero.png"  # crawl checks that URL
    # A run over the translated file alone reads its translations' bundles too.
    (only,) = load_content(config, [config.content_root / "ja/blog/garden/index.md"]).posts
    assert page_resource(only, "hero.png") == content / "en/blog/garden/hero.png"
    # The page's own language's file comes first, by folder or by name, and is served under its own URL.
    _png(content / "ja/blog/garden/hero.ja.png", (200, 30, 30))
    ja = _post(config, "ja")
    assert page_resource(ja, "hero.png") == content / "ja/blog/garden/hero.ja.png"
    assert image_site_path(ja, "hero.png") == "/ja/blog/garden/hero.png"
    (content / "ja/blog/garden/hero.ja.png").rename(content / "ja/blog/garden/hero.png")
    assert page_resource(_post(config, "ja"), "./hero.png") == content / "ja/blog/garden/hero.png"
    # Never outside a bundle folder: a path that climbs out of one is not read from any of them.
    (content / "en/secret.png").write_bytes((content / "en/blog/garden/hero.png").read_bytes())
    assert page_resource(ja, "../../secret.png") is None
    assert page_resource(ja, "../../../en/secret.png") is None


def test_by_file_name_the_bundle_folder_is_shared_and_the_file_served_under_the_default_page(
    tmp_path: Path,
) -> None:
    config = _by_file_name(tmp_path)
    bn = _post(config, "bn")
    assert bn.path_url == "/bn/posts/garden/"
    assert page_resource(bn, "hero.png") == config.content_root.resolve() / "posts/garden/hero.png"
    assert image_site_path(bn, "hero.png") == "/posts/garden/hero.png"
    from pipeline.web.audit import file_language

    assert file_language(config, (config.content_root / "posts/garden/index.bn.md").resolve()) == "bn"
    (only,) = load_content(config, [config.content_root / "posts/garden/index.bn.md"]).posts
    assert image_site_path(only, "hero.png") == "/posts/garden/hero.png"  # its bundle's default page's
    _png(config.content_root / "posts/garden/hero.bn.png", (200, 30, 30))
    bn = _post(config, "bn")
    assert page_resource(bn, "hero.png") == config.content_root.resolve() / "posts/garden/hero.bn.png"
    assert image_site_path(bn, "hero.png") == "/bn/posts/garden/hero.png"
    assert (
        page_resource(_post(config, "en"), "hero.png")
        == config.content_root.resolve() / "posts/garden/hero.png"
    )


def test_validate_cards_build_and_crawl_find_the_shared_hero(tmp_path: Path) -> None:
    for config in (_by_directory(tmp_path / "dir"), _by_file_name(tmp_path / "name")):
        findings = run_validate(config)
        missing = [f for f in findings if f.rule in ("IMG001", "IMG002")]
        assert missing == [], missing
        result = cards(Context(config=config))
        assert not [f for f in result.findings if f.rule == "CARD003"], result.findings
        rendered = {p.relative_to(config.static_root).as_posix() for p in config.static_root.rglob("*.jpg")}
        assert len(rendered) >= 4, rendered  # og + twitter, both languages
        lang = "ja" if "dir" in str(config.content_root) else "bn"
        card = next(p for p in config.static_root.rglob("*-og.jpg") if f"/{lang}/" in p.as_posix())
        with Image.open(card) as im:  # the shared hero's green fills the card's top corner
            red, green, blue = im.convert("RGB").getpixel((1150, 20))  # type: ignore[misc]
        assert abs(red - 30) + abs(green - 110) + abs(blue - 60) < 30, (red, green, blue)
        build(Context(config=config))
        folder = Path(config.site.output_dir) / ("ja/blog/garden" if lang == "ja" else "bn/posts/garden")
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert 'src="trees.png"' in page
        assert (folder / "trees.png").is_file()  # the body image the page shows, beside it in the preview


def test_a_raw_img_is_no_resource_lookup_and_needs_its_own_file(tmp_path: Path) -> None:
    config = _by_directory(tmp_path)
    path = config.content_root / "ja/blog/garden/index.md"
    path.write_text(path.read_text(encoding="utf-8") + '\n<img src="trees.png" alt="木">\n', encoding="utf-8")
    findings = [f for f in run_validate(config) if f.rule == "IMG002"]
    assert [f.file.endswith("ja/blog/garden/index.md") for f in findings] == [True]
    assert "trees.png" in findings[0].message


def test_translate_writes_each_sites_draft_where_hugo_links_it_and_its_images_resolve_once_approved(
    tmp_path: Path, _isolated_state: Path
) -> None:
    """By directory the draft goes to the language's folder, by file name beside its source
    (`index.bn.md`: `content/bn/posts/…` is no Bengali page to Hugo there); either way the approved draft's
    hero and body image are its source bundle's files, for cards and the preview."""
    from pipeline.config import with_overrides
    from pipeline.translate import review
    from pipeline.translate.stage import run_stage as translate
    from tests.translate_support.site import install

    cases = (
        (_by_directory, "ja", "en/blog/garden/index.md", "ja/blog/garden/index.md", "ja/blog/garden"),
        (_by_file_name, "bn", "posts/garden/index.md", "posts/garden/index.bn.md", "bn/posts/garden"),
    )
    for make, lang, source, draft, served in cases:
        tmp = tmp_path / lang
        config = make(tmp)
        (config.content_root / draft).unlink()  # only the source: translate writes the draft
        install(_isolated_state, "upper", "en", lang)
        config = with_overrides(config, {"translate": {"languages": [lang], "engines": {"*": ["argos"]}}})
        ctx = Context(config=config, quiet=True)
        assert translate(ctx).counts["drafts_written"] == 1
        assert (config.content_root / draft).is_file(), sorted(config.content_root.rglob("*.md"))
        text = (config.content_root / draft).read_text(encoding="utf-8")
        # A figure's caption (Markdown kept) and title are translated like its alt; its other arguments not.
        assert (
            '{{< figure src="trees.png" link="https://garden.example/trees" class="wide" title="SPRING TREES"\n'
            'caption="THREE *YOUNG* TREES, SEE [THE GUIDE](https://garden.example/guide)." alt="TREES" >}}'
        ) in text
        approved, skipped = review.approve_all(ctx, source, lang, "ana")
        assert approved and not skipped
        post = _post(config, lang)
        assert post.published and post.meta["image"] == "hero.png"
        assert (
            image_site_path(post, "hero.png")
            == "/" + source.removeprefix("en/").rsplit("/", 1)[0] + "/hero.png"
        )
        result = cards(Context(config=config))
        assert not [f for f in result.findings if f.rule in ("CARD003", "CARD012")], result.findings
        build(Context(config=config))
        page = (Path(config.site.output_dir) / served / "index.html").read_text(encoding="utf-8")
        assert 'src="trees.png"' in page and (Path(config.site.output_dir) / served / "trees.png").is_file()


def test_a_figures_caption_and_title_are_segments_and_a_translations_quotes_cannot_end_them() -> None:
    from pipeline.translate.segment import assemble, segment_body, segments_of

    body = (
        '{{< figure src="a.png" title="Spring trees" caption="Three *young* trees, see [the guide](/g) now." '
        'alt="Trees" >}}\n\n<div class="row">\n{{< figure src="b.png" link="/b" title="A row" >}}\n</div>\n\n'
        '{{< image src="c.png" caption="Theme shortcode" alt="C" >}}\n'
    )
    parts = segment_body(body)
    assert assemble(parts) == body  # the source stays byte for byte
    first, second, third = segments_of(parts)
    assert first.template == "⟦1⟧Spring trees⟦2⟧Three ⟦3⟧young⟦4⟧ trees, see ⟦5⟧the guide⟦6⟧ now.⟦7⟧Trees⟦8⟧"
    assert second.template == "A row" and second.source == "A row"
    assert third.template == "⟦1⟧C⟦2⟧"  # a theme's image shortcode: its alt only, not its caption
    out = first.render(
        '⟦1⟧Árboles "de" primavera⟦2⟧Tres ⟦3⟧jóvenes⟦4⟧ árboles, ver ⟦5⟧la guía⟦6⟧ "ya".⟦7⟧Á⟦8⟧'
    )
    assert out == (
        '{{< figure src="a.png" title="Árboles \\"de\\" primavera" caption="Tres *jóvenes* árboles, ver '
        '[la guía](/g) \\"ya\\"." alt="Á" >}}'
    )

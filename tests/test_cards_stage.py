"""The cards stage end to end on a throw-away site: planning, the content-keyed cache, findings, CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from pipeline.cards import card_for
from pipeline.cards.stage import run_stage
from pipeline.cli import main
from pipeline.config import ConfigError, load_config
from pipeline.content.urls import card_image
from pipeline.stages import Context
from tests.cards_support import TITLES, hero_bytes, make_config, write_post


def _site(root: Path, langs: tuple[str, ...] = ("en", "ar", "ja")) -> None:
    """One post per language; tests that only need the English post skip the others to stay fast."""
    static = root / "static" / "images"
    static.mkdir(parents=True)
    (static / "en-hero.jpg").write_bytes(hero_bytes(seed=1))
    (static / "ar-hero.jpg").write_bytes(hero_bytes(seed=2))
    (static / "ja-hero.png").write_bytes(hero_bytes(1300, 700, seed=3, fmt="PNG"))
    write_post(
        root / "content",
        "posts/bones.md",
        {
            "title": TITLES["en"],
            "image": "/images/en-hero.jpg",
            "permalink": "/articles/bones/",
            "tags": ["bone"],
        },
    )
    if langs == ("en",):
        return
    write_post(
        root / "content",
        "ar/posts/bones.md",
        {"title": TITLES["ar"], "image": "/images/ar-hero.jpg", "permalink": "/articles/bones/"},
    )
    write_post(
        root / "content",
        "ja/posts/bones.md",
        {
            "title": TITLES["ja"],
            "image": "/images/ja-hero.png",
            "permalink": "/articles/bones/",
            "translation": {"status": "draft", "source": "posts/bones.md"},
            "card": {"focus": [0.3, 0.5]},
        },
    )


def _ctx(root: Path, processes: int = 1) -> Context:
    return Context(config=make_config(root, processes=processes))


def test_renders_every_card_then_nothing_on_the_second_run(tmp_path: Path) -> None:
    _site(tmp_path)
    first = run_stage(_ctx(tmp_path, processes=2))
    assert first.counts["cards"] == 6
    assert first.counts["rendered"] == 6, first.findings
    assert first.counts["failed"] == 0
    for out in first.outputs:
        with Image.open(out) as im:
            assert im.format == "JPEG"
            assert im.size in ((1200, 630), (1200, 600))
    second = run_stage(_ctx(tmp_path))
    assert second.counts["rendered"] == 0
    assert second.counts["cached"] == 6
    forced = run_stage(_ctx(tmp_path), force=True)
    assert forced.counts["rendered"] == 6


def test_replacing_hero_bytes_under_the_same_path_re_renders(tmp_path: Path) -> None:
    _site(tmp_path)
    run_stage(_ctx(tmp_path))
    before = card_for(_ctx(tmp_path).store, "posts/bones.md", "en", "og")
    assert before is not None
    old_bytes = before.path.read_bytes()
    (tmp_path / "static" / "images" / "en-hero.jpg").write_bytes(hero_bytes(seed=99))
    again = run_stage(_ctx(tmp_path))
    assert again.counts["rendered"] == 2  # the English og and twitter cards, nothing else
    assert again.counts["cached"] == 4
    assert before.path.read_bytes() != old_bytes


def test_deleted_output_is_rendered_again(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    first = run_stage(_ctx(tmp_path))
    first.outputs[0].unlink()
    assert run_stage(_ctx(tmp_path)).counts["rendered"] == 1


def test_card_record_keeps_alt_text_and_size_for_social(tmp_path: Path) -> None:
    _site(tmp_path)
    run_stage(_ctx(tmp_path))
    store = _ctx(tmp_path).store
    og = card_for(store, "ar/posts/bones.md", "ar", "og")
    tw = card_for(store, "ar/posts/bones.md", "ar", "twitter")
    assert og is not None and tw is not None
    assert og.alt == TITLES["ar"]
    assert (og.width, og.height) == (1200, 630) and (tw.width, tw.height) == (1200, 600)
    assert og.bytes == og.path.stat().st_size <= 1_000_000
    assert og.url_path == "/images/cards/ar/articles/bones-og.jpg"  # {path}: the page's URL path
    assert card_for(store, "ar/posts/bones.md", "ar", "nope") is None


def test_cards_are_found_by_the_url_model_and_no_front_matter_is_written(tmp_path: Path) -> None:
    """A translation draft names no card: its card is rendered where the URL model puts it, and build and social
    find it there (content.urls.card_image); no file is edited (issue 17 §5)."""
    _site(tmp_path)
    root = tmp_path / "content"
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    ctx = _ctx(tmp_path)
    result = run_stage(ctx)
    assert result.changed == [] and {p: p.read_bytes() for p in root.rglob("*.md")} == before
    draft = next(p for p in ctx.content.posts if p.rel == "ja/posts/bones.md")
    assert draft.og_image is None
    assert card_image(draft, "og", ctx.config) == "/images/cards/ja/articles/bones-og.jpg"
    assert card_image(draft, "twitter", ctx.config) == "/images/cards/ja/articles/bones-twitter.jpg"
    assert (tmp_path / "static/images/cards/ja/articles/bones-og.jpg").is_file()


def test_path_traversal_hero_is_an_error_for_that_post_only(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    write_post(tmp_path / "content", "posts/evil.md", {"title": "Evil", "image": "../../../etc/passwd"})
    result = run_stage(_ctx(tmp_path))
    errors = [f for f in result.findings if f.rule == "CARD001"]
    assert len(errors) == 1 and errors[0].file and errors[0].file.endswith("evil.md")
    assert errors[0].severity == "error"
    assert result.counts["rendered"] == 2


def test_path_traversal_card_path_is_an_error(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    write_post(
        tmp_path / "content",
        "posts/out.md",
        {"title": "Out", "image": "/images/en-hero.jpg", "ogImage": "/../../outside.jpg"},
    )
    result = run_stage(_ctx(tmp_path))
    assert [f.rule for f in result.findings if f.severity == "error"] == ["CARD002"]
    assert not (tmp_path / "outside.jpg").exists()
    assert card_for(_ctx(tmp_path).store, "posts/out.md", "en", "twitter") is not None


def test_missing_glyph_is_a_finding_and_other_cards_render(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    write_post(
        tmp_path / "content", "posts/geez.md", {"title": "Hello བཀྲ་ཤིས", "image": "/images/en-hero.jpg"}
    )
    result = run_stage(_ctx(tmp_path))
    glyphs = [f for f in result.findings if f.rule == "CARD004"]
    assert len(glyphs) == 2  # og and twitter
    assert result.counts["failed"] == 2 and result.counts["rendered"] == 2


def test_png_path_is_written_as_png_with_a_warning(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    write_post(
        tmp_path / "content",
        "posts/png.md",
        {"title": "Named PNG", "image": "/images/en-hero.jpg", "ogImage": "/images/png-og.png"},
    )
    result = run_stage(_ctx(tmp_path))
    out = tmp_path / "static" / "images" / "png-og.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any(f.rule == "CARD009" and f.severity == "warning" for f in result.findings)


def test_two_posts_sharing_one_card_path_is_an_error(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    for name in ("a", "b"):
        write_post(
            tmp_path / "content",
            f"posts/{name}.md",
            {"title": name, "image": "/images/en-hero.jpg", "ogImage": "/images/same.jpg"},
        )
    result = run_stage(_ctx(tmp_path))
    assert [f.rule for f in result.findings if f.severity == "error"] == ["CARD014"]


def test_theme_card_keys_are_not_ours(tmp_path: Path) -> None:
    """Docsy sites (kubernetes.io) give section pages `card: {name, title, weight}` for their landing cards: the
    page still gets its social card; only a near miss of our keys is CARD013 (it was for every such page)."""
    _site(tmp_path, langs=("en",))
    write_post(
        tmp_path / "content",
        "docs/parts.md",
        {
            "title": "Parts",
            "image": "/images/en-hero.jpg",
            "card": {"name": "concepts", "title": "Parts", "weight": 2},
        },
    )
    write_post(
        tmp_path / "content",
        "docs/typo.md",
        {"title": "Typo", "image": "/images/en-hero.jpg", "card": {"layuot": "default", "weight": 2}},
    )
    result = run_stage(_ctx(tmp_path))
    errors = [(f.file, f.message) for f in result.findings if f.severity == "error"]
    assert len(errors) == 1 and errors[0][0].endswith("typo.md"), errors
    assert "'layuot' (did you mean 'layout'?)" in errors[0][1]
    assert result.counts["cards"] == 4  # bones and parts, og + twitter each


def test_layout_and_lang_filters(tmp_path: Path) -> None:
    _site(tmp_path)
    write_post(
        tmp_path / "content",
        "posts/bad-layout.md",
        {"title": "Bad", "image": "/images/en-hero.jpg", "card": {"layout": "nope"}},
    )
    only_ar = run_stage(_ctx(tmp_path), lang="ar")
    assert only_ar.counts["cards"] == 2
    assert not [f for f in only_ar.findings if f.severity != "info"]
    result = run_stage(_ctx(tmp_path), paths=[tmp_path / "content" / "posts"])
    assert [f.rule for f in result.findings if f.severity != "info"] == ["CARD013"]
    assert result.counts["cards"] == 2


def _config_file(root: Path) -> Path:
    langs = "\n".join(f'[site.languages.{c}]\nname = "{c}"\n' for c in ("en", "ar", "ja"))
    path = root / "config" / "site.toml"
    path.parent.mkdir()
    path.write_text(
        f'[site]\nname = "Longevity Notes"\ncontent_dir = "content"\nstatic_dir = "static"\n{langs}'
        "[cards]\nprocesses = 1\n",
        "utf-8",
    )
    return path


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _site(tmp_path)
    config = str(_config_file(tmp_path))
    assert main(["cards", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "6 rendered" in out
    assert main(["cards", "--config", config]) == 0
    assert "0 rendered, 6 unchanged" in capsys.readouterr().out
    assert main(["cards", "--config", config, "--lang", "xx"]) == 2
    assert "not a language of this site" in capsys.readouterr().err
    write_post(tmp_path / "content", "posts/evil.md", {"title": "Evil", "image": "/../../x.jpg"})
    assert main(["cards", "--config", config]) == 1
    assert "CARD001" in capsys.readouterr().out


def test_card_bytes_are_jpeg_under_limit(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    result = run_stage(_ctx(tmp_path))
    for out in result.outputs:
        data = out.read_bytes()
        assert len(data) <= 1_000_000
        assert Image.open(io.BytesIO(data)).info.get("progressive")


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        ("/cards/{slug}.jpg", "{lang}"),
        ("/cards/{lang}/{slug}-{kind}.webp", ".jpg"),
        ("/cards/{lang}/{slug}-{kind}-{size}.jpg", "braces"),
    ],
)
def test_output_pattern_must_give_each_card_its_own_file(pattern: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, overrides={"cards": {"output_pattern": pattern}}, environ={})
    assert any(p.startswith("cards.output_pattern") and needle in p for p in info.value.problems)


def test_an_existing_image_no_cards_run_made_is_never_overwritten(tmp_path: Path) -> None:
    """A post pointing ogImage at another post's hero (or a designer's own card) keeps that file byte for byte."""
    _site(tmp_path, ("en",))
    hero = tmp_path / "static" / "images" / "en-hero.jpg"
    designed = tmp_path / "static" / "images" / "designed-x.png"
    Image.new("RGB", (1200, 600), "teal").save(designed)
    hero_before, designed_before = hero.read_bytes(), designed.read_bytes()
    write_post(
        tmp_path / "content",
        "posts/borrow.md",
        {
            "title": "Borrowed",
            "image": "/images/en-hero.jpg",
            "ogImage": "/images/en-hero.jpg",
            "twitterImage": "/images/designed-x.png",
        },
    )
    result = run_stage(_ctx(tmp_path))
    kept = [f for f in result.findings if f.rule == "CARD015"]
    assert len(kept) == 2 and all(f.severity == "info" and "borrow.md" in f.file for f in kept)
    assert hero.read_bytes() == hero_before and designed.read_bytes() == designed_before
    assert result.counts["rendered"] == 2  # the first post's own two cards still render


def test_own_cards_are_re_rendered_in_place_even_with_a_fresh_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Teams commit cards and run CI with an empty state dir: the marker in the file says the card is ours."""
    _site(tmp_path, ("en",))
    write_post(
        tmp_path / "content",
        "posts/named.md",
        {"title": "Named card", "image": "/images/en-hero.jpg", "ogImage": "/images/named-og.jpg"},
    )
    first = run_stage(_ctx(tmp_path))
    out = tmp_path / "static" / "images" / "named-og.jpg"
    assert out in first.outputs
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path / "fresh-state"))  # no record of the first run
    write_post(
        tmp_path / "content",
        "posts/named.md",
        {"title": "Named card, new title", "image": "/images/en-hero.jpg", "ogImage": "/images/named-og.jpg"},
    )
    again = run_stage(_ctx(tmp_path))
    assert not [f for f in again.findings if f.rule == "CARD015"]
    assert out in again.outputs


@pytest.mark.parametrize("size", [(12_000, 8_000), (40_000, 40_000)])
def test_gigantic_hero_is_card003_without_a_stderr_warning(
    tmp_path: Path, size: tuple[int, int], recwarn: pytest.WarningsRecorder
) -> None:
    from tests.validate_support import huge_png_header

    _site(tmp_path, ("en",))
    (tmp_path / "static" / "images" / "en-hero.jpg").write_bytes(huge_png_header(*size))
    result = run_stage(_ctx(tmp_path))
    assert [f.rule for f in result.findings if f.severity == "error"] == ["CARD003", "CARD003"]
    assert result.counts["rendered"] == 0
    assert not [w for w in recwarn if "DecompressionBomb" in w.category.__name__]  # nothing printed on stderr


def test_unreadable_hero_message_is_the_same_every_run(tmp_path: Path) -> None:
    """Baselines and 'new since last night' compare messages: no object addresses in them."""
    _site(tmp_path, ("en",))
    (tmp_path / "static" / "images" / "en-hero.jpg").write_bytes(b"not an image at all")
    first = [f.message for f in run_stage(_ctx(tmp_path)).findings if f.rule == "CARD003"]
    second = [f.message for f in run_stage(_ctx(tmp_path), force=True).findings if f.rule == "CARD003"]
    assert first and first == second and "0x" not in first[0]


def test_a_designers_image_over_a_recorded_card_path_is_kept(tmp_path: Path) -> None:
    _site(tmp_path, ("en",))
    write_post(
        tmp_path / "content",
        "posts/named.md",
        {"title": "Named card", "image": "/images/en-hero.jpg", "ogImage": "/images/named-og.jpg"},
    )
    run_stage(_ctx(tmp_path))
    out = tmp_path / "static" / "images" / "named-og.jpg"
    Image.new("RGB", (1200, 630), "orange").save(out, quality=95)  # the designer's version, no marker
    designed = out.read_bytes()
    again = run_stage(_ctx(tmp_path), force=True)
    assert [f.rule for f in again.findings if "named.md" in (f.file or "")] == ["CARD015"]
    assert out.read_bytes() == designed


def test_unmarked_cards_at_the_pattern_path_re_render_with_a_fresh_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cards from before the marker, committed under cards.output_pattern, are still the stage's to update."""
    _site(tmp_path, ("en",))
    first = run_stage(_ctx(tmp_path))
    for out in first.outputs:
        Image.open(out).convert("RGB").save(out, quality=80)  # what an older renderer left: no marker
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path / "fresh-state"))
    again = run_stage(_ctx(tmp_path))
    assert not [f for f in again.findings if f.rule == "CARD015"]
    assert sorted(again.outputs) == sorted(first.outputs)

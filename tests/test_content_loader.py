"""The loader over one sample file per edge case (tests/samples/loader/) plus hostile files built at test time.

Big files, symlinks and huge nesting are generated in tmp_path so nothing large or platform-specific is committed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Config, load_config
from pipeline.content import ContentError, ContentSet, Post, load_content, load_post, parse_post

SAMPLES = Path(__file__).resolve().parent / "samples" / "loader"
LANGS = {"en": {"name": "English"}, "es": {"name": "Español"}, "de": {"name": "Deutsch"}}

# file → (rule, line) for every sample that must become an error finding
BAD = {
    "unclosed.md": ("CONTENT004", 1),
    "bad-yaml.md": ("CONTENT005", 3),
    "bad-toml.md": ("CONTENT006", 4),
    "list-front.md": ("CONTENT007", 2),
    "alias-bomb.md": ("CONTENT008", 9),  # the anchor of the value reused
    "deep-yaml.md": ("CONTENT009", 3),
    "deep-toml.md": ("CONTENT009", 2),
    "latin1.md": ("CONTENT002", 5),
    "binary.md": ("CONTENT003", 1),
}
GOOD = {
    "yaml-basic.md",
    "toml-basic.md",
    "bom.md",
    "crlf.md",
    "mixed-eol.md",
    "no-front-matter.md",
    "lang-key.md",
    "es/yaml-basic.md",
    "es/only-spanish.md",
}


def make_config(root: Path, default: str = "en", **site: Any) -> Config:
    return load_config(
        None,
        overrides={
            "site": {"content_dir": str(root), "languages": LANGS, "default_language": default, **site}
        },
        environ={},
    )


def sample(name: str, **kw: Any) -> Post:
    return load_post(SAMPLES / name, SAMPLES, languages=LANGS, **kw)


def error_of(path: Path, root: Path, **kw: Any) -> ContentError:
    with pytest.raises(ContentError) as info:
        load_post(path, root, languages=LANGS, **kw)
    return info.value


@pytest.fixture(scope="module")
def sample_set() -> ContentSet:
    return load_content(make_config(SAMPLES))


# --- formats ---------------------------------------------------------------------------------------------


def test_yaml_front_matter_keeps_known_and_unknown_keys() -> None:
    post = sample("yaml-basic.md")
    assert post.fm_format == "yaml"
    assert post.title == "Sleep and Longevity"
    assert post.description == "Why deep sleep matters"
    assert post.tags == ["sleep", "longevity"]
    assert post.meta["customWidget"] == {"size": 3, "color": "blue"}
    assert post.body.startswith("Intro paragraph.")
    assert post.body_line == 13


def test_toml_front_matter() -> None:
    post = sample("toml-basic.md")
    assert post.fm_format == "toml"
    assert post.title == "Zone 2 Training"
    assert post.date == dt.datetime(2024, 2, 1, 8, 30, tzinfo=dt.UTC)
    assert post.tags == ["exercise", "cardio"]
    assert post.meta["extra"] == {"mood": "calm"}
    assert post.meta["unknownKey"] == "literal"


def test_utf8_bom_is_tolerated() -> None:
    post = sample("bom.md")
    assert post.bom is True
    assert post.fm_format == "yaml"
    assert post.title == "With BOM"
    assert post.line_of("title") == 2


def test_crlf_file_parses_with_file_lines() -> None:
    post = sample("crlf.md")
    assert post.newline == "\r\n"
    assert "\r" not in post.body
    assert post.title == "Windows file"
    assert post.tags == ["windows"]
    assert post.key_lines == {"title": 2, "tags": 3}
    headings = [t for t in post.tokens if t.type == "heading_open"]
    assert headings and headings[0].map is not None and headings[0].map[0] + 1 == 7


def test_no_front_matter_is_a_warning_and_still_loads(sample_set: ContentSet) -> None:
    post = next(p for p in sample_set.posts if p.rel == "no-front-matter.md")
    assert post.fm_format == "none" and post.meta == {}
    warnings = [f for f in sample_set.problems if f.rule == "CONTENT011"]
    assert len(warnings) == 1
    assert warnings[0].severity == "warning"
    assert warnings[0].file is not None and warnings[0].file.endswith("no-front-matter.md")
    assert warnings[0].line == 1


# --- malformed samples -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "rule", "line"), [(n, r, ln) for n, (r, ln) in sorted(BAD.items())])
@pytest.mark.timeout(20)
def test_malformed_sample_becomes_error_with_line(name: str, rule: str, line: int) -> None:
    err = error_of(SAMPLES / name, SAMPLES)
    assert (err.rule, err.line) == (rule, line), str(err)
    assert str(err)


def test_bad_yaml_message_names_the_problem() -> None:
    err = error_of(SAMPLES / "bad-yaml.md", SAMPLES)
    assert "mapping values are not allowed" in str(err)


def test_non_utf8_message_names_byte_and_offset() -> None:
    raw = (SAMPLES / "latin1.md").read_bytes()
    err = error_of(SAMPLES / "latin1.md", SAMPLES)
    offset = raw.index(b"\xe9")
    assert f"offset {offset}" in str(err)
    assert "0xe9" in str(err)


def test_file_over_size_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("---\ntitle: big\n---\n" + "word " * 400, encoding="utf-8")
    err = error_of(big, tmp_path, max_bytes=1024)
    assert err.rule == "CONTENT001" and err.line == 1
    assert "1,024-byte cap" in str(err)
    # The same file under a larger cap loads.
    assert load_post(big, tmp_path, max_bytes=10_000).title == "big"


def test_size_cap_comes_from_config(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("---\ntitle: big\n---\n" + "x" * 5000, encoding="utf-8")
    (tmp_path / "small.md").write_text("---\ntitle: small\n---\nok\n", encoding="utf-8")
    result = load_content(make_config(tmp_path, max_file_bytes=2048))
    assert [p.rel for p in result.posts] == ["small.md"]
    assert [(f.rule, f.line) for f in result.problems] == [("CONTENT001", 1)]


def test_symlink_leaving_content_root(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: secret\n---\n", encoding="utf-8")
    root = tmp_path / "content"
    root.mkdir()
    (root / "inside.md").write_text("---\ntitle: inside\n---\n", encoding="utf-8")
    (root / "escape.md").symlink_to(outside)
    err = error_of(root / "escape.md", root)
    assert err.rule == "CONTENT010" and err.line == 1
    result = load_content(make_config(root))
    assert sorted(p.rel for p in result.posts) == ["inside.md"]
    assert [(f.rule, Path(f.file or "").name) for f in result.problems] == [("CONTENT010", "escape.md")]


def test_plain_anchors_and_aliases_load(tmp_path: Path) -> None:
    """Hugo reads them and real sites use them (opentelemetry.io's kubecon-india.md); they used to be CONTENT008."""
    post = tmp_path / "event.md"
    post.write_text(
        "---\ntitle: Event\nparams:\n  eventUrl: &url https://e.example/x/\n  blogPostURL: *url\n"
        "tags: &t [a, b]\nkeywords: *t\n---\nbody\n",
        encoding="utf-8",
    )
    loaded = load_post(post, tmp_path)
    assert loaded.meta["params"] == {
        "eventUrl": "https://e.example/x/",
        "blogPostURL": "https://e.example/x/",
    }
    assert loaded.meta["keywords"] == ["a", "b"]


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    post = tmp_path / "loop.md"
    post.write_text("---\ntitle: x\nloop: &a [1, *a]\n---\nbody\n", encoding="utf-8")
    assert error_of(post, tmp_path).rule == "CONTENT008"


@pytest.mark.timeout(20)
def test_alias_bomb_is_rejected_quickly(tmp_path: Path) -> None:
    # 9^30 strings if expanded; composing the node graph is linear, so this returns at once.
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 30)]
    bomb = tmp_path / "bomb.md"
    bomb.write_text("---\n" + "\n".join(lines) + "\n---\nboom\n", encoding="utf-8")
    err = error_of(bomb, tmp_path)
    assert err.rule == "CONTENT008"


@pytest.mark.parametrize(
    ("opener", "nest"),
    [
        ("---", "a: " + "[" * 100_000 + "]" * 100_000),
        ("---", "".join(" " * i + "k:\n" for i in range(3000)).rstrip("\n")),
        ("+++", "a = " + "[" * 100_000 + "]" * 100_000),
        ("+++", "a = " + "{b=" * 5000 + "1" + "}" * 5000),
    ],
    ids=["yaml-flow", "yaml-block", "toml-array", "toml-inline-table"],
)
@pytest.mark.timeout(20)
def test_absurd_nesting_is_content009(tmp_path: Path, opener: str, nest: str) -> None:
    path = tmp_path / "deep.md"
    path.write_text(f"{opener}\n{nest}\n{opener}\nbody\n", encoding="utf-8")
    assert error_of(path, tmp_path).rule == "CONTENT009"


def test_too_many_values_is_content009(tmp_path: Path) -> None:
    path = tmp_path / "wide.md"
    path.write_text("---\nk: [" + ",".join(["1"] * 20_000) + "]\n---\n", encoding="utf-8")
    assert error_of(path, tmp_path).rule == "CONTENT009"


def test_moderate_nesting_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.md"
    path.write_text("---\nseo:\n  og:\n    image:\n      alt: x\n---\n", encoding="utf-8")
    assert load_post(path, tmp_path).meta["seo"]["og"]["image"]["alt"] == "x"


# --- languages and translation groups --------------------------------------------------------------------


def test_language_from_folder_key_and_default(sample_set: ContentSet) -> None:
    by_rel = {p.rel: p for p in sample_set.posts}
    assert by_rel["es/yaml-basic.md"].lang == "es"
    assert by_rel["es/yaml-basic.md"].lang_from_folder is True
    assert by_rel["es/only-spanish.md"].lang == "es"
    assert by_rel["lang-key.md"].lang == "de"
    assert by_rel["lang-key.md"].lang_from_folder is False
    assert by_rel["yaml-basic.md"].lang == "en"
    assert {p.rel for p in sample_set.by_lang("es")} == {"es/yaml-basic.md", "es/only-spanish.md"}


def test_default_language_comes_from_config() -> None:
    result = load_content(make_config(SAMPLES, default="de"))
    by_rel = {p.rel: p for p in result.posts}
    assert by_rel["yaml-basic.md"].lang == "de"
    assert by_rel["es/yaml-basic.md"].lang == "es"


def test_folder_not_a_language_is_not_a_language(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text("---\ntitle: a\n---\n", encoding="utf-8")
    post = load_content(make_config(tmp_path)).posts[0]
    assert post.lang == "en" and post.translation_key == "posts/a"


def test_translation_key_groups_versions(sample_set: ContentSet) -> None:
    groups = sample_set.groups()
    assert sorted(p.lang for p in groups["sleep"]) == ["de", "en", "es"]
    # Without translationKey the path below the language folder is the key.
    assert [p.rel for p in groups["only-spanish"]] == ["es/only-spanish.md"]
    assert [p.rel for p in groups["toml-basic"]] == ["toml-basic.md"]


# --- typed accessors -------------------------------------------------------------------------------------


def parse(front: str, body: str = "body\n", name: str = "post.md") -> Post:
    return parse_post(f"---\n{front}\n---\n{body}".encode(), Path(name), Path("."))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("'2024-03-05'", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("'2024-03-05T10:15:00+02:00'", dt.datetime(2024, 3, 5, 8, 15, tzinfo=dt.UTC)),
        ("'2024-03-05T10:15:00Z'", dt.datetime(2024, 3, 5, 10, 15, tzinfo=dt.UTC)),
        ("2024-03-05 10:15:00", dt.datetime(2024, 3, 5, 10, 15, tzinfo=dt.UTC)),
        ("'next tuesday'", None),
        ("'2024-13-45'", None),
        ("20240305", None),
    ],
)
def test_date_accessor(value: str, expected: dt.datetime | None) -> None:
    date = parse(f"date: {value}").date
    assert date == expected
    if date is not None:
        assert date.tzinfo is not None


def test_date_accessor_absent() -> None:
    assert parse("title: x").date is None


@pytest.mark.parametrize(
    ("front", "tags"),
    [
        ("tags: [a, b]", ["a", "b"]),
        ("tags: solo", ["solo"]),
        ("tags: [1, 2]", ["1", "2"]),
        ("title: none", []),
        ("taxonomies: {tags: [x, y]}", ["x", "y"]),
    ],
)
def test_tags_accessor(front: str, tags: list[str]) -> None:
    assert parse(front).tags == tags


def test_title_is_string_even_when_yaml_says_number() -> None:
    post = parse("title: 1984\ndraft: true")
    assert post.title == "1984" and post.draft is True and post.published is False


def test_permalink_slug_and_fallback() -> None:
    assert parse("permalink: /articles/zone-2/").slug == "zone-2"
    assert parse("permalink: /articles/zone-2").slug == "zone-2"
    assert parse("title: x", name="my-post.md").slug == "my-post"
    assert parse("permalink: /", name="home.md").slug == "home"


def test_translation_status_controls_published() -> None:
    assert parse("translation: {status: draft}").published is False
    assert parse("translation: {status: approved}").published is True


def test_key_line_numbers_yaml() -> None:
    post = sample("yaml-basic.md")
    lines = (SAMPLES / "yaml-basic.md").read_text("utf-8").split("\n")
    for key in ("title", "description", "date", "tags", "permalink", "translationKey", "customWidget"):
        assert lines[post.line_of(key) - 1].startswith(f"{key}:"), key
    assert post.line_of("missing") == 1


def test_key_line_numbers_toml() -> None:
    post = sample("toml-basic.md")
    lines = (SAMPLES / "toml-basic.md").read_text("utf-8").split("\n")
    for key in ("title", "date", "tags", "permalink", "unknownKey"):
        assert lines[post.line_of(key) - 1].startswith(f"{key} ="), key
    assert lines[post.line_of("extra") - 1] == "[extra]"
    assert lines[post.line_of("extra.mood") - 1].startswith("mood =")


# --- markdown tokens --------------------------------------------------------------------------------------


def test_token_maps_are_file_lines(sample_set: ContentSet) -> None:
    checked = 0
    for post in sample_set.posts:
        file_lines = post.path.read_bytes().decode("utf-8-sig").splitlines()
        for tok in post.tokens:
            if tok.type == "heading_open" and tok.map:
                assert file_lines[tok.map[0]].startswith("#"), (post.rel, tok.map)
                checked += 1
            if tok.type == "inline" and tok.map:
                first = tok.content.split("\n", 1)[0]
                assert first in file_lines[tok.map[0]], (post.rel, tok.map, first)
    assert checked >= 5


def test_heading_line_on_known_file_line() -> None:
    post = sample("yaml-basic.md")
    heading = next(t for t in post.tokens if t.type == "heading_open")
    assert heading.map is not None and heading.map[0] + 1 == 15
    toml = sample("toml-basic.md")
    heading = next(t for t in toml.tokens if t.type == "heading_open")
    assert heading.map is not None and heading.map[0] + 1 == 14


# --- the run goes on -------------------------------------------------------------------------------------


def test_tree_with_bad_and_good_files_loads_all_good_ones(sample_set: ContentSet) -> None:
    assert {p.rel for p in sample_set.posts} == GOOD
    errors = {Path(f.file or "").name: (f.rule, f.line) for f in sample_set.problems if f.severity == "error"}
    assert errors == BAD
    for finding in sample_set.problems:
        assert finding.file and Path(finding.file).exists()
        assert finding.line and finding.line >= 1
        assert finding.message


def test_missing_content_root_is_a_finding(tmp_path: Path) -> None:
    result = load_content(make_config(tmp_path / "nope"))
    assert result.posts == []
    assert [f.rule for f in result.problems] == ["CONTENT001"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2025-13-45", "month must be in 1..12"),
        ("2025-02-30", "day is out of range"),
        ("2025-01-01 25:00:00", "hour must be in 0..23"),
        ("!!int abc", "invalid literal for int()"),
        ("!!float abc", "could not convert"),
        ("!!timestamp foo", "not a valid timestamp"),
        ("!!bool maybe", "not a valid bool"),
    ],
)
def test_values_yaml_parses_but_cannot_build_are_findings_on_their_line(value: str, says: str) -> None:
    """PyYAML resolves these tags while parsing and fails only while building the value: that used to escape as
    a traceback that stopped every stage for every post."""
    with pytest.raises(ContentError) as info:
        parse(f"title: Ok\ndescription: Fine\ndate: {value}")
    assert (info.value.rule, info.value.line) == ("CONTENT005", 4)
    assert "'date'" in str(info.value) and says in str(info.value) and "quote it" in str(info.value)


def test_duplicate_keys_are_refused_naming_both_lines() -> None:
    with pytest.raises(ContentError) as info:
        parse("title: First\ndescription: d\ntitle: Second")
    assert (info.value.rule, info.value.line) == ("CONTENT005", 4)
    assert "lines 2 and 4" in str(info.value)


def test_one_impossible_date_does_not_stop_the_other_posts(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ntitle: Bad\ndate: 2025-13-45\n---\nText.\n", encoding="utf-8")
    (tmp_path / "good.md").write_text("---\ntitle: Good\ndate: 2025-01-02\n---\nText.\n", encoding="utf-8")
    content = load_content(make_config(tmp_path))
    assert [p.title for p in content.posts] == ["Good"]
    assert [(f.rule, f.line) for f in content.problems] == [("CONTENT005", 3)]


def test_lang_outside_the_site_languages_is_refused_on_its_line() -> None:
    raw = b"---\ntitle: t\nlang: ../../../tmp/escape\n---\nbody\n"
    with pytest.raises(ContentError) as info:
        parse_post(raw, Path("post.md"), Path("."), languages=LANGS)
    assert (info.value.rule, info.value.line) == ("CONTENT012", 3)
    assert (
        parse_post(b"---\ntitle: t\nlang: de\n---\nbody\n", Path("p.md"), Path("."), languages=LANGS).lang
        == "de"
    )


@pytest.mark.parametrize(
    ("value", "draft"),
    [
        ("true", True),
        ("false", False),
        ('"no"', False),
        ('"false"', False),
        ('"yes"', True),
        ('"maybe"', True),
    ],
)
def test_draft_text_reads_as_people_mean_it(value: str, draft: bool) -> None:
    assert parse(f"title: t\ndraft: {value}").draft is draft


def test_cr_only_file_parses_and_round_trips(tmp_path: Path) -> None:
    raw = b"---\rtitle: Old Mac file\rtags: [mac]\r---\rBody line one.\rBody line two.\r"
    post = parse_post(raw, Path("mac.md"), Path("."))
    assert post.title == "Old Mac file" and post.key_lines == {"title": 2, "tags": 3}
    assert post.newline == "\r" and "\r" not in post.body
    assert post.dumps().encode() == raw


@pytest.mark.parametrize(("written", "lang"), [("EN", "en"), ("en-US", "en"), ("de_AT", "de"), ("Es", "es")])
def test_lang_written_another_way_is_the_site_language(written: str, lang: str) -> None:
    raw = f"---\ntitle: t\nlang: {written}\n---\nbody\n".encode()
    assert parse_post(raw, Path("p.md"), Path("."), languages=LANGS).lang == lang


def test_refresh_rereads_only_the_changed_files(tmp_path: Path) -> None:
    """A stage that wrote drafts says which; only those are read again (the others keep their objects)."""
    content = tmp_path / "content"
    (content / "es").mkdir(parents=True)
    for name in ("a", "b"):
        (content / f"{name}.md").write_text(f"---\ntitle: {name}\n---\nBody {name}.\n", "utf-8")
    config = load_config(
        None, overrides={"site": {"content_dir": str(content), "languages": {"en": {}, "es": {}}}}
    )
    loaded = load_content(config)
    a, b = loaded.posts
    (content / "a.md").write_text("---\ntitle: changed\n---\nNew.\n", "utf-8")
    (content / "b.md").write_text("---\ntitle: also changed, but nobody said so\n---\n", "utf-8")
    (content / "es" / "a.md").write_text(
        "---\ntitle: borrador\ntranslation: {status: draft}\n---\nHola.\n", "utf-8"
    )
    (content / "es" / "bad.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    loaded.refresh([content / "a.md", content / "es" / "a.md", content / "es" / "bad.md"], config)
    assert [p.rel for p in loaded.posts] == ["a.md", "b.md", "es/a.md"]
    assert loaded.posts[0] is not a and loaded.posts[0].title == "changed"
    assert loaded.posts[1] is b and b.title == "b"
    assert loaded.posts[2].lang == "es" and loaded.posts[2].is_translation
    assert [f.rule for f in loaded.problems] == ["CONTENT005"]


def test_dates_with_a_zone_name_keep_their_time() -> None:
    """`date: 2013-09-03 12:00:00 UTC` is how Jekyll sites write dates (Ruby's Time.parse reads the name); the
    time was dropped, so the post sorted and was scheduled as if published at midnight."""
    import datetime as dt

    from pipeline.content import parse_date

    utc = dt.UTC
    assert parse_date("2013-09-03 12:00:00 UTC") == dt.datetime(2013, 9, 3, 12, tzinfo=utc)
    assert parse_date("2013-09-03 12:00 gmt") == dt.datetime(2013, 9, 3, 12, tzinfo=utc)
    assert parse_date("2015-12-16 21:00:00 JST") == dt.datetime(2015, 12, 16, 12, tzinfo=utc)
    assert parse_date("2013-09-03 12:00:00 +0900") == dt.datetime(2013, 9, 3, 3, tzinfo=utc)
    assert parse_date("2013-09-03 12:00:00 NOPE") == dt.datetime(2013, 9, 3, tzinfo=utc)  # unknown: the day

"""The URL model (issue 17 §1) and front matter as real sites write it (§2), on small Hugo, Jekyll and Eleventy
sites in tests/fixtures/sites: every page's URL, language and translation key as the generator would make them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config, with_overrides
from pipeline.content import load_content
from pipeline.content.urls import UrlModel, clean_path

SITES = Path(__file__).resolve().parent / "fixtures" / "sites"


def _urls(name: str, **overrides: object) -> dict[str, tuple[str, str, str]]:
    config = load_config(SITES / name / "site.toml")
    if overrides:
        config = with_overrides(config, overrides)
    content = load_content(config)
    assert [f for f in content.problems if f.severity == "error"] == []
    return {p.rel: (p.path_url, p.lang, p.translation_key) for p in content.posts}


def test_hugo_sections_bundles_suffixes_url_and_slug() -> None:
    assert _urls("hugo") == {
        "_index.md": ("/", "en", "_index"),
        "_index.es.md": ("/es/", "es", "_index"),
        "posts/_index.md": ("/posts/", "en", "posts/_index"),
        "posts/_index.es.md": ("/es/posts/", "es", "posts/_index"),
        "posts/stew.md": ("/posts/stew/", "en", "posts/stew"),
        "posts/stew.es.md": ("/es/posts/stew/", "es", "posts/stew"),
        "posts/Spice Kit.md": ("/posts/spice-kit/", "en", "posts/Spice Kit"),  # lowercased, spaces hyphenated
        "posts/bundle/index.md": ("/posts/bundle/", "en", "posts/bundle/index"),  # notes/*.md are resources
        "posts/bundle/index.es.md": ("/es/posts/bundle/", "es", "posts/bundle/index"),
        "posts/sluggy.md": ("/posts/washing-up/", "en", "posts/sluggy"),  # slug: replaces the name
        "posts/custom.md": ("/gear/burner/", "en", "posts/custom"),  # url: /… is the whole path
        "posts/custom.es.md": ("/es/equipo/hornillo/", "es", "posts/custom"),  # url: relative gets /es/
        "posts/khao.th.md": ("/th/posts/khao/", "th", "posts/khao"),
        "docs/api.md": ("/docs/api/", "en", "docs/api"),  # build.render: link — a URL, no page
        # Hugo reads `_` folders (only `.` ones are skipped): kubernetes.io's blog lives in blog/_posts/
        "journal/_posts/2024-03-05-kettle-care.md": (
            "/journal/_posts/kettle-care/",
            "en",
            "journal/_posts/2024-03-05-kettle-care",
        ),
    }


def test_hugo_default_language_in_subdir_and_section_permalinks() -> None:
    urls = _urls(
        "hugo", site={"urls": {"language_prefix": "all", "permalinks": {"posts": "/:year/:month/:slug/"}}}
    )
    assert urls["_index.md"][0] == "/en/"
    assert urls["posts/stew.md"][0] == "/en/2024/02/one-pot-lentil-stew/"  # :slug falls back to the title
    assert urls["posts/sluggy.md"][0] == "/en/2024/04/washing-up/"
    assert urls["posts/stew.es.md"][0] == "/es/2024/02/guiso-de-lentejas-en-una-olla-prácticas/"
    assert urls["posts/_index.md"][0] == "/en/posts/"  # section pages keep their folder
    kubernetes_io = {"journal": "/:section/:year/:month/:day/:slug/"}  # its hugo.toml, for blog/_posts/
    urls = _urls("hugo", site={"urls": {"permalinks": kubernetes_io}})
    assert urls["journal/_posts/2024-03-05-kettle-care.md"][0] == "/journal/2024/03/05/kettle-care/"


def test_jekyll_posts_pages_polyglot_and_language_folders() -> None:
    assert _urls("jekyll") == {
        "index.md": ("/", "en", "index"),
        "about.md": ("/about.html", "en", "about"),
        "_posts/2024-03-01-welcome.md": ("/2024/03/01/welcome.html", "en", "welcome"),
        "_posts/2024-03-01-bienvenue.md": ("/fr/2024/03/01/bienvenue.html", "fr", "welcome"),  # `Lang: fr`
        "es/index.md": ("/es/", "es", "index"),
        "es/_posts/2024-03-01-bienvenida.md": ("/es/2024/03/01/bienvenida.html", "es", "welcome"),
        "hi/_posts/2024-03-02-swagat.md": ("/hi/2024/03/02/swagat.html", "hi", "_posts/2024-03-02-swagat"),
        "_drafts/next-season.md": ("/next-season.html", "en", "_drafts/next-season"),
        "contact.md": ("/contact.html", "en", "contact"),  # redirect_to: build answers it with a 301
    }  # README.md has no front matter (Jekyll copies it as a file); _layouts/_includes hold no pages


def test_jekyll_permalink_styles() -> None:
    pretty = _urls("jekyll", site={"urls": {"posts_permalink": "pretty"}})
    assert pretty["_posts/2024-03-01-welcome.md"][0] == "/2024/03/01/welcome/"
    assert pretty["about.md"][0] == "/about/"  # pretty makes pages folders too
    plain = _urls("jekyll", site={"urls": {"posts_permalink": "none"}})
    assert plain["_posts/2024-03-01-welcome.md"][0] == "/welcome.html"
    assert plain["es/_posts/2024-03-01-bienvenida.md"][0] == "/es/bienvenida.html"  # es is a category


def test_eleventy_input_paths_templates_and_permalink_false() -> None:
    assert _urls("eleventy") == {
        "en/index.md": ("/en/", "en", "index"),
        "es/index.md": ("/es/", "es", "index"),
        "en/about.md": ("/en/about-us/", "en", "about"),  # "/{{ page.lang }}/about-us/"
        "en/blog/first-trip.md": ("/en/blog/first-trip/", "en", "blog/first-trip"),
        "es/blog/first-trip.md": ("/es/blog/first-trip/", "es", "blog/first-trip"),
        "ar/blog/first-trip.md": ("/ar/blog/first-trip/", "ar", "blog/first-trip"),
        "en/blog/bundle/bundle.md": ("/en/blog/bundle/", "en", "blog/bundle/bundle"),  # named like its folder
        "en/blog/2024-05-01-spring.md": ("/en/blog/spring/", "en", "blog/2024-05-01-spring"),  # fileSlug
        "en/feed-data.md": ("", "en", "feed-data"),  # permalink: false — no page
    }


def test_derived_fields_dates_aliases_and_keys() -> None:
    hugo = {p.rel: p for p in load_content(load_config(SITES / "hugo" / "site.toml")).posts}
    stew, stew_es = hugo["posts/stew.md"], hugo["posts/stew.es.md"]
    assert stew.url == "https://kitchen.example/posts/stew/"
    assert stew.title == "One-pot lentil stew" and stew.line_of("title") == 2  # `Title:`
    assert stew.description and stew.description.startswith("A filling lentil stew")  # `summary:`
    assert stew.url_aliases == ("/recipes/stew/", "/posts/lentil-stew/")  # relative: beside the page
    assert stew_es.url_aliases == (
        "/es/viejo-guiso/",
    )  # site-relative: under the page's language (Hugo ≥ 0.155)
    assert stew_es.title == "Guiso de lentejas en una olla: prácticas"  # entities decoded once
    assert not hugo["docs/api.md"].published and hugo["posts/bundle/index.md"].is_list_page is False
    jekyll = {p.rel: p for p in load_content(load_config(SITES / "jekyll" / "site.toml")).posts}
    welcome = jekyll["_posts/2024-03-01-welcome.md"]
    assert welcome.date is not None and welcome.date.date().isoformat() == "2024-03-01"  # from the file name
    assert welcome.url_aliases == ("/welcome/",)  # redirect_from
    assert jekyll["about.md"].description and "balconies" in jekyll["about.md"].description  # excerpt:
    assert jekyll["_drafts/next-season.md"].draft
    assert jekyll["_posts/2024-03-01-bienvenue.md"].tags == ["balcon", "tomates"]  # `Tags:`


def test_a_write_keeps_the_files_own_key_spelling(tmp_path: Path) -> None:
    shutil.copytree(SITES / "hugo", tmp_path / "hugo")
    config = load_config(tmp_path / "hugo" / "site.toml")
    stew = next(p for p in load_content(config).posts if p.rel == "posts/stew.md")
    text = stew.dumps({"title": "Lentil stew", "description": "New."})
    assert "Title: Lentil stew" in text and "summary: New." in text
    assert "\ntitle:" not in text and "\ndescription:" not in text


def test_exclude_globs_and_templates_that_cannot_be_evaluated(tmp_path: Path) -> None:
    shutil.copytree(SITES / "eleventy", tmp_path / "site")
    (tmp_path / "site/src/en/odd.md").write_text(
        '---\ntitle: Odd\npermalink: "{{ collections.all | first }}/"\n---\nBody.\n', encoding="utf-8"
    )
    config = load_config(tmp_path / "site" / "site.toml")
    content = load_content(config)
    odd = next(p for p in content.posts if p.rel == "en/odd.md")
    assert odd.path_url == "/en/odd/"  # the input path's URL
    problem = next(f for f in content.problems if f.rule == "CONTENT015")
    assert problem.file and problem.file.endswith("odd.md") and problem.line == 3
    excluded = load_content(with_overrides(config, {"site": {"exclude": ["*/blog/**", "en/odd.md"]}}))
    assert sorted(p.rel for p in excluded.posts) == [
        "en/about.md",
        "en/feed-data.md",
        "en/index.md",
        "es/index.md",
    ]


def test_clean_path_and_plain_sites() -> None:
    assert clean_path("/a//./b") == "/a/b/"
    assert clean_path("about.html") == "/about.html"
    assert clean_path("/x/index.html") == "/x/"
    assert clean_path("/../etc/") == "/../etc/"  # kept for build to refuse (BUILD001), not quietly moved
    plain = UrlModel.plain("en", ("en", "de"))
    url = plain.post_url("de/posts/bones.md", "de", {}, lang_from_folder=True)
    assert url.path == "/de/articles/bones/"  # site.permalink_pattern with the language prefix


def test_bad_url_settings_are_config_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "site.toml"
    cfg.write_text(
        '[site]\ngenerator = "gatsby"\n[site.urls]\nposts_permalink = "/:year/:nope/"\n'
        'permalinks = { posts = "/:bogus/" }\n[site.front_matter]\naliases = { headline = ["h"] }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    text = "; ".join(err.value.problems)
    for key in (
        "site.generator",
        "site.urls.posts_permalink",
        "site.urls.permalinks",
        "site.front_matter.aliases",
    ):
        assert key in text


def test_validate_a_hugo_posts_folder_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pipeline validate content/blog` on kubernetes.io answered "no Markdown files under …": the check walked
    the folder without the generator's rules, which skipped `_posts`."""
    from pipeline.cli import main

    shutil.copytree(SITES / "hugo", tmp_path / "hugo")
    code = main(
        [
            "--config",
            str(tmp_path / "hugo" / "site.toml"),
            "validate",
            "--no-cache",
            str(tmp_path / "hugo" / "content" / "journal"),
        ]
    )
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "body has 16 words" in out  # the kettle post's MD007 (a short post): it was read

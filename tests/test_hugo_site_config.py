"""A Hugo site's own configuration fills `[site]`: languages, directions, per-language contentDir, the default
language's subfolder, permalinks, uglyURLs; ours wins; a broken file is a usage error naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import ConfigError, load_config
from pipeline.content.loader import load_content
from pipeline.translate.drafts import plan_post

SITES = Path(__file__).parent / "fixtures" / "sites"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _ours(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "pipeline.toml"
    path.write_text(f'[site]\ngenerator = "hugo"\ncontent_dir = "site/content"\n{extra}', encoding="utf-8")
    return path


PAGE = "---\ntitle: {t}\ndate: 2024-03-05\n---\nText.\n"


def _urls(config_path: Path) -> dict[str, tuple[str, str]]:
    content = load_content(load_config(config_path))
    assert not [f for f in content.problems if f.severity == "error"]
    return {p.rel: (p.lang, p.path_url) for p in content.posts}


def test_toml_languages_with_rtl_and_own_content_dirs(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "hugo.toml": """baseURL = 'https://example.org/'
title = 'Field Notes'
defaultContentLanguage = 'en'
uglyURLs = true
disableKinds = ['RSS', 'taxonomy']
disablePathToLower = true
[permalinks.page]
posts = '/:year/:month/:slug/'
[permalinks.section]
posts = '/archive/'
[languages.en]
languageName = 'English'
contentDir = 'content/english'
weight = 1
[languages.ar]
languageName = 'العربية'
languageDirection = 'rtl'
contentDir = 'content/arabic'
weight = 2
[languages.de]
label = 'Deutsch'
contentDir = 'content/deutsch'
disabled = true
""",
            "content/english/posts/first.md": PAGE.format(t="First"),
            "content/english/about.md": PAGE.format(t="About"),
            "content/english/Team.md": PAGE.format(t="Team"),
            "content/arabic/posts/first.md": PAGE.format(t="الأول"),
            "content/arabic/about.md": PAGE.format(t="حول"),
            "content/deutsch/about.md": PAGE.format(t="Über"),
            "content/english/tags/_index.md": PAGE.format(t="Tags"),
            "content/english/posts/_index.md": PAGE.format(t="Posts"),
        },
    )
    config = load_config(_ours(tmp_path))
    site = config.site
    assert list(site.languages) == ["en", "ar"]  # by weight; the disabled one is left out
    assert site.languages["ar"].name == "العربية" and site.direction("ar") == "rtl"
    assert (site.name, site.base_url, site.default_language) == ("Field Notes", "https://example.org", "en")
    assert config.origins["site.languages"] == "read from hugo.toml (languages)"
    assert config.origins["site.urls.permalinks (Hugo)"].startswith("skipped section.posts: list pages")
    assert _urls(tmp_path / "pipeline.toml") == {
        "english/posts/first.md": ("en", "/2024/03/first/"),
        "english/about.md": ("en", "/about.html"),
        "english/Team.md": ("en", "/Team.html"),  # disablePathToLower
        "arabic/posts/first.md": ("ar", "/ar/2024/03/الأول/"),  # Hugo: :slug is the title urlized
        "arabic/about.md": ("ar", "/ar/about.html"),
        "english/tags/_index.md": ("en", "/tags.html"),
        "english/posts/_index.md": ("en", "/posts.html"),  # uglyURLs: a section too (gohugoio/hugo#4428)
    }
    content = load_content(config)
    rendered = {p.rel for p in content.posts if p.renders}
    assert "english/tags/_index.md" not in rendered and "english/about.md" in rendered  # disableKinds
    # A translation into Arabic is drafted where Hugo reads Arabic: content/arabic/, not content/ar/.
    about = next(p for p in content.posts if p.rel == "english/about.md")
    assert plan_post(about, "ar", config).draft_rel == "arabic/about.md"


def test_config_dir_split_and_default_language_in_subdir(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "config/_default/hugo.yaml": "baseURL: https://docs.example.net\ndefaultContentLanguage: fr\n"
            "defaultContentLanguageInSubdir: true\nuglyURLs: {notes: true}\n",
            "content/fr/notes/a.md": PAGE.format(t="Note"),
            "config/_default/languages.yaml": "fr:\n  label: Français\n  weight: 1\nfa:\n  label: فارسی\n"
            "  direction: rtl\n  weight: 2\n",
            "config/_default/params.fa.yaml": "description: x\n",
            "config/_default/permalinks.toml": "[page]\nguides = '/guide/:contentbasename/'\n",
            "config/production/hugo.yaml": "title: Docs (prod)\n",
            "content/fr/guides/start.md": PAGE.format(t="Début"),
            "content/fr/_index.md": PAGE.format(t="Accueil"),
            "content/fa/guides/start.md": PAGE.format(t="شروع"),
        },
    )
    config = load_config(_ours(tmp_path))
    assert list(config.site.languages) == ["fr", "fa"] and config.site.direction("fa") == "rtl"
    assert config.site.default_language == "fr" and config.site.name == "Docs (prod)"
    assert config.origins["site.urls.permalinks"] == "read from config/_default/permalinks.toml (permalinks)"
    assert _urls(tmp_path / "pipeline.toml") == {
        "fr/guides/start.md": ("fr", "/fr/guide/start/"),
        "fr/_index.md": ("fr", "/fr/"),
        "fa/guides/start.md": ("fa", "/fa/guide/start/"),
        "fr/notes/a.md": ("fr", "/fr/notes/a.html"),  # uglyURLs for one section
    }


def test_an_explicit_hugo_config_file_and_a_content_dir_outside(tmp_path: Path) -> None:
    _write(
        tmp_path / "hugo-site",
        {
            "staging.yaml": "contentDir: pages\nlanguages:\n  en: {weight: 1}\n  ur: {weight: 2, contentDir: urdu}\n",
            "pages/index.md": PAGE.format(t="Home"),
        },
    )
    path = tmp_path / "pipeline.toml"
    path.write_text('[site]\ngenerator = "hugo"\nhugo_config = "hugo-site/staging.yaml"\n', encoding="utf-8")
    config = load_config(path)
    assert config.content_root == (tmp_path / "hugo-site" / "pages").resolve()
    assert list(config.site.languages) == ["en", "ur"] and config.site.direction("ur") == "rtl"  # by its code
    assert config.origins["site.languages (Hugo)"].startswith("pages of ur not read: their contentDir")
    path.write_text('[site]\ngenerator = "hugo"\nhugo_config = "nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"site\.hugo_config names no file or folder"):
        load_config(path)


def test_our_own_config_toml_beside_content_is_not_read_as_hugos(tmp_path: Path) -> None:
    _write(tmp_path, {"content/a.md": PAGE.format(t="A")})
    (tmp_path / "config.toml").write_text('[site]\ngenerator = "hugo"\nname = "Mine"\n', encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    assert config.origins == {} and config.site.name == "Mine"


def test_our_settings_win_and_validate_says_where_the_rest_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path / "site",
        {
            "config.toml": "title = 'Theirs'\n[languages.en]\nweight = 1\n[languages.he]\nweight = 2\n",
            "content/en/a.md": "---\ntitle: A page about things\ndescription: d\n---\nText.\n",
        },
    )
    ours = _ours(tmp_path, 'name = "Ours"\n[site.languages.en]\nname = "English"\n')
    config = load_config(ours)
    # Ours wins key by key; a language ours names is merged over Hugo's, not a replacement of its list.
    assert config.site.name == "Ours" and list(config.site.languages) == ["en", "he"]
    assert config.site.languages["en"].name == "English" and config.site.direction("he") == "rtl"
    assert "site.name" not in config.origins
    assert config.origins["site.languages"] == "read from config.toml (languages), ours merged over it"
    main(["--config", str(ours), "validate", "--no-cache"])
    assert (
        "note: site.default_language Hugo's default (defaultContentLanguage is not set in config.toml)"
        in capsys.readouterr().err
    )


def test_a_default_language_hugo_does_not_define_is_an_error(tmp_path: Path) -> None:
    _write(
        tmp_path / "site", {"hugo.toml": "defaultContentLanguage = 'de'\n[languages.en]\n[languages.fr]\n"}
    )
    with pytest.raises(ConfigError) as err:
        load_config(_ours(tmp_path))
    assert err.value.source.endswith("hugo.toml")
    assert err.value.problems == ["defaultContentLanguage 'de' is not one of its languages (en, fr)"]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("hugo.toml", "title = 'x'\n[languages.en\nweight = 1\n", 2),
        ("hugo.yaml", "title: x\nlanguages:\n  en: [weight: 1\n", 4),
        ("hugo.json", '{"title": "x",\n "languages": }\n', 2),
    ],
)
def test_a_broken_hugo_config_is_a_usage_error_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, line: int
) -> None:
    _write(tmp_path / "site", {name: text, "content/a.md": PAGE.format(t="A")})
    with pytest.raises(ConfigError) as err:
        load_config(_ours(tmp_path))
    assert err.value.source.endswith(name) and err.value.problems[0].startswith(f"line {line}: ")
    assert main(["--config", str(tmp_path / "pipeline.toml"), "validate"]) == 2
    out = capsys.readouterr().err
    assert name in out and f"line {line}" in out and "Traceback" not in out


def test_opentelemetry_hugo_yaml_gives_the_hand_written_languages_and_urls(
    corpora: Path, tmp_path: Path
) -> None:
    content_dir = corpora / "opentelemetry-io" / "content"
    # The hand-written config of the trial (notes/otel-site-after.toml), as the tests keep it; its `exclude` is
    # a cascade rule, not what this compares.
    hand = load_config(
        SITES / "opentelemetry-io.toml", overrides={"site": {"content_dir": str(content_dir), "exclude": []}}
    )
    ours = tmp_path / "otel.toml"
    ours.write_text(f'[site]\ngenerator = "hugo"\ncontent_dir = "{content_dir}"\n', encoding="utf-8")
    derived = load_config(ours)
    assert derived.origins["site.languages"] == "read from config/_default/hugo.yaml (languages)"
    assert {k: v.name for k, v in derived.site.languages.items()} == {
        k: v.name for k, v in hand.site.languages.items()
    }
    assert {k: derived.site.direction(k) for k in derived.site.languages} == {
        k: hand.site.direction(k) for k in hand.site.languages
    }
    assert (derived.site.base_url, derived.site.default_language, derived.site.name) == (
        hand.site.base_url,
        hand.site.default_language,
        hand.site.name,
    )
    a, b = load_content(hand), load_content(derived)
    urls = {p.rel: (p.lang, p.url) for p in b.posts}
    assert len(urls) > 1000 and urls == {p.rel: (p.lang, p.url) for p in a.posts}


def test_folders_no_language_reads_are_not_pages(tmp_path: Path) -> None:
    """Every language reads its own contentDir (the site-level one for the default language): a folder kept
    beside them with no `[languages.x]` is not built by Hugo, so it is not checked, and validate says why."""
    _write(
        tmp_path / "site",
        {
            "config.toml": """baseURL = 'https://example.org/'
contentDir = 'content/en'
defaultContentLanguage = 'en'
[languages.en]
languageName = 'English'
[languages.hi]
languageName = 'हिन्दी'
contentDir = 'content/hi'
""",
            "content/en/pump.md": PAGE.format(t="Pumps"),
            "content/hi/pump.md": PAGE.format(t="पंप"),
            "content/ja/pump.md": PAGE.format(t="ポンプ"),  # a translation with no language entry
            "content/zh-tw/pump.md": PAGE.format(t="幫浦"),
        },
    )
    config = _ours(tmp_path)
    assert _urls(config) == {"en/pump.md": ("en", "/pump/"), "hi/pump.md": ("hi", "/hi/pump/")}
    origins = load_config(config).origins
    assert "ja/**, zh-tw/**" in origins["site.exclude"] and "contentDir" in origins["site.exclude"]


def test_a_language_our_config_adds_or_changes_is_merged_with_hugos_list(tmp_path: Path) -> None:
    """`[site.languages.xx]` in our config added xx and dropped every language hugo.yaml lists: their pages
    were read as the default language (or refused), their hreflang and URLs lost. Ours is merged per language:
    its keys win for a language Hugo has (`pt-BR` is Hugo's lowercased `pt-br`), a language only ours names
    is added after Hugo's, in Hugo's weight order."""
    _write(
        tmp_path / "site",
        {
            "hugo.yaml": "defaultContentLanguage: en\nlanguages:\n  en: {label: English, weight: 1}\n"
            "  fa: {label: فارسی, weight: 3, contentDir: content/fa}\n"
            "  pt-br: {label: Português, weight: 2}\n",
            "content/en/a.md": PAGE.format(t="A"),
            "content/fa/a.md": PAGE.format(t="الف"),
            "content/sw/a.md": PAGE.format(t="Habari"),
        },
    )
    ours = _ours(
        tmp_path,
        '[site.languages.sw]\nname = "Kiswahili"\n[site.languages.pt-BR]\nhreflang = "pt-BR"\n'
        '[site.languages.fa]\nname = "Persian"\n',
    )
    config = load_config(ours)
    languages = config.site.languages
    assert list(languages) == ["en", "pt-br", "fa", "sw"]
    assert languages["pt-br"].name == "Português" and languages["pt-br"].hreflang == "pt-BR"
    assert languages["fa"].name == "Persian" and config.site.direction("fa") == "rtl"
    assert config.origins["site.languages"] == (
        "read from hugo.yaml (languages), ours merged over it; sw only in ours"
    )
    langs = {rel: lang for rel, (lang, _url) in _urls(ours).items()}
    assert langs == {"en/a.md": "en", "fa/a.md": "fa", "sw/a.md": "sw"}


def test_a_languages_own_title_is_its_site_name(tmp_path: Path) -> None:
    # Hugo's `languages.ja.title` is `.Site.Title` on the Japanese pages: their <title> suffix and cards.
    _write(
        tmp_path / "site",
        {
            "hugo.toml": "title = 'Field Notes'\n[languages.en]\nweight = 1\n[languages.en.params]\nx = 1\n"
            "[languages.ja]\ntitle = 'フィールドノート'\nweight = 2\n[languages.fr]\ntitle = 'Field Notes'\n",
            "content/a.md": PAGE.format(t="A"),
        },
    )
    site = load_config(_ours(tmp_path)).site
    assert site.name == "Field Notes"
    assert [site.name_for(lang) for lang in ("en", "ja", "fr")] == [
        "Field Notes",
        "フィールドノート",
        "Field Notes",
    ]
    assert site.languages["ja"].site_name == "フィールドノート" and site.languages["fr"].site_name == ""


@pytest.mark.parametrize("remove", [True, False])
def test_remove_path_accents_strips_accents_from_derived_paths(tmp_path: Path, remove: bool) -> None:
    """Hugo's `removePathAccents` (default false): non-spacing marks leave paths made from file names, slugs and
    taxonomy terms; `đ` has no decomposition and stays. A link to the accented path then reaches no page."""
    tagged = "---\ntitle: Café\ndate: 2024-03-05\ntags: [Crème Brûlée]\n---\nText.\n"
    _write(
        tmp_path / "site",
        {
            "hugo.toml": f"baseURL = 'https://example.org/'\nremovePathAccents = {str(remove).lower()}\n",
            "content/posts/über.md": tagged,
            "content/posts/tiếng-việt-đẹp.md": PAGE.format(t="Việt"),
            "content/posts/named.md": "---\ntitle: Named\nslug: naïve-café\n---\nText.\n",
        },
    )
    config = load_config(_ours(tmp_path))
    assert config.site.urls.remove_path_accents is (True if remove else None)
    urls = {rel: url for rel, (_, url) in _urls(tmp_path / "pipeline.toml").items()}
    if remove:
        assert urls == {
            "posts/über.md": "/posts/uber/",
            "posts/tiếng-việt-đẹp.md": "/posts/tieng-viet-đep/",
            "posts/named.md": "/posts/naive-cafe/",
        }
    else:
        assert urls["posts/über.md"] == "/posts/über/" and urls["posts/named.md"] == "/posts/naïve-café/"
    from pipeline.content.links import LinkIndex
    from pipeline.content.urls import UrlModel

    content = load_content(config)
    index = LinkIndex(content.posts, content.urls or UrlModel.from_config(config))
    post = content.posts[0]
    assert index.resolve(post, "/tags/creme-brulee/", "example.org").known is remove  # type: ignore[union-attr]
    assert index.resolve(post, "/posts/über/", "example.org").known is not remove  # type: ignore[union-attr]

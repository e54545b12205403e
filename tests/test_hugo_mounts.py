"""A Hugo site's module mounts and `cascade` are read as Hugo builds the site: fallback pages mounted from the
default language, pages mounted from outside the content folder, and front matter cascaded from sections and
from the site's config reach the checks, so `generator = "hugo"` alone gives no false findings from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.content.loader import load_content
from pipeline.stages import Context
from pipeline.validate.stage import run_stage
from tests.validate_support import run_validate


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _ours(tmp_path: Path) -> Path:
    path = tmp_path / "pipeline.toml"
    path.write_text('[site]\ngenerator = "hugo"\ncontent_dir = "site/content"\n', encoding="utf-8")
    return path


def page(title: str, body: str = "Text.", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndescription: A page about {title} for the tests.\n{extra}---\n{body}\n"


HUGO = """baseURL: https://example.org/
title: Mounted
defaultContentLanguage: en
languages:
  en: {label: English, weight: 1}
  de: {label: Deutsch, weight: 2}
"""
# Hugo >= 0.153: `sites.matrix`, with YAML anchors as opentelemetry.io writes them.
MATRIX = """mounts:
  - source: content/en
    target: content
  - source: tmp/spec/specification
    target: content/docs/spec
  - source: tmp/community/mission.md
    target: content/community/mission.md
  - source: content/de
    target: content
    sites: &de-matrix
      matrix: { languages: [de] }
  - source: content/en/docs
    target: content/docs
    files: ['! specs/**']
    sites: *de-matrix
  - source: static
    target: static
"""
# Older Hugo: `lang:` and `excludeFiles`, in hugo.toml.
LANG_FORM = """baseURL = 'https://example.org/'
defaultContentLanguage = 'en'
[languages.en]
weight = 1
[languages.de]
weight = 2
[[module.mounts]]
source = 'content/en'
target = 'content'
[[module.mounts]]
source = 'tmp/spec/specification'
target = 'content/docs/spec'
[[module.mounts]]
source = 'tmp/community/mission.md'
target = 'content/community/mission.md'
[[module.mounts]]
source = 'content/de'
target = 'content'
lang = 'de'
[[module.mounts]]
source = 'content/en/docs'
target = 'content/docs'
lang = 'de'
excludeFiles = 'specs/**'
"""
PAGES = {
    "content/en/_index.md": page("Home"),
    "content/en/docs/_index.md": page("Docs"),
    "content/en/docs/guide.md": page("Guide"),
    "content/en/docs/specs/old.md": page("Old specs"),
    "content/de/_index.md": page(
        "Start",
        "Siehe [die Anleitung](docs/guide/), [die Spezifikation](/docs/spec/overview/), [Mission]"
        "(/community/mission/), [alte Specs](/de/docs/specs/old/) und [fehlt](/de/blog/missing/).",
    ),
}


def _md005(config_path: Path) -> set[str]:
    findings = run_validate(load_config(config_path))
    return {f.message.split("'")[1] for f in findings if f.rule == "MD005"}


@pytest.mark.parametrize(
    "files",
    [
        {"config/_default/hugo.yaml": HUGO, "config/_default/module.yaml": MATRIX},
        {"hugo.toml": LANG_FORM},
    ],
    ids=["sites-matrix-yaml-anchors", "lang-toml"],
)
def test_fallback_and_external_mounts_are_pages_of_the_site(tmp_path: Path, files: dict[str, str]) -> None:
    _write(tmp_path / "site", {**files, **PAGES})
    config = load_config(_ours(tmp_path))
    assert config.site.urls.fallback == {"de": ["/docs/**", "!/docs/specs/**"]}
    assert config.site.urls.external == ["/docs/spec/**", "/community/mission/"]
    assert config.origins["site.urls.external"].startswith("read from ")
    # Served by the site: the English guide under /de/ and the mounted spec. Broken: the English page the
    # fallback mount leaves out, and a page nobody has.
    assert _md005(_ours(tmp_path)) == {"/de/docs/specs/old/", "/de/blog/missing/"}


def test_a_module_template_is_read_only_without_a_module_file(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {"config/_default/hugo.yaml": HUGO, "config/_default/module-template.yaml": MATRIX, **PAGES},
    )
    config = load_config(_ours(tmp_path))
    assert config.site.urls.fallback == {"de": ["/docs/**", "!/docs/specs/**"]}
    assert (
        "module-template.yaml: read as the site's module mounts" in config.origins["site.urls (Hugo mounts)"]
    )
    _write(
        tmp_path / "site",
        {"config/_default/module.yaml": "mounts:\n  - {source: content/en, target: content}\n"},
    )
    config = load_config(_ours(tmp_path))
    assert config.site.urls.fallback == [] and "site.urls (Hugo mounts)" not in config.origins


def test_mounts_name_language_folders_and_leave_unmounted_folders_out(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "hugo.yaml": HUGO
            + "  fr: {label: Français, disabled: true}\n"
            + "module:\n  mounts:\n    - {source: content/english, target: content}\n"
            + "    - {source: content/deutsch, target: content, lang: de}\n"
            + "    - {source: content/francais, target: content, lang: fr}\n",
            "content/english/a.md": page("A"),
            "content/deutsch/a.md": page("A"),
            "content/francais/a.md": page("A"),
            "content/drafts/b.md": page("B"),
        },
    )
    config = load_config(_ours(tmp_path))
    assert "site.urls (Hugo mounts)" not in config.origins  # a disabled language's mount is no problem
    assert "drafts/**" in config.site.exclude and "francais/**" in config.site.exclude
    content = load_content(config)
    assert {p.rel: (p.lang, p.path_url) for p in content.posts} == {
        "deutsch/a.md": ("de", "/de/a/"),
        "english/a.md": ("en", "/a/"),
    }


def test_a_broken_mount_is_a_finding_naming_file_and_line(tmp_path: Path) -> None:
    broken = MATRIX.replace("  - source: content/de\n", "  - sourc: content/de\n")
    broken += "  - source: content/en/blog\n    target: content/blog\n    lang: xx\n"
    _write(
        tmp_path / "site",
        {"config/_default/hugo.yaml": HUGO, "config/_default/module.yaml": broken, **PAGES},
    )
    config = load_config(_ours(tmp_path))
    assert config.site.urls.fallback == {
        "de": ["/docs/**", "!/docs/specs/**"]
    }  # the other mounts still count
    found = [f for f in run_validate(config) if f.rule == "CONTENT018"]
    assert [(Path(f.file or "").name, f.line, f.severity) for f in found] == [
        ("module.yaml", 8, "warning"),
        ("module.yaml", 18, "warning"),
    ]
    assert found[0].message == "mount 4: a mount needs both `source` and `target`; it is skipped"
    assert "lang 'xx' is not one of the site's languages (en, de)" in found[1].message


CASCADE_HUGO = (
    HUGO
    + """cascade:
  - build: { list: never, render: never }
    target: { path: '{,/**}/_includes{,/**}' }
  - params: { banner: site }
    target: { kind: page, environment: production }
  - sitemap: { disable: true }
    target: { environment: development }
"""
)


def test_cascade_reaches_descendants_unless_they_set_their_own(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "config/_default/hugo.yaml": CASCADE_HUGO,
            "content/en/_index.md": page("Home"),
            "content/en/_includes/snippet.md": "No front matter: a snippet, not a page.\n",
            "content/en/docs/_index.md": page(
                "Docs",
                extra="cascade:\n  type: docs\n  draft: true\n  params: {color: red, size: 2}\n  3: three\n",
            ),
            "content/en/docs/a.md": page("A", extra="draft: false\nparams: {color: blue}\n"),
            "content/en/docs/deep/_index.md": page(
                "Deep", extra="cascade:\n  - type: deep\n    _target: {kind: page}\n"
            ),
            "content/en/docs/deep/b.md": page("B"),
            "content/en/docs/archive/_index.md": page(
                "Archive", extra="cascade:\n  build: {render: link}\n  target: {path: /docs/archive/**}\n"
            ),
            "content/en/docs/archive/old.md": page("Old"),
            "content/de/docs/c.md": page("C"),  # another language: the English cascade does not reach it
        },
    )
    content = load_content(load_config(_ours(tmp_path)))
    posts = {p.rel: p for p in content.posts}
    assert not content.problems  # the snippet's missing front matter is no finding: it is not a page
    assert not posts["en/_includes/snippet.md"].renders
    a, b = posts["en/docs/a.md"], posts["en/docs/deep/b.md"]
    assert (a.meta["type"], a.draft, a.meta["params"]) == (
        "docs",
        False,
        {"color": "blue", "size": 2, "banner": "site"},
    )
    assert (b.meta["type"], b.draft, b.meta["params"]["color"]) == ("deep", True, "red")
    assert set(b.cascaded) == {"type", "draft", "params", "3"}  # a YAML number key is text, as in Hugo
    assert posts["en/docs/_index.md"].meta.get("type") is None  # a section's cascade is for what is below it
    assert "sitemap" not in b.meta  # the development-only cascade
    assert not posts["en/docs/archive/old.md"].renders and posts["en/docs/archive/_index.md"].renders
    assert "type" not in posts["de/docs/c.md"].meta and posts["de/docs/c.md"].renders
    # The file on disk is untouched: a stage writing the post writes only its own keys.
    assert "type" not in posts["en/docs/a.md"].dumps({"title": "A2"})


def test_cascade_for_a_run_on_one_file_reads_the_sections_above_it(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "hugo.yaml": HUGO,
            "content/en/docs/_index.md": page("Docs", extra="cascade:\n  build: {render: never}\n"),
            "content/en/docs/a.md": page("A"),
        },
    )
    config = load_config(_ours(tmp_path))
    one = load_content(config, [tmp_path / "site/content/en/docs/a.md"])
    assert [(p.rel, p.renders) for p in one.posts] == [("en/docs/a.md", False)]


def test_a_cascade_that_cannot_be_read_is_a_finding_naming_file_and_line(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "hugo.yaml": HUGO,
            "content/en/docs/_index.md": page(
                "Docs", extra="weight: 1\ncascade:\n  - just text\n  - {type: x, target: [1]}\n"
            ),
            "content/en/docs/a.md": page("A"),
        },
    )
    content = load_content(load_config(_ours(tmp_path)))
    found = [(f.rule, f.file.rsplit("/", 3)[-3:], f.line) for f in content.problems]
    assert found == [("CONTENT017", ["en", "docs", "_index.md"], 5)] * 2
    assert "cascade item 1 must be a table" in content.problems[0].message
    assert [p.rel for p in content.posts if p.renders] == ["en/docs/_index.md", "en/docs/a.md"]


def test_opentelemetry_mounts_and_cascade(corpora: Path, tmp_path: Path) -> None:
    """The real site: its module-template.yaml gives the fallback and external URLs its hand-written config
    listed, and hugo.yaml's cascade keeps `_includes` snippets from being pages (a few files: fast)."""
    content_dir = corpora / "opentelemetry-io" / "content"
    path = tmp_path / "otel.toml"
    path.write_text(f'[site]\ngenerator = "hugo"\ncontent_dir = "{content_dir}"\n', encoding="utf-8")
    config = load_config(path)
    urls = config.site.urls
    assert {"/docs/specs/otel/**", "/docs/specs/semconv/**", "/community/mission/"} <= set(urls.external)
    assert isinstance(urls.fallback, dict) and set(urls.fallback) == set(config.site.languages) - {"en"}
    assert "/ecosystem/**" in urls.fallback["pt"] and "/ecosystem/**" not in urls.fallback["ja"]
    assert "!/docs/specs/**" in urls.fallback["bn"]
    loaded = load_content(config, [content_dir / "en/docs/languages/_includes", content_dir / "bn/_index.md"])
    snippets = [p for p in loaded.posts if "/_includes/" in p.rel]
    assert snippets and not any(p.renders for p in snippets)
    assert not [f for f in loaded.problems if f.rule == "CONTENT011"]
    # bn's home links to docs pages bn has not translated: served from English by the fallback mounts
    # (before: 3 MD005 on it; its other links reach bn's own pages).
    home = content_dir / "bn" / "_index.md"
    result = run_stage(Context(config=config), paths=[home], use_cache=False)
    assert [f for f in result.findings if f.rule == "MD005"] == []


def test_front_matter_date_sources_and_per_language_permalinks(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "hugo.toml": """baseURL = 'https://example.org/'
enableGitInfo = true
[frontmatter]
date = ['published_on', ':filename', ':default']
expiryDate = [':fileModTime']
[permalinks]
posts = '/:year/:slug/'
[languages.en]
weight = 1
[languages.fr]
weight = 2
[languages.fr.permalinks]
posts = '/articles/:slug/'
""",
            "content/en/posts/2023-04-05-launch.md": "---\ntitle: Launch\n---\nText.\n",
            "content/en/posts/other.md": "---\ntitle: Other\npublished_on: 2022-01-02\n---\nText.\n",
            "content/fr/posts/2023-04-05-lancement.md": "---\ntitle: Lancement\n---\nTexte.\n",
            "content/en/about/2020-01-01-history.md": "---\ntitle: History\nslug: past\n---\nText.\n",
        },
    )
    config = load_config(_ours(tmp_path))
    posts = {p.rel: p for p in load_content(config).posts}
    assert (
        posts["en/posts/2023-04-05-launch.md"].path_url,
        str(posts["en/posts/2023-04-05-launch.md"].date),
    ) == (
        "/2023/launch/",
        "2023-04-05 00:00:00+00:00",
    )
    assert posts["en/posts/other.md"].path_url == "/2022/other/"  # the date from `published_on`
    assert posts["fr/posts/2023-04-05-lancement.md"].path_url == "/fr/articles/lancement/"
    assert posts["en/about/2020-01-01-history.md"].path_url == "/about/past/"
    note = config.origins["site.front_matter (Hugo dates)"]
    assert "expirydate = the file's modification time" in note and "lastmod = the last Git commit" in note


def test_a_file_a_stage_writes_gets_the_cascade_when_re_read(tmp_path: Path) -> None:
    _write(
        tmp_path / "site",
        {
            "hugo.yaml": HUGO,
            "content/de/docs/_index.md": page("Doku", extra="cascade:\n  type: docs\n"),
            "content/de/docs/a.md": page("A"),
        },
    )
    config = load_config(_ours(tmp_path))
    content = load_content(config)
    new = tmp_path / "site/content/de/docs/b.md"
    new.write_text(page("B"), encoding="utf-8")  # as translate writes a draft
    content.refresh([new], config)
    assert {p.rel: p.meta.get("type") for p in content.posts} == {
        "de/docs/_index.md": None,
        "de/docs/a.md": "docs",
        "de/docs/b.md": "docs",
    }


def test_a_changed_cascade_is_not_hidden_by_cached_findings(tmp_path: Path) -> None:
    """A page's cached findings are keyed on what it inherits too: its own file did not change."""
    index = tmp_path / "site/content/en/docs/_index.md"
    _write(tmp_path / "site", {"hugo.yaml": HUGO, "content/en/docs/a.md": page("A")})
    index.write_text(page("Docs"), encoding="utf-8")
    config = load_config(_ours(tmp_path))

    def md006() -> list[str]:
        result = run_stage(Context(config=config))
        return [Path(f.file or "").name for f in result.findings if f.rule == "MD006"]

    assert "a.md" in md006()
    index.write_text(page("Docs", extra="cascade:\n  validate: {ignore: [MD006]}\n"), encoding="utf-8")
    assert "a.md" not in md006()


def test_a_finding_about_a_cascaded_value_names_where_it_is_written(tmp_path: Path) -> None:
    """A description or image a section's `cascade:` gives its pages is fixed in that `_index.md`, not in the
    page: the finding on each page says which file and line write it. Before, it pointed at line 1 of the
    page, which has no such key."""
    long = "A description every page of this section inherits, " * 4  # over the 156-character bound
    index = page(
        "Docs",
        extra=f"weight: 2\ncascade:\n  - type: docs\n    description: {long.strip()}\n    image: /img/nope.png\n",
    )
    _write(
        tmp_path / "site",
        {
            "hugo.yaml": HUGO,
            "content/en/docs/_index.md": index,
            "content/en/docs/a.md": "---\ntitle: Getting started with the docs\n---\nText.\n",
            "content/en/docs/b.md": page("B"),  # its own description wins over the cascaded one
        },
    )
    findings = run_validate(load_config(_ours(tmp_path)))
    source = "site/content/en/docs/_index.md"

    def about(name: str, rule: str) -> list:  # type: ignore[type-arg]
        return [f for f in findings if f.rule == rule and (f.file or "").endswith(name)]

    [length] = about("a.md", "SEO012")
    assert length.line is None  # the page has no line for it
    assert f"{source}:7" in length.message and "cascade" in length.message
    assert length.data["source"].endswith(f"{source}:7")
    [image] = about("a.md", "IMG002")
    assert f"{source}:8" in image.message
    assert [f.line for f in about("b.md", "SEO012")] == [3]  # its own (short) description, on its own line
    assert not any("cascade" in f.message for f in about("b.md", "SEO012"))
    # The section's own description is its own: its finding points at its own line, with no source.
    assert all("source" not in f.data for f in findings if (f.file or "").endswith("_index.md"))

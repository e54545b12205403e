"""Eleventy's JSON template and directory data files are merged into each page as Eleventy's data cascade does:
folders from the top down, then the template's own data file, then its front matter; objects merged and arrays
combined (deep merge). eleventy-base-blog tags every post `posts` from `posts/posts.json`; a folder's data may
set the permalink or the language of every page in it. Before, none of it was read: URLs came out wrong and the
notice said the data files were unread."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.config import load_config
from pipeline.content.eleventy_data import merge
from pipeline.content.loader import load_content

POST = "---\ntitle: {title}\ndate: 2024-03-01\n{extra}---\n\nMorning light sets the body clock.\n"


def _site(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text(
        '[site]\ngenerator = "eleventy"\ncontent_dir = "src"\nbase_url = "https://notes.example"\n'
        '[site.languages.en]\nname = "English"\n[site.languages.ja]\nname = "日本語"\n',
        encoding="utf-8",
    )
    return config


def test_directory_and_template_data_reach_the_page_under_its_front_matter(tmp_path: Path) -> None:
    config = _site(
        tmp_path,
        {
            "posts/posts.json": '{"tags": ["posts"], "layout": "layouts/post.njk", "author": {"name": "Ana"}}',
            "posts/2024/2024.11tydata.json": '{"permalink": "/archive/{{ page.fileSlug }}/", "draft": true}',
            "posts/2024/light.md": POST.format(title="Light", extra="tags: [sleep]\ndraft: false\n"),
            "posts/2024/light.json": '{"author": {"site": "ana.example"}}',
            "posts/dark.md": POST.format(title="Dark", extra=""),
            "japanese/japanese.json": '{"lang": "ja"}',
            "japanese/hikari.md": POST.format(title="光", extra=""),
        },
    )
    posts = {p.path.stem: p for p in load_content(load_config(config)).posts}
    light, dark, hikari = posts["light"], posts["dark"], posts["hikari"]
    assert light.tags == ["sleep", "posts"]  # the front matter's own, then the folder's
    assert light.path_url == "/archive/light/"  # the permalink of the 2024 folder's data
    assert light.draft is False  # front matter wins over data
    assert light.meta["author"] == {"name": "Ana", "site": "ana.example"}  # objects merged
    assert set(light.cascaded) >= {"tags", "layout", "author", "permalink"}
    assert dark.tags == ["posts"] and dark.path_url == "/posts/dark/"
    assert hikari.lang == "ja"


def test_a_broken_json_data_file_is_a_finding_naming_its_line(tmp_path: Path) -> None:
    config = _site(
        tmp_path,
        {
            "posts/posts.json": '{\n  "tags": ["posts"],\n}\n',
            "posts/dark.md": POST.format(title="Dark", extra=""),
        },
    )
    content = load_content(load_config(config))
    found = [f for f in content.problems if f.rule == "CONTENT016"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].line == 3
    assert (found[0].file or "").endswith("posts/posts.json") and "not valid JSON" in found[0].message
    assert content.posts[0].tags == []  # the page is still read, without the file's data


def test_editing_a_data_file_is_a_change_the_validate_fast_path_sees(tmp_path: Path) -> None:
    from pipeline.validate.stage import site_signature

    config_file = _site(
        tmp_path,
        {"posts/posts.json": '{"tags": ["posts"]}', "posts/dark.md": POST.format(title="D", extra="")},
    )
    config = load_config(config_file)
    before = site_signature(config)
    data = tmp_path / "src/posts/posts.json"
    data.write_text('{"tags": ["posts"], "permalink": "/x/{{ page.fileSlug }}/"}', encoding="utf-8")
    os.utime(data, ns=(1, 1))
    assert site_signature(config) != before


def test_deep_merge_follows_eleventy() -> None:
    assert merge({"tags": ["a"], "o": {"x": 1}}, {"tags": ["b", "a"], "o": {"y": 2}}) == {
        "tags": ["b", "a"],
        "o": {"x": 1, "y": 2},
    }
    assert merge({"permalink": "/a/"}, {"permalink": False}) == {"permalink": False}


def test_eleventyignore_entries_are_no_pages(tmp_path: Path) -> None:
    # eleventy-base-blog's `.eleventyignore` says `README.md`: the project's readme was validated as a page
    # (SEO001 title and description missing, CONTENT011 no front matter).
    from pipeline.validate.stage import site_signature

    config_file = _site(
        tmp_path,
        {
            "README.md": "# My blog\n\nRun `npm start`.\n",
            "notes/todo.md": POST.format(title="Todo", extra=""),
            "notes/keep.md": POST.format(title="Keep", extra=""),
            "drafts/a.md": POST.format(title="A", extra=""),
            "posts/dark.md": POST.format(title="Dark", extra=""),
            ".eleventyignore": "README.md\n# a comment\nnotes/todo.md\n!notes/keep.md\n",
        },
    )
    (tmp_path / ".eleventyignore").write_text("src/drafts/\nnode_modules\n", encoding="utf-8")
    config = load_config(config_file)
    rels = sorted(p.rel for p in load_content(config).posts)
    assert rels == ["notes/keep.md", "posts/dark.md"]
    before = site_signature(config)
    (tmp_path / "src/.eleventyignore").write_text("README.md\n", encoding="utf-8")
    os.utime(tmp_path / "src/.eleventyignore", ns=(1, 1))
    assert site_signature(config) != before


def test_gitignore_entries_are_no_pages_unless_the_config_opts_out(tmp_path: Path) -> None:
    # Eleventy ignores what the project's .gitignore lists (https://www.11ty.dev/docs/ignores/): a writer's
    # `drafts/` or a generated `notes/export.md` kept out of git are no pages of the site, unless the config
    # says `setUseGitIgnore(false)`. The project folder is the one with package.json / the Eleventy config.
    from pipeline.validate.stage import site_signature

    config_file = _site(
        tmp_path,
        {
            "drafts/a.md": POST.format(title="A", extra=""),
            "notes/export.md": POST.format(title="Export", extra=""),
            "notes/kept.md": POST.format(title="Kept", extra=""),
            "posts/dark.md": POST.format(title="Dark", extra=""),
        },
    )
    (tmp_path / "package.json").write_text('{"name": "blog"}\n', encoding="utf-8")
    (tmp_path / ".gitignore").write_text(
        "node_modules/\n_site/\n/src/drafts/\nsrc/notes/export.md\n!src/notes/kept.md\n*.log\n",
        encoding="utf-8",
    )
    config = load_config(config_file)
    assert sorted(p.rel for p in load_content(config).posts) == ["notes/kept.md", "posts/dark.md"]
    before = site_signature(config)
    (tmp_path / "eleventy.config.js").write_text(
        "export default function (eleventyConfig) {\n  eleventyConfig.setUseGitIgnore(false);\n}\n",
        encoding="utf-8",
    )
    config = load_config(config_file)
    assert sorted(p.rel for p in load_content(config).posts) == [
        "drafts/a.md",
        "notes/export.md",
        "notes/kept.md",
        "posts/dark.md",
    ]
    assert site_signature(config) != before  # the .gitignore no longer counts: the cached result is stale
    # No project folder (no package.json or config beside or above the input): no .gitignore is guessed at.
    (tmp_path / "eleventy.config.js").unlink()
    (tmp_path / "package.json").unlink()
    assert len(load_content(load_config(config_file)).posts) == 4


def test_hostile_data_files_are_findings_not_crashes(tmp_path: Path) -> None:
    # json.loads raises RecursionError (not a JSONDecodeError) on ~1,000 nested arrays: it took the loader down.
    deep = '{"a": ' * 200 + "1" + "}" * 200  # parses, but deeper than the merge follows
    config = _site(
        tmp_path,
        {
            "a/a.json": "[" * 100_000,
            "b/b.json": deep,
            "c/c.json": '{"tags": ["' + "x" * 5_100_000 + '"]}',
            "a/p.md": POST.format(title="A", extra=""),
            "b/p.md": POST.format(title="B", extra=""),
            "c/p.md": POST.format(title="C", extra=""),
        },
    )
    content = load_content(load_config(config))
    assert sorted(p.rel for p in content.posts) == ["a/p.md", "b/p.md", "c/p.md"]
    found = {Path(f.file or "").name: f.message for f in content.problems if f.rule == "CONTENT016"}
    assert "nests too deeply" in found["a.json"]
    assert "nests deeper than 64 levels" in found["b.json"]
    assert "is over 5,000,000 bytes" in found["c.json"]
    assert all(p.tags == [] for p in content.posts)

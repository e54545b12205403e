"""`pipeline build` never deletes what it did not write, and posts whose permalink cannot become a page get a
finding naming the file and line instead of a crash or a silent gap in the site and its sitemap."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.build.stage import MARKER, BuildError
from pipeline.build.stage import run_stage as build
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.stages import Context
from tests.test_build_run import copy_site


def _post(config_dir: Path, name: str, permalink: str) -> Path:
    path = config_dir / "site" / "content" / "posts" / f"{name}.md"
    path.write_text(
        f"---\ntitle: {name}\ndescription: About {name}.\ndate: 2025-01-02\npermalink: '{permalink}'\n---\nBody.\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("where", ["site", "site/content", "site/static", "site/content/posts", "."])
def test_output_onto_the_site_or_its_folders_is_refused_and_nothing_is_deleted(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = copy_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "site").rglob("*"))
    code = main(["build", "--config", str(config_file), "--output", str(tmp_path / where)])
    assert code == 2
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "site").rglob("*")) == before


def test_a_folder_no_build_wrote_is_not_replaced(tmp_path: Path) -> None:
    config = load_config(copy_site(tmp_path))
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match="not empty and no build wrote it"):
        build(Context(config=config), output=foreign)
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"
    # A build's own folder (marker inside) is replaced as before, and so is an empty one.
    out = Path(build(Context(config=config), output=tmp_path / "out").data["output"])
    assert (out / MARKER).is_file()
    (out / "stale.html").write_text("old", encoding="utf-8")
    build(Context(config=config), output=out)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()


def test_root_output_is_refused_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = copy_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--config", str(config_file), "--output", "/"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "pick a folder of its own" in err


def test_permalinks_that_cannot_be_pages_are_findings_and_left_out_of_the_sitemap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = copy_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    static_file = next((tmp_path / "site" / "static").rglob("*.png"))
    onto_static = "/" + static_file.relative_to(tmp_path / "site" / "static").as_posix() + "/"
    bad = {
        "escape": "/../../../outside/",
        "robots": "/robots.txt",
        "home": "/",
        "onto-static": onto_static,
        "twin-a": "/articles/twin/",
        "twin-b": "/articles/twin/",
    }
    for name, link in bad.items():
        _post(tmp_path, name, link)
    code = main(["build", "--config", str(config_file)])
    out_text = capsys.readouterr().out
    assert code == 1
    assert out_text.count("BUILD001") == 1 and "escape.md" in out_text
    assert out_text.count("BUILD002") == 3
    for name in ("robots.md", "onto-static.md"):
        assert name in out_text
    assert "home.md" not in out_text  # a post at "/" is the home page (Hugo's content/_index.md, index.md)
    # The second of two posts on one permalink is refused, naming the first, which was built.
    assert "twin-b.md" in out_text and "is also the page of site/content/posts/twin-a.md" in out_text
    site = tmp_path / "_site"
    assert not (tmp_path / "outside").exists()
    assert (site / "robots.txt").is_file() and (site / "robots.txt").read_text().startswith("User-agent")
    assert static_file.read_bytes() == (site / onto_static.strip("/")).read_bytes()
    assert "<title>home | " in (site / "index.html").read_text()  # the home post, not the generated list
    sitemap = (site / "sitemap.xml").read_text()
    assert "outside" not in sitemap and "robots.txt" not in sitemap and sitemap.count("/articles/twin/") == 1
    # The other posts were still built.
    assert (site / "articles" / "coffee-and-health" / "index.html").is_file()


def test_build_refuses_a_symlinked_output_onto_the_content(tmp_path: Path) -> None:
    config = load_config(copy_site(tmp_path))
    link = tmp_path / "looks-harmless"
    os.symlink(config.content_root, link)
    with pytest.raises(BuildError, match="is the content folder"):
        build(Context(config=config), output=link)
    assert any(config.content_root.rglob("*.md"))


def test_aliases_that_cannot_redirect_are_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = copy_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    post = _post(tmp_path, "moved", "/articles/moved/")
    text = post.read_text(encoding="utf-8").replace(
        "---\nBody",
        "aliases: [/old/moved/, /../../etc/, /robots.txt, /articles/coffee-and-health/]\n---\nBody",
    )
    post.write_text(text, encoding="utf-8")
    assert main(["build", "--config", str(config_file)]) == 1
    out = capsys.readouterr().out
    assert out.count("BUILD003") == 3 and "moved.md" in out
    redirects = json.loads((tmp_path / "_site" / "_redirects.json").read_text())
    assert redirects["/old/moved/"] == "/articles/moved/"
    assert not [k for k in redirects if ".." in k or k in ("/robots.txt", "/articles/coffee-and-health/")]


def test_dot_segments_static_index_pages_and_file_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = copy_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "site" / "static" / "docs"
    docs.mkdir()
    (docs / "index.html").write_text("<p>hand-written docs</p>", encoding="utf-8")
    _post(tmp_path, "dotted", "/./index.html/")
    _post(tmp_path, "upper", "/SITEMAP.XML/")
    _post(tmp_path, "onto-docs", "/docs/")
    assert main(["build", "--config", str(config_file)]) == 1
    out = capsys.readouterr().out
    assert out.count("BUILD002") == 2 and "dotted.md" not in out  # /./index.html/ is "/": the home page
    site = tmp_path / "_site"
    assert (site / "docs" / "index.html").read_text(encoding="utf-8") == "<p>hand-written docs</p>"
    assert "<title>dotted | " in (site / "index.html").read_text() and (site / "sitemap.xml").is_file()
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    assert main(["build", "--config", str(config_file), "--output", str(notes)]) == 2
    assert notes.read_text(encoding="utf-8") == "keep me"
    assert "is a file" in capsys.readouterr().err

"""XLIFF and PO: export, import unchanged (no-op), import edits and approvals; plus the CLI contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.translate import exchange, review
from pipeline.translate.stage import run_stage
from tests.translate_support.site import POST, install, make_context, package_file


@pytest.fixture
def ctx(tmp_path: Path, _isolated_state: Path):  # type: ignore[no-untyped-def]
    install(_isolated_state, "upper")
    context = make_context(tmp_path, {"posts/sleep.md": POST})
    run_stage(context)
    return context


@pytest.mark.parametrize("suffix", [".po", ".xlf"])
def test_round_trip_and_edits(ctx, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"es{suffix}"
    n = exchange.export_file(ctx, "es", out)
    units = (
        exchange.loads_po(out.read_text("utf-8"))
        if suffix == ".po"
        else exchange.loads_xliff(out.read_bytes())
    )
    assert len(units) == n == review.list_drafts(ctx, "es")[0].total
    assert units == exchange.collect(ctx, "es")  # lossless round trip, ids, templates and states included
    assert exchange.import_file(ctx, "es", out, who="cat").changed == 0
    title = next(u for u in units if u.id.endswith("#fm:title"))
    title.target = 'Dormir "bien"\ny hábitos'
    title.approved = True
    text = exchange.dumps_po(units, "es") if suffix == ".po" else exchange.dumps_xliff(units, "en", "es")
    out.write_text(text, "utf-8")
    report = exchange.import_file(ctx, "es", out, who="cat")
    assert (report.changed, report.approved, report.refused, report.not_approved) == (1, 1, [], [])
    view = next(s for s in review.draft_segments(ctx, "posts/sleep.md", "es") if s.id == "fm:title")
    assert (view.target, view.state, view.origin) == ('Dormir "bien"\ny hábitos', "approved", "human")
    assert review.list_drafts(ctx, "es")[0].approved == 1


def test_import_rejects_unknown_units(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.po"
    bad.write_text('msgctxt "es/nope.md#b1"\nmsgid "x"\nmsgstr "y"\n', "utf-8")
    with pytest.raises(exchange.ExchangeError, match="matches no segment"):
        exchange.import_file(ctx, "es", bad, who="cat")


def test_cli_models_and_translate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_context(tmp_path, {"posts/sleep.md": POST})
    config = tmp_path / "config" / "site.toml"
    config.parent.mkdir()
    config.write_text(
        '[site]\ncontent_dir = "content"\n[site.languages.en]\n[site.languages.es]\n[translate]\nbeam_size = 1\n'
        'engines = {"*" = ["argos"]}\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["translate", "--to", "es"]) == 0
    assert "no Argos package for en→es" in capsys.readouterr().err
    assert main(["models", "install", "--from-file", str(package_file("upper")), "--sha256", "0" * 64]) == 2
    assert "sha256" in capsys.readouterr().err
    assert main(["models", "install", "--from-file", str(package_file("upper"))]) == 0
    assert main(["models", "list"]) == 0
    assert "en\tes" in capsys.readouterr().out
    assert main(["translate", "content/posts", "--to", "es"]) == 0
    assert "drafts_written 1" in capsys.readouterr().out
    assert (tmp_path / "content/es/posts/sleep.md").is_file()
    assert main(["translate", "--to", "es", "--export", "es.po"]) == 0
    po = (tmp_path / "es.po").read_text("utf-8")
    assert 'msgctxt "es/posts/sleep.md#fm:title"' in po
    (tmp_path / "es.po").write_text(
        po.replace('msgstr "SLEEP AND SNAKE_CASE HABITS"', 'msgstr "Dormir"'), "utf-8"
    )
    assert main(["translate", "--to", "es", "--import", "es.po"]) == 0
    assert "imported 1 changed" in capsys.readouterr().out
    assert "title: Dormir" in (tmp_path / "content/es/posts/sleep.md").read_text("utf-8")
    assert main(["translate", "--to", "xx"]) == 2
    assert "xx not in site.languages" in capsys.readouterr().err
    monkeypatch.setenv("PIPELINE_ARGOS_INDEX_URL", "http://127.0.0.1:9/index.json")
    assert main(["models", "install", "en", "de"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the Argos package index" in err and "--from-file" in err
    assert main(["models", "remove", "en", "es"]) == 0
    assert main(["models", "remove", "en", "es"]) == 2

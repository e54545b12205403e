"""The stage end to end on a real temp site with real crafted packages and the real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.content import parse_post
from pipeline.stages import StageSkipped
from pipeline.translate import review
from pipeline.translate.hreflang import hreflang_set
from pipeline.translate.stage import run_stage
from tests.translate_support.site import POST, install, make_context

DRAFT = Path("content/es/posts/sleep.md")


def _draft(root: Path) -> tuple[str, dict]:  # type: ignore[type-arg]
    text = (root / DRAFT).read_text("utf-8")
    post = parse_post(text.encode(), root / DRAFT, root / "content", languages=["en", "es"])
    return post.body, post.meta


def test_no_package_skips_with_install_hint(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    with pytest.raises(StageSkipped, match=r"en→es.*pipeline models install en es.*--from-file"):
        run_stage(ctx)


def test_copy_model_leaves_body_byte_identical(tmp_path: Path, _isolated_state: Path) -> None:
    install(_isolated_state, "copy")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    result = run_stage(ctx)
    assert result.counts["drafts_written"] == 1
    body, meta = _draft(tmp_path)
    assert body == POST.split("---\n", 2)[2]
    assert meta["lang"] == "es" and meta["translationKey"] == "posts/sleep"
    assert meta["permalink"] == "/es/articles/sleep-habits/"
    # No card paths copied in: the English card is the source's; the draft's own comes from the URL model.
    assert "ogImage" not in meta and "twitterImage" not in meta
    assert meta["translation"]["status"] == "draft"
    assert meta["translation"]["total"] == result.counts["segments"]
    assert "dir" not in meta


def test_rtl_drafts_say_so_and_unrelated_packages_do_not_count(tmp_path: Path, _isolated_state: Path) -> None:
    install(_isolated_state, "upper", "en", "de")
    install(_isolated_state, "copy", "de", "ar")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST}, {"languages": ["ar"]})
    with pytest.raises(StageSkipped):
        run_stage(ctx)  # en→de + de→ar is no route: pivots go through English only
    install(_isolated_state, "upper", "en", "ar")
    result = run_stage(ctx)
    assert result.counts["drafts_written"] == 1
    meta = parse_post((tmp_path / "content/ar/posts/sleep.md").read_bytes(), tmp_path / "x.md", tmp_path).meta
    assert meta["dir"] == "rtl" and meta["title"] == "SLEEP AND SNAKE_CASE HABITS"


def test_pseudo_translation_keeps_code_urls_and_keys_out_of_the_model(
    tmp_path: Path, _isolated_state: Path
) -> None:
    install(_isolated_state, "upper")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST}, {"do_not_translate": ["friends"]})
    run_stage(ctx)
    body, meta = _draft(tmp_path)
    assert meta["title"] == "SLEEP AND SNAKE_CASE HABITS"
    assert meta["description"] == "HOW 7 HOURS OF SLEEP HELP."
    assert (meta["layout"], meta["image"], str(meta["date"])) == (
        "post.njk",
        "/images/sleep.jpg",
        "2025-01-02",
    )
    assert "[THE GUIDE](https://example.com/guide_v2)" in body
    assert "`run_this()`" in body and 'code_stays = "here"' in body
    assert '<div class="note">raw html</div>' in body
    assert "https://www.example.org/path_x" in body
    assert "**friends**" in body  # do-not-translate term
    assert "# BETTER SLEEP" in body and "TAKE 3.5 MG OF MELATONIN" in body


def test_second_run_makes_zero_model_calls(tmp_path: Path, _isolated_state: Path, db_url: str) -> None:
    install(_isolated_state, "upper")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    assert ctx.config.db_url == db_url  # the translation memory lives in the store under test
    first = run_stage(ctx)
    assert first.counts["model_calls"] > 0
    second = run_stage(make_context(tmp_path, {}))
    assert second.counts["model_calls"] == 0
    assert second.counts["memory_hits"] == second.counts["segments"] > 0
    assert second.counts["drafts_unchanged"] == 1 and second.counts["drafts_written"] == 0


def test_a_draft_left_untouched_is_not_machine_translated(tmp_path: Path, _isolated_state: Path) -> None:
    """A file the pipeline did not write sits where the draft goes: TRANSLATE002, and none of that post's
    segments reach the engine (the glossary trial saw them translated, then thrown away)."""
    install(_isolated_state, "upper")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    (tmp_path / DRAFT).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / DRAFT).write_text("---\ntitle: Mine\n---\n\nA translator's own file.\n")
    result = run_stage(ctx)
    assert [f.rule for f in result.findings if f.rule.startswith("TRANSLATE")] == ["TRANSLATE002"]
    assert result.counts["model_calls"] == 0 and result.counts["segments"] == 0
    assert (tmp_path / DRAFT).read_text() == "---\ntitle: Mine\n---\n\nA translator's own file.\n"


def test_review_edits_and_hand_edits_survive_reruns(
    tmp_path: Path, _isolated_state: Path, db_url: str
) -> None:
    install(_isolated_state, "upper")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    run_stage(ctx)
    segs = review.draft_segments(ctx, "posts/sleep.md", "es")
    title = next(s for s in segs if s.id == "fm:title")
    review.save_edit(ctx, "posts/sleep.md", "es", "fm:title", "Dormir y hábitos", who="ana")
    # A translator edits the file by hand too.
    path = tmp_path / DRAFT
    text = path.read_text("utf-8")
    assert "SLEEP MATTERS." in text
    path.write_text(text.replace("SLEEP MATTERS.", "El sueño importa."), "utf-8")
    result = run_stage(make_context(tmp_path, {}))
    assert result.counts["hand_edits"] == 1
    assert result.counts["model_calls"] == 0
    body, meta = _draft(tmp_path)
    assert meta["title"] == "Dormir y hábitos" and title.target != meta["title"]
    assert "El sueño importa." in body
    assert meta["translation"]["status"] == "in-review"
    views = {s.id: s for s in review.draft_segments(ctx, "posts/sleep.md", "es")}
    assert views["fm:title"].origin == "human"
    assert any(s.origin == "human" and "El sueño" in s.target for s in views.values())


def test_changed_source_becomes_needs_review_with_fuzzy_match(
    tmp_path: Path, _isolated_state: Path, db_url: str
) -> None:
    install(_isolated_state, "upper")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    run_stage(ctx)
    changed = POST.replace("Sleep matters.", "Sleep matters a lot.")
    result = run_stage(make_context(tmp_path, {"posts/sleep.md": changed}))
    assert 0 < result.counts["model_calls"] <= 2
    seg = next(s for s in review.draft_segments(ctx, "posts/sleep.md", "es") if "A LOT" in s.target)
    assert seg.state == "needs-review"
    assert seg.fuzzy is not None and "SLEEP MATTERS." in seg.fuzzy["target"]


def test_approve_all_publishes_and_hreflang_lists_it(tmp_path: Path, _isolated_state: Path) -> None:
    install(_isolated_state, "copy")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    run_stage(ctx)
    content = ctx.reload_content()
    source = next(p for p in content.posts if p.lang == "en")
    assert hreflang_set(content, source, ctx.config) == [
        ("en", "https://example.org/articles/sleep-habits/"),
        ("x-default", "https://example.org/articles/sleep-habits/"),
    ]
    count, skipped = review.approve_all(ctx, "posts/sleep.md", "es", who="lead")
    assert count > 0 and not skipped
    _, meta = _draft(tmp_path)
    assert meta["translation"]["status"] == "approved"
    assert meta["translation"]["approved"] == meta["translation"]["total"]
    content = ctx.reload_content()
    source = next(p for p in content.posts if p.lang == "en")
    assert ("es", "https://example.org/es/articles/sleep-habits/") in hreflang_set(
        content, source, ctx.config
    )
    # Approved segments are never replaced by machine output on a re-run with another model.
    install(_isolated_state, "upper")
    result = run_stage(make_context(tmp_path, {}))
    assert result.counts["model_calls"] == 0
    summary = review.list_drafts(ctx, "es")[0]
    assert summary.status == "approved" and summary.progress == 1.0


def test_stage_pivots_through_english_for_other_source_languages(
    tmp_path: Path, _isolated_state: Path
) -> None:
    install(_isolated_state, "upper", "de", "en")
    install(_isolated_state, "copy", "en", "es")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST}, site={"default_language": "de"})
    result = run_stage(ctx)
    assert result.counts["drafts_written"] == 1
    body, meta = _draft(tmp_path)
    assert meta["title"] == "SLEEP AND SNAKE_CASE HABITS" and "# BETTER SLEEP" in body
    view = review.draft_segments(ctx, "posts/sleep.md", "es")[0]
    assert view.state == "machine"


def test_translations_of_the_old_segment_cut_are_carried_over(tmp_path: Path, _isolated_state: Path) -> None:
    """Before markup at a segment's ends moved inside it, `- **Pregnant people** are …` was the segment
    `Pregnant people⟦1⟧ are …` (its opening ** cut off). A person's approved translation of that cut is carried
    over to the new one, approval kept, not translated again."""
    from pipeline.translate.memory import Memory

    install(_isolated_state, "upper")
    post = (
        "---\ntitle: Caffeine advice\n---\n\n- **Pregnant people** are usually advised to limit caffeine.\n"
    )
    ctx = make_context(tmp_path, {"posts/c.md": post})
    with ctx.store.begin() as conn:
        memory = Memory(conn, "en", "es")
        memory.put_human(
            "Pregnant people⟦1⟧ are usually advised to limit caffeine.",
            "Las personas embarazadas⟦1⟧ suelen limitar la cafeína.",
            who="ana",
            qa=[],
            approve=True,
        )
    result = run_stage(ctx)
    assert result.counts["carried_over"] == 1 and result.counts["model_calls"] == 1  # only the title
    draft = (tmp_path / "content/es/posts/c.md").read_text("utf-8")
    assert "- **Las personas embarazadas** suelen limitar la cafeína.\n" in draft
    item = next(v for v in review.draft_segments(ctx, "posts/c.md", "es") if v.id == "b1")
    assert (item.state, item.origin, item.who) == ("approved", "human", "ana")
    assert item.history[0].action == "carry-over"

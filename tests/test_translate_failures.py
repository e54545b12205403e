"""L8: one segment the model cannot handle fails on its own; every other segment and post is translated.

The package is a real one whose model reads at most 256 tokens, so a long paragraph is a genuine CTranslate2
error, as a 600 KB paragraph is for a real Argos package (CTranslate2 would otherwise cut the input at 1,024
tokens and silently drop the rest of it from the draft).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.content import display_path
from pipeline.translate import review
from pipeline.translate.packages import install_from_file
from pipeline.translate.stage import run_stage
from tests.translate_support.site import POST, make_context, package_file

LONG = "word " * 300  # one sentence of ~600 pieces: beyond the model's 256 positions
BIG = POST.replace("Sleep matters.", LONG.strip())


def test_a_model_error_fails_one_segment_and_the_rest_translates(
    tmp_path: Path, _isolated_state: Path
) -> None:
    install_from_file(_isolated_state, package_file("upper", positions=256))
    ctx = make_context(tmp_path, {"posts/sleep.md": POST, "posts/big.md": BIG})
    result = run_stage(ctx)
    errors = [f for f in result.findings if f.rule == "TRANSLATE005"]
    assert (
        len(errors) == 1
        and errors[0].file == display_path(tmp_path / "content/posts/big.md")
        and errors[0].severity == "error"
    )
    assert "RuntimeError" in errors[0].message and "position" in errors[0].message
    assert result.counts["failed_segments"] == 1 and result.counts["drafts_written"] == 2
    sleep = (tmp_path / "content/es/posts/sleep.md").read_text("utf-8")
    assert "SLEEP MATTERS." in sleep
    big = (tmp_path / "content/es/posts/big.md").read_text("utf-8")
    assert LONG.strip() in big  # kept as the source for a translator, not cut short
    assert "WALK DAILY WITH" in big  # the post's other segments are translated
    seg = next(s for s in review.draft_segments(ctx, "posts/big.md", "es") if LONG.strip() in s.source)
    assert seg.state == "needs-review" and seg.qa and seg.qa[0].startswith("TRANSLATE005")

    # The next run tries the failed segment again (only it) and reports it again.
    again = run_stage(make_context(tmp_path, {}))
    assert again.counts["model_calls"] == 1 and again.counts["failed_segments"] == 1
    # Once a translator has translated it, it is theirs: no retry, no finding.
    review.save_edit(ctx, "posts/big.md", "es", seg.id, "palabra " * 300 + "⟦1⟧la guía⟦2⟧ y ⟦3⟧.", who="ana")
    third = run_stage(make_context(tmp_path, {}))
    assert third.counts["model_calls"] == 0 and third.counts["failed_segments"] == 0
    assert not [f for f in third.findings if f.rule == "TRANSLATE005"]


def test_over_long_input_is_never_silently_cut(tmp_path: Path, _isolated_state: Path) -> None:
    """With a model that reads 1,024 tokens, a 1,500-token sentence used to come back truncated to 1,024."""
    install_from_file(_isolated_state, package_file("copy"))
    long = "word " * 750
    ctx = make_context(tmp_path, {"posts/long.md": POST.replace("Sleep matters.", long.strip())})
    result = run_stage(ctx)
    draft = (tmp_path / "content/es/posts/long.md").read_text("utf-8")
    assert long.strip() in draft
    assert [f.rule for f in result.findings if f.rule == "TRANSLATE005"] == ["TRANSLATE005"]


def test_a_draft_written_but_not_recorded_is_not_taken_for_a_hand_edit(
    tmp_path: Path, _isolated_state: Path
) -> None:
    """What a kill -9 between writing the drafts and committing their records leaves: the machine output is in
    the memory (committed first), the draft files are new, their records old. The next run must see its own
    output, not a translator's edit (which would store machine text as a human translation)."""
    from sqlalchemy import delete, insert, select

    from pipeline.schema.translate import tm_drafts

    install_from_file(_isolated_state, package_file("upper"))
    ctx = make_context(tmp_path, {"posts/sleep.md": POST})
    run_stage(ctx)
    with ctx.store.connect() as conn:
        recorded = [dict(r._mapping) for r in conn.execute(select(tm_drafts))]
    changed = make_context(tmp_path, {"posts/sleep.md": POST.replace("Better sleep", "Better rest")})
    assert run_stage(changed).counts["drafts_written"] == 1
    with ctx.store.begin() as conn:  # the records as they were before that run: its commit never happened
        conn.execute(delete(tm_drafts))
        conn.execute(insert(tm_drafts), recorded)
    again = run_stage(make_context(tmp_path, {}))
    assert again.counts["hand_edits"] == 0
    assert all(v.origin == "machine" for v in review.draft_segments(ctx, "posts/sleep.md", "es"))
    assert "BETTER REST" in (tmp_path / "content/es/posts/sleep.md").read_text("utf-8")

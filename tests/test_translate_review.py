"""Review rules below the web pages, on SQLite and a real PostgreSQL: placeholders refused whole, the approval
gate, dismissals tied to the text, history and revert, comments, autosaved text, confidence kept, and the
memory migration that adds them to a store made before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from pipeline.config import with_overrides
from pipeline.stages import Context
from pipeline.store import Store
from pipeline.translate import review
from pipeline.translate.memory import Memory, key_of
from pipeline.translate.stage import run_stage
from tests.store_support.fixtures import forget_store
from tests.translate_support.site import POST, install, make_context

REL = "posts/sleep.md"
LIST = """---
title: Caffeine
---

- **Pregnant people** are usually advised to limit caffeine.
- Sleep well, every night, for your health and your mood.
"""


@pytest.fixture
def ctx(tmp_path: Path, _isolated_state: Path, db_url: str) -> Context:
    install(_isolated_state, "upper")
    context = make_context(
        tmp_path,
        {REL: POST, "posts/list.md": LIST},
        {"glossary": {"es": {"sleep": "sueño"}}},
        site={"languages": {"en": {}, "es": {}}},
    )
    context = Context(config=with_overrides(context.config, {"database_url": db_url}), quiet=True)
    run_stage(context)
    return context


def _view(ctx: Context, seg_id: str, rel: str = REL) -> review.SegmentView:
    return review.segment_view(ctx, rel, "es", seg_id, "ana")


def test_a_broken_placeholder_is_refused_and_nothing_is_written(ctx: Context, tmp_path: Path) -> None:
    draft = tmp_path / "content/es/posts/list.md"
    before = draft.read_bytes()
    item = _view(ctx, "b1", "posts/list.md")
    assert item.source_template == "⟦1⟧Pregnant people⟦2⟧ are usually advised to limit caffeine."
    for bad, why in (
        ("**Schwangere** sollten Koffein meiden.", "⟦1⟧ (**) is missing"),
        ("⟦1⟧Schwangere⟦2⟧⟦2⟧ sollten.", "⟦2⟧ (**) appears 2 times"),
        ("⟦1⟧Schwangere⟦2⟧ ⟦3⟧ sollten.", "⟦3⟧ does not exist"),
        ("⟦1⟧Schwangere⟦2 sollten.", "broken placeholder"),
    ):
        with pytest.raises(review.ReviewError, match="TQA003") as info:
            review.save_edit(ctx, "posts/list.md", "es", "b1", bad, "ana")
        assert why in str(info.value)
        assert draft.read_bytes() == before
    with pytest.raises(review.ReviewError, match="cannot be empty"):
        review.save_edit(ctx, "posts/list.md", "es", "b1", " \n ", "ana")
    assert draft.read_bytes() == before
    review.save_edit(ctx, "posts/list.md", "es", "b1", "⟦1⟧Schwangere⟦2⟧ sollten Koffein meiden.", "ana")
    assert "- **Schwangere** sollten Koffein meiden.\n" in draft.read_text("utf-8")


def test_approval_gate_errors_block_warnings_need_a_reason(ctx: Context) -> None:
    sleep = _view(ctx, "b1")  # "Better sleep" → "BETTER SLEEP": the glossary wants "sueño"
    assert [i.rule for i in sleep.open_issues] == ["TQA005"] and not sleep.can_approve
    with pytest.raises(review.ReviewError, match="TQA005"):
        review.approve_segment(ctx, REL, "es", "b1", "ana")
    with pytest.raises(review.ReviewError, match="needs a reason"):
        review.dismiss(ctx, REL, "es", "b1", "TQA005", "   ", "ana")
    review.dismiss(ctx, REL, "es", "b1", "TQA005", "A heading quoted from a study", "ana")
    assert _view(ctx, "b1").can_approve
    review.approve_segment(ctx, REL, "es", "b1", "ana")
    assert _view(ctx, "b1").state == "approved"
    # An error cannot be dismissed; the dismissal of a warning holds for that exact text only.
    review.save_edit(ctx, REL, "es", "fm:title", "Dormir <b>bien</b>", "ana")
    with pytest.raises(review.ReviewError, match="is an error"):
        review.dismiss(ctx, REL, "es", "fm:title", "TQA008", "looks fine", "ana")
    review.save_edit(ctx, REL, "es", "b1", "BETTER SLEEP, AGAIN", "ana")
    assert [i.rule for i in _view(ctx, "b1").open_issues] == ["TQA005"]


def test_approve_all_skips_what_fails_and_says_so(ctx: Context) -> None:
    review.save_edit(ctx, REL, "es", "fm:title", "Dormir <b>bien</b>", "ana")
    plan = review.approval_plan(ctx, REL, "es")
    skipped = {v.id for v in plan.skipped}
    assert "fm:title" in skipped and "b1" in skipped  # the error and the undismissed glossary warning
    count, left = review.approve_all(ctx, REL, "es", "ana")
    assert count == len(plan.ready) and {v.id for v in left} == skipped
    states = {v.id: v.state for v in review.draft_segments(ctx, REL, "es", suggestions=False)}
    assert all(states[i] != "approved" for i in skipped)
    assert all(state == "approved" for i, state in states.items() if i not in skipped)
    summary = next(d for d in review.list_drafts(ctx, "es") if d.source_rel == REL)
    assert summary.status == "in-review" and summary.qa_errors == 1


def test_history_revert_comments_and_autosaved_text(ctx: Context) -> None:
    machine = _view(ctx, "fm:description").target_template
    review.save_edit(ctx, REL, "es", "fm:description", "Cómo ayudan 7 horas de sueño.", "ana")
    review.save_edit(ctx, REL, "es", "fm:description", "Cómo ayudan 7 horas de sueño (v2).", "bo")
    events = _view(ctx, "fm:description").history
    assert [(e.who, e.action) for e in events] == [
        ("bo", "edit"),
        ("ana", "edit"),
        ("machine:argos", "machine"),
    ]
    assert "confidence" in events[-1].note
    review.revert(ctx, REL, "es", "fm:description", events[-1].id, "cy")
    back = _view(ctx, "fm:description")
    assert back.target_template == machine and back.history[0].action == "revert" and back.origin == "human"
    review.comment(ctx, REL, "es", "fm:description", "  Check the number of hours.  ", "ana")
    assert [(c.who, c.text) for c in _view(ctx, "fm:description").comments] == [
        ("ana", "Check the number of hours.")
    ]
    # Autosaved text is the user's own, and says when someone else saved meanwhile.
    review.autosave(ctx, REL, "es", "fm:description", "Texto a medias", "ana")
    mine = _view(ctx, "fm:description")
    assert mine.editor_text == "Texto a medias" and not mine.wip_conflict
    assert review.segment_view(ctx, REL, "es", "fm:description", "bo").editor_text == machine
    review.save_edit(ctx, REL, "es", "fm:description", "Guardado por Bo: 7 horas.", "bo")
    assert _view(ctx, "fm:description").wip_conflict
    review.autosave(ctx, REL, "es", "fm:description", "Guardado por Bo: 7 horas.", "ana")  # same as saved
    assert _view(ctx, "fm:description").wip is None


def test_confidence_and_both_engines_are_kept_in_the_memory(ctx: Context) -> None:
    view = _view(ctx, "b3")
    assert view.engine == "argos" and view.confidence is not None and 0 < view.confidence <= 1
    with ctx.store.connect() as conn:
        entry = Memory(conn, "en", "es").get(view.source_template)
    assert entry is not None and entry.confidence == view.confidence and entry.engine == "argos"
    assert next(m["label"] for m in view.machine) == "Argos"


def test_migration_adds_confidence_to_a_store_made_before(new_db_url: str) -> None:
    """A store whose translation memory predates confidence (migration 1 only) gets the columns, keeps its rows."""
    if new_db_url.startswith("sqlite:///"):
        Path(new_db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(new_db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE schema_migrations (component VARCHAR(64), version INTEGER, description VARCHAR(200),"
                " applied_at TIMESTAMP, PRIMARY KEY (component, version))"
            )
        )
        conn.execute(
            text(
                "CREATE TABLE tm_entries (id INTEGER PRIMARY KEY, key VARCHAR(64) NOT NULL, src_lang VARCHAR(16) NOT"
                " NULL, tgt_lang VARCHAR(16) NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, origin VARCHAR(16)"
                " NOT NULL, state VARCHAR(16) NOT NULL, model_id VARCHAR(200), qa JSON NOT NULL, fuzzy JSON, who"
                " VARCHAR(100), updated_at TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "CREATE TABLE tm_drafts (id INTEGER PRIMARY KEY, source_rel TEXT NOT NULL, lang VARCHAR(16) NOT NULL,"
                " src_lang VARCHAR(16) NOT NULL, draft_rel TEXT NOT NULL, source_hash VARCHAR(64) NOT NULL,"
                " written_hash VARCHAR(64) NOT NULL, segments JSON NOT NULL, updated_at TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO tm_entries (id, key, src_lang, tgt_lang, source, target, origin, state, qa) VALUES"
                " (1, :key, 'en', 'es', 'Hello.', 'Hola.', 'human', 'approved', '[]')"
            ),
            {"key": key_of("Hello.")},
        )
        conn.execute(
            text(
                "INSERT INTO schema_migrations (component, version, description) VALUES ('translate', 1, 'old')"
            )
        )
    engine.dispose()
    store = Store(new_db_url)
    try:
        columns = {c["name"] for c in inspect(store.engine).get_columns("tm_entries")}
        assert {"confidence", "engine"} <= columns
        assert {"tm_machine", "tm_events", "tm_comments", "tm_dismissals", "tm_wip"} <= set(
            inspect(store.engine).get_table_names()
        )
        with store.connect() as conn:
            entry = Memory(conn, "en", "es").get_many(["Hello."])
        assert [(e.target, e.state, e.confidence) for e in entry.values()] == [("Hola.", "approved", None)]
    finally:
        store.close()
        forget_store(new_db_url)

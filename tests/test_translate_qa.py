"""QA rules and memory protection rules, each shown to fire and to stay quiet."""

from __future__ import annotations

from pathlib import Path

from pipeline.translate.memory import Memory
from pipeline.translate.qa import QA_RULES, run_qa
from pipeline.translate.segment import Segment, segment_body, segments_of
from tests.translate_support.site import make_context


def _seg(text: str) -> Segment:
    return segments_of(segment_body(text))[0]


def _ids(problems: list[str]) -> set[str]:
    return {p.split(":", 1)[0] for p in problems}


def test_clean_translation_passes_every_rule() -> None:
    seg = _seg("Take 5 mg of **zinc** daily, see https://a.org/x for more.")
    tpl = seg.template.replace("Take", "Tome").replace("daily", "al día")
    assert run_qa(seg, tpl, {"zinc": "zinc"}) == []


def test_each_rule_fires() -> None:
    seg = _seg("Take 5 mg of **zinc** daily for your bones and joints.")
    assert "TQA001" in _ids(run_qa(seg, seg.template.replace("5", "50")))
    assert "TQA003" in _ids(run_qa(seg, seg.template.replace("⟦1⟧", "")))
    assert "TQA004" in _ids(run_qa(seg, seg.template.replace("⟦2⟧", "⟦2⟧ ** ")))
    assert "TQA005" in _ids(run_qa(seg, seg.template, {"zinc": "cinc"}))
    assert "TQA006" in _ids(run_qa(seg, seg.template + " x" * 60))
    assert "TQA007" in _ids(run_qa(seg, "⟦1⟧⟦2⟧"))
    url = Segment("s", "Visit https://a.org now and here.", [])
    assert "TQA002" in _ids(run_qa(url, "Visit https://b.org now and here."))
    assert len({r.id for r in QA_RULES}) == len(QA_RULES)


def test_machine_output_never_overwrites_human_or_approved(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, {})
    with ctx.store.begin() as conn:
        memory = Memory(conn, "en", "es")
        assert memory.put_machine("Hello there.", "HOLA.", "m1", [])
        assert memory.put_machine("Hello there.", "HOLA 2.", "m2", [])  # machine may replace machine
        memory.put_human("Hello  there. ", "Hola, ¿qué tal?", who="ana", qa=[])
        assert not memory.put_machine("Hello there.", "HOLA 3.", "m3", [])
        entry = memory.get("Hello there.")
        assert entry is not None and (entry.target, entry.origin, entry.state) == (
            "Hola, ¿qué tal?",
            "human",
            "needs-review",
        )
        assert memory.put_machine("Bye now.", "ADIOS.", "m1", [])
        assert memory.approve("Bye now.", "lead")
        assert not memory.put_machine("Bye now.", "CHAO.", "m2", [])
        sugg = memory.suggestions("Hello there!")
        assert sugg and sugg[0]["target"] == "Hola, ¿qué tal?"


def test_memory_suggestions_rank_near_matches_and_skip_the_rest(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, {})
    with ctx.store.begin() as conn:
        memory = Memory(conn, "en", "es")
        for i in range(300):
            memory.put_machine(
                f"Unrelated filler sentence number {i} about gardening.", f"Relleno {i}.", "m", []
            )
        memory.put_machine(
            "Walking daily lowers blood pressure.", "Caminar a diario baja la presión.", "m", []
        )
        memory.put_machine("Walking daily lowers blood sugar.", "Caminar a diario baja el azúcar.", "m", [])
        memory.put_machine("Sleep well.", "Duerme bien.", "m", [])
        sugg = memory.suggestions("Walking daily lowers blood pressure a lot.")
        assert [s["source"] for s in sugg] == [
            "Walking daily lowers blood pressure.",
            "Walking daily lowers blood sugar.",
        ]
        assert 1 > sugg[0]["score"] > sugg[1]["score"] >= 0.6
        exact = memory.suggestions("Walking daily lowers blood pressure.")
        assert all(s["source"] != "Walking daily lowers blood pressure." for s in exact)

"""Apertium from Debian as the second offline engine: real `apertium eng-spa` runs, no stand-ins."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.schema.translate import tm_machine
from pipeline.translate import apertium
from pipeline.translate.apertium import ApertiumEngine, find_mode
from pipeline.translate.memory import Memory
from pipeline.translate.segment import Segment, segment_body, segments_of
from pipeline.translate.stage import run_stage
from tests.conftest import REPO
from tests.translate_support.site import POST, install, make_context

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or find_mode("en", "es")[0] == "",
    reason="apt-get install apertium apertium-eng-spa",
)
EXAMPLE = REPO / "examples" / "health-blog" / "content" / "posts"


@pytest.fixture(params=["transfuse", "classic"])
def handler(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both of `apertium -f html`'s format handlers: Transfuse (Debian's `transfuse`, installed by the Makefile)
    and the classic deformatter it falls back to (APERTIUM_TRANSFUSE=no, or no `tf-extract` on PATH)."""
    if request.param == "transfuse":
        if shutil.which("tf-extract") is None:
            pytest.skip("apt-get install transfuse")
        monkeypatch.delenv("APERTIUM_TRANSFUSE", raising=False)
    else:
        monkeypatch.setenv("APERTIUM_TRANSFUSE", "no")
    apertium.clear_cache()
    yield request.param
    apertium.clear_cache()


def test_mode_found_by_language_codes_and_missing_pairs_say_why() -> None:
    assert find_mode("en", "es") == ("eng-spa", "")
    assert find_mode("es", "en")[0] == "spa-eng"
    mode, why = find_mode("en", "de")
    assert mode == "" and "no Apertium pair for en→de" in why and "apertium-eng-deu" in why
    assert find_mode("en", "es", "eng-spa") == ("eng-spa", "")
    assert "no mode 'eng-xyz'" in find_mode("en", "es", "eng-xyz")[1]


def test_every_segment_keeps_its_placeholders_byte_exact_in_one_call(corpora: Path, handler: str) -> None:
    """The example site and a sample of the Rust blog, every segment with inline markup, through one
    `apertium -f html` process: no placeholder lost, moved out of its segment or rewritten, so no segment
    needs the piecewise fallback. (Measured on 1,744 such segments of the corpora: 6,265 placeholders, all
    byte-exact.)"""
    segments: list[Segment] = []
    files = sorted(EXAMPLE.glob("*.md")) + sorted((corpora / "rust-blog").rglob("*.md"))[:12]
    for path in files:
        body = path.read_text("utf-8", errors="replace").split("---\n", 2)[-1]
        segments += [s for s in segments_of(segment_body(body)) if s.placeholders]
    assert len(segments) > 150
    engine = ApertiumEngine("eng-spa")
    out = engine.translate_batch(segments)
    assert engine.runs == 1 and not out.errors and not out.fallbacks
    for seg, text in zip(segments, out.texts, strict=True):
        assert sorted(text.count(f"⟦{n}⟧") for n in range(1, len(seg.placeholders) + 1)) == [1] * len(
            seg.placeholders
        ), (seg.template, text)
        assert text != seg.template  # it is Spanish now
    rendered = [s.render(t) for s, t in zip(segments, out.texts, strict=True)]
    assert any("**" in r for r in rendered) and any("](https://" in r for r in rendered)
    # Placeholders stay glued to the words they were glued to: `**associations**,` must not come back as
    # `**asociaciones **,` (Apertium spaces them like words), which Markdown no longer reads as bold.
    for seg, text in zip(segments, out.texts, strict=True):
        for n in range(1, len(seg.placeholders) + 1):
            ph = f"⟦{n}⟧"
            src_at, out_at = seg.template.index(ph), text.index(ph)
            if src_at and not seg.template[src_at - 1].isspace():
                assert not text[out_at - 1 : out_at].isspace(), (seg.template, text)
            end = src_at + len(ph)
            if end < len(seg.template) and not seg.template[end].isspace():
                assert not text[out_at + len(ph) : out_at + len(ph) + 1].isspace(), (seg.template, text)
    bold = next(s.render(t) for s, t in zip(segments, out.texts, strict=True) if "associations" in s.template)
    assert "**asociaciones**" in bold


def test_unknown_words_lower_the_confidence_and_their_marks_are_removed(handler: str) -> None:
    known = Segment("a", "The house is big.", [])
    odd = Segment("b", "The glorbish quux zibbles the house.", [])
    literal = Segment("c", "Use C# or R&D at 5 < 7 * 2 with @home ⟦1⟧now⟦2⟧.", ["**", "**"])
    out = ApertiumEngine("eng-spa").translate_batch([known, odd, literal])
    assert out.confidences[0] == 1.0
    assert out.confidences[1] is not None and out.confidences[1] < 0.75
    assert "*" not in out.texts[1] and "glorbish" in out.texts[1]
    # Literal marks and HTML specials in the prose travel apart from the words and come back as they were
    # (`R&D` itself may be translated: Transfuse hands Apertium the term, which it knows as `I+D`).
    for kept in ("C#", "5 < 7 * 2", " @", "⟦1⟧", "⟦2⟧"):
        assert kept in out.texts[2], out.texts[2]
    assert "&amp;" not in out.texts[2] and "&lt;" not in out.texts[2]
    assert "R&D" in out.texts[2] or "I+D" in out.texts[2]


def test_stage_writes_a_spanish_draft_with_confidence(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, {"posts/sleep.md": POST}, {"engines": {"es": ["apertium"]}})
    result = run_stage(ctx)
    assert result.counts["drafts_written"] == 1 and result.counts["by_apertium"] == 6
    draft = (tmp_path / "content/es/posts/sleep.md").read_text("utf-8")
    assert '```python\ncode_stays = "here"\n```' in draft  # fenced code never reaches the engine
    assert "[" in draft and "](https://example.com/guide_v2)" in draft and "`run_this()`" in draft
    assert "sueño" in draft.lower() or "dormir" in draft.lower()
    with ctx.store.connect() as conn:
        memory = Memory(conn, "en", "es")
        entries = memory.get_many([s.template for s in segments_of(segment_body(POST.split("---\n", 2)[2]))])
    assert entries and all(e.engine == "apertium" and e.confidence is not None for e in entries.values())
    assert all(e.state in ("machine", "needs-review") and e.origin == "machine" for e in entries.values())
    again = run_stage(ctx)
    assert again.counts["model_calls"] == 0


def test_both_engines_leave_suggestions_and_the_first_writes_the_draft(
    tmp_path: Path, _isolated_state: Path
) -> None:
    install(_isolated_state, "upper")
    ctx = make_context(tmp_path, {"posts/sleep.md": POST}, {"engines": {"es": ["argos", "apertium"]}})
    result = run_stage(ctx)
    assert result.counts["by_argos"] == 6 and "by_apertium" not in result.counts
    assert "SLEEP MATTERS." in (tmp_path / "content/es/posts/sleep.md").read_text("utf-8")
    with ctx.store.connect() as conn:
        rows = conn.execute(select(tm_machine.c.key, tm_machine.c.engine, tm_machine.c.target)).all()
    by_engine: dict[str, set[str]] = {}
    for row in rows:
        by_engine.setdefault(row.engine, set()).add(row.key)
    assert set(by_engine) == {"argos", "apertium"} and by_engine["argos"] == by_engine["apertium"]


def test_a_failing_apertium_keeps_the_source_and_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "apertium"
    broken.write_text(
        '#!/bin/sh\nif [ "$1" = "-l" ]; then echo eng-spa; exit 0; fi\necho "Error: mode broken" >&2\nexit 1\n'
    )
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(apertium.COMMAND_ENV, str(broken))
    apertium.clear_cache()
    try:
        ctx = make_context(tmp_path, {"posts/sleep.md": POST}, {"engines": {"es": ["apertium"]}})
        result = run_stage(ctx)
    finally:
        apertium.clear_cache()
    assert result.counts["failed_segments"] == 6
    assert any(f.rule == "TRANSLATE005" and "mode broken" in f.message for f in result.findings)
    assert (tmp_path / "content/es/posts/sleep.md").read_text("utf-8").count("Sleep matters.") == 1

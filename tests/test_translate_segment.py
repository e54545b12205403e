"""Segmentation: the byte-exact round-trip law, what stays out of the model, and sentence splitting."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.translate.segment import Segment, Segmenter, assemble, segment_body, segments_of
from pipeline.translate.sentences import split_sentences
from tests.conftest import CORPORA
from tests.translate_support.site import POST

MARKDOWN_BITS = st.sampled_from(
    [
        "# ",
        "## ",
        "- ",
        "* ",
        "1. ",
        "> ",
        "```\n",
        "`",
        "**",
        "*",
        "_",
        "__",
        "~~",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](http://x.y/a_b)",
        "<b>",
        "</b>",
        "<!-- c -->",
        "https://ex.com/p?q=1",
        "\n",
        "\n\n",
        "  \n",
        "\\*",
        "|",
        "| a | b |\n|---|---|\n",
        "[^1]",
        "[^1]: note",
        "&amp;",
        "{{ x }}",
        "{% y %}",
        "\t",
        "    code\n",
        "Word",
        "snake_case",
        "3.5 mg",
        ". ",
        "Dr. X. ",
        "é",
        "日本",
        "\r\n",
        "---\n",
        "Tai Chi",
        "===\n",
        "\u2028",
        "\x0b",
        "\r",
    ]
)
TEXTS = st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_round_trip_law_property(text: str) -> None:
    assert assemble(segment_body(text, ["Tai Chi"])) == text


CHUNKS = 8


def _corpus_files() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    return sorted(p for p in CORPORA.rglob("*") if p.suffix in (".md", ".markdown") and p.is_file())


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_round_trip_law_on_every_corpus_file(corpora: Path, chunk: int) -> None:
    files = _corpus_files()
    assert files
    for path in files[chunk::CHUNKS]:
        text = path.read_text("utf-8", errors="surrogateescape")
        assert assemble(segment_body(text)) == text, path


def _templates(text: str) -> list[Segment]:
    return segments_of(segment_body(text))


def test_code_urls_link_targets_and_html_never_reach_templates() -> None:
    body = POST.split("---\n", 2)[2]
    segs = _templates(body)
    joined = "\n".join(s.template for s in segs)
    for kept in (
        "https://example.com/guide_v2",
        "run_this()",
        "code_stays",
        "raw html",
        "https://www.example.org/path_x",
    ):
        assert kept not in joined
    assert "the guide" in joined  # link text is translated
    assert "**" not in joined and "friends" in joined
    link = next(s for s in segs if "the guide" in s.template)
    assert "](https://example.com/guide_v2)" in link.placeholders


def test_translated_templates_reassemble_around_markup() -> None:
    parts = segment_body("Read [the *guide*](/g_1) now.\n")
    seg = segments_of(parts)[0]
    upper = {seg.id: seg.template.upper()}
    assert assemble(parts, upper) == "READ [THE *GUIDE*](/g_1) NOW.\n"


def test_do_not_translate_terms_travel_as_placeholders() -> None:
    seg = segments_of(Segmenter(["Tai Chi"]).body("Try Tai Chi daily.\n"))[0]
    assert "Tai Chi" not in seg.template and "Tai Chi" in seg.placeholders


def test_reference_labels_and_tables() -> None:
    text = (
        "See [docs] and [x][ref].\n\n| Name | Dose |\n|---|---|\n| Zinc | 5 mg |\n\n[docs]: /d\n[ref]: /r\n"
    )
    parts = segment_body(text)
    segs = segments_of(parts)
    assert assemble(parts) == text
    assert "[docs]" in segs[0].placeholders  # a shortcut label must not be translated
    assert [s.template for s in segs[1:]] == ["Name", "Dose", "Zinc", "5 mg"]
    assert not any("/d" in s.template for s in segs)


def test_sentences_split_abbreviation_and_decimal_aware() -> None:
    text = "Dr. Smith took 3.5 mg. Then he slept, e.g. eight hours! Done?  Yes"
    pairs = split_sentences(text)
    assert "".join(s + sep for s, sep in pairs) == text
    assert [s for s, _ in pairs] == [
        "Dr. Smith took 3.5 mg.",
        "Then he slept, e.g. eight hours!",
        "Done?",
        "Yes",
    ]
    assert split_sentences("") == []

"""Offline sentence splitting for translation: the shared splitter from pipeline.text (abbreviation- and
decimal-aware, no model download — Argos's MiniSBD fetches ONNX models at first use and fails offline).

`split_sentences(text)` returns (sentence, separator) pairs whose concatenation is exactly `text`, so the
whitespace between sentences survives translation byte for byte.
"""

from __future__ import annotations

from pipeline.text import sentence_pairs


def split_sentences(text: str, lang: str = "en") -> list[tuple[str, str]]:
    return sentence_pairs(text, lang)

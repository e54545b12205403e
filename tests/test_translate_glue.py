"""Spacing around protected spans (shortcodes, code, markup) after machine translation.

Engines treat a placeholder as a word: a sentence came back as `… {{< x >}} .` where the source had
`{{< x >}}.`. The restore step (`glue_like_source`) keeps the source's spacing and the target language's
punctuation rules: no gap before `.`/`,` or CJK full-width `。`/`、`, French's own space before `: ; ! ?` kept.
The engine-shaped inputs below are what engines return; Apertium's own output is run once for real.
"""

from __future__ import annotations

import shutil

import pytest

from pipeline.translate.machine import glue_like_source
from pipeline.translate.segment import Segment, segment_body


@pytest.mark.parametrize(
    ("source", "output", "target", "want"),
    [
        # The trial's case: the engine spaced the period off the shortcode, and a no-break space too.
        ("Install the ⟦1⟧.", "Instala el ⟦1⟧ .", "es", "Instala el ⟦1⟧."),
        (
            "Install the ⟦1⟧, then run.",
            "Instala el ⟦1⟧\u00a0, luego corre.",
            "es",
            "Instala el ⟦1⟧, luego corre.",
        ),
        # The engine moved the placeholder to the sentence's end, where the source had it before a word.
        ("The ⟦1⟧ is ready.", "Está listo el ⟦1⟧ .", "es", "Está listo el ⟦1⟧."),
        # CJK full-width punctuation, ASCII and ideographic spaces.
        (
            "Run ⟦1⟧.",
            "⟦1⟧ を実行します 。",
            "ja",
            "⟦1⟧を実行します 。",
        ),  # the gap away from it is no placeholder's
        ("Then ⟦1⟧.", "然后 ⟦1⟧ 。", "zh", "然后 ⟦1⟧。"),
        ("Use ⟦1⟧, ⟦2⟧ and more.", "使用 ⟦1⟧\u3000、⟦2⟧ など。", "ja", "使用 ⟦1⟧、⟦2⟧ など。"),
        # French spaces the high punctuation: the engine's space stays, a space before `.` does not.
        ("Install ⟦1⟧: done!", "Installez ⟦1⟧ : fini !", "fr", "Installez ⟦1⟧ : fini !"),
        ("Is it ⟦1⟧?", "Est-ce ⟦1⟧\u202f?", "fra", "Est-ce ⟦1⟧\u202f?"),
        ("See ⟦1⟧.", "Voir ⟦1⟧ .", "fr", "Voir ⟦1⟧."),
        ('Say "⟦1⟧".', "Dites « ⟦1⟧ ».", "fr", "Dites « ⟦1⟧ »."),
        # The same French-style output into Spanish is an engine's slip.
        ("Install ⟦1⟧: done!", "Instala ⟦1⟧ : hecho!", "es", "Instala ⟦1⟧: hecho!"),
        # The source's own spacing is kept: a gap before punctuation it has, a space before a word.
        ("Type ⟦1⟧ : the prompt.", "Escribe ⟦1⟧ : el aviso.", "es", "Escribe ⟦1⟧ : el aviso."),
        ("Use ⟦1⟧ now.", "Usa ⟦1⟧ ahora.", "es", "Usa ⟦1⟧ ahora."),
        # Markup opening the source: a word the engine put before it keeps its space (Transfuse moves the words,
        # `Las⟦1⟧personas` would be no bold), a gap the engine put at the very start goes.
        (
            "⟦1⟧Pregnant people⟦2⟧ are advised.",
            "Las ⟦1⟧personas embarazadas⟦2⟧ son",
            "es",
            "Las ⟦1⟧personas embarazadas⟦2⟧ son",
        ),
        ("⟦1⟧Sleep⟦2⟧ matters.", " ⟦1⟧Sueño⟦2⟧ importa.", "es", "⟦1⟧Sueño⟦2⟧ importa."),
    ],
)
def test_restore_keeps_the_sources_spacing_and_the_languages_punctuation(
    source: str, output: str, target: str, want: str
) -> None:
    assert glue_like_source(source, output, target) == want


@pytest.mark.skipif(shutil.which("apertium") is None, reason="apt-get install apertium apertium-eng-spa")
def test_apertium_keeps_shortcodes_against_their_punctuation() -> None:
    from pipeline.translate.apertium import ApertiumEngine, find_mode

    mode, why = find_mode("en", "es")
    if not mode:
        pytest.skip(why)
    body = "Install the {{< x >}}. The dogs run {{< y >}}, and `code` runs: {{% z %}}!\n"
    (seg,) = [p for p in segment_body(body) if isinstance(p, Segment)]
    out = ApertiumEngine(mode).translate_batch([seg])
    assert not out.errors and not out.fallbacks
    text = seg.render(out.texts[0])
    for tight in ("{{< x >}}.", "{{< y >}},", "{{% z %}}!"):
        assert tight in text, text

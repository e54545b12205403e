"""Engine: real crafted Argos packages through CTranslate2; copy, pseudo-translation, pivot, fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.translate.engine import Engine, EngineSettings, find_route
from pipeline.translate.engines import ENGINES
from pipeline.translate.segment import Segment
from tests.translate_support.site import install

SETTINGS = EngineSettings(beam_size=1, threads=1)


def test_copy_model_keeps_underscores_and_unicode(_isolated_state: Path) -> None:
    install(_isolated_state, "copy")
    engine = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert engine is not None
    src = ["snake_case_name stays.", "Ünïcode ☃ — ok", "x = 3.5 mg"]
    assert engine.translate_sentences(src) == src
    assert engine.calls == 3


def test_pseudo_model_and_sentence_batching(_isolated_state: Path) -> None:
    install(_isolated_state, "upper")
    engine = Engine.for_pair(_isolated_state, "en", "es", EngineSettings(beam_size=2, threads=1))
    assert engine is not None
    seg = Segment("b1", "Dr. Who took 3.5 mg. Then ⟦1⟧slept⟦2⟧!  Twice.", ["*", "*"])
    out = engine.translate_batch([seg])
    assert out.texts == ["DR. WHO TOOK 3.5 MG. THEN ⟦1⟧SLEPT⟦2⟧!  TWICE."]
    assert not out.fallbacks and not out.errors
    assert engine.calls == 3  # three sentences: "Dr." is an abbreviation, "3.5" a decimal


def test_confidence_is_the_models_probability_per_token(_isolated_state: Path) -> None:
    """The crafted model puts (nearly) all probability on its one output token: confidence close to 1, from
    CTranslate2's scores; a sentence the model has to pad out at the end scores no higher than that."""
    install(_isolated_state, "upper")
    engine = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert engine is not None
    texts, scores = engine.translate_scored(["sleep well.", "walk daily."])
    assert texts == ["SLEEP WELL.", "WALK DAILY."]
    assert all(-1.0 < s <= 0.0 for s in scores)  # mean log-probability per token
    out = engine.translate_batch([Segment("b1", "Sleep well. Walk daily.", [])])
    confidence = out.confidences[0]
    assert confidence is not None and 0.3 < confidence <= 1.0


def test_duplicate_sentences_reach_the_model_once(_isolated_state: Path) -> None:
    install(_isolated_state, "upper")
    engine = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert engine is not None
    assert engine.translate_sentences(["same.", "same.", " "]) == ["SAME.", "SAME.", " "]
    assert engine.calls == 1


def test_pivot_through_english(_isolated_state: Path) -> None:
    install(_isolated_state, "upper", "de", "en")
    install(_isolated_state, "copy", "en", "es")
    route = find_route(_isolated_state, "de", "es")
    assert route is not None and [(p.from_code, p.to_code) for p in route] == [("de", "en"), ("en", "es")]
    engine = Engine.for_pair(_isolated_state, "de", "es", SETTINGS)
    assert engine is not None
    assert engine.translate_sentences(["guten tag"]) == ["GUTEN TAG"]
    assert "de-en" in engine.model_id and "en-es" in engine.model_id
    assert find_route(_isolated_state, "es", "de") is None


def test_lost_placeholders_fall_back_to_pieces(_isolated_state: Path) -> None:
    install(_isolated_state, "swap")
    engine = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert engine is not None
    out = engine.translate_batch([Segment("b1", "Read ⟦1⟧the guide⟦2⟧ now.", ["[", "](/g)"])])
    assert out.fallbacks == {0}
    assert out.texts == ["READ ⟦1⟧THE GUIDE⟦2⟧ NOW."]
    assert out.confidences[0] is not None


def test_reinstalled_package_is_reloaded(_isolated_state: Path) -> None:
    install(_isolated_state, "copy")
    first = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert first is not None and first.translate_sentences(["abc"]) == ["abc"]
    again = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert again is not None and again.route[0] is first.route[0]  # one translator per pair per process
    install(_isolated_state, "upper")
    second = Engine.for_pair(_isolated_state, "en", "es", SETTINGS)
    assert second is not None and second.translate_sentences(["abc"]) == ["ABC"]


def test_config_accepts_exactly_the_registered_engines() -> None:
    """`translate.engines` is checked at load (exit 2, key named), against the names the registry knows."""
    for name in ENGINES:
        assert load_config(None, {"translate": {"engines": {"es": [name, f"{name}:eng-spa"]}}})
    for bad, where in ((["deepl"], "translate.engines.es[0]"), ([], "translate.engines.es")):
        with pytest.raises(ConfigError) as info:
            load_config(None, {"translate": {"engines": {"es": bad}}})
        assert info.value.problems[0].startswith(f"{where}: ")


def test_site_codes_find_the_argos_package_of_their_language(_isolated_state: Path) -> None:
    """ruby-lang.org's folders are zh_tw and zh_cn; Argos names Traditional Chinese `zt` and Simplified `zh`.
    Matching codes exactly, `translate --to zh_tw` found no package although the right one was installed."""
    from pipeline.langtags import package_codes

    install(_isolated_state, "upper", "en", "zt")
    route = find_route(_isolated_state, "en", "zh_tw")
    assert route is not None and [(p.from_code, p.to_code) for p in route] == [("en", "zt")]
    assert find_route(_isolated_state, "en", "zh_cn") is None  # Traditional is not Simplified
    assert find_route(_isolated_state, "en_gb", "zh-Hant") is not None  # a region-only source is its language
    assert "sr" not in package_codes("sr_latn")  # a script subtag never falls back: sr may be Cyrillic

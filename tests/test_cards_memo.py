"""Per-process memos of the cards renderer (backdrops, glyph masks, scrims) never change a card.

A card rendered after other cards — other languages, directions, sizes, heroes — must be byte-for-byte the card
rendered with every memo empty; a hero file that changes is read again; a hero that cannot be decoded is a
finding on every card that uses it, never memoised; and a memoised glyph mask draws exactly what
`ImageDraw.text` draws.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from pipeline.cards.fonts import card_setter
from pipeline.cards.layout import load_layout
from pipeline.cards.render import CardSpec, forget, render_card
from pipeline.config import project_templates_dir
from pipeline.typeset.fonts import load_font
from pipeline.typeset.scripts import raqm_language
from tests.cards_support import TITLES, hero_bytes

LAYOUT = load_layout("default", [project_templates_dir() / "cards"])


def _spec(hero: Path | None, lang: str, kind: str, **extra: object) -> CardSpec:
    fields: dict[str, object] = {
        "post_rel": f"{lang}/post.md",
        "lang": lang,
        "kind": kind,
        "out": Path(f"/tmp/{lang}-{kind}.jpg"),
        "fmt": "jpeg",
        "title": TITLES[lang],
        "site": "Longevity Notes",
        "tag": "bones",
        "layout": LAYOUT,
        "hero": hero,
        "focus": None,
        "max_bytes": 1_000_000,
    }
    fields.update(extra)
    return CardSpec(**fields)  # type: ignore[arg-type]


def _fresh(spec: CardSpec) -> bytes | None:
    forget()
    return render_card(spec).data


def test_cards_rendered_in_a_run_are_the_cards_rendered_alone(tmp_path: Path) -> None:
    wide, tall = tmp_path / "wide.jpg", tmp_path / "tall.png"
    wide.write_bytes(hero_bytes(2600, 1000, seed=3))
    tall.write_bytes(hero_bytes(700, 1400, seed=5, fmt="PNG"))
    specs = [
        _spec(hero, lang, kind, **extra)
        for hero in (wide, tall, None)
        for lang in ("en", "ar", "hi", "ja")  # left to right and mirrored (right to left) gradients
        for kind in ("og", "twitter")
        for extra in ({}, {"focus": (0.2, 0.7)})
    ]
    forget()
    in_a_run = [render_card(spec) for spec in specs]
    for spec, outcome in zip(specs, in_a_run, strict=True):
        assert outcome.error is None, outcome.error
        assert outcome.data == _fresh(spec), (spec.hero, spec.lang, spec.kind, spec.focus)


def test_a_hero_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    hero = tmp_path / "hero.jpg"
    hero.write_bytes(hero_bytes(1600, 1000, seed=1))
    forget()
    before = render_card(_spec(hero, "en", "og")).data
    hero.write_bytes(hero_bytes(1600, 1000, seed=2))
    os.utime(hero, ns=(hero.stat().st_atime_ns, hero.stat().st_mtime_ns + 1_000_000_000))
    after = render_card(_spec(hero, "en", "og")).data
    assert after != before
    assert after == _fresh(_spec(hero, "en", "og"))


@pytest.mark.parametrize("content", ["truncated", "bomb"])
def test_an_undecodable_hero_is_a_finding_on_each_of_its_cards(tmp_path: Path, content: str) -> None:
    from tests.validate_support import huge_png_header

    hero = tmp_path / "hero.png"
    hero.write_bytes(hero_bytes()[:2000] if content == "truncated" else huge_png_header(40_000, 40_000))
    forget()
    outcomes = [render_card(_spec(hero, lang, kind)) for lang in ("en", "ar") for kind in ("og", "twitter")]
    assert [o.error[0] if o.error else None for o in outcomes] == ["CARD003"] * 4
    good = tmp_path / "good.jpg"
    good.write_bytes(hero_bytes())
    assert render_card(_spec(good, "en", "og")).error is None


@pytest.mark.parametrize("lang", ["en", "ar", "hi", "th", "ja"])
@pytest.mark.parametrize("x", [72.0, 73.375, 911.8])
def test_a_memoised_run_draws_what_imagedraw_text_draws(lang: str, x: float) -> None:
    """The memo calls `getmask2` as `ImageDraw.text` does; a Pillow that changes that call fails here."""
    text = TITLES[lang].split()[0]
    ts = card_setter(text, lang, 700)
    runs, _ = ts.segment(text)
    assert len(runs) == 1
    size, fill = 64, (255, 255, 255)
    face = ts.family.file(700)
    base = Image.new("RGB", (1200, 200), (40, 60, 90))
    ours, pillows = base.copy(), base.copy()
    for _ in range(2):  # the second draw comes from the memo
        ts.draw(ours, (x, 120), text, size, fill)
        ImageDraw.Draw(pillows).text(
            (x, 120),
            text,
            font=load_font(face, size, 700 if ts.family.variable else face.weight),
            fill=fill,
            anchor="ls",
            direction="rtl" if ts.rtl else "ltr",
            language=raqm_language(lang, None),
        )
    assert np.asarray(ImageChops.difference(ours, base)).max() > 0  # something was drawn
    assert ours.tobytes() == pillows.tobytes()

"""Contact sheet of every script's Open Graph and X card, for a person to look at (`make contact-sheet`).

Renders each sample of tests.cards_support.SAMPLES (every script the cards support, CJK regions, mixed-script and
emoji titles) as an OG card (1200×630) and an X card (1200×600) over the test hero, with the default layout, and
lays them out two per row at half size with the sample's name, language, font size and line breaks underneath.
Look for: Arabic joined and right to left, Indic conjuncts and vowel signs in place, Thai/Lao/Khmer/Myanmar marks
stacked, no empty boxes, breaks between words or phrases, and bold next to bold.

    python bench/contact_sheet.py [--out test-artifacts/cards-contact-sheet.png] [--full DIR] [--only NAME,...]

`--full DIR` also writes every card at full size, for zooming in on shaping.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image, ImageDraw  # noqa: E402

from pipeline.cards.fonts import card_setter  # noqa: E402
from pipeline.cards.layout import load_layout  # noqa: E402
from pipeline.cards.render import CardOutcome, CardSpec, render_card  # noqa: E402
from pipeline.config import project_templates_dir  # noqa: E402
from pipeline.typeset.fonts import CATALOGUE, load_font  # noqa: E402
from tests.cards_support import SAMPLES, hero_bytes  # noqa: E402

SCALE = 2  # cards at half size on the sheet
CAPTION = 44


def render_samples(names: list[str], tmp: Path) -> dict[str, dict[str, CardOutcome]]:
    layout = load_layout("default", [project_templates_dir() / "cards"])
    hero = tmp / "hero.jpg"
    hero.write_bytes(hero_bytes())
    out: dict[str, dict[str, CardOutcome]] = {}
    for name in names:
        lang, title = SAMPLES[name]
        out[name] = {}
        for kind in ("og", "twitter"):
            spec = CardSpec(
                post_rel=f"{name}.md",
                lang=lang,
                kind=kind,  # type: ignore[arg-type]
                out=tmp / f"{name}-{kind}.jpg",
                fmt="jpeg",
                title=title,
                site="Longevity Notes",
                tag="bones",
                layout=layout,
                hero=hero,
                focus=None,
                max_bytes=1_000_000,
            )
            out[name][kind] = render_card(spec)
    return out


def sheet(cards: dict[str, dict[str, CardOutcome]]) -> Image.Image:
    w, h = 1200 // SCALE, 630 // SCALE
    cell_h = h + CAPTION
    img = Image.new("RGB", (2 * w + 30, len(cards) * cell_h + 10), "white")
    draw = ImageDraw.Draw(img)
    font = load_font(CATALOGUE["Noto Sans"].file(400), 13)
    for row, (name, kinds) in enumerate(cards.items()):
        for col, kind in enumerate(("og", "twitter")):
            outcome = kinds[kind]
            x, y = 10 + col * (w + 10), 5 + row * cell_h
            if outcome.error or outcome.data is None:
                draw.rectangle((x, y, x + w, y + h), fill=(255, 230, 230))
                draw.text((x + 10, y + 10), f"{name} {kind}: {outcome.error}", fill="black", font=font)
                continue
            card = Image.open(io.BytesIO(outcome.data)).convert("RGB")
            img.paste(card.resize((w, card.height // SCALE), Image.Resampling.LANCZOS), (x, y))
            notes = ",".join(rule for rule, _, _ in outcome.notes)
            caption = f"{name} [{outcome.spec.lang}] {kind} {outcome.font_size}px {notes}"
            draw.text((x, y + card.height // SCALE + 2), caption, fill="black", font=font)
            breaks = " | ".join(outcome.lines)
            ts = card_setter(breaks, outcome.spec.lang, 400)
            ts.draw(img, (x, y + card.height // SCALE + 31), breaks, 13, (60, 60, 60))
    return img


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "cards-contact-sheet.png")
    parser.add_argument("--full", type=Path, help="also write every card at full size into this folder")
    parser.add_argument("--only", help="comma-separated sample names (default: all)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(SAMPLES)
    with tempfile.TemporaryDirectory() as tmp:
        cards = render_samples(names, Path(tmp))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet(cards).save(args.out)
    failed = [f"{n}/{k}: {o.error}" for n, ks in cards.items() for k, o in ks.items() if o.error]
    if args.full:
        args.full.mkdir(parents=True, exist_ok=True)
        for name, kinds in cards.items():
            for kind, outcome in kinds.items():
                if outcome.data:
                    (args.full / f"{name}-{kind}.jpg").write_bytes(outcome.data)
    print(f"{args.out}: {len(cards)} samples × 2 cards" + (f"; FAILED: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The render cache in the store, keyed on content rather than paths.

mkdocs-material keys its card cache on the image *path*, so replacing a hero under the same name leaves a stale
card. Our key is the sha256 of everything that changes a pixel: hero bytes, font files, layout, text, locale,
size, format, byte ceiling and the renderer version. Equal key + output file still there with the recorded hash
= no render.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, select

from pipeline.cards.fonts import CardError, card_setter
from pipeline.cards.layout import TextLayer
from pipeline.cards.render import RENDERER_VERSION, SIZES, CardOutcome, CardSpec, fill_text
from pipeline.schema.cards import card_renders
from pipeline.store import upsert
from pipeline.typeset.fonts import FontMissing, file_digest

if TYPE_CHECKING:
    from pipeline.store import Store


@dataclass(frozen=True)
class CardRecord:
    """What other stages (social) need about a rendered card."""

    path: Path
    url_path: str
    alt: str
    bytes: int
    width: int
    height: int
    format: str


def font_digests(spec: CardSpec) -> list[str]:
    """sha256 of every font file the card's texts are drawn with (each weight the layout uses)."""
    layout = spec.layout
    texts = [(" ".join(spec.title.split()), layout.title.weight)]
    texts += [
        (fill_text(layer.text, spec), layer.weight) for layer in layout.layers if isinstance(layer, TextLayer)
    ]
    paths: set[str] = set()
    for text, weight in texts:
        if not text.strip():
            continue
        ts = card_setter(text, spec.lang, weight, layout.families)
        try:
            ts.require_fonts(text)
        except FontMissing as exc:
            raise CardError("CARD005", str(exc)) from None
        for family in ts.families(text):
            file = family.file(weight)
            if file.path.is_file():
                paths.add(str(file.path))
    return sorted(file_digest(Path(p)) for p in paths)


def cache_key(spec: CardSpec, hero_digest: str) -> str:
    fonts = font_digests(spec)
    payload = {
        "renderer": RENDERER_VERSION,
        "hero": hero_digest,
        "fonts": fonts,
        "layout": spec.layout.canonical(),
        "title": spec.title,
        "site": spec.site,
        "tag": spec.tag,
        "lang": spec.lang,
        "kind": spec.kind,
        "size": SIZES[spec.kind],
        "fmt": spec.fmt,
        "focus": spec.focus,
        "max_bytes": spec.max_bytes,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def hero_digest(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def is_fresh(store: Store, spec: CardSpec) -> bool:
    """True when the stored key matches and the output file is still the one we wrote."""
    with store.connect() as conn:
        row = conn.execute(
            select(card_renders.c.cache_key, card_renders.c.output_sha256, card_renders.c.bytes).where(
                and_(
                    card_renders.c.post_rel == spec.post_rel,
                    card_renders.c.lang == spec.lang,
                    card_renders.c.kind == spec.kind,
                )
            )
        ).first()
    if row is None or row.cache_key != spec.key:
        return False
    try:
        if spec.out.stat().st_size != row.bytes:
            return False
        return hashlib.sha256(spec.out.read_bytes()).hexdigest() == row.output_sha256
    except OSError:
        return False


def recorded_paths(store: Store) -> dict[str, int]:
    """Every file a cards run wrote and recorded, with its size then (someone may have replaced it since)."""
    with store.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(select(card_renders.c.path, card_renders.c.bytes))}


def record(store: Store, outcome: CardOutcome, url_path: str, alt: str) -> None:
    spec = outcome.spec
    data = outcome.data or b""
    row = {
        "post_rel": spec.post_rel,
        "lang": spec.lang,
        "kind": spec.kind,
        "cache_key": spec.key,
        "path": str(spec.out),
        "url_path": url_path,
        "alt": alt,
        "bytes": len(data),
        "width": outcome.width,
        "height": outcome.height,
        "format": spec.fmt,
        "quality": outcome.quality,
        "contrast": outcome.contrast,
        "output_sha256": hashlib.sha256(data).hexdigest(),
    }
    with store.begin() as conn:
        upsert(conn, card_renders, row, keys=("post_rel", "lang", "kind"))


def card_for(store: Store, post_rel: str, lang: str, kind: str) -> CardRecord | None:
    """The last rendered card for a post/language/kind ('og' or 'twitter'), or None if never rendered."""
    with store.connect() as conn:
        row = conn.execute(
            select(card_renders).where(
                and_(
                    card_renders.c.post_rel == post_rel,
                    card_renders.c.lang == lang,
                    card_renders.c.kind == kind,
                )
            )
        ).first()
    if row is None:
        return None
    return CardRecord(Path(row.path), row.url_path, row.alt, row.bytes, row.width, row.height, row.format)

"""Card layouts as data: `templates/cards/<name>.toml`, validated by pydantic with unknown keys rejected.

Why data: designers change colours, boxes and sizes without touching Python, and the layout's canonical JSON is
part of the cache key, so editing a layout re-renders exactly the cards that use it. Boxes are fractions of the
card ([x, y, width, height] in 0..1), so one layout serves the 1200×630 Open Graph card and the 1200×600 X card.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from pipeline.cards.fonts import CardError
from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.typeset.fonts import CATALOGUE, FONT_KEYS, WEIGHT_NAMES, Family, FontMissing, site_family

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{6})$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
Box = tuple[float, float, float, float]
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


def hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_color(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError("colour must be #rrggbb")
    return value.lower()


def _check_box(value: Box) -> Box:
    x, y, w, h = value
    if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 and 0 < h <= 1 and x + w <= 1.0001 and y + h <= 1.0001):
        raise ValueError("box is [x, y, width, height] as fractions of the card, inside 0..1")
    return value


Color = Annotated[str, AfterValidator(_check_color)]
FracBox = Annotated[Box, AfterValidator(_check_box)]


class GradientLayer(_Model):
    """A vertical gradient over the hero (the scrim) that keeps text readable on bright photos."""

    type: Literal["gradient"]
    box: FracBox = (0.0, 0.0, 1.0, 1.0)
    color: Color = "#000000"
    alpha_start: float = Field(0.0, ge=0, le=1, description="Opacity at the top of the box.")
    alpha_end: float = Field(0.85, ge=0, le=1, description="Opacity at the bottom of the box.")


class TitleLayer(_Model):
    """The post title: the largest size from max_size down to min_size that fits in max_lines."""

    type: Literal["title"]
    box: FracBox
    color: Color = "#ffffff"
    weight: int = Field(700, ge=100, le=900)
    min_size: int = Field(32, ge=8, le=300)
    max_size: int = Field(72, ge=8, le=300)
    max_lines: int = Field(3, ge=1, le=8)
    line_height: float = Field(1.2, ge=0.8, le=2.5)
    align: Literal["start", "center", "end"] = "start"
    valign: Literal["top", "middle", "bottom"] = "bottom"
    min_contrast: float = Field(4.5, ge=1, le=21, description="WCAG ratio the text must reach.")
    balance: bool = Field(True, description="Even line lengths (CSS text-wrap: balance), no lone last word.")


class TextLayer(_Model):
    """Fixed text such as the site name; `{site}`, `{lang}`, `{LANG}` and `{tag}` are filled in."""

    type: Literal["text", "badge"]
    text: str
    box: FracBox
    size: int = Field(28, ge=8, le=200)
    weight: int = Field(600, ge=100, le=900)
    color: Color = "#ffffff"
    background: Color = Field("#000000", description="Badge fill colour (badge layers only).")
    align: Literal["start", "center", "end"] = "start"


Layer = Annotated[GradientLayer | TitleLayer | TextLayer, Field(discriminator="type")]


FontChoice = str | dict[str, str]


def _is_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.lower().endswith(FONT_SUFFIXES)


def _weight(name: str) -> int:
    """'bold' or '700' → 700; anything else is a ValueError naming the accepted names."""
    if name.lower() in WEIGHT_NAMES:
        return WEIGHT_NAMES[name.lower()]
    if name.isdigit() and 100 <= int(name) <= 900 and int(name) % 100 == 0:
        return int(name)
    raise ValueError(f"weight {name!r} is not one of {', '.join(WEIGHT_NAMES)} or 100..900")


class Layout(_Model):
    name: str = ""
    background: Color = Field("#1f2d3d", description="Card colour where no hero image exists.")
    fonts: dict[str, FontChoice] = Field(
        default_factory=dict,
        description="Font per script: a family we ship (e.g. 'Noto Naskh Arabic') or a font file inside the "
        "project, or {regular = file, bold = file}.",
    )
    layers: list[Layer]
    _families: tuple[tuple[str, Family], ...] = PrivateAttr(default=())

    @field_validator("layers")
    @classmethod
    def _one_title(cls, value: list[Layer]) -> list[Layer]:
        titles = [layer for layer in value if isinstance(layer, TitleLayer)]
        if len(titles) != 1:
            raise ValueError("a layout needs exactly one layer with type = 'title'")
        if titles[0].min_size > titles[0].max_size:
            raise ValueError("title min_size is larger than max_size")
        return value

    @field_validator("fonts")
    @classmethod
    def _check_fonts(cls, value: dict[str, FontChoice]) -> dict[str, FontChoice]:
        for key, choice in value.items():
            if key not in FONT_KEYS:
                raise ValueError(f"fonts.{key}: not a script; use one of {', '.join(FONT_KEYS)}")
            if isinstance(choice, dict):
                for weight, path in choice.items():
                    _weight(weight)
                    if not _is_path(path):
                        raise ValueError(
                            f"fonts.{key}.{weight}: {path!r} is not a font file (.ttf, .otf, .ttc)"
                        )
            elif not _is_path(choice) and choice not in CATALOGUE:
                raise ValueError(
                    f"fonts.{key}: {choice!r} is neither a font file (.ttf, .otf, .ttc) in the project nor a "
                    f"family we ship ({', '.join(sorted(CATALOGUE))})"
                )
        return value

    @property
    def families(self) -> tuple[tuple[str, Family], ...]:
        """The layout's font choices, resolved by `resolve_fonts` (empty: the catalogue defaults)."""
        return self._families

    @property
    def title(self) -> TitleLayer:
        return next(layer for layer in self.layers if isinstance(layer, TitleLayer))

    def canonical(self) -> str:
        """Stable JSON of the effective layout: part of the cache key."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def layout_dirs(config_root: Path, templates_root: Path) -> list[Path]:
    """A site's own `templates/cards/` wins over the shipped layouts."""
    own = (config_root / "templates" / "cards").resolve()
    shipped = (templates_root / "cards").resolve()
    return [own, shipped] if own != shipped else [shipped]


def load_layout(name: str, dirs: list[Path], root: Path | None = None) -> Layout:
    """The layout `name` from the first folder that has it, its font files resolved inside `root`."""
    if not _NAME.match(name):
        raise CardError("CARD013", f"layout name {name!r} must be lowercase letters, digits, '-' or '_'")
    for folder in dirs:
        path = folder / f"{name}.toml"
        if path.is_file():
            layout = parse_layout(path.read_text("utf-8"), str(path), name)
            return resolve_fonts(layout, root, str(path))
    where = ", ".join(str(d) for d in dirs)
    raise CardError("CARD013", f"layout '{name}' not found (looked for {name}.toml in {where})")


def resolve_fonts(layout: Layout, root: Path | None, source: str) -> Layout:
    """Turn the `fonts` table into families: catalogue names as they are, files only inside the project root
    (a layout is shared material; it must not read fonts — or anything — from elsewhere on the machine)."""
    chosen: list[tuple[str, Family]] = []
    for key, choice in layout.fonts.items():
        if isinstance(choice, str) and not _is_path(choice):
            chosen.append((key, CATALOGUE[choice]))
            continue
        files = {_weight(w): p for w, p in choice.items()} if isinstance(choice, dict) else {400: choice}
        if root is None:
            raise CardError("CARD013", f"{source}: fonts.{key} names a file but no project root is known")
        resolved: dict[int, Path] = {}
        for weight, rel in files.items():
            try:
                path = safe_join(root, rel)
            except UnsafePathError as exc:
                raise CardError(
                    "CARD013", f"{source}: fonts.{key}: {exc}; keep font files inside {root}"
                ) from None
            if path.suffix.lower() not in FONT_SUFFIXES:
                raise CardError("CARD013", f"{source}: fonts.{key}: {rel} is not a .ttf, .otf or .ttc file")
            if not path.is_file():
                raise CardError("CARD013", f"{source}: fonts.{key}: {rel} not found (looked at {path})")
            resolved[weight] = path
        try:
            family = site_family(f"{key} font of layout {layout.name}", resolved, f"{source}: fonts.{key}")
        except FontMissing as exc:
            raise CardError("CARD013", str(exc)) from None
        chosen.append((key, family))
    layout._families = tuple(chosen)
    return layout


def parse_layout(text: str, source: str, name: str = "") -> Layout:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CardError("CARD013", f"{source}: invalid TOML: {exc}") from None
    data.setdefault("name", name)
    try:
        return Layout.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            ".".join(str(p) for p in err["loc"]) + ": " + err["msg"] for err in exc.errors()[:5]
        )
        raise CardError("CARD013", f"{source}: {problems}") from None


def pixel_box(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """Fractions → (left, top, right, bottom) pixels."""
    x, y, w, h = box
    return round(x * width), round(y * height), round((x + w) * width), round((y + h) * height)

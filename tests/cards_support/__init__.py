"""Helpers for the cards tests: a deterministic synthetic hero and a throw-away site on disk."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from pipeline.config import Config, load_config

TITLES: dict[str, str] = {
    "en": "Best Exercises for Osteoporosis: Build Stronger Bones After 50",
    "de": "Die besten Übungen bei Osteoporose: Knochendichte gezielt stärken",
    "ru": "Лучшие упражнения при остеопорозе: как укрепить кости после 50",
    "ar": "أفضل التمارين لعلاج هشاشة العظام وتقوية العظام بعد الخمسين",
    "he": "התרגילים הטובים ביותר לאוסטאופורוזיס: עצמות חזקות אחרי גיל 50",
    "hi": "ऑस्टियोपोरोसिस के लिए सर्वोत्तम व्यायाम: 50 के बाद मजबूत हड्डियाँ",
    "th": "การออกกำลังกายที่ดีที่สุดสำหรับโรคกระดูกพรุนและสุขภาพกระดูก",
    "ja": "骨粗しょう症に最適な運動：50歳からの骨密度を高める科学的な方法",
    "zh": "骨质疏松症的最佳运动：五十岁后如何科学地增强骨密度与骨骼健康",
}


@lru_cache(maxsize=32)
def hero_bytes(width: int = 1600, height: int = 1000, seed: int = 7, fmt: str = "JPEG") -> bytes:
    """A photo-like hero: smooth colour field, bright sky band and a few shapes; same bytes every run."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 90 + 120 * (x / width)
    g = 110 + 90 * (y / height)
    b = 160 + 60 * np.sin(x / 97.0) * np.cos(y / 61.0)
    arr = np.stack([r, g, b], axis=-1)
    arr += rng.normal(0, 6, arr.shape)
    im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    for i in range(6):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        rad = int(rng.integers(40, 180))
        draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=(240, 230 - 20 * i, 200))
    buf = io.BytesIO()
    im.save(buf, fmt, quality=90)
    return buf.getvalue()


def write_post(content: Path, rel: str, meta: dict[str, object], body: str = "Body text.\n") -> Path:
    import yaml

    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body, "utf-8"
    )
    return path


def make_config(root: Path, languages: tuple[str, ...] = ("en", "ar", "ja"), processes: int = 1) -> Config:
    """Config for a site under `root` (content/ and static/), with every language RTL-flagged as it should be."""
    langs = {code: {"name": code, "dir": "rtl" if code in ("ar", "he") else "ltr"} for code in languages}
    return load_config(
        None,
        overrides={
            "site": {
                "name": "Longevity Notes",
                "content_dir": str(root / "content"),
                "static_dir": str(root / "static"),
                "languages": langs,
                "default_language": languages[0],
            },
            "cards": {"processes": processes},
        },
        environ={},
    )

"""Helpers for translate tests: cached test packages, tiny sites in temp dirs, a Context over them."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.stages import Context
from pipeline.translate.packages import install_from_file
from tests.translate_support.builder import PieceMap, build_package, identity, train_sentencepiece, upper


def swap_brackets(piece: str) -> str:
    """Turns ⟦ into ⟧ and back (their last UTF-8 bytes): a model that breaks every placeholder."""
    return {"<0xA6>": "<0xA7>", "<0xA7>": "<0xA6>"}.get(piece, upper(piece))


MAPPINGS: dict[str, PieceMap] = {"copy": identity, "upper": upper, "swap": swap_brackets}


@functools.cache
def _sp() -> bytes:
    return train_sentencepiece()


@functools.cache
def package_file(kind: str, from_code: str = "en", to_code: str = "es", positions: int = 1024) -> Path:
    """Build once per test process (cached): a real .argosmodel of the given kind (`positions`: the longest
    input in tokens the model reads)."""
    folder = Path(tempfile.mkdtemp(prefix="argos-test-"))
    return build_package(
        folder / f"{kind}-{from_code}-{to_code}-{positions}.argosmodel",
        from_code,
        to_code,
        MAPPINGS[kind],
        _sp(),
        positions,
    )


def install(state: Path, kind: str, from_code: str = "en", to_code: str = "es") -> None:
    install_from_file(state, package_file(kind, from_code, to_code))


def make_context(
    root: Path,
    posts: Mapping[str, str],
    translate: Mapping[str, Any] | None = None,
    site: Mapping[str, Any] | None = None,
) -> Context:
    content = root / "content"
    for rel, text in posts.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    overrides: dict[str, Any] = {
        "site": {
            "content_dir": str(content),
            "base_url": "https://example.org",
            "languages": {
                "en": {"name": "English"},
                "es": {"name": "Español"},
                "de": {},
                "ar": {"dir": "rtl"},
            },
            **(site or {}),
        },
        # Argos only unless a test asks for Apertium: its start-up (~0.3 s a run) adds up over the suite.
        "translate": {"languages": ["es"], "beam_size": 1, "engines": {"*": ["argos"]}, **(translate or {})},
    }
    return Context(config=load_config(None, overrides=overrides))


POST = """---
title: Sleep and snake_case habits
description: How 7 hours of sleep help.
layout: post.njk
date: 2025-01-02
image: /images/sleep.jpg
permalink: /articles/sleep-habits/
tags:
- sleep
---

# Better sleep

Sleep matters. Take 3.5 mg of melatonin, see [the guide](https://example.com/guide_v2) and `run_this()`.

- Walk daily with **friends**.
- Visit https://www.example.org/path_x for more.

```python
code_stays = "here"
```

<div class="note">raw html</div>
"""

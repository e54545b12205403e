"""The base of every settings section (pipeline.config and its per-area modules)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    # Frozen: every stage reads the one config load_config validated; flags come in as overrides, validated too.
    model_config = ConfigDict(extra="forbid", frozen=True)

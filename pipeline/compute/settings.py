"""`[compute]`: where the heavy stages do their work (see pipeline.compute and docs/scaling.md).

Its own module so the config stays small; frozen and strict like every other section (pipeline.config_section).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.config_section import Section


class ComputeConfig(Section):
    backend: Literal["local", "ray"] = Field(
        "local",
        description="Where validate, translate, cards and crawl do their heavy work: `local` process pools, or "
        "a `ray` cluster (the `ray` extra; docs/scaling.md). Results are the same either way.",
    )
    address: str = Field(
        "",
        description="Ray head to join (`host:port`); empty: `RAY_ADDRESS`, else a Ray started for the run.",
    )

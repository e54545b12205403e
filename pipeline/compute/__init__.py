"""Where the heavy stages do their work: this machine's process pools (`compute.backend = "local"`, the default,
which needs no Ray) or a Ray cluster (`"ray"`), with the same results either way.

Ray (https://docs.ray.io) is the engine, not something of ours: `ray.init()` joins the cluster named by
`compute.address` or `RAY_ADDRESS` (or starts a Ray for this run), and the stages hand it work in the shape each
needs — translate keeps one CTranslate2 model per worker slot in an actor (`compute.translate`), validate and cards
send chunks of posts and cards as tasks (`compute.tasks`), crawl runs its shards as tasks around an actor holding
the page budget and the links shards hand each other (`compute.crawl`). Workers only compute; the driver (the
process that ran the command) writes every file and every store row, as it does with local pools.

This module imports nothing heavy: the stages ask `uses_ray(config)` on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Config


def uses_ray(config: Config) -> bool:
    return config.compute.backend == "ray"

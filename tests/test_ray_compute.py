"""The heavy stages on a real two-node Ray cluster give byte for byte what the local process pools give.

The cluster (tests/ray_support) is `ray start --head` plus a second `ray start --address` node on this machine,
one CPU each. The same small site goes through translate (a test-built Argos package), cards and validate once
with `compute.backend = "local"` and once with "ray"; every file of the site afterwards (drafts, cards, the
front matter the stages fill in) and every finding must be equal.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.compute.cluster import connect
from tests.ray_support.cluster import Killer, RayCluster, local_address
from tests.ray_support.site import EXAMPLE, config_for, make_site, run_stages

pytestmark = pytest.mark.ray
STAGES = ("translate", "cards")


def test_translate_cards_and_validate_on_the_cluster_match_the_local_run(
    tmp_path: Path, ray_cluster: RayCluster, ray_address: str
) -> None:
    local = run_stages(make_site(tmp_path / "local"), {"backend": "local"})
    remote = run_stages(make_site(tmp_path / "ray"), {"backend": "ray", "address": ray_address})

    drafts = [k for k in local.files if k.startswith("content/es/")]
    cards = [p.relative_to(tmp_path / "local").as_posix() for p in local.results["cards"].outputs]
    assert len(drafts) == 3 and len(cards) == 12 and set(cards) <= set(local.files)  # 3 posts × 2 langs × 2
    assert local.results["validate"].counts["analysed"] == 6 and local.findings
    assert sorted(remote.files) == sorted(local.files)
    assert [k for k in local.files if remote.files[k] != local.files[k]] == []
    assert remote.findings == local.findings
    assert remote.results["cards"].counts == local.results["cards"].counts
    assert remote.results["translate"].counts == local.results["translate"].counts

    # One model actor per node: each node unpacked the package the driver shipped through the object store.
    for node in ("head", "node2"):
        assert list((ray_cluster.root / node / "models").glob("*/metadata.json")), node
    import ray

    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert len(nodes) >= 2
    assert all(local_address(n["NodeManagerAddress"]) for n in nodes)  # nothing left this machine


def test_a_node_killed_mid_batch_loses_nothing(
    tmp_path: Path, ray_cluster: RayCluster, ray_address: str
) -> None:
    """A third node joins; the moment one of its workers is translating a batch, the node is killed with
    SIGKILL — raylet, agents and workers — and its queued batches go to the other actors. Then, the moment a
    worker of the second node is rendering a chunk of cards, that worker is killed and Ray runs the chunk again.
    The site ends up exactly as the local run leaves it."""
    posts = tuple(sorted(p.stem for p in (EXAMPLE / "content" / "posts").glob("*.md")))[:5]
    small_batches = {"max_batch_tokens": 64}  # many batches, so the victim holds some when it dies
    local = run_stages(make_site(tmp_path / "local", posts), {"backend": "local"}, STAGES, small_batches)
    killers: list[Killer] = []
    victim = f"victim-{os.getpid()}"

    def during_translate() -> None:
        ray_cluster.add_node(victim)
        connect(config_for(tmp_path, {"backend": "ray", "address": ray_address}))
        # A worker ready on the new node, so its actor starts as soon as the others and gets batches too.
        ray_cluster.warm(victim, ("pipeline.compute.translate", "ctranslate2"))
        killers.append(ray_cluster.kill_when(victim, "ray::ModelSlot.translate"))

    def during_cards() -> None:
        killers.append(ray_cluster.kill_when("node2", "ray::_run_chunk", whole_node=False))

    remote = run_stages(
        make_site(tmp_path / "ray", posts),
        {"backend": "ray", "address": ray_address},
        STAGES,
        small_batches,
        during={"translate": during_translate, "cards": during_cards},
    )
    for killer in killers:
        killer.join(timeout=5)
        assert killer.killed, f"no worker of {killer.node} ran {killer.title}"
    assert remote.results["translate"].data["ray_actors_replaced"] >= 1
    assert local.results["translate"].counts["drafts_written"] == len(posts)
    assert sorted(remote.files) == sorted(local.files)
    assert [k for k in local.files if remote.files[k] != local.files[k]] == []
    assert remote.findings == local.findings
    assert remote.results["cards"].counts == local.results["cards"].counts

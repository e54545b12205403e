"""Joining the Ray cluster: once per process, offline, with errors that say what to do.

`ray.init()` retries an unreachable head for minutes, so the address is probed with a plain TCP connect first and
a wrong one is a configuration error at once (exit 2, naming `compute.address`). Usage statistics, which Ray
would otherwise send out, are off unless the user turned them on (`RAY_USAGE_STATS_ENABLED`); the dashboard is
not started for a Ray of our own. Without an address (`compute.address`, `RAY_ADDRESS`) a Ray is started for
this process on this machine's cores — the same code then runs on a laptop and on a cluster.

Every node needs the same install (`pip install 'pipeline[ray]'` in the same Python) and must see the site at
the same path (a shared volume or the same checkout), because tasks read posts' images and layouts where the
driver found them; the translation models travel through Ray's object store instead (`compute.translate`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.config import ConfigError

if TYPE_CHECKING:
    from pipeline.config import Config

LOCAL = "local"
PROBE_TIMEOUT_S = 3.0


def address_of(config: Config) -> str:
    return config.compute.address.strip() or os.environ.get("RAY_ADDRESS", "").strip() or LOCAL


def _fail(config: Config, key: str, message: str) -> ConfigError:
    return ConfigError(config.source, [f"compute.{key}: {message}"])


def _probe(config: Config, address: str) -> None:
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise _fail(
            config, "address", f"{address!r} is not host:port (the head node's GCS port, e.g. 10.0.0.5:6379)"
        )
    try:
        with socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        raise _fail(
            config,
            "address",
            f"no Ray head answers at {address} ({exc.strerror or exc}); start one with "
            f"`ray start --head --port {port}` there, or fix compute.address / RAY_ADDRESS",
        ) from None


def _import_ray(config: Config) -> Any:
    try:
        import ray
    except ImportError:
        raise _fail(
            config,
            "backend",
            "'ray' needs Ray on this machine and on every node: pip install 'pipeline[ray]' (or set "
            'compute.backend = "local")',
        ) from None
    return ray


def preflight(config: Config) -> None:
    """Before a command starts any stage: with `backend = "ray"`, Ray is installed and the head answers.

    Checked up front so that a run does not do half its stages and then fail the heavy ones; joining the
    cluster (or starting a local Ray) is left to the first stage that has work for it."""
    ray = _import_ray(config)
    address = address_of(config)
    if not ray.is_initialized() and address not in (LOCAL, "auto"):
        _probe(config, address)


def connect(config: Config) -> Any:
    """The `ray` module, joined to the configured cluster (once per process; later calls reuse it)."""
    ray = _import_ray(config)
    if ray.is_initialized():
        return ray
    _notices_to_stderr()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline-first: no usage report leaves the machine
    address = address_of(config)
    kwargs: dict[str, Any] = {
        "address": address,
        "logging_level": logging.WARNING,
        "log_to_driver": False,  # our workers print nothing; a failure comes back as the task's exception
        "namespace": "pipeline",
    }
    if address == LOCAL:
        kwargs.update(include_dashboard=False, _node_ip_address="127.0.0.1")
    elif address != "auto":
        _probe(config, address)
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise _fail(config, "address", f"cannot join the Ray cluster at {address}: {exc}") from None
    return ray


def _notices_to_stderr() -> None:
    """Ray prints the cluster's notices (a node died, a task is retried) on the driver's stdout, where they would
    land inside a JSON or SARIF report; they are diagnostics, so they go to stderr."""
    from ray._private import worker

    original = getattr(worker, "print_to_stdstream", None)
    if original is None or getattr(original, "to_stderr", False):
        return

    def to_stderr(data: dict[str, Any], ignore_prefix: bool) -> None:
        original({**data, "is_err": True}, ignore_prefix)

    to_stderr.to_stderr = True  # type: ignore[attr-defined]
    worker.print_to_stdstream = to_stderr


def slots(ray: Any) -> int:
    """Worker slots in the cluster now: its CPUs (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def in_dir(cwd: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn` in the driver's working directory when this node has it: findings show paths relative to it."""
    if cwd and os.path.isdir(cwd) and os.getcwd() != cwd:
        os.chdir(cwd)
    return fn(*args)


def chunked(items: Sequence[Any], count: int) -> list[list[Any]]:
    """`items` in order, cut into about `count` contiguous chunks."""
    size = max(1, -(-len(items) // max(1, count)))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]

"""`[compute]` without a cluster: what a user sees when Ray is missing or the head does not answer, and that where
the work runs never changes what the caches are keyed on. (The cluster itself: tests/test_ray_*.py.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.compute.cluster import connect
from pipeline.config import ConfigError, load_config
from tests.conftest import REPO


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Every command that runs a heavy stage (the `compute=True` of its `load_context`).
COMMANDS = [["validate"], ["translate", "--to", "fr"], ["cards"], ["crawl"], ["run"]]


def _pipeline(args: list[str], tmp_path: Path, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    env.update(
        PIPELINE__COMPUTE__BACKEND="ray",
        PIPELINE_STATE_DIR=str(tmp_path / "state"),
        PIPELINE__SITE__REPORTS_DIR=str(tmp_path / "reports"),
        **env_extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args, "-q"], cwd=REPO, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_an_unreachable_ray_head_stops_the_command_before_any_stage(args: list[str], tmp_path: Path) -> None:
    start = time.monotonic()
    proc = _pipeline(args, tmp_path, PIPELINE__COMPUTE__ADDRESS=f"127.0.0.1:{_closed_port()}")
    assert proc.returncode == 2, proc.stderr
    assert "compute.address: no Ray head answers at 127.0.0.1:" in proc.stderr
    assert "ray start --head" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "reports").exists()  # checked up front: `run` did not do the light stages first
    assert time.monotonic() - start < 60  # ray.init alone would retry the address for minutes


@pytest.mark.parametrize("args", [["cards"], ["run"]], ids=lambda a: a[0])  # the same check as above
def test_without_ray_installed_the_command_says_how_to_install_it(args: list[str], tmp_path: Path) -> None:
    # A `ray` that fails to import as an absent package does, ahead of the installed one on the path.
    shim = tmp_path / "no_ray" / "ray"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'ray'\", name='ray')\n")
    proc = _pipeline(args, tmp_path, PYTHONPATH=str(shim.parent))
    assert proc.returncode == 2, proc.stderr
    assert "compute.backend: 'ray' needs Ray" in proc.stderr and "pip install 'pipeline[ray]'" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "reports").exists()


def test_stages_without_heavy_work_run_without_ray(tmp_path: Path) -> None:
    proc = _pipeline(
        ["run", "--only", "social,build"], tmp_path, PIPELINE__COMPUTE__ADDRESS=f"127.0.0.1:{_closed_port()}"
    )
    assert proc.returncode == 0, proc.stderr


def test_a_malformed_address_is_refused_before_ray_is_asked() -> None:
    config = load_config(None, overrides={"compute": {"backend": "ray", "address": "head-node"}}, environ={})
    with pytest.raises(ConfigError, match=r"compute.address: 'head-node' is not host:port"):
        connect(config)


def test_without_ray_installed_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets where the package is absent
    config = load_config(None, overrides={"compute": {"backend": "ray"}}, environ={})
    with pytest.raises(
        ConfigError, match=r"compute.backend: 'ray' needs Ray .* pip install 'pipeline\[ray\]'"
    ):
        connect(config)


def test_the_backend_is_not_part_of_the_cache_fingerprint() -> None:
    local = load_config(None, environ={})
    on_ray = load_config(
        None, overrides={"compute": {"backend": "ray", "address": "10.0.0.5:6379"}}, environ={}
    )
    assert local.fingerprint() == on_ray.fingerprint()
    assert (
        local.fingerprint()
        != load_config(None, overrides={"translate": {"beam_size": 4}}, environ={}).fingerprint()
    )


def test_unknown_backends_and_keys_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"compute.backend: Input should be 'local' or 'ray'"):
        load_config(None, overrides={"compute": {"backend": "dask"}}, environ={})
    with pytest.raises(ConfigError, match=r"compute.workers: unknown key"):
        load_config(None, overrides={"compute": {"workers": 4}}, environ={})

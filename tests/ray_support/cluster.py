"""A real Ray cluster for the tests: `ray start --head` plus worker nodes, on this machine, one CPU each.

Each node gets its own temp folder (short, under /tmp: Ray's socket paths must stay under 108 bytes) and free
ports for everything Ray would otherwise put on fixed ones (dashboard 8265, agent 52365), so two test runs on one
machine cannot collide. Usage statistics are off and no dashboard is started.

Ray's own `ray stop` ends every Ray process of the user on the machine, another session's included, so the
cluster is stopped by process id: every process whose command line names one of our node folders, and every
descendant of those (the workers, whose titles Ray rewrites), found before anything is killed. A reaper
process does the same if the test process dies without stopping it.

Ray replaces 127.0.0.1 with the machine's own interface address (its `resolve_ip_for_localhost`), so the nodes
register under that address; traffic between them still never leaves this machine (`local_address` checks).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

RAY_BIN = Path(sys.executable).parent / "ray"
# Faster dead-node detection than Ray's defaults (~30 s), still lenient enough for a machine at load 14.
HEALTH = {
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "1000",
    "RAY_health_check_timeout_ms": "3000",
    "RAY_health_check_failure_threshold": "5",
}


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: all the sockets are held open together, because the kernel may hand a port
    it just handed out and released again (CI once gave Ray's GCS and its agent the same number this way)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]


# Ray refuses to start when a port it was given is taken meanwhile (by anything on the machine): a port can
# only be checked free, not kept free, until Ray binds it. Such a start is retried with new ports.
PORT_TROUBLE = ("is trying to use a port number", "address already in use", "Failed to bind")


def local_address(ip: str) -> bool:
    """Is `ip` an address of this machine (binding to it works only then)?"""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((ip, 0))
        return True
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie is dead; only its parent's wait() is missing


def _parents() -> dict[int, int]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                out[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    return out


def processes_under(folder: Path) -> set[int]:
    """Processes whose command line names `folder`, and all their descendants."""
    parents = _parents()
    marker = str(folder)
    found = {pid for pid in parents if pid != os.getpid() and marker in _cmdline(pid)}
    grew = True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in found and pid not in found}
        found |= more
        grew = bool(more)
    return {pid for pid in found if _alive(pid)}


def kill_all(pids: set[int], wait_s: float = 20.0) -> set[int]:
    """SIGKILL each; the ones still alive after `wait_s`."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        left = {pid for pid in pids if _alive(pid)}
        if not left:
            return set()
        time.sleep(0.1)
    return {pid for pid in pids if _alive(pid)}


@dataclass
class RayCluster:
    root: Path
    address: str = ""
    nodes: list[str] = field(default_factory=list)
    token: str = field(default_factory=lambda: secrets.token_hex(32))

    @classmethod
    def create(cls) -> RayCluster:
        return cls(Path(tempfile.mkdtemp(prefix="pr-", dir="/tmp")))

    def auth_env(self) -> dict[str, str]:
        """Token authentication with this cluster's own token, set explicitly: Ray otherwise decides by whether
        ~/.ray/auth_token happens to exist, and the head and a joining node can decide differently."""
        return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token}

    def env(self, node: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(HEALTH)
        env.update(self.auth_env())
        env.update(
            RAY_USAGE_STATS_ENABLED="0",
            # Each node unpacks translation models into its own cache: they travel, as between machines.
            PIPELINE_RAY_MODEL_DIR=str(self.root / node / "models"),
            TMPDIR=str(self.root / node / "tmp"),
        )
        env.pop("RAY_ADDRESS", None)
        return env

    def _start(self, node: str, head: bool, attempts: int = 3) -> None:
        folder = self.root / node
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        for attempt in range(1, attempts + 1):
            ports = free_ports(8)
            if head:
                args = ["--head", "--node-ip-address", "127.0.0.1", "--port", str(ports[6])]
                args += ["--include-dashboard=false", "--dashboard-port", str(ports[7])]
            else:
                args = ["--address", self.address]
            argv = [
                str(RAY_BIN),
                "start",
                *args,
                "--num-cpus",
                "1",
                "--temp-dir",
                str(folder),
                "--disable-usage-stats",
                "--node-manager-port",
                str(ports[0]),
                "--object-manager-port",
                str(ports[1]),
                "--dashboard-agent-listen-port",
                str(ports[2]),
                "--dashboard-agent-grpc-port",
                str(ports[3]),
                "--runtime-env-agent-port",
                str(ports[4]),
                "--metrics-export-port",
                str(ports[5]),
            ]
            done = subprocess.run(argv, env=self.env(node), capture_output=True, text=True, timeout=180)
            if done.returncode == 0:
                if head:
                    self.address = f"127.0.0.1:{ports[6]}"
                self.nodes.append(node)
                return
            said = done.stdout + done.stderr
            if attempt == attempts or not any(sign in said for sign in PORT_TROUBLE):
                raise RuntimeError(f"ray start ({node}) failed: {done.stdout[-1500:]}\n{done.stderr[-1500:]}")
            # Whatever the failed start left running goes before the next try with new ports.
            assert not kill_all(processes_under(folder)), f"ray start ({node}): leftovers survived SIGKILL"

    def start_head(self) -> None:
        self._start("head", head=True)

    def add_node(self, node: str) -> None:
        self._start(node, head=False)

    def warm(self, node: str, modules: tuple[str, ...]) -> None:
        """Start a worker on `node` that has imported `modules`, so the node takes work as soon as the others:
        Ray hands an idle worker to the next task or actor there. Needs this process connected (ray.init)."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        folder = str(self.root / node)
        node_id = next(
            n["NodeID"]
            for n in ray.nodes()
            if n["Alive"] and str(n.get("ObjectStoreSocketName", "")).startswith(folder)
        )
        strategy = NodeAffinitySchedulingStrategy(node_id, soft=False)
        # A lambda travels by value (this module is not importable on the workers; the pipeline package is).
        remote = ray.remote(num_cpus=1)(lambda names: [__import__(name) for name in names] and None)
        ray.get(remote.options(scheduling_strategy=strategy).remote(modules))

    def node_processes(self, node: str) -> set[int]:
        return processes_under(self.root / node)

    def kill_node(self, node: str) -> set[int]:
        """kill -9 the node: its raylet, agents and workers. Returns the pids it killed."""
        pids = self.node_processes(node)
        left = kill_all(pids)
        assert not left, f"still alive after SIGKILL: {left}"
        return pids

    def kill_when(self, node: str, title: str, whole_node: bool = True, timeout_s: float = 120.0) -> Killer:
        """A thread that kill -9s `node` (raylet, agents, workers), or only the worker, the moment one of the
        node's workers runs `title` (Ray titles a busy worker `ray::<function or Actor.method>`): the kill lands
        mid-task, not between tasks."""
        killer = Killer(self, node, title, whole_node, timeout_s)
        killer.start()
        return killer

    def stop(self) -> set[int]:
        """Kill every process of the cluster; the ones that survived (none, or the test fails)."""
        left = kill_all(processes_under(self.root))
        if not left:
            shutil.rmtree(self.root, ignore_errors=True)
        return left

    # --- sharing one cluster between the test processes of a run ---------------------------------------

    def to_json(self) -> str:
        data = {"root": str(self.root), "address": self.address, "nodes": self.nodes, "token": self.token}
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> RayCluster:
        data = json.loads(text)
        return cls(Path(data["root"]), data["address"], list(data["nodes"]), data["token"])

    def start_reaper(self, owner: int) -> None:
        """A watchdog that stops the cluster if process `owner` dies without doing so."""
        subprocess.Popen(
            [sys.executable, "-m", "tests.ray_support.reaper", str(owner), str(self.root)],
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


class Killer(threading.Thread):
    def __init__(
        self, cluster: RayCluster, node: str, title: str, whole_node: bool, timeout_s: float
    ) -> None:
        super().__init__(daemon=True, name=f"kill-{node}")
        self.cluster, self.node, self.title = cluster, node, title
        self.whole_node, self.timeout_s = whole_node, timeout_s
        self.killed: set[int] = set()

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            busy = {
                pid for pid in self.cluster.node_processes(self.node) if _cmdline(pid).startswith(self.title)
            }
            if busy:
                if self.whole_node:
                    self.killed = self.cluster.kill_node(self.node)
                else:
                    assert not kill_all(busy)
                    self.killed = busy
                return
            time.sleep(0.01)

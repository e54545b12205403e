"""Shared by the chaos tests: a small site on disk with its config file, the CLI in a subprocess, process trees.

The CLI runs as a real process (`python -m pipeline`) because kill -9 and orphaned workers only exist there.
Iteration counts are bounded for CI; CHAOS_SOAK=1 multiplies them for a longer local soak.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cards_support import hero_bytes
from tests.conftest import REPO
from tests.validate_support import GOOD_BODY, GOOD_META, yaml_post

SOAK = os.environ.get("CHAOS_SOAK") == "1"


def rounds(ci: int, soak: int) -> int:
    return soak if SOAK else ci


def make_site(root: Path, posts: int = 6, languages: tuple[str, ...] = ("en", "es"), **sections: str) -> Path:
    """Posts that pass validation, one hero, a config file; returns the config path. `sections` adds TOML."""
    content, static = root / "content", root / "static"
    (static / "images").mkdir(parents=True, exist_ok=True)
    (static / "images" / "hero.jpg").write_bytes(hero_bytes(1300, 700, seed=5))
    for i in range(posts):
        meta = dict(GOOD_META)
        meta.update(
            title=f"Walking for Strong Bones, part {i}",
            permalink=f"/articles/walking-{i}/",
            ogImage=f"/images/cards/en/walking-{i}-og.jpg",
            twitterImage=f"/images/cards/en/walking-{i}-twitter.jpg",
        )
        path = content / "posts" / f"walking-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml_post(meta, GOOD_BODY), "utf-8")
    langs = "\n".join(f'[site.languages.{code}]\nname = "{code}"\n' for code in languages)
    extra = "\n".join(f"[{name}]\n{body}\n" for name, body in sections.items())
    config = root / "site.toml"
    config.write_text(
        f"""[site]
name = "Chaos"
base_url = "https://chaos.example"
content_dir = "{content}"
static_dir = "{static}"
output_dir = "{root / "_site"}"
reports_dir = "{root / "reports"}"
default_language = "en"

{langs}
{extra}
""",
        "utf-8",
    )
    return config


def cli_env(state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE")}
    env.update(PIPELINE_STATE_DIR=str(state), PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    return env


def start(args: list[str], config: Path, state: Path, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(state),
        cwd=cwd or config.parent,
        start_new_session=True,  # the kill below must not reach pytest
    )


def run(args: list[str], config: Path, state: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = start(args, config, state)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        after = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return after[0], int(after[1])


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (walks /proc: no psutil)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st and st[0] not in ("Z", "X"):
                parents.setdefault(st[1], []).append(int(entry))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def kill_tree(pid: int) -> None:
    for child in descendants(pid):
        with _quiet():
            os.kill(child, signal.SIGKILL)
    with _quiet():
        os.kill(pid, signal.SIGKILL)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError)  # type: ignore[arg-type]


def wait_gone(pids: set[int], seconds: float = 10.0) -> set[int]:
    deadline = time.monotonic() + seconds
    left = {p for p in pids if alive(p)}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {p for p in left if alive(p)}
    return left


def kill_and_reap(proc: subprocess.Popen[str], children: set[int]) -> set[int]:
    """SIGKILL the CLI process only (as cron or the OOM killer would); return its children still alive after
    a grace period, killing them so they cannot leak into later tests."""
    with _quiet():
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdout, proc.stderr):  # not communicate(): an orphan holding the pipe would block it
        if pipe is not None:
            pipe.close()
    left = wait_gone(children)
    for pid in left:
        with _quiet():
            os.kill(pid, signal.SIGKILL)
    return left


def snapshot(folder: Path) -> dict[str, str]:
    """rel path → sha256 of every file under `folder` (hidden temp files included: they must not linger)."""
    out: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out

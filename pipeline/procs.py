"""Worker processes that die with the process that started them.

A forked pool worker keeps both ends of its task pipe, so when its parent is killed (kill -9 from cron, the OOM
killer, a CI timeout) it never sees end-of-file and waits forever: an audit found 18 orphaned card workers
holding 1.6 GB. Every process pool and helper subprocess in the project therefore starts through this module:

- Linux's `prctl(PR_SET_PDEATHSIG, SIGKILL)` has the kernel kill the worker the moment its parent goes;
- a watchdog thread in the worker checks once a second that the parent is still its parent, for systems
  without prctl and for the gap before prctl took effect (the parent may die between fork and the call).

PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process, so it is only armed when
the pool is created from the main thread; elsewhere the watchdog alone covers it.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 1.0


def _arm_pdeathsig() -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _watch(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)  # the parent is gone: nobody will ever read our results
        time.sleep(WATCH_INTERVAL_S)


def die_with_parent(parent_pid: int, use_prctl: bool = True) -> None:
    """Pool initializer (runs in each worker): arm the kernel's parent-death signal and the watchdog."""
    if use_prctl:
        _arm_pdeathsig()
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watchdog", daemon=True).start()


def _from_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def process_pool(workers: int, method: str | None = None) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor whose workers die with this process.

    `method`: a multiprocessing start method ("fork", "spawn", ...); None keeps the platform default. Workers
    start on the first submit, so create and use the pool from the same thread."""
    mp_context: Any = multiprocessing.get_context(method) if method else None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp_context,
        initializer=die_with_parent,
        initargs=(os.getpid(), _from_main_thread()),
    )


PARENT_ENV = "PIPELINE_PARENT_PID"
PRCTL_ENV = "PIPELINE_PARENT_PRCTL"


def child_env() -> dict[str, str]:
    """Environment for a helper subprocess (a Python module of ours) that must not outlive us; the child calls
    `die_with_parent_from_env()` first thing. (Not `preexec_fn`: code between fork and exec in a process with
    threads can deadlock.)"""
    return {PARENT_ENV: str(os.getpid()), PRCTL_ENV: "1" if _from_main_thread() else "0"}


def die_with_parent_from_env() -> None:
    """In a helper subprocess started with `child_env()`: die with the process that started it."""
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit():
        die_with_parent(int(parent), os.environ.get(PRCTL_ENV) == "1")


class ToolError(OSError):
    """An external command could not be started, ran past its time limit, or failed; the message says which."""


def run_tool(argv: list[str], data: bytes, timeout: float) -> bytes:
    """Run an external filter (a pipeline of processes such as `apertium`) over `data`; its stdout.

    It gets its own process group, so a timeout kills the whole pipeline, not only the shell at its head. It
    cannot outlive us either way: its stdin is our pipe, so when we die it reads end-of-file and exits."""
    import subprocess

    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise ToolError(f"cannot start {argv[0]}: {exc.strerror or exc}") from None
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ToolError(f"{argv[0]} ran past {timeout:.0f} s and was stopped") from None
    if proc.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(
            f"{argv[0]} exited with status {proc.returncode}: {detail[-1] if detail else 'no message'}"
        )
    return out

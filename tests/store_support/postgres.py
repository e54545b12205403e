"""A real PostgreSQL server the tests start themselves: Debian's binaries, a temp folder, loopback only.

The server refuses to run as root, so as root (CI) initdb and pg_ctl run as the `postgres` system user through
`runuser` and the temp folder belongs to that user; as anyone else they run as the current user. It listens on
127.0.0.1 at a free port with its socket inside the temp folder, takes password logins only, and runs with
fsync off (a test database need not survive a power cut). Each test gets its own database, copied from a
template in ~20 ms instead of re-running the migrations.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BLANK_TEMPLATE = "template0"
MIGRATED_TEMPLATE = "pipeline_migrated"


class ServerUnavailable(RuntimeError):
    """No PostgreSQL binaries (or no way to run them); the message says what to install."""


def find_bindir() -> Path | None:
    """Debian keeps each major version under /usr/lib/postgresql/<N>/bin (newest wins); else whatever PATH has."""
    env = os.environ.get("PIPELINE_TEST_PG_BINDIR")
    if env:
        return Path(env)
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="pipeline-pg-"))
        self.data = self.folder / "data"
        self.password = secrets.token_hex(16)
        self.port = 0
        self.version = 0
        self._counter = 0
        if self.as_root:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable(
                    "running as root, but there is no 'postgres' system user to run the server as "
                    "(Debian's postgresql package creates it: make apt)"
                ) from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.folder.chmod(0o700)

    # --- running the server's own tools ------------------------------------------------------------------

    def _run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bindir / tool), *args]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")
        return done

    def start(self) -> None:
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password + "\n")
        if self.as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(pwfile, owner.pw_uid, owner.pw_gid)
        pwfile.chmod(0o600)
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", f"--pwfile={pwfile}", "--auth=scram-sha-256"),
            *("-E", "UTF8", "--locale=C", "--no-sync"),
        )
        pwfile.unlink()
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "300",
            "shared_buffers": "32MB",
        }
        last: Exception | None = None
        for _ in range(3):  # the free port may be taken between probing and binding
            self.port = _free_port()
            opts = " ".join(f"-c {k}={v}" for k, v in {**settings, "port": str(self.port)}.items())
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.folder / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    opts,
                    "start",
                )
                break
            except RuntimeError as exc:
                last = exc
        else:
            raise RuntimeError(f"PostgreSQL did not start: {last}")
        self._wait_ready()
        with self.admin() as conn:
            self.version = conn.info.server_version
            conn.execute(f'CREATE DATABASE "{MIGRATED_TEMPLATE}" TEMPLATE {BLANK_TEMPLATE}')
        from pipeline.store import Store

        store = Store(self.url(MIGRATED_TEMPLATE))
        store.close()

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.conninfo("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- databases -------------------------------------------------------------------------------------

    def conninfo(self, dbname: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres password={self.password} dbname={dbname}"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres:{self.password}@127.0.0.1:{self.port}/{dbname}"

    @contextlib.contextmanager
    def admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            yield conn

    def create_database(self, migrated: bool = True, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`, or of one the migrations have run on); its name."""
        self._counter += 1
        name = f"t{os.getpid()}_{self._counter}"
        source = template or (MIGRATED_TEMPLATE if migrated else BLANK_TEMPLATE)
        # FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging every page: ~2x faster.
        strategy = " STRATEGY FILE_COPY" if self.version >= 150000 else ""
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"{strategy}')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

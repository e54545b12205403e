"""Filesystem helpers every stage shares.

Atomic writes exist because a crash (or a kill -9 from cron) in the middle of rewriting a post or a report must
leave the previous file intact; `safe_join` exists because paths in front matter are user input and must never
reach outside the site root, even through symlinks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

# What os.fsdecode makes of a file name's bytes that are not UTF-8 (PEP 383): lone surrogates, which no UTF-8
# writer (a report, the store, a terminal) accepts.
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_undecodable(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def escape_undecodable(text: str) -> str:
    """Lone surrogates written as the bytes they stand for, in \\xNN form (two different names stay different);
    a surrogate that did not come from a file name is written as its own code unit's bytes."""
    if not has_undecodable(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


class UnsafePathError(ValueError):
    """A user-supplied path would resolve outside its root."""


# Temp files are `.<name>.<pid>.<random>.tmp`: a kill -9 between creating one and renaming it leaves it behind,
# and the pid tells a later process whether its writer is still alive (see sweep_stale_temps).
_TEMP = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
_swept: set[Path] = set()
_swept_lock = threading.Lock()


def is_temp_name(name: str) -> bool:
    """One of our in-progress temp files (no reader takes it for an output; the next write sweeps it)."""
    return _TEMP.match(name) is not None


def _temp_in(folder: Path, name: str) -> tuple[int, str]:
    _sweep_once(folder)
    return tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=folder)


def _sweep_once(folder: Path) -> None:
    """First write into a folder in this process: remove temp files whose writer died (once per folder, so a
    run writing 10,000 drafts lists each folder once, not 10,000 times)."""
    with _swept_lock:
        if folder in _swept:
            return
        _swept.add(folder)
    sweep_stale_temps(folder)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def sweep_stale_temps(folder: Path) -> list[str]:
    """Delete our temp files in `folder` whose writing process no longer exists; returns their names.

    Without this, every kill -9 during a write leaves a `.x.jpg.….tmp` that nothing removes — in the static
    folder, the next build would even publish it."""
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TEMP.match(name)
        if m and not _alive(int(m.group(1))):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                os.unlink(folder / name)
                removed.append(name)
    return removed


def sweep_stale_dirs(parent: Path, prefix: str) -> list[str]:
    """Delete `<prefix><pid>-…` work folders in `parent` whose owning process no longer exists.

    For scratch folders in the system temp dir (a crawl's spider records): a kill -9 skips the cleanup, and on a
    nightly cron the leftovers would pile up for ever."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)-")
    for entry in entries:
        m = pattern.match(entry.name)
        if not m or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if (
                entry.is_dir(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_uid == os.getuid()
            ):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.name)
    return removed


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see either the old or the new file, never a torn one."""
    if path.is_dir():  # else the error would name our temp file, not the folder the user gave
        raise IsADirectoryError(errno.EISDIR, "is a folder; name a file instead", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_in(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[IO[bytes]]:
    """Stream into a temp file beside `path`; rename over it only when the block finishes cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_in(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def safe_join(root: Path, user_path: str) -> Path:
    """Resolve `user_path` (site-absolute like `/images/a.jpg` or relative) inside `root`.

    Raises UnsafePathError for `..` escapes, absolute filesystem paths outside the root and symlinks whose
    target leaves the root. The file need not exist.
    """
    if "\x00" in user_path:
        raise UnsafePathError("path contains a NUL byte")
    try:
        return _safe_join(root, user_path)
    except OSError as exc:  # a name over the file system's limits (ENAMETOOLONG), a symlink loop (ELOOP)
        raise UnsafePathError(f"'{user_path[:80]}' cannot be used as a path ({exc.strerror})") from None


def _safe_join(root: Path, user_path: str) -> Path:
    # os.path on strings, not pathlib: the same realpath underneath (Path.resolve calls it), without building a
    # Path per component; the crawl and the cards ask this for every page's images.
    root_real = os.path.realpath(root)
    candidate_text = user_path.lstrip("/")
    candidate = os.path.join(root_real, candidate_text)
    if user_path.startswith("/"):
        as_fs = Path(user_path)
        if _is_within(os.path.realpath(as_fs), root_real):
            candidate = user_path
        elif as_fs.exists() and not os.path.exists(candidate):
            raise UnsafePathError(f"'{user_path}' is a filesystem path outside {root}")
    if ".." in candidate_text.split("/"):
        raise UnsafePathError(f"'{user_path}' contains '..'")
    resolved = os.path.realpath(candidate)
    if not _is_within(resolved, root_real):
        raise UnsafePathError(f"'{user_path}' resolves outside {root}")
    return Path(resolved)


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def private_dir(path: Path, tighten: bool = False) -> Path:
    """Make sure `path` exists as a folder only its owner can enter (0700).

    The state folder holds password hashes, session keys, ledgers and translation memory; a 0755 folder lets
    every local user read them. A missing folder is created 0700 whatever the umask. `tighten` also narrows an
    existing folder that we own (state folders made by older versions were 0755); it is only used for the state
    folder itself, never for a folder the user chose for something else.
    """
    try:
        path.mkdir(mode=0o700, parents=True)
        os.chmod(path, 0o700)  # mkdir's mode is filtered through the umask
    except FileExistsError:
        if tighten and path.is_dir():
            st = path.stat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                os.chmod(path, st.st_mode & 0o700)
    return path


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it is missing, and narrow it to 0600 if it is wider."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.getuid():
            os.chmod(path, st.st_mode & 0o600)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported.

    A swap by two renames has a moment with neither in place: a kill -9 there leaves no site at all."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # old kernel or a file system without exchange
    raise OSError(err, os.strerror(err), str(a))

"""Checking and unpacking an `.argosmodel` zip before anything of it touches the packages folder.

Every entry is judged on its header first (names, types, flags, sizes) and only then extracted, with the byte
counts enforced again while writing. Why each refusal exists:

- names: absolute paths, `..`, backslashes, drive letters, NUL and control characters, duplicates — any of
  them can write outside the staging folder or make two entries fight over one file;
- types: symbolic links, devices, FIFOs and sockets have no place in a model package (`zipfile` would write
  them as plain files, but a later tool might not);
- encrypted entries and unknown compression methods would otherwise escape as a bare RuntimeError or
  NotImplementedError (exit 3) half way through;
- sizes: a total cap, and a compression-ratio cap above a small allowance, so a 2 MB archive cannot unpack to
  gigabytes (real packages hold int8 weights and barely compress; crafted test models compress ~25:1 but are
  a few MB), and the unpacked size must fit the free disk space.
"""

from __future__ import annotations

import lzma
import shutil
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 2_000_000_000
MAX_ENTRIES = 2_000
MAX_RATIO = 10.0  # unpacked bytes per archive byte, once the unpacked total is over RATIO_FREE_BYTES
RATIO_FREE_BYTES = 64_000_000
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_SPECIAL_TYPES = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}


class ArchiveError(Exception):
    """The archive is unsafe, damaged or too large; the message names the entry and the reason."""


@dataclass(frozen=True)
class Limits:
    max_total: int = MAX_TOTAL_BYTES
    max_entries: int = MAX_ENTRIES
    max_ratio: float = MAX_RATIO
    ratio_free_bytes: int = RATIO_FREE_BYTES


def _check_name(name: str) -> PurePosixPath:
    pure = PurePosixPath(name)
    odd = any(unicodedata.category(ch) == "Cc" for ch in name)
    if odd or "\\" in name or name.startswith("/") or pure.is_absolute():
        raise ArchiveError(f"archive entry {name!r} has an absolute or odd path; refusing to extract")
    if any(part == ".." for part in pure.parts) or (pure.parts and ":" in pure.parts[0]):
        raise ArchiveError(f"archive entry {name!r} leaves the target folder ('..'); refusing to extract")
    return pure


def check_entries(zf: zipfile.ZipFile, archive_bytes: int, limits: Limits) -> tuple[str, int]:
    """Reject unsafe or oversized archives; return the single top-level folder name and the unpacked size."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveError(f"archive has {len(infos)} entries, over the limit of {limits.max_entries}")
    total = 0
    tops: set[str] = set()
    seen: set[tuple[str, ...]] = set()
    for info in infos:
        name = info.filename
        pure = _check_name(name)
        kind = _SPECIAL_TYPES.get(stat.S_IFMT(info.external_attr >> 16))
        if kind:
            raise ArchiveError(f"archive entry {name!r} is {kind}; refusing to extract")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"archive entry {name!r} is encrypted; packages are never encrypted")
        if info.compress_type not in _METHODS:
            raise ArchiveError(f"archive entry {name!r} uses an unknown compression method")
        if pure.parts in seen:
            raise ArchiveError(f"archive entry {name!r} appears twice; refusing an ambiguous archive")
        seen.add(pure.parts)
        total += info.file_size
        if total > limits.max_total:
            raise ArchiveError(
                f"archive unpacks to more than {limits.max_total:,} bytes; refusing to extract"
            )
        if pure.parts:
            tops.add(pure.parts[0])
    if total > limits.ratio_free_bytes and total > limits.max_ratio * max(1, archive_bytes):
        raise ArchiveError(
            f"archive of {archive_bytes:,} bytes unpacks to {total:,} bytes (ratio "
            f"{total / max(1, archive_bytes):.0f}:1, limit {limits.max_ratio:.0f}:1); a compression bomb, not a "
            "model package"
        )
    if len(tops) != 1:
        raise ArchiveError("archive must hold exactly one top-level folder (the Argos package layout)")
    return tops.pop(), total


def extract(archive: Path, staging: Path, limits: Limits) -> str:
    """Check, then unpack `archive` into the empty folder `staging`; returns the top-level folder name."""
    try:
        with zipfile.ZipFile(archive) as zf:
            top, total = check_entries(zf, archive.stat().st_size, limits)
            free = shutil.disk_usage(staging).free
            if total > free:
                raise ArchiveError(
                    f"archive unpacks to {total:,} bytes but only {free:,} are free in {staging.parent}"
                )
            base = staging.resolve()
            for info in zf.infolist():
                dest = staging / info.filename
                if base not in dest.resolve().parents:
                    raise ArchiveError(f"archive entry {info.filename!r} resolves outside the target folder")
                if info.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with zf.open(info) as src, dest.open("xb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > info.file_size:
                            raise ArchiveError(
                                f"archive entry {info.filename!r} is larger than its header says"
                            )
                        out.write(chunk)
                if written != info.file_size:
                    raise ArchiveError(f"archive entry {info.filename!r} size does not match its header")
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{archive}: not a zip archive, or a damaged one ({exc})") from None
    except (zlib.error, lzma.LZMAError, EOFError) as exc:
        raise ArchiveError(f"{archive}: damaged archive ({type(exc).__name__}: {exc})") from None
    except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
        raise ArchiveError(
            f"{archive}: an entry clashes with another ({exc.strerror}: {exc.filename})"
        ) from None
    return top

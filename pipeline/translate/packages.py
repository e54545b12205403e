"""Our own `.argosmodel` installer, listing and removal, confined to `$PIPELINE_STATE_DIR/packages`.

Argos's `install_from_path` extracts straight into the shared folder with no checks; one bad archive there (a
zip-slip entry, a folder without metadata.json) breaks every later listing. Here an archive is checked entry by
entry, extracted into a temp dir beside the target, validated, and only then renamed into place, so a bad
archive never touches the installed set.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 2_000_000_000
MAX_ENTRIES = 2_000
ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


class PackageError(Exception):
    """An archive was rejected or a package operation failed; the message says why and what to do."""


@dataclass(frozen=True)
class InstalledPackage:
    from_code: str
    to_code: str
    version: str
    path: Path

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def sp_model(self) -> Path:
        return self.path / "sentencepiece.model"

    @property
    def model_id(self) -> str:
        return f"argos:{self.from_code}-{self.to_code}@{self.version}"


def packages_dir(state_dir: Path) -> Path:
    return state_dir / "packages"


def _folder_name(from_code: str, to_code: str) -> str:
    return f"translate-{from_code}_{to_code}"


def _read_metadata(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / "metadata.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def list_packages(state_dir: Path) -> list[InstalledPackage]:
    """Installed packages, sorted; folders without valid metadata (half-written, foreign) are ignored."""
    root = packages_dir(state_dir)
    out: list[InstalledPackage] = []
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        meta = _read_metadata(folder)
        if not meta or not isinstance(meta.get("from_code"), str) or not isinstance(meta.get("to_code"), str):
            continue
        out.append(
            InstalledPackage(
                str(meta["from_code"]), str(meta["to_code"]), str(meta.get("package_version", "")), folder
            )
        )
    return out


def find_package(state_dir: Path, from_code: str, to_code: str) -> InstalledPackage | None:
    for pkg in list_packages(state_dir):
        if pkg.from_code == from_code and pkg.to_code == to_code:
            return pkg
    return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_entries(zf: zipfile.ZipFile, max_total: int, max_entries: int) -> str:
    """Reject unsafe or oversized archives; return the single top-level folder name."""
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise PackageError(f"archive has {len(infos)} entries, over the limit of {max_entries}")
    total = 0
    tops: set[str] = set()
    for info in infos:
        name = info.filename
        pure = PurePosixPath(name)
        if "\\" in name or "\x00" in name or name.startswith("/") or pure.is_absolute():
            raise PackageError(f"archive entry '{name}' has an absolute or odd path; refusing to extract")
        if any(part == ".." for part in pure.parts) or (pure.parts and ":" in pure.parts[0]):
            raise PackageError(f"archive entry '{name}' leaves the target folder ('..'); refusing to extract")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise PackageError(f"archive entry '{name}' is a symbolic link; refusing to extract")
        total += info.file_size
        if total > max_total:
            raise PackageError(f"archive unpacks to more than {max_total:,} bytes; refusing to extract")
        if pure.parts:
            tops.add(pure.parts[0])
    if len(tops) != 1:
        raise PackageError("archive must hold exactly one top-level folder (the Argos package layout)")
    return tops.pop()


def install_from_file(
    state_dir: Path,
    archive: Path,
    *,
    sha256: str | None = None,
    expect: tuple[str, str] | None = None,
    max_total: int = MAX_TOTAL_BYTES,
    max_entries: int = MAX_ENTRIES,
) -> InstalledPackage:
    """Validate and install an `.argosmodel`; replace an installed package of the same pair atomically."""
    if not archive.is_file():
        raise PackageError(f"{archive}: no such file")
    if sha256:
        actual = sha256_file(archive)
        if actual.lower() != sha256.strip().lower():
            raise PackageError(f"{archive}: sha256 is {actual}, expected {sha256}; the download is damaged")
    root = packages_dir(state_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
    try:
        try:
            with zipfile.ZipFile(archive) as zf:
                top = _check_entries(zf, max_total, max_entries)
                for info in zf.infolist():
                    dest = staging / info.filename
                    if info.is_dir():
                        dest.mkdir(parents=True, exist_ok=True)
                        continue
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, dest.open("wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                    if dest.stat().st_size != info.file_size:
                        raise PackageError(f"archive entry '{info.filename}' size does not match its header")
        except zipfile.BadZipFile:
            raise PackageError(f"{archive}: not a zip archive (.argosmodel files are zips)") from None
        folder = staging / top
        meta = _read_metadata(folder)
        if meta is None:
            raise PackageError(f"{archive}: no valid metadata.json in '{top}/'; not an Argos package")
        from_code, to_code = meta.get("from_code"), meta.get("to_code")
        if not isinstance(from_code, str) or not isinstance(to_code, str) or not from_code or not to_code:
            raise PackageError(f"{archive}: metadata.json lacks from_code/to_code")
        if expect and (from_code, to_code) != expect:
            raise PackageError(
                f"{archive}: package translates {from_code}→{to_code}, expected {expect[0]}→{expect[1]}"
            )
        if not (folder / "model").is_dir() or not (folder / "sentencepiece.model").is_file():
            raise PackageError(f"{archive}: package lacks model/ or sentencepiece.model")
        final = root / _folder_name(from_code, to_code)
        old = None
        if final.exists():
            old = root / f".old-{final.name}-{os.getpid()}"
            os.replace(final, old)
        os.replace(folder, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return InstalledPackage(from_code, to_code, str(meta.get("package_version", "")), final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_package(state_dir: Path, from_code: str, to_code: str) -> InstalledPackage:
    pkg = find_package(state_dir, from_code, to_code)
    if pkg is None:
        raise PackageError(f"no installed package for {from_code}→{to_code} (see `pipeline models list`)")
    trash = pkg.path.with_name(f".remove-{pkg.path.name}-{os.getpid()}")
    os.replace(pkg.path, trash)
    shutil.rmtree(trash, ignore_errors=True)
    return pkg


def download_and_install(
    state_dir: Path, from_code: str, to_code: str, timeout: float = 30.0
) -> InstalledPackage:
    """The only network use: fetch the Argos index, download the pair's package, install it with our checks."""
    import requests

    url = os.environ.get("PIPELINE_ARGOS_INDEX_URL") or ARGOS_INDEX_URL
    try:
        index = requests.get(url, timeout=timeout).json()
    except (requests.RequestException, ValueError) as exc:
        raise PackageError(
            f"cannot reach the Argos package index ({type(exc).__name__}); offline? "
            "Download the .argosmodel elsewhere and run `pipeline models install --from-file F.argosmodel`"
        ) from None
    entry = next(
        (
            e
            for e in index
            if isinstance(e, dict) and e.get("from_code") == from_code and e.get("to_code") == to_code
        ),
        None,
    )
    if entry is None or not entry.get("links"):
        raise PackageError(f"the Argos index has no package for {from_code}→{to_code}")
    root = packages_dir(state_dir)
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=".argosmodel", dir=root)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with requests.get(str(entry["links"][0]), timeout=timeout, stream=True) as resp:
                    resp.raise_for_status()
                    size = 0
                    for chunk in resp.iter_content(1 << 20):
                        size += len(chunk)
                        if size > MAX_TOTAL_BYTES:
                            raise PackageError("download exceeds the size limit; refusing it")
                        out.write(chunk)
            except requests.RequestException as exc:
                raise PackageError(
                    f"download failed ({type(exc).__name__}); try again or use --from-file"
                ) from None
        return install_from_file(state_dir, tmp, expect=(from_code, to_code))
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()

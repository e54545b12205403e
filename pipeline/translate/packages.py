"""Our own `.argosmodel` installer, listing and removal, confined to `$PIPELINE_STATE_DIR/packages`.

Argos's `install_from_path` extracts straight into the shared folder with no checks; one bad archive there (a
zip-slip entry, a folder without metadata.json) breaks every later listing. Here an archive is checked entry by
entry (pipeline.translate.archive), extracted into a temp dir beside the target, validated, and only then
renamed into place, so a bad archive never touches the installed set. The folder name comes from the
package's own metadata, so its language codes are checked as codes: `es/../../../srv/x` once named a folder
outside the packages folder, which the swap then replaced.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import private_dir
from pipeline.langtags import package_codes
from pipeline.translate.archive import MAX_ENTRIES, MAX_RATIO, MAX_TOTAL_BYTES, ArchiveError, Limits, extract

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


# A language code as Argos and BCP 47 write them: a 2-3 letter language, then up to three short subtags
# (en, pt-BR, zh_Hant, sr-Latn-RS). Anything else — slashes, dots, spaces — never names a folder.
_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}", re.ASCII)
# Work folders and files the installer leaves only when it is killed; see sweep_stale.
_WORK_PREFIXES = (".install-", ".download-", ".old-", ".remove-")


def check_code(code: object, which: str) -> str:
    """`code` when it is a language code; the message says what is wrong otherwise."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        shown = repr(code)[:60]
        raise PackageError(
            f"{which}_code {shown} is not a language code (like 'en', 'pt-BR' or 'zh_Hant'); refusing the package"
        )
    return code


def packages_dir(state_dir: Path) -> Path:
    return state_dir / "packages"


def _folder_name(from_code: str, to_code: str) -> str:
    return f"translate-{from_code}_{to_code}"


def _destination(root: Path, from_code: str, to_code: str) -> Path:
    """The install folder of a pair; it must be a direct child of the packages folder, whatever the codes."""
    final = root / _folder_name(check_code(from_code, "from"), check_code(to_code, "to"))
    if final.parent.resolve() != root.resolve() or final.name in ("", ".", ".."):
        raise PackageError(f"package folder {final} would leave {root}; refusing the package")
    return final


@contextlib.contextmanager
def _root_lock(root: Path) -> Iterator[None]:
    """Serialises the short steps that create, swap or sweep work folders (not the long extraction)."""
    private_dir(root.parent)
    root.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _hold(path: Path) -> int:
    """Lock a work folder for as long as this process uses it; the kernel drops the lock when we die, which is
    how a sweep tells a live install's folder from one a kill -9 left behind."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _in_use(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # gone already, or not ours to judge
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
    finally:
        os.close(fd)
    return False


def sweep_stale(root: Path) -> list[str]:
    """Remove work folders of installs that died (kill -9, power loss); call under `_root_lock`.

    Every live install holds a lock on its own work folder, so one that can be locked here is stale. A
    replaced package parked as `.old-<name>-<pid>` whose new copy never arrived is put back instead."""
    swept: list[str] = []
    if not root.is_dir():
        return swept
    for entry in sorted(root.iterdir()):
        name = entry.name
        if not name.startswith(_WORK_PREFIXES) or _in_use(entry):
            continue
        if name.startswith(".old-"):
            home = root / name.removeprefix(".old-").rsplit("-", 1)[0]
            if home.name.startswith("translate-") and not home.exists() and entry.is_dir():
                os.replace(entry, home)
                swept.append(name)
                continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        swept.append(name)
    return swept


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
        if not meta or not all(
            isinstance(meta.get(k), str) and _CODE.fullmatch(str(meta[k])) for k in ("from_code", "to_code")
        ):
            continue
        out.append(
            InstalledPackage(
                str(meta["from_code"]), str(meta["to_code"]), str(meta.get("package_version", "")), folder
            )
        )
    return out


def _wanted(from_code: str, to_code: str) -> list[tuple[str, str]]:
    """The (from, to) code pairs a package for this direction may carry, best first."""
    return [(a, b) for a in package_codes(from_code) for b in package_codes(to_code)]


def find_package(state_dir: Path, from_code: str, to_code: str) -> InstalledPackage | None:
    """The package for exactly these codes, else for the codes Argos uses for them (`zh-cn` → `zh`; see
    pipeline.langtags.package_codes)."""
    packages = list_packages(state_dir)
    for want in _wanted(from_code, to_code):
        for pkg in packages:
            if (pkg.from_code, pkg.to_code) == want:
                return pkg
    return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def install_from_file(
    state_dir: Path,
    archive: Path,
    *,
    sha256: str | None = None,
    expect: tuple[str, str] | None = None,
    max_total: int = MAX_TOTAL_BYTES,
    max_entries: int = MAX_ENTRIES,
    max_ratio: float = MAX_RATIO,
) -> InstalledPackage:
    """Validate and install an `.argosmodel`; replace an installed package of the same pair atomically."""
    if expect:
        expect = (check_code(expect[0], "from"), check_code(expect[1], "to"))
    if not archive.is_file():
        raise PackageError(f"{archive}: no such file")
    if sha256:
        actual = sha256_file(archive)
        if actual.lower() != sha256.strip().lower():
            raise PackageError(f"{archive}: sha256 is {actual}, expected {sha256}; the download is damaged")
    root = packages_dir(state_dir)
    with _root_lock(root):
        sweep_stale(root)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
        held = _hold(staging)
    try:
        try:
            top = extract(archive, staging, Limits(max_total, max_entries, max_ratio))
        except ArchiveError as exc:
            raise PackageError(str(exc)) from None
        folder = staging / top
        meta = _read_metadata(folder)
        if meta is None:
            raise PackageError(f"{archive}: no valid metadata.json in '{top}/'; not an Argos package")
        from_code, to_code = meta.get("from_code"), meta.get("to_code")
        if not isinstance(from_code, str) or not isinstance(to_code, str) or not from_code or not to_code:
            raise PackageError(f"{archive}: metadata.json lacks from_code/to_code")
        try:
            check_code(from_code, "from")
            check_code(to_code, "to")
        except PackageError as exc:
            raise PackageError(f"{archive}: metadata.json {exc}") from None
        if expect and (from_code, to_code) != expect:
            raise PackageError(
                f"{archive}: package translates {from_code}→{to_code}, expected {expect[0]}→{expect[1]}"
            )
        if not (folder / "model").is_dir() or not (folder / "sentencepiece.model").is_file():
            raise PackageError(f"{archive}: package lacks model/ or sentencepiece.model")
        final = _destination(root, from_code, to_code)
        with _root_lock(root):
            old_fd = None
            old = root / f".old-{final.name}-{os.getpid()}"
            if final.is_dir() and not final.is_symlink():
                old_fd = _hold(final)  # the fd follows the folder through the rename
                os.replace(final, old)
            elif final.is_symlink() or final.exists():
                raise PackageError(f"{final} is not a folder this installer made; move it away first")
            os.replace(folder, final)
        if old_fd is not None:
            shutil.rmtree(old, ignore_errors=True)
            os.close(old_fd)
        return InstalledPackage(from_code, to_code, str(meta.get("package_version", "")), final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(held)


def remove_package(state_dir: Path, from_code: str, to_code: str) -> InstalledPackage:
    check_code(from_code, "from")
    check_code(to_code, "to")
    pkg = find_package(state_dir, from_code, to_code)
    if pkg is None:
        raise PackageError(f"no installed package for {from_code}→{to_code} (see `pipeline models list`)")
    root = packages_dir(state_dir)
    trash = root / f".remove-{pkg.path.name}-{os.getpid()}"
    with _root_lock(root):
        sweep_stale(root)
        held = _hold(pkg.path)
        os.replace(pkg.path, trash)
    try:
        shutil.rmtree(trash, ignore_errors=True)
    finally:
        os.close(held)
    return pkg


def download_and_install(
    state_dir: Path, from_code: str, to_code: str, timeout: float = 30.0
) -> InstalledPackage:
    """The only network use: fetch the Argos index, download the pair's package, install it with our checks."""
    import requests

    check_code(from_code, "from")
    check_code(to_code, "to")
    url = os.environ.get("PIPELINE_ARGOS_INDEX_URL") or ARGOS_INDEX_URL
    try:
        index = requests.get(url, timeout=timeout).json()
    except (requests.RequestException, ValueError) as exc:
        raise PackageError(
            f"cannot reach the Argos package index ({type(exc).__name__}); offline? "
            "Download the .argosmodel elsewhere and run `pipeline models install --from-file F.argosmodel`"
        ) from None
    wanted = _wanted(from_code, to_code)
    entry = next(
        (
            e
            for want in wanted
            for e in index
            if isinstance(e, dict) and (e.get("from_code"), e.get("to_code")) == want
        ),
        None,
    )
    if entry is None or not entry.get("links"):
        raise PackageError(f"the Argos index has no package for {from_code}→{to_code}")
    # `zh-cn` asked for: Argos's `zh` is what is installed.
    from_code, to_code = str(entry["from_code"]), str(entry["to_code"])
    root = packages_dir(state_dir)
    with _root_lock(root):
        sweep_stale(root)
        fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=".argosmodel", dir=root)
        held = os.dup(fd)  # the lock lives as long as one descriptor of it: this one outlasts the writer's
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours alone: a sweep elsewhere leaves it
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
        os.close(held)

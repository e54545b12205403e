"""Installer safety: real archives, real rejections, the installed set never damaged."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.translate.packages import (
    PackageError,
    find_package,
    install_from_file,
    list_packages,
    packages_dir,
    remove_package,
)
from tests.translate_support.site import package_file


def _copy_zip(
    src: Path, dest: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (), drop: str = ""
) -> Path:  # type: ignore[assignment]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            if drop and info.filename.endswith(drop):
                continue
            zout.writestr(info, zin.read(info))
        for name, data in extra:
            zout.writestr(name, data)
    return dest


@pytest.fixture
def installed(_isolated_state: Path) -> Path:
    install_from_file(_isolated_state, package_file("copy"))
    return _isolated_state


def _intact(state: Path) -> None:
    pkgs = list_packages(state)
    assert [(p.from_code, p.to_code) for p in pkgs] == [("en", "es")]
    assert (pkgs[0].model_dir / "model.bin").is_file()
    leftovers = [
        p.name for p in packages_dir(state).iterdir() if p.name.startswith(".") and p.name != ".lock"
    ]
    assert leftovers == []


def test_install_list_remove(_isolated_state: Path) -> None:
    pkg = install_from_file(_isolated_state, package_file("copy"))
    assert (pkg.from_code, pkg.to_code) == ("en", "es")
    assert find_package(_isolated_state, "en", "es") is not None
    removed = remove_package(_isolated_state, "en", "es")
    assert removed.path == pkg.path
    assert list_packages(_isolated_state) == []
    with pytest.raises(PackageError, match="no installed package"):
        remove_package(_isolated_state, "en", "es")


def test_reinstall_replaces_atomically(installed: Path) -> None:
    install_from_file(installed, package_file("upper"))
    _intact(installed)


@pytest.mark.parametrize("name", ["../evil.txt", "translate-en_es-1_0/../../evil.txt", "/abs/evil.txt"])
def test_rejects_zip_slip(installed: Path, tmp_path: Path, name: str) -> None:
    bad = _copy_zip(package_file("copy"), tmp_path / "bad.argosmodel", [(name, b"x")])
    with pytest.raises(PackageError, match=r"leaves the target|absolute|top-level"):
        install_from_file(installed, bad)
    assert not (tmp_path / "evil.txt").exists()
    assert not (installed / "evil.txt").exists()
    _intact(installed)


def test_rejects_symlink_entry(installed: Path, tmp_path: Path) -> None:
    info = zipfile.ZipInfo("translate-en_es-1_0/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    bad = _copy_zip(package_file("copy"), tmp_path / "bad.argosmodel", [(info, b"/etc/passwd")])
    with pytest.raises(PackageError, match="symbolic link"):
        install_from_file(installed, bad)
    _intact(installed)


def test_rejects_oversize_and_too_many_entries(installed: Path) -> None:
    size = sum(i.file_size for i in zipfile.ZipFile(package_file("upper")).infolist())
    with pytest.raises(PackageError, match="more than"):
        install_from_file(installed, package_file("upper"), max_total=size - 1)
    with pytest.raises(PackageError, match="entries"):
        install_from_file(installed, package_file("upper"), max_entries=2)
    _intact(installed)


def test_rejects_wrong_checksum_and_accepts_right_one(installed: Path) -> None:
    archive = package_file("upper")
    with pytest.raises(PackageError, match="sha256"):
        install_from_file(installed, archive, sha256="0" * 64)
    _intact(installed)
    good = hashlib.sha256(archive.read_bytes()).hexdigest()
    install_from_file(installed, archive, sha256=good.upper())
    _intact(installed)


def test_rejects_missing_metadata_and_wrong_codes(installed: Path, tmp_path: Path) -> None:
    no_meta = _copy_zip(package_file("copy"), tmp_path / "nometa.argosmodel", drop="metadata.json")
    with pytest.raises(PackageError, match=r"metadata\.json"):
        install_from_file(installed, no_meta)
    with pytest.raises(PackageError, match="expected en→de"):
        install_from_file(installed, package_file("copy"), expect=("en", "de"))
    not_zip = tmp_path / "junk.argosmodel"
    not_zip.write_bytes(b"not a zip")
    with pytest.raises(PackageError, match="not a zip"):
        install_from_file(installed, not_zip)
    _intact(installed)


def test_listing_ignores_broken_folders(installed: Path) -> None:
    (packages_dir(installed) / "half-written").mkdir()
    (packages_dir(installed) / "bad-meta").mkdir()
    (packages_dir(installed) / "bad-meta" / "metadata.json").write_text(json.dumps([1, 2]))
    assert [(p.from_code, p.to_code) for p in list_packages(installed)] == [("en", "es")]
    assert os.listdir(packages_dir(installed))  # the broken folders are still there, just ignored


def _with_meta(src: Path, dest: Path, **changes: object) -> Path:
    """A copy of a real package whose metadata.json says something else."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/metadata.json"):
                data = json.dumps({**json.loads(data), **changes}).encode()
            zout.writestr(info, data)
    return dest


@pytest.mark.parametrize(
    "to_code",
    ["es/../../../victim", "../../../victim", "es/x", "es\\..\\x", "", "e", " es", "es.", "es\x00", "..", 7],
)
def test_codes_must_be_language_codes(installed: Path, tmp_path: Path, to_code: object) -> None:
    """C1: the folder name comes from metadata.json; a code holding a path once replaced folders anywhere."""
    victim = tmp_path / "victim"
    bad = _with_meta(package_file("copy"), tmp_path / "bad.argosmodel", to_code=to_code)
    with pytest.raises(PackageError, match=r"not a language code|lacks from_code"):
        install_from_file(installed, bad)
    assert not victim.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.argosmodel", "state"]
    _intact(installed)


def test_traversal_code_cannot_replace_a_folder_outside(installed: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "authorized_keys").write_text("mine\n")
    bad = _with_meta(
        package_file("copy"), tmp_path / "bad.argosmodel", from_code="en/../..", to_code="x/../../victim"
    )
    with pytest.raises(PackageError, match="not a language code"):
        install_from_file(installed, bad)
    assert (victim / "authorized_keys").read_text() == "mine\n"
    assert sorted(p.name for p in victim.iterdir()) == ["authorized_keys"]
    _intact(installed)


def test_cli_refuses_a_traversal_package_with_exit_2(
    installed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _with_meta(package_file("copy"), tmp_path / "bad.argosmodel", to_code="es/../../../victim")
    assert main(["models", "install", "--from-file", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "to_code 'es/../../../victim' is not a language code" in err[0]
    assert not (tmp_path / "victim").exists()
    assert (
        main(["models", "install", "../x", "es"]) == 2
    )  # codes on the command line are checked before any download
    _intact(installed)


def test_accepts_region_and_script_subtags(_isolated_state: Path, tmp_path: Path) -> None:
    for code in ("pt-BR", "zh_Hant", "sr-Latn-RS"):
        pkg = install_from_file(
            _isolated_state, _with_meta(package_file("copy"), tmp_path / f"{code}.argosmodel", to_code=code)
        )
        assert pkg.path.parent == packages_dir(_isolated_state) and pkg.path.name == f"translate-en_{code}"


def _bomb(dest: Path, unpacked: int) -> Path:
    """A real package plus one entry of zeros: ~1,000:1 under deflate."""
    src = package_file("copy")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        with zout.open("translate-en_es-1_0/model/pad.bin", "w", force_zip64=True) as out:
            block = bytes(1 << 20)
            for _ in range(unpacked >> 20):
                out.write(block)
    return dest


def test_rejects_compression_bombs_before_writing(installed: Path, tmp_path: Path) -> None:
    """L7: 100 MB of zeros in a ~0.25 MB archive is refused by ratio, before anything is unpacked."""
    bomb = _bomb(tmp_path / "bomb.argosmodel", 100 << 20)
    assert bomb.stat().st_size < 400_000
    with pytest.raises(PackageError, match=r"compression bomb"):
        install_from_file(installed, bomb)
    _intact(installed)
    assert not list(packages_dir(installed).rglob("pad.bin"))
    assert main(["models", "install", "--from-file", str(bomb)]) == 2


@pytest.mark.parametrize("kind", [stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK])
def test_rejects_device_fifo_and_socket_entries(installed: Path, tmp_path: Path, kind: int) -> None:
    info = zipfile.ZipInfo("translate-en_es-1_0/dev")
    info.external_attr = (kind | 0o666) << 16
    bad = _copy_zip(package_file("copy"), tmp_path / "bad.argosmodel", [(info, b"")])
    with pytest.raises(PackageError, match=r"device|FIFO|socket"):
        install_from_file(installed, bad)
    _intact(installed)


_SECRET = "translate-en_es-1_0/secret"


def _encrypted(path: Path) -> Path:
    """Set the 'encrypted' flag of one entry in its local and central headers (zipfile cannot write one)."""
    data = bytearray(path.read_bytes())
    name = _SECRET.encode()
    for sig, name_len_at, name_at, flag_at in ((b"PK\x03\x04", 26, 30, 6), (b"PK\x01\x02", 28, 46, 8)):
        pos = data.find(sig)
        while pos >= 0:
            length = int.from_bytes(data[pos + name_len_at : pos + name_len_at + 2], "little")
            if bytes(data[pos + name_at : pos + name_at + length]) == name:
                data[pos + flag_at] |= 0x1
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_rejects_duplicate_encrypted_and_odd_entries(installed: Path, tmp_path: Path) -> None:
    dup = _copy_zip(
        package_file("copy"), tmp_path / "dup.argosmodel", [("translate-en_es-1_0/metadata.json", b"{}")]
    )
    with pytest.raises(PackageError, match="twice"):
        install_from_file(installed, dup)
    bad = _encrypted(_copy_zip(package_file("copy"), tmp_path / "enc.argosmodel", [(_SECRET, b"x")]))
    with pytest.raises(PackageError, match="encrypted"):
        install_from_file(installed, bad)
    odd = _copy_zip(package_file("copy"), tmp_path / "odd.argosmodel", [("translate-en_es-1_0/a\nb", b"x")])
    with pytest.raises(PackageError, match="odd path"):
        install_from_file(installed, odd)
    clash = _copy_zip(
        package_file("copy"), tmp_path / "clash.argosmodel", [("translate-en_es-1_0/README.md/x", b"x")]
    )
    with pytest.raises(PackageError, match="clashes"):
        install_from_file(installed, clash)
    _intact(installed)


_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(60)
"""


def test_stale_work_folders_are_swept_and_live_ones_kept(installed: Path) -> None:
    """L2: a kill -9 mid-install left `.install-*` (9.6 GB after 9 kills); the next install sweeps them, but
    not the folder of an install still running in another process."""
    root = packages_dir(installed)
    stale = root / ".install-dead"
    (stale / "translate-en_es-1_0").mkdir(parents=True)
    (stale / "translate-en_es-1_0" / "model.bin").write_bytes(b"x" * 1000)
    (root / ".download-dead.argosmodel").write_bytes(b"partial")
    (root / ".remove-translate-en_de-4242").mkdir()
    live = root / ".install-live"
    live.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        install_from_file(installed, package_file("upper"))
        names = sorted(p.name for p in root.iterdir())
        assert names == [".install-live", ".lock", "translate-en_es"]
    finally:
        holder.kill()
        holder.wait()
    install_from_file(installed, package_file("copy"))
    _intact(installed)


def test_a_swap_cut_short_is_put_back(installed: Path) -> None:
    """Killed between parking the old package and moving the new one in: the next run restores the old one."""
    root = packages_dir(installed)
    os.replace(root / "translate-en_es", root / ".old-translate-en_es-4242")
    assert list_packages(installed) == []
    install_from_file(installed, package_file("copy", "en", "de"))
    assert sorted((p.from_code, p.to_code) for p in list_packages(installed)) == [("en", "de"), ("en", "es")]
    assert not (root / ".old-translate-en_es-4242").exists()

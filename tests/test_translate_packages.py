"""Installer safety: real archives, real rejections, the installed set never damaged."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

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
    leftovers = [p.name for p in packages_dir(state).iterdir() if p.name.startswith(".")]
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

"""Writing posts back: byte-exact round trips, edits that keep the author's formatting, atomic replacement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.content import ContentError, iter_markdown, load_post
from pipeline.fsutil import UnsafePathError, atomic_write_bytes, safe_join

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples" / "loader"


def _roundtrip_tree(root: Path) -> tuple[int, list[str]]:
    """(posts that loaded, rel paths whose unchanged dumps() differ from the bytes on disk)."""
    loaded, differ = 0, []
    for path in iter_markdown(root):
        try:
            post = load_post(path, root)
        except ContentError:
            continue
        loaded += 1
        if post.dumps().encode("utf-8") != path.read_bytes():
            differ.append(post.rel)
    return loaded, differ


def test_unchanged_dumps_is_byte_exact_for_samples() -> None:
    loaded, differ = _roundtrip_tree(SAMPLES)
    assert loaded >= 9
    assert differ == []


def test_unchanged_dumps_is_byte_exact_for_corpora(corpora: Path) -> None:
    loaded, differ = _roundtrip_tree(corpora)
    assert loaded > 100
    assert differ == []


def _copy(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / Path(name).name
    dest.write_bytes((SAMPLES / name).read_bytes())
    return dest


def test_yaml_update_keeps_order_quoting_comments_unknown_keys(tmp_path: Path) -> None:
    path = _copy("yaml-basic.md", tmp_path)
    post = load_post(path, tmp_path)
    text = post.dumps({"description": "New description", "newKey": 7}, remove=["translationKey"])
    before = (SAMPLES / "yaml-basic.md").read_text("utf-8").split("\n")
    after = text.split("\n")
    assert "# Comment kept on round trip" in after
    assert 'title: "Sleep and Longevity"' in after
    assert "customWidget: {size: 3, color: blue}  # unknown key, kept" in after
    assert "- sleep" in after  # sequence style of the file kept
    keys = [line.split(":", 1)[0] for line in after[1:] if line[:1].isalpha()]
    assert keys[:7] == ["title", "description", "date", "tags", "permalink", "customWidget", "newKey"]
    assert not any(line.startswith("translationKey") for line in after)
    assert text.endswith(post.body)
    # Lines that were not edited are identical.
    untouched = [ln for ln in before if not ln.startswith(("description", "translationKey"))]
    assert all(ln in after for ln in untouched)
    reloaded = load_post(_write(tmp_path / "re.md", text), tmp_path)
    assert reloaded.description == "New description"
    assert reloaded.meta["newKey"] == 7


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_yaml_update_keeps_indented_sequence_style(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.md", "---\ntitle: a\ntags:\n  - one\n  - two\n---\nbody\n")
    text = load_post(path, tmp_path).dumps({"title": "b"})
    assert text == "---\ntitle: b\ntags:\n  - one\n  - two\n---\nbody\n"


def test_toml_update_keeps_order_comments_and_tables(tmp_path: Path) -> None:
    path = _copy("toml-basic.md", tmp_path)
    post = load_post(path, tmp_path)
    text = post.dumps({"title": "New title", "newKey": [1, 2]})
    lines = text.split("\n")
    assert lines[0] == "+++"
    assert lines[1] == "# TOML comment kept"
    assert lines[2] == 'title = "New title"'
    assert "unknownKey = 'literal'" in lines
    assert lines.index("newKey = [1, 2]") < lines.index("[extra]")
    assert 'mood = "calm"' in lines
    assert text.endswith(post.body)
    reloaded = load_post(_write(tmp_path / "re.md", text), tmp_path)
    assert reloaded.meta["extra"] == {"mood": "calm"}
    assert reloaded.fm_format == "toml"


def test_update_keeps_crlf_and_bom(tmp_path: Path) -> None:
    crlf = load_post(_copy("crlf.md", tmp_path), tmp_path).dumps({"title": "X"})
    assert crlf == "---\r\ntitle: X\r\ntags: windows\r\n---\r\nFirst line.\r\n\r\n## CRLF heading\r\n"
    bom = load_post(_copy("bom.md", tmp_path), tmp_path).dumps({"title": "X"})
    assert bom == "\ufeff---\ntitle: X\n---\n# Heading\n"


def test_update_adds_front_matter_to_file_without_one(tmp_path: Path) -> None:
    text = load_post(_copy("no-front-matter.md", tmp_path), tmp_path).dumps({"title": "Added"})
    assert text == "---\ntitle: Added\n---\n# Just a heading\n\nNo front matter here.\n"


def test_write_replaces_file_atomically(tmp_path: Path) -> None:
    path = _copy("yaml-basic.md", tmp_path)
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    post = load_post(path, tmp_path)
    written = post.write({"title": "Rewritten"})
    assert path.read_text("utf-8") == written
    assert path.stat().st_ino != inode  # a new file was renamed over the old one
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["yaml-basic.md"]  # no temp file left


_CHILD = """
import sys, time
from pathlib import Path
from pipeline.fsutil import atomic_open

with atomic_open(Path(sys.argv[1])) as fh:
    fh.write(b"PARTIAL" * 10000)
    fh.flush()
    print("half-written", flush=True)
    time.sleep(60)
    fh.write(b"never")
"""


@pytest.mark.timeout(60)
def test_sigkill_in_the_middle_of_a_write_leaves_old_file(tmp_path: Path) -> None:
    target = tmp_path / "post.md"
    original = (SAMPLES / "yaml-basic.md").read_bytes()
    target.write_bytes(original)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(target)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "half-written"
        temps = [p for p in tmp_path.iterdir() if p.name != "post.md"]
        assert len(temps) == 1 and temps[0].stat().st_size == len(b"PARTIAL") * 10000
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == original
    # The leftover is only ever a dot-temp file beside it, never the target.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "post.md"]
    assert all(name.startswith(".post.md.") and name.endswith(".tmp") for name in leftovers)


def test_exception_in_atomic_open_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    from pipeline.fsutil import atomic_open

    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"new-but-broken")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_atomic_write_bytes_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c.txt"
    atomic_write_bytes(target, b"data")
    assert target.read_bytes() == b"data"


# --- safe_join -----------------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "images").mkdir(parents=True)
    (root / "images" / "a.jpg").write_bytes(b"jpg")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"secret")
    (root / "images" / "escape").symlink_to(outside)
    (root / "images" / "escape.jpg").symlink_to(outside / "secret.jpg")
    (root / "images" / "inner.jpg").symlink_to(root / "images" / "a.jpg")
    return root


@pytest.mark.parametrize(
    "user_path", ["/images/a.jpg", "images/a.jpg", "images/missing.jpg", "/images/new/deep.png"]
)
def test_safe_join_accepts_paths_inside_root(site: Path, user_path: str) -> None:
    joined = safe_join(site, user_path)
    assert joined == (site.resolve() / user_path.lstrip("/"))


def test_safe_join_accepts_absolute_path_inside_root(site: Path) -> None:
    inside = site.resolve() / "images" / "a.jpg"
    assert safe_join(site, str(inside)) == inside


def test_safe_join_follows_symlink_that_stays_inside(site: Path) -> None:
    assert safe_join(site, "/images/inner.jpg") == site.resolve() / "images" / "a.jpg"


@pytest.mark.parametrize(
    "user_path",
    [
        "../outside/secret.jpg",
        "/../outside/secret.jpg",
        "images/../../outside/secret.jpg",
        "images/../a.jpg",  # '..' is refused even when it would land inside
        "/images/escape/secret.jpg",
        "images/escape.jpg",
        "images/a.jpg\x00.png",
    ],
)
def test_safe_join_rejects_escapes(site: Path, user_path: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_join(site, user_path)


def test_safe_join_rejects_absolute_filesystem_path_outside(site: Path) -> None:
    secret = site.parent / "outside" / "secret.jpg"
    with pytest.raises(UnsafePathError, match="outside"):
        safe_join(site, str(secret.resolve()))

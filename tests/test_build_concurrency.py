"""Builds that overlap (M1), builds killed half way, and heroes Pillow refuses to open (M5)."""

from __future__ import annotations

import os
import signal
import struct
import time
import zlib
from pathlib import Path

from pipeline.build.stage import run_stage as build
from pipeline.config import load_config
from pipeline.stages import Context
from tests.chaos.support import make_site, run, snapshot, start


def _wait_for(pattern: str, folder: Path, seconds: float = 60) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(folder.glob(pattern))
        if found:
            return found
        time.sleep(0.005)
    raise AssertionError(f"{pattern} never appeared in {folder}")


def test_a_second_build_during_a_first_says_another_build_is_running(tmp_path: Path) -> None:
    """M1: two builds shared one staging folder, and one published a half-built site while reporting success.

    Build A is frozen (SIGSTOP) while it is writing its staging folder, so the overlap is certain; build B must
    refuse with exit 2 and touch nothing; A, resumed, publishes a complete site."""
    config = make_site(tmp_path, posts=40)
    state = tmp_path / "state"
    first = start(["build"], config, state)
    try:
        _wait_for("._site.building*", tmp_path)
        os.kill(first.pid, signal.SIGSTOP)
        second = run(["build"], config, state, timeout=120)
        assert second.returncode == 2, second.stderr
        assert "another build is running" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    built = snapshot(tmp_path / "_site")
    again = run(["build"], config, state)
    assert again.returncode == 0, again.stderr
    assert snapshot(tmp_path / "_site") == built  # the overlapped build published the complete site
    assert len([k for k in built if k.endswith("index.html")]) == 41
    assert sorted(p.name for p in tmp_path.glob("._site*")) == ["._site.lock"]


def test_leftovers_of_a_killed_build_are_swept_and_a_parked_site_comes_back(tmp_path: Path) -> None:
    config = make_site(tmp_path, posts=3)
    state = tmp_path / "state"
    assert run(["build"], config, state).returncode == 0
    built = snapshot(tmp_path / "_site")
    # As a kill -9 leaves them: a staging folder, and the old site parked mid-swap with no new one in place.
    (tmp_path / "._site.building-99999" / "articles").mkdir(parents=True)
    (tmp_path / "_site").rename(tmp_path / "._site.old-99999")
    proc = start(["build"], config, state)
    _wait_for("_site", tmp_path)  # put back before the new build starts
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert snapshot(tmp_path / "_site") == built
    assert sorted(p.name for p in tmp_path.glob("._site*")) == ["._site.lock"]


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims width × height (its pixels are never reached: Pillow refuses it on open)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)))
    path.write_bytes(path.read_bytes() + chunk(b"IEND", b""))


def test_a_decompression_bomb_hero_is_a_finding_and_the_build_completes(tmp_path: Path) -> None:
    """M5: a 400-megapixel hero raised DecompressionBombError out of the build (exit 3, no _site)."""
    config_path = make_site(tmp_path, posts=2)
    _png_header_only(tmp_path / "static" / "images" / "bomb.png", 20_000, 20_000)
    post = tmp_path / "content" / "posts" / "walking-1.md"
    text = post.read_text()
    text = text.replace("image: /images/hero.jpg", "image: /images/bomb.png")
    text = text.replace("ogImage: /images/cards/en/walking-1-og.jpg\n", "")
    post.write_text(text)
    ctx = Context(config=load_config(config_path))
    result = build(ctx)
    hits = [f for f in result.findings if f.rule == "BUILD004"]
    assert len(hits) == 1 and hits[0].file and hits[0].file.endswith("walking-1.md") and hits[0].line
    assert "bomb.png" in hits[0].message and "too large" in hits[0].message
    assert result.counts["pages"] == 2
    assert (tmp_path / "_site" / "articles" / "walking-1" / "index.html").is_file()
    cli = run(["build"], config_path, tmp_path / "state")
    assert cli.returncode == 0, cli.stderr
    assert "BUILD004" in cli.stdout

"""kill -9 at a random moment of `pipeline build`, `cards`, `translate` and `models install`, over and over.

After every kill: no output is torn (each file is the old version or the new one, complete), no process of
the killed command is left running, and a rerun completes and leaves no work files behind. The moment of
each kill is drawn from a seeded generator over the command's measured duration; the seed is in the assertion
message, so a failure can be replayed. CI runs a few rounds each; CHAOS_SOAK=1 runs many.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from PIL import Image

from pipeline.fsutil import is_temp_name
from pipeline.translate.packages import list_packages
from tests.chaos.support import (
    cli_env,
    descendants,
    kill_and_reap,
    make_site,
    rounds,
    run,
    snapshot,
    start,
)
from tests.translate_support.site import package_file

SEED = int(os.environ.get("CHAOS_SEED", "0")) or random.randrange(1 << 30)


def _timed(args: list[str], config: Path, state: Path) -> float:
    began = time.monotonic()
    done = run(args, config, state, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return time.monotonic() - began


def _kill_at(args: list[str], config: Path, state: Path, delay: float) -> set[int]:
    """Start the command, SIGKILL it after `delay` seconds (or once it ended); return orphans left behind."""
    proc = start(args, config, state)
    deadline = time.monotonic() + delay
    seen: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        seen |= descendants(proc.pid)
        time.sleep(0.01)
    seen |= descendants(proc.pid)
    return kill_and_reap(proc, seen)


def _retitle(root: Path, i: int) -> None:
    """Change every post so the next run's outputs differ from the last ones."""
    for path in sorted((root / "content" / "posts").glob("*.md")):
        text = path.read_text("utf-8")
        head, sep, rest = text.partition("\ntitle: ")
        title = rest.split("\n", 1)
        path.write_text(f"{head}{sep}{title[0].split(' #')[0]} #{i}\n{title[1]}", "utf-8")


def _only_old_or_new(
    before: dict[str, str], during: dict[str, str], after: dict[str, str], what: str
) -> None:
    for name, digest in during.items():
        if is_temp_name(name.rsplit("/", 1)[-1]):
            continue  # a write the kill cut short: never read as an output, swept by the rerun (checked after it)
        assert digest in (before.get(name), after.get(name)), (
            f"{what}: {name} is neither old nor new (seed {SEED})"
        )


def test_kill_9_during_build(tmp_path: Path) -> None:
    config = make_site(tmp_path, posts=40)
    state = tmp_path / "state"
    rng = random.Random(SEED)
    duration = _timed(["build"], config, state)
    old = snapshot(tmp_path / "_site")
    for i in range(rounds(3, 30)):
        _retitle(tmp_path, i)
        assert _kill_at(["build"], config, state, rng.uniform(0.0, duration)) == set()
        during = snapshot(tmp_path / "_site")
        done = run(["build"], config, state)
        assert done.returncode == 0, done.stderr
        new = snapshot(tmp_path / "_site")
        assert during in (old, new), f"build {i}: the published site is a mix (seed {SEED})"
        assert sorted(p.name for p in tmp_path.glob("._site*")) == ["._site.lock"]
        old = new


def _cards(root: Path) -> dict[str, str]:
    return snapshot(root / "static" / "images" / "cards")


def test_kill_9_during_cards(tmp_path: Path) -> None:
    config = make_site(tmp_path, posts=10, cards="processes = 2")
    state = tmp_path / "state"
    rng = random.Random(SEED + 1)
    duration = _timed(["cards"], config, state)
    old = _cards(tmp_path)
    assert len(old) == 20
    for i in range(rounds(3, 30)):
        _retitle(tmp_path, i)
        orphans = _kill_at(["cards"], config, state, rng.uniform(0.0, duration))
        assert orphans == set(), f"cards {i}: workers {orphans} outlived the kill (seed {SEED})"
        during = _cards(tmp_path)
        for name in during:
            if not name.rsplit("/", 1)[-1].startswith("."):
                with Image.open(tmp_path / "static" / "images" / "cards" / name) as im:
                    im.load()  # a torn JPEG fails here
        done = run(["cards"], config, state)
        assert done.returncode == 0, done.stderr
        new = _cards(tmp_path)
        assert len(new) == 20 and not [n for n in new if n.rsplit("/", 1)[-1].startswith(".")]
        _only_old_or_new(old, {k: v for k, v in during.items() if k in new}, new, f"cards {i}")
        old = new


def test_kill_9_during_translate(tmp_path: Path) -> None:
    config = make_site(tmp_path, posts=8, translate='languages = ["es"]\nbeam_size = 1')
    state = tmp_path / "state"
    done = run(["models", "install", "--from-file", str(package_file("upper"))], config, state)
    assert done.returncode == 0, done.stderr
    rng = random.Random(SEED + 2)
    duration = _timed(["translate", "--to", "es"], config, state)
    drafts = tmp_path / "content" / "es"
    old = snapshot(drafts)
    assert len(old) == 8
    for i in range(rounds(3, 30)):
        _retitle(tmp_path, i)
        assert _kill_at(["translate", "--to", "es"], config, state, rng.uniform(0.0, duration)) == set()
        during = snapshot(drafts)
        done = run(["translate", "--to", "es"], config, state)
        assert done.returncode == 0, done.stderr
        # Nobody edits by hand here: a kill between writing a draft and recording it must not make the rerun
        # take our own output for a translator's edit (or a restructured draft).
        assert "hand_edits 0" in done.stdout and "TRANSLATE002" not in done.stdout, (
            f"translate {i}: our own draft taken for a hand edit (seed {SEED}): {done.stdout}"
        )
        new = snapshot(drafts)
        assert sorted(new) == sorted(old) and not [n for n in new if n.rsplit("/", 1)[-1].startswith(".")]
        _only_old_or_new(old, during, new, f"translate {i}")
        old = new


def test_kill_9_during_models_install(tmp_path: Path) -> None:
    config = make_site(tmp_path, posts=1)
    state = tmp_path / "state"
    rng = random.Random(SEED + 3)
    kinds = ["copy", "upper"]
    args = ["models", "install", "--from-file"]
    duration = _timed([*args, str(package_file("copy"))], config, state)
    env_state = Path(cli_env(state)["PIPELINE_STATE_DIR"])
    for i in range(rounds(3, 30)):
        archive = str(package_file(kinds[i % 2]))
        assert _kill_at([*args, archive], config, state, rng.uniform(0.0, duration)) == set()
        pkgs = list_packages(env_state)
        assert [(p.from_code, p.to_code) for p in pkgs] in ([("en", "es")], []), f"install {i} (seed {SEED})"
        for pkg in pkgs:
            assert (pkg.model_dir / "model.bin").stat().st_size > 0
        done = run([*args, archive], config, state)
        assert done.returncode == 0, done.stderr
        leftovers = sorted(p.name for p in (env_state / "packages").iterdir() if p.name.startswith("."))
        assert leftovers == [".lock"], f"install {i}: {leftovers} left behind (seed {SEED})"

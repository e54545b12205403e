"""Concurrent first starts: several `pipeline build` processes at once on a site never built, with a fresh
state folder. Each either builds or says "another build is running" (exit 2); the site that ends up published
is complete (equal to a quiet rebuild), and no work folder is left."""

from __future__ import annotations

from pathlib import Path

from tests.chaos.support import kill_tree, make_site, rounds, run, snapshot, start


def test_concurrent_first_builds_publish_one_complete_site(tmp_path: Path) -> None:
    for i in range(rounds(1, 10)):
        root = tmp_path / f"site{i}"
        config = make_site(root, posts=20)
        state = root / "state"
        procs = [start(["build"], config, state) for _ in range(4)]
        try:
            results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
        finally:
            for p in procs:
                kill_tree(p.pid)
        assert all(code in (0, 2) for code, _ in results), results
        assert any(code == 0 for code, _ in results)
        assert all("another build is running" in err for code, err in results if code == 2)
        published = snapshot(root / "_site")
        assert run(["build"], config, state).returncode == 0
        assert snapshot(root / "_site") == published
        assert sorted(p.name for p in root.glob("._site*")) == ["._site.lock"]

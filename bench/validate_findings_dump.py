"""Correctness guard for validate speed work: dump every finding over the corpora and the example site as JSON.

Run before and after a change and diff the two files: a speed-up must not change what the rules report.
Usage: `.venv/bin/python bench/validate_findings_dump.py OUT.json [EXAMPLE_SITE_DIR]` (the example site dir
defaults to examples/health-blog; pass a frozen copy when others are editing it). `--serial` runs in one process.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import CORPORA, REPO


def _dump(config: object, serial: bool) -> list[list[object]]:
    from pipeline.stages import Context
    from pipeline.validate import stage

    if serial:
        stage.PARALLEL_MIN_POSTS = 10**9
    result = stage.run_stage(Context(config=config), use_cache=False)  # type: ignore[arg-type]
    rows = [
        [f.rule, f.severity, f.file, f.line, f.message, json.dumps(f.data, sort_keys=True, default=str)]
        for f in result.findings
    ]
    return sorted(rows, key=lambda r: tuple(str(x) for x in r))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    serial = "--serial" in sys.argv
    out = Path(args[0])
    site = Path(args[1]) if len(args) > 1 else REPO / "examples" / "health-blog"
    state = Path(tempfile.mkdtemp(prefix="validate-dump-"))
    os.environ["PIPELINE_STATE_DIR"] = str(state)
    try:
        from pipeline.config import load_config

        dump: dict[str, list[list[object]]] = {}
        if CORPORA.is_dir():
            config = load_config(None, overrides={"site": {"content_dir": str(CORPORA)}})
            dump["corpora"] = _dump(config, serial)
        folders = {
            "content_dir": str(site.resolve() / "content"),
            "static_dir": str(site.resolve() / "static"),
        }
        config = load_config(REPO / "config" / "site.toml", overrides={"site": folders})
        dump["example"] = _dump(config, serial)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    out.write_text(json.dumps(dump, indent=0, ensure_ascii=False), "utf-8")
    print(" ".join(f"{k}={len(v)}" for k, v in dump.items()))


if __name__ == "__main__":
    main()

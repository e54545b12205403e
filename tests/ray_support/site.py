"""A small real site run through translate → cards → validate, on one backend; what it produced, byte for byte."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.stages import Context, StageResult
from tests.translate_support.site import install

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "health-blog"
POSTS = ("best-exercises-osteoporosis", "coffee-and-health", "protein-needs-by-age")


def make_site(root: Path, posts: tuple[str, ...] = POSTS) -> Path:
    """The example site's posts named in `posts`, with their hero images."""
    for slug in posts:
        src = EXAMPLE / "content" / "posts" / f"{slug}.md"
        (root / "content" / "posts").mkdir(parents=True, exist_ok=True)
        shutil.copy(src, root / "content" / "posts" / src.name)
        for line in src.read_text("utf-8").splitlines():
            if line.startswith("image: "):
                image = line.split(": ", 1)[1].strip().lstrip("/")
                (root / "static" / image).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(EXAMPLE / "static" / image, root / "static" / image)
    return root


@contextmanager
def inside(root: Path, state: Path) -> Iterator[None]:
    """Run with `root` as the working directory (findings show paths relative to it) and `state` as the state
    dir, so two runs of copies of one site produce comparable output."""
    old_cwd, old_state = os.getcwd(), os.environ.get("PIPELINE_STATE_DIR")
    os.chdir(root)
    os.environ["PIPELINE_STATE_DIR"] = str(state)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        if old_state is None:
            os.environ.pop("PIPELINE_STATE_DIR", None)
        else:
            os.environ["PIPELINE_STATE_DIR"] = old_state


def config_for(root: Path, compute: Mapping[str, Any], **sections: Any) -> Any:
    overrides: dict[str, Any] = {
        "site": {
            "content_dir": str(root / "content"),
            "static_dir": str(root / "static"),
            "base_url": "https://longevity.example",
            "languages": {"en": {}, "es": {}},
        },
        "translate": {"languages": ["es"], "beam_size": 1},
        "compute": dict(compute),
    }
    overrides.update(sections)
    return load_config(None, overrides=overrides)


@dataclass
class Outcome:
    files: dict[str, bytes] = field(default_factory=dict)  # every file of the site after the run
    findings: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, StageResult] = field(default_factory=dict)


def run_stages(
    root: Path,
    compute: Mapping[str, Any],
    stages: tuple[str, ...] = ("translate", "cards", "validate"),
    translate_settings: Mapping[str, Any] | None = None,
    during: Mapping[str, Callable[[], Any]] | None = None,
) -> Outcome:
    """`during[stage]()` is called just before that stage runs (the kill test arms its killer there)."""
    from pipeline.cards.stage import run_stage as cards
    from pipeline.translate.stage import run_stage as translate
    from pipeline.validate.stage import run_stage as validate

    runners = {"translate": translate, "cards": cards, "validate": validate}
    state = root.parent / f"{root.name}-state"
    out = Outcome()
    with inside(root, state):
        install(state, "upper", "en", "es")
        config = config_for(
            root, compute, translate={"languages": ["es"], "beam_size": 1, **(translate_settings or {})}
        )
        for name in stages:
            if during and name in during:
                during[name]()
            # A fresh context per stage, as `pipeline run` re-reads what the stage before it wrote.
            result = runners[name](Context(config=config))
            out.results[name] = result
            out.findings += [f.to_dict() for f in result.findings]
    out.files = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
    return out

"""A site builder for validate tests: one clean post that passes every rule, plus helpers to mutate it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pipeline.config import Config, load_config
from pipeline.stages import Context

GOOD_BODY = """
Walking is one of the easiest ways to care for your bones. You can start today, and you do not need a gym. In this
guide, we look at how walking helps and how to make it a habit.

## Why walking helps your bones

Your bones are alive. They change all the time. When your feet hit the ground, your bones feel a small load. As a
result, they grow a little stronger. For example, a brisk walk puts more load on the hips than sitting does. Also,
strong legs help you keep your balance. Good balance means fewer falls.

## How much walking you need

Most adults should aim for about thirty minutes a day. However, you can split that time into short walks. Ten
minutes after each meal works well. Then you can add a few minutes each week. In addition, try to walk on different
ground, like grass or a gentle hill.

## Walking safely

Wear shoes that fit well and grip the floor. Pick paths with good light. If you feel pain, slow down and rest.
Finally, talk to your doctor before you start if you have a health problem. The
[World Health Organization](https://www.who.int/news-room/fact-sheets/detail/physical-activity) has more advice on
how active to be.

## Make walking a habit

Habits grow from small steps. First, pick a time that fits your day. Next, invite a friend to join you. A friend
makes the time pass fast. Because the walk feels good, you will want to do it again. Over time, walking becomes part
of who you are. Keep a short note of each walk so you can see your progress. Small wins add up over the months.
Remember that any walk is better than no walk at all.
Walk with your head up and your arms loose. Enjoy the fresh air and the sights around you. So lace up
your shoes and take the first step today.
"""

GOOD_META = {
    "title": "Walking for Strong Bones",
    "description": "Walking is a simple way to build strong bones and better balance. Learn how much walking you need "
    "and how to make it a daily habit.",
    "preview": "Walking builds bone and balance. Here is how much you need and how to keep it up.",
    "date": "2025-03-01",
    "image": "/images/hero.jpg",
    "permalink": "/articles/walking-for-strong-bones/",
    "tags": ["walking", "bone-health"],
    "keyphrase": "walking",
    "ogImage": "/images/og.jpg",
    "twitterImage": "/images/tw.jpg",
}


def yaml_post(meta: dict[str, object], body: str) -> str:
    import io

    from ruamel.yaml import YAML

    buf = io.StringIO()
    y = YAML()
    y.default_flow_style = False
    y.dump(meta, buf)
    return f"---\n{buf.getvalue()}---\n{body}"


def make_site(tmp: Path, posts: dict[str, str], hero_size: tuple[int, int] = (1200, 630)) -> Config:
    """Write posts (rel path → text) and images into a site folder and return its config."""
    content = tmp / "content"
    static = tmp / "static" / "images"
    content.mkdir(parents=True, exist_ok=True)
    static.mkdir(parents=True, exist_ok=True)
    for name in ("hero.jpg", "og.jpg", "tw.jpg"):
        Image.new("RGB", hero_size if name == "hero.jpg" else (1200, 630), (90, 120, 160)).save(
            static / name, quality=70
        )
    for rel, text in posts.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config_file = tmp / "site.toml"
    config_file.write_text(
        "[site]\n"
        'name = "Test Site"\n'
        'base_url = "https://test.example"\n'
        f'content_dir = "{content}"\n'
        f'static_dir = "{tmp / "static"}"\n'
        'title_suffix = " | {site}"\n'
        "[site.languages.en]\n"
        'name = "English"\n'
        "[site.languages.de]\n"
        'name = "Deutsch"\n',
        encoding="utf-8",
    )
    return load_config(config_file)


def run_validate(config: Config) -> list:  # type: ignore[type-arg]
    from pipeline.validate.stage import run_stage

    return run_stage(Context(config=config), use_cache=False).findings


def huge_png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height (no pixel data): enough for Pillow's size checks, tiny on disk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def trial_site(
    tmp: Path,
    content: Path,
    posts: dict[str, str],
    languages: tuple[str, ...],
    site: dict[str, str],
    more: str = "",
) -> Path:
    """A site of `posts` under `content` (one folder per language) and its config file, written the way the
    real-site trials configured theirs: `site` holds name, base_url and generator; `more` adds TOML tables."""
    for rel, text in posts.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    langs = "".join(f'[site.languages.{code}]\nname = "{code}"\n' for code in languages)
    config = tmp / "site.toml"
    config.write_text(
        "[site]\n"
        + "".join(f'{key} = "{value}"\n' for key, value in site.items())
        + f'content_dir = "{content}"\n'
        f'static_dir = "{tmp / "static"}"\n'
        f'output_dir = "{tmp / "_site"}"\n'
        f"{langs}{more}"
        "[validate]\n"
        'required_fields = ["title"]\n',
        encoding="utf-8",
    )
    return config


def assert_heading_ids(config_file: Path, body: str, headings: list[str], page: str, html: list[str]) -> None:
    """Heading attributes (`{#id}`, `{: #id }`) are no words: validate's headings, the translation segments
    and the build's `<h2>` text are `headings`; the source is kept byte for byte; `page` (under the build's
    output folder) holds every string of `html`."""
    from pipeline.build.stage import run_stage as build
    from pipeline.content.loader import load_content
    from pipeline.translate.segment import Segment, segment_body
    from pipeline.validate.prose import analyse

    config = load_config(config_file)
    post = load_content(config).posts[0]
    assert [h.text for h in analyse(post).headings] == headings
    parts = segment_body(body)
    assert [p.template for p in parts if isinstance(p, Segment) and p.kind == "heading"] == headings
    assert "".join(p if isinstance(p, str) else p.template for p in parts) == body  # ids kept in place
    build(Context(config=config))
    written = (config.root / config.site.output_dir / page).read_text(encoding="utf-8")
    assert all(h in written for h in html), written

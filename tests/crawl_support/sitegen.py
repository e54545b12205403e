"""Generate Markdown sites and the HTML pages the crawl expects for them (tests and the benchmark share this)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from pipeline.config import Config, load_config
from pipeline.content import load_content, new_post_text
from pipeline.crawl.expected import ExpectedPage, ExpectedSet, build_expected, html_open_tag, render_head


def write_post(content_root: Path, rel: str, meta: Mapping[str, Any], body: str) -> Path:
    path = content_root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new_post_text("yaml", meta, body), encoding="utf-8")
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(
    root: Path,
    public_base: str,
    languages: Mapping[str, str] | None = None,
    crawl: Mapping[str, Any] | None = None,
    database_url: str | None = None,
) -> Path:
    """config/site.toml for a generated site; `languages` maps code → dir."""
    languages = languages or {"en": "ltr"}
    lines = []
    if database_url:
        lines.append(f"database_url = {_toml_value(database_url)}")
    lines += [
        "[site]",
        'name = "Test Notes"',
        f"base_url = {_toml_value(public_base)}",
        'content_dir = "content"',
        'static_dir = "static"',
        'default_language = "en"',
    ]
    for code, direction in languages.items():
        lines += [f"[site.languages.{code}]", f'name = "{code}"', f'dir = "{direction}"']
    lines.append("[crawl]")
    for key, value in (crawl or {}).items():
        lines.append(f"{key} = {_toml_value(value)}")
    path = root / "config" / "site.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_expected(config_path: Path) -> tuple[Config, ExpectedSet]:
    config = load_config(config_path, environ={})
    return config, build_expected(config, load_content(config))


@lru_cache(maxsize=16)
def image_bytes(
    width: int, height: int, fmt: str = "JPEG", color: tuple[int, int, int] = (40, 90, 140)
) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, fmt, quality=60)
    return buf.getvalue()


def page_html(
    page: ExpectedPage,
    links: Iterable[tuple[str, str]] = (),
    *,
    edit_head: Callable[[str], str] | None = None,
    html_tag: str | None = None,
    body_extra: str = "",
) -> bytes:
    """A page carrying exactly the expected head, unless a test edits it to plant a defect."""
    head = render_head(page)
    if edit_head is not None:
        head = edit_head(head)
    anchors = "\n".join(f'<li><a href="{escape(h, quote=True)}">{escape(t)}</a></li>' for h, t in links)
    return (
        "<!doctype html>\n"
        f"{html_tag or html_open_tag(page)}\n<head>\n{head}\n</head>\n<body>\n"
        f"<h1>{escape(page.og_title)}</h1>\n<p>{escape(page.description or '')}</p>\n"
        f"<ul>\n{anchors}\n</ul>\n{body_extra}\n</body>\n</html>\n"
    ).encode()


def sitemap_xml(urls: Iterable[str]) -> bytes:
    items = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>\n'
    ).encode()


def sitemap_index(urls: Iterable[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>\n'
    ).encode()

"""`pipeline build`: render published posts (and, for translators, drafts marked noindex) to static HTML.

Head tags come from the crawl stage's expected set (`pipeline.crawl.expected.render_head`), so the preview and
the audit can never disagree about what a page should say. Aliases cannot 301 from static files, so they are
written to `_redirects.json`, which the loopback preview server (pipeline.build.server) and the docs' nginx
snippet turn into real 301s.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from markdown_it import MarkdownIt

from pipeline.content import Post
from pipeline.crawl.expected import ExpectedPage, build_expected, html_open_tag, permalink_of, render_head
from pipeline.crawl.urls import join
from pipeline.fsutil import UnsafePathError, atomic_write_text, safe_join
from pipeline.stages import Context, StageResult
from pipeline.templating import html_env

# Raw HTML in Markdown is shown as text, never passed through: preview pages must not run a post's scripts.
_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def output_dir(ctx: Context, override: Path | None = None) -> Path:
    return (override or (ctx.config.root / ctx.config.site.output_dir)).resolve()


def _image_size(ctx: Context, site_path: str | None) -> tuple[int, int] | None:
    if not site_path or site_path.startswith(("http://", "https://")):
        return None
    try:
        path = safe_join(ctx.config.static_root, site_path)
        from PIL import Image

        with Image.open(path) as im:
            return im.size
    except (UnsafePathError, OSError, ValueError):
        return None


def _json_ld(page: ExpectedPage, site_name: str) -> str:
    post = page.post
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.og_title,
        "inLanguage": page.hreflang,
        "mainEntityOfPage": page.url,
        "publisher": {"@type": "Organization", "name": site_name},
    }
    if post.date:
        data["datePublished"] = post.date.isoformat()
        modified = post.meta.get("updated") or post.meta.get("lastmod")
        data["dateModified"] = (
            post.date if not modified else datetime.fromisoformat(str(modified))
        ).isoformat()
    if page.description:
        data["description"] = page.description
    if page.og_image:
        data["image"] = page.og_image
    # Inside <script>, markup characters are written as JSON escapes so a title like "</script>" stays data.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def run_stage(
    ctx: Context, base_url: str | None = None, output: Path | None = None, drafts: bool = True
) -> StageResult:
    config = ctx.config
    if base_url:
        config.site.base_url = base_url.rstrip("/")
    out = output_dir(ctx, output)
    expected = build_expected(config, ctx.content)
    env = html_env("site")
    template = env.get_template("post.html")
    staging = out.with_name(f".{out.name}.building")
    if staging.exists():
        shutil.rmtree(staging)
    if config.static_root.is_dir():
        shutil.copytree(
            config.static_root,
            staging,
            symlinks=False,
            ignore_dangling_symlinks=True,
            ignore=_outside_links(config.static_root),
        )
    staging.mkdir(parents=True, exist_ok=True)

    redirects: dict[str, str] = {}
    pages_written = 0

    def write_page(page: ExpectedPage | None, post: Post, url: str, noindex: bool) -> None:
        nonlocal pages_written
        link = permalink_of(post, config)
        if page is not None:
            size = _image_size(ctx, post.og_image or post.image) or (1200, 630)
            head = render_head(page, size[0], size[1])
            html_tag = html_open_tag(page)
            json_ld = _json_ld(page, config.site.name)
        else:
            head = f'<meta charset="utf-8">\n<title>{xml_escape(post.title or post.slug)}</title>'
            html_tag = f'<html lang="{xml_escape(post.lang)}" dir="{config.site.direction(post.lang)}">'
            json_ld = ""
        body_html = _MD.render(post.body)
        html = template.render(
            html_tag=html_tag,
            head=head,
            json_ld=json_ld,
            noindex=noindex,
            post=post,
            title=post.title or post.slug,
            body=body_html,
            site=config.site,
            date=post.date,
        )
        try:
            target = safe_join(staging, link.strip("/") + "/index.html")
        except UnsafePathError:
            return
        atomic_write_text(target, html)
        pages_written += 1

    for page in expected.pages:
        write_page(page, page.post, page.url, noindex=False)
        for alias in page.aliases:
            redirects[_path(alias)] = _path(page.url)
    if drafts:
        for url, post in expected.unpublished.items():
            write_page(None, post, url, noindex=True)

    index = env.get_template("index.html").render(
        site=config.site,
        pages=sorted(
            expected.pages,
            key=lambda p: (p.lang, p.post.date or datetime.min.replace(tzinfo=UTC)),
            reverse=True,
        ),
        path=_path,
    )
    atomic_write_text(staging / "index.html", index)
    atomic_write_text(staging / "sitemap.xml", _sitemap(expected.pages))
    atomic_write_text(
        staging / "robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {join(config.site.base_url, '/sitemap.xml')}\n",
    )
    atomic_write_text(staging / "_redirects.json", json.dumps(redirects, indent=1, sort_keys=True) + "\n")
    # Swap the finished build in: a crash mid-build leaves the previous site intact.
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    if old.exists():
        shutil.rmtree(old)
    result = StageResult("build", outputs=[out / "index.html"])
    result.counts = {"pages": pages_written, "published": len(expected.pages), "redirects": len(redirects)}
    result.data["output"] = str(out)
    return result


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"


def _sitemap(pages: list[ExpectedPage]) -> str:
    rows = []
    for page in sorted(pages, key=lambda p: p.url):
        lastmod = f"<lastmod>{page.post.date.date().isoformat()}</lastmod>" if page.post.date else ""
        rows.append(f"  <url><loc>{xml_escape(page.url)}</loc>{lastmod}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n"
    )


def _outside_links(root: Path):  # type: ignore[no-untyped-def]
    """copytree ignore-callback: skip symlinks that leave the static root (never publish /etc/passwd)."""
    resolved_root = root.resolve()

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_symlink():
                target = path.resolve()
                if resolved_root not in target.parents and target != resolved_root:
                    skipped.add(name)
        return skipped

    return ignore

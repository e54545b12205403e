"""`pipeline build`: render published posts (and, for translators, drafts marked noindex) to static HTML.

Head tags come from the crawl stage's expected set (`pipeline.crawl.expected.render_head`), so the preview and
the audit can never disagree about what a page should say. Aliases cannot 301 from static files, so they are
written to `_redirects.json`, which the loopback preview server (pipeline.build.server) and the docs' nginx
snippet turn into real 301s.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from pipeline.build import shortcodes, site_values
from pipeline.config import Config
from pipeline.content import Post, display_path, parse_date
from pipeline.content.assets import image_site_path, page_resource
from pipeline.content.links import LinkIndex, expand
from pipeline.content.html import render_html
from pipeline.content.markdown import MarkdownError
from pipeline.content.urls import UrlModel, card_image
from pipeline.crawl.expected import ExpectedPage, build_expected, html_open_tag, permalink_of, render_head
from pipeline.crawl.urls import join
from pipeline.findings import Finding
from pipeline.fsutil import UnsafePathError, atomic_write_text, exchange, safe_join
from pipeline.history import record_run
from pipeline.langtags import hreflang_code
from pipeline.rules import BUILD, by_id
from pipeline.stages import Context, Stage, StageResult
from pipeline.templating import html_env

MARKER = ".pipeline-build"  # written into every build: the swap only ever replaces a folder we made
# Names the build writes at the top of the output itself; a permalink may not claim them.
RESERVED = frozenset({"index.html", "sitemap.xml", "robots.txt", "_redirects.json", MARKER})


class BuildError(Exception):
    """The output folder is unsafe to replace; the message says which folder and what to do."""


def output_dir(ctx: Context, override: Path | None = None) -> Path:
    return (override or (ctx.config.root / ctx.config.site.output_dir)).resolve()


def check_output(config: Config, out: Path) -> None:
    """Refuse an output folder whose replacement would delete something that is not a build.

    A build is swapped in by renaming the old output away and deleting it, so `--output content` (or `.`, or
    the static folder) used to delete the posts themselves. Refused: a folder that is, contains or lies inside
    the content, static or templates folder; that is or contains the state, reports or config folder, the working
    directory or home; an existing file; and an existing non-empty folder that no build wrote.
    """
    # (what, folder, whether an output *inside* it is refused too: the site's own source folders)
    guarded = [
        ("the content folder", config.content_root, True),
        ("the static folder", config.static_root, True),
        ("the templates folder", config.templates_root, True),
        ("the state folder", config.state_dir, False),
        ("the site folder", config.root.resolve(), False),
        ("the reports folder", config.reports_root, False),
        ("the working directory", Path.cwd().resolve(), False),
        ("your home folder", Path.home().resolve(), False),
    ]
    for what, path, no_inside in guarded:
        inside = no_inside and path in out.parents
        if out == path or out in path.parents or inside:
            relation = "is" if out == path else ("lies inside" if inside else "contains")
            raise BuildError(
                f"output folder {out} {relation} {what} ({path}); building there would replace it — "
                "pick a folder of its own, e.g. `--output _site`"
            )
    if out.exists() and not out.is_dir():
        raise BuildError(
            f"output {out} is a file; the build needs a folder of its own, e.g. `--output _site`"
        )
    if out.is_dir() and any(out.iterdir()) and not _is_build(out):
        raise BuildError(
            f"output folder {out} is not empty and no build wrote it; building would delete what is there — "
            "pick a new or empty folder, or move its files away first"
        )


def _is_build(folder: Path) -> bool:
    """Ours: the marker, or (builds from before the marker) both files every build writes."""
    return (folder / MARKER).is_file() or (
        (folder / "_redirects.json").is_file() and (folder / "sitemap.xml").is_file()
    )


def _image_size(
    ctx: Context, site_path: str | None, file: Path | None = None
) -> tuple[int, int] | str | None:
    """The image's pixel size from its header; a reason when it cannot be read; None when there is no file."""
    import warnings

    from PIL import Image

    if not site_path or site_path.startswith(("http://", "https://")):
        return None
    try:
        path = file or safe_join(ctx.config.static_root, site_path)
        if not path.is_file():
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return im.size
    except (UnsafePathError, ValueError):
        return None  # validate reports unsafe paths (IMG001)
    except Image.DecompressionBombError as exc:
        return f"is too large to read ({exc})"
    except OSError as exc:
        return f"cannot be read ({exc})"


@contextlib.contextmanager
def _build_lock(out: Path) -> Iterator[None]:
    """One build per output folder at a time: two used to share one staging folder and publish a mix.

    The lock is a flock on a file beside the output; the kernel drops it when its holder dies, so a kill -9
    never leaves a stale lock behind."""
    lock = out.with_name(f".{out.name}.lock")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise BuildError(
                f"another build is running into {out} (pid {holder}); wait for it to finish or pick another "
                "--output"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _sweep(out)
        yield
    finally:
        os.close(fd)


def _sweep(out: Path) -> None:
    """Leftovers of builds that were killed (we hold the lock, so none is running): staging folders go; a
    previous site parked for the swap goes back when the new one never arrived."""
    for entry in sorted(out.parent.glob(f".{out.name}.old*")):
        if not out.exists() and entry.is_dir() and _is_build(entry):
            entry.rename(out)
        elif entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
    for entry in out.parent.glob(f".{out.name}.building*"):
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _publish(staging: Path, out: Path) -> None:
    """Put the finished build in place: one atomic exchange where the system has it, else two renames."""
    if out.exists() and exchange(staging, out):
        shutil.rmtree(staging)  # now the previous site
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


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
        modified = parse_date(post.meta.get("lastmod"))  # `updated`, `last_modified_at` too (content.keys)
        data["dateModified"] = (modified or post.date).isoformat()
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
    if base_url:  # `--base-url`: this build's canonical origin, validated like the config's
        site = config.site.model_validate({**config.site.model_dump(), "base_url": base_url})
        config = config.model_copy(update={"site": site})
    out = output_dir(ctx, output)
    check_output(config, out)
    with _build_lock(out):
        staging = out.with_name(f".{out.name}.building-{os.getpid()}")
        try:
            result = _build_into(ctx, staging, out, drafts)
            _publish(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    record_run(ctx, "build", result.findings, result.counts)  # the audit's history compares these
    return result


def _build_into(ctx: Context, staging: Path, out: Path, drafts: bool) -> StageResult:
    """Write the whole site into `staging`; the caller swaps it in."""
    config = ctx.config
    expected = build_expected(config, ctx.content)
    env = html_env("site")
    template = env.get_template("post.html")
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
    findings: list[Finding] = []
    links = LinkIndex(ctx.content.posts, ctx.content.urls or UrlModel.from_config(config))
    base_netloc = urlsplit(config.site.base_url).netloc
    # The preview serves the site at its root: a site under a path (Hugo's baseURL `https://istio.io/latest`)
    # has its pages, aliases and index links there without the path, as crawl maps them (crawl.urls.Mapper).
    base_path = urlsplit(config.site.base_url).path.rstrip("/")
    written: dict[Path, str] = {}  # page file → the post that wrote it
    values, params = site_values.template_values(config), site_values.hugo_params(config)
    page_posts: dict[Path, Post] = {}

    def refuse(rule: str, post: Post, message: str) -> None:
        findings.append(Finding(rule, "error", display_path(post.path), post.line_of("permalink"), message))

    def write_page(page: ExpectedPage | None, post: Post, url: str, noindex: bool) -> bool:
        link = permalink_of(post)
        parts = [p for p in link.split("/") if p and p != "."]
        as_file = bool(parts) and parts[-1].lower().endswith((".html", ".htm"))  # Jekyll's /about.html
        if parts and not link.endswith("/") and "." not in parts[-1]:  # Jekyll's /x/ar: written as x/ar.html
            parts, as_file = [*parts[:-1], parts[-1] + ".html"], True
        try:
            target = safe_join(staging, "/".join(parts) if as_file else "/".join([*parts, "index.html"]))
        except UnsafePathError:
            refuse(
                "BUILD001", post, f"URL {link!r} leaves the output folder; use a path like /articles/slug/"
            )
            return False
        if parts and parts[0].casefold() in RESERVED:  # casefold: macOS disks ignore case
            refuse(
                "BUILD002", post, f"URL {link!r} is {parts[0]}, which the build writes itself; pick another"
            )
            return False
        if target in written:
            refuse("BUILD002", post, f"URL {link!r} is also the page of {written[target]}; make it unique")
            return False
        # A static file where the page's folder would go (`/images/hero.png/`): copied in before the pages.
        clash = next(
            (p for p in target.parents if p != staging and staging in p.parents and p.is_file()), None
        )
        if clash is None and target.exists():
            clash = target  # the static folder's own index.html at that path
        if clash is not None:
            shown = "/" + clash.relative_to(staging).as_posix()
            refuse("BUILD002", post, f"URL {link!r} runs into the static file {shown}; pick another")
            return False
        if page is not None:
            hero_at = image_site_path(post, post.image)
            image = card_image(post, "og", config, ctx.content.urls) or hero_at
            beside = page_resource(post, post.image) if image == hero_at != post.image else None
            if beside is not None and image:  # the page's own hero: served beside the page, as the site does
                served = safe_join(staging, image)
                served.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(beside, served)
            size = _image_size(ctx, image, beside)
            if isinstance(size, str):
                key = page.image_key
                findings.append(
                    Finding(
                        "BUILD004",
                        "warning",
                        display_path(post.path),
                        post.line_of(key),
                        f"{key} {image!r} {size}; the page is built without its pixel size — export it smaller",
                    )
                )
            width, height = size if isinstance(size, tuple) else (1200, 630)
            head = render_head(page, width, height)
            html_tag = html_open_tag(page)
            json_ld = _json_ld(page, config.site.name_for(post.lang))
        else:
            head = f'<meta charset="utf-8">\n<title>{xml_escape(post.shown_title(config.site.name_for(post.lang)))}</title>'
            html_tag = f'<html lang="{xml_escape(hreflang_code(config, post.lang))}" dir="{config.site.direction(post.lang)}">'
            json_ld = ""
        try:  # the site's dialect; raw HTML is shown as text (or left off, as Hugo does), never run
            body_html = shortcodes.for_preview(
                render_html(
                    post.tokens,
                    partial(_link_target, links, post, base_netloc),
                    omit_html=post.raw_html == "omit",
                ),
                values,
                partial(site_values.param, post, params),
            )
        except MarkdownError as exc:
            findings.append(
                Finding(
                    "BUILD005", "warning", display_path(post.path), post.body_line, f"{exc}; shown as text"
                )
            )
            body_html = f"<pre>{xml_escape(post.body)}</pre>"
        html = template.render(
            html_tag=html_tag,
            head=head,
            json_ld=json_ld,
            noindex=noindex,
            post=post,
            title=post.shown_title(config.site.name_for(post.lang)),
            body=body_html,
            site=config.site,
            date=post.date,
        )
        try:
            atomic_write_text(target, html)
        except OSError as exc:
            refuse("BUILD002", post, f"URL {link!r} cannot be written ({exc.strerror}); pick another")
            return False
        written[target] = display_path(post.path)
        page_posts[target] = post
        return True

    built: list[ExpectedPage] = []
    for page in expected.pages:
        if not write_page(page, page.post, page.url, noindex=False):
            continue
        built.append(page)
    if drafts:
        for url, post in expected.unpublished.items():
            write_page(None, post, url, noindex=True)
    pages_at = {_page_path(t.relative_to(staging).as_posix()) for t in written}
    if ctx.content.urls is not None and ctx.content.urls.conv.generator == "hugo":
        _copy_bundle_resources(staging, page_posts)
    for page in built:
        for alias in page.aliases:
            source = _path(alias, base_path)
            problem = _alias_problem(source, pages_at, redirects)
            if problem:
                findings.append(
                    Finding(
                        "BUILD003",
                        "error",
                        display_path(page.post.path),
                        page.post.line_of(page.alias_key),
                        f"alias {source!r} {problem}; it gets no redirect",
                    )
                )
                continue
            redirects[source] = _path(page.url, base_path)

    for post in ctx.content.posts:  # redirect pages (`redirect_to`): the URL answers with a 301
        target = post.redirect_to
        if not target or not post.path_url or post.renders:
            continue
        problem = _alias_problem(post.path_url, pages_at, redirects)
        if problem:
            findings.append(
                Finding(
                    "BUILD003",
                    "error",
                    display_path(post.path),
                    post.line_of("redirect_to"),
                    f"redirect page {post.path_url!r} {problem}; it gets no redirect",
                )
            )
            continue
        redirects[post.path_url] = target.strip()

    home = staging / "index.html"
    index = env.get_template("index.html").render(
        site=config.site,
        pages=sorted(
            built,
            key=lambda p: (p.lang, p.post.date or datetime.min.replace(tzinfo=UTC)),
            reverse=True,
        ),
        path=partial(_path, base=base_path),
    )
    if home not in written:  # a post at "/" (Hugo's content/_index.md) is the home page itself
        atomic_write_text(home, index)
    atomic_write_text(staging / "sitemap.xml", _sitemap(built))
    atomic_write_text(staging / MARKER, "Written by `pipeline build`; the next build replaces this folder.\n")
    atomic_write_text(
        staging / "robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {join(config.site.base_url, '/sitemap.xml')}\n",
    )
    atomic_write_text(staging / "_redirects.json", json.dumps(redirects, indent=1, sort_keys=True) + "\n")
    result = StageResult("build", findings=findings, outputs=[out / "index.html"])
    result.counts = {"pages": len(written), "published": len(built), "redirects": len(redirects)}
    result.data["output"] = str(out)
    ctx.preview_site = out  # crawl audits it when the public site cannot be reached
    return result


def _link_target(links: LinkIndex, post: Post, base_netloc: str, href: str) -> str:
    """A content link (`other.md`, Jekyll's `{% link %}`, Hugo's ref) becomes the page's URL and a `param`
    shortcode the page's value, as the generator writes them; every other link stays as written, except one
    from the host's root under the site's base path (`/WAI/tutorials/` on `https://www.w3.org/WAI`): the preview
    serves the site at its root, so it becomes the page's path there, as validate reads it."""
    base = urlsplit(links.urls.base_url).path.rstrip("/")
    if base and href.startswith(base + "/"):
        target = links.resolve(post, href, base_netloc)
        if target is not None and not target.path.startswith(base + "/"):
            fragment = href.split("#", 1)[1] if "#" in href else ""
            return target.path + (f"#{fragment}" if fragment else "")
    if ".md" not in href.lower() and "{" not in href and "%7B" not in href:
        return href
    target = links.resolve(post, href, base_netloc)
    if target is not None and target.known and ".md" in href.lower():
        fragment = href.split("#", 1)[1] if "#" in href else ""
        return target.path + (f"#{fragment}" if fragment else "")
    if target is not None and target.known and "{" in unquote(href) and "param" not in unquote(href):
        return target.path  # ref/relref, post_url, link
    expanded = expand(post, unquote(href).replace("+", " "))  # {{% param x %}}: the page's own value (the
    # dialect wrote a template's spaces as `+`)
    return expanded if "{{" not in expanded and "{%" not in expanded else href


def _page_path(rel: str) -> str:
    """`docs/x/index.html` is the page `/docs/x/`; `about.html` is `/about.html`."""
    return "/" + rel[: -len("index.html")] if rel.endswith("index.html") else "/" + rel


def _copy_bundle_resources(staging: Path, pages: dict[Path, Post]) -> None:
    """Hugo publishes a bundle's other files (images, downloads) beside its page: `blog/x/index.md` with
    `blog/x/diagram.png` is `/blog/x/diagram.png`, and subfolders that are no bundle of their own
    (`docs/x/resources/a.yml`). A translated page also gets the files of its translations' bundles that its own
    lacks (Hugo shares them: pipeline.content.assets), so its relative `![](diagram.png)` shows in the preview
    as the site's render hook shows it. Symlinks are not followed; nothing already written is replaced."""
    for target, post in pages.items():
        kind = post.path.name.split(".")[0]
        if kind not in ("index", "_index") or target.name != "index.html":
            continue
        folders = [post.path.parent, *(b.folder for b in post.bundles if b.folder != post.path.parent)]
        for source in folders:
            for folder, dirnames, filenames in os.walk(source):
                if kind == "_index":  # a subfolder with its own index file is another bundle
                    dirnames[:] = [d for d in dirnames if not _has_index(Path(folder) / d)]
                for name in filenames:
                    item = Path(folder) / name
                    if item.is_symlink() or item.suffix.lower() in (".md", ".markdown"):
                        continue
                    dest = target.parent / item.relative_to(source)
                    if not dest.exists():
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(item, dest)


def _has_index(folder: Path) -> bool:
    return any(
        p.name.split(".")[0] in ("index", "_index") and p.suffix in (".md", ".markdown")
        for p in folder.iterdir()
    )


def _alias_problem(source: str, pages_at: set[str], redirects: dict[str, str]) -> str:
    """Why an old URL cannot redirect (empty when it can): a redirect must not shadow a page or a file we write."""
    parts = [p for p in source.split("/") if p]
    if not parts:
        return "is the home page"
    if ".." in parts or "." in parts:
        return "has '..' or '.' segments"
    if parts[0].casefold() in RESERVED:
        return f"is {parts[0]}, which the build writes itself"
    key = "/" + "/".join(parts) + "/"
    if key in pages_at:
        return "is a page of its own"
    if source in redirects:
        return f"already redirects to {redirects[source]}"
    return ""


def _path(url: str, base: str = "") -> str:
    """The preview's path of a public URL: its path, less the site's base path (`/latest`)."""
    path = urlsplit(url).path or "/"
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :] or "/"
    return path


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


STAGE = Stage(
    "build",
    run=run_stage,
    reads=("posts", "static folder", "site templates"),
    writes=("preview site",),
    rules=by_id(BUILD),
)

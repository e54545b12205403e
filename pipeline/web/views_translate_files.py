"""Translator pages that move files: the draft preview (with the site's images), XLIFF/PO download and upload.

The preview renders the draft with the build's own tokens and renderer (footnotes, tables and images as the
built page shows them); images are served from the site's static folder, or from the post's own folder for
page bundles, through `safe_join`, and only as images. Upload runs the same import as `pipeline translate
--import`, limited to this post's draft: placeholders checked, QA run, approval gated.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for

from pipeline.content import ContentError, parse_post
from pipeline.content.urls import bare_link_protocol
from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.translate import exchange, review
from pipeline.web.common import config, ctx, require, user
from pipeline.web.render import preview_html
from pipeline.web.views_translate import allowed, bp, summary_of

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}
FORMATS = {"xlf": "application/xliff+xml", "po": "text/x-gettext-translation"}


def _image_path(source_rel: str, draft_rel: str, src: str) -> Path | None:
    """The file an image address in a post names: `/x.png` in the static folder, `x.png` beside the draft or
    its source post (page bundles). None for other sites' images, odd addresses and missing files."""
    cfg = config()
    if not src or "\x00" in src or "://" in src or src.startswith(("//", "data:")):
        return None
    path = src.split("?", 1)[0].split("#", 1)[0]
    candidates: list[tuple[Path, str]] = []
    if path.startswith("/"):
        candidates.append((cfg.static_root, path.lstrip("/")))
    else:
        for rel in (draft_rel, source_rel):
            candidates.append(
                (cfg.content_root, posixpath.normpath(posixpath.join(posixpath.dirname(rel), path)))
            )
    for root, rel_path in candidates:
        try:
            found = safe_join(root, rel_path)
        except UnsafePathError:
            continue
        if found.suffix.lower() in IMAGE_TYPES and found.is_file():
            return found
    return None


@bp.route("/<lang>/preview/<path:source_rel>")
@require("translate")
def preview(lang: str, source_rel: str) -> Any:
    allowed(lang)
    summary = summary_of(source_rel, lang)
    cfg = config()
    try:
        path = safe_join(cfg.content_root, summary.draft_rel)
        draft = parse_post(path.read_bytes(), path, cfg.content_root, default_lang=lang)
    except (UnsafePathError, OSError, ContentError) as exc:
        abort(404, description=f"Cannot read the draft {summary.draft_rel}: {exc}")

    def image_src(src: str) -> str | None:
        if _image_path(source_rel, summary.draft_rel, src) is None:
            return None
        return url_for("translate.media", lang=lang, source_rel=source_rel, src=src)

    return render_template(
        "translate_preview.html",
        summary=summary,
        post=draft,
        body=preview_html(draft.body, image_src, bare_link_protocol(cfg)),
        lang=lang,
        direction=cfg.site.direction(lang),
    )


@bp.route("/<lang>/media/<path:source_rel>")
@require("translate")
def media(lang: str, source_rel: str) -> Any:
    allowed(lang)
    summary = summary_of(source_rel, lang)
    found = _image_path(source_rel, summary.draft_rel, request.args.get("src", ""))
    if found is None:
        abort(404, description="No such image in the site.")
    resp = send_file(found, mimetype=IMAGE_TYPES[found.suffix.lower()], max_age=60)
    if found.suffix.lower() == ".svg":  # an SVG opened on its own must not run script
        resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return resp


@bp.route("/<lang>/download/<path:source_rel>")
@require("translate")
def download(lang: str, source_rel: str) -> Any:
    """This post's segments as XLIFF 2.0 (`?format=xlf`) or PO (`?format=po`), for any CAT tool."""
    allowed(lang)
    summary_of(source_rel, lang)
    fmt = request.args.get("format", "xlf")
    if fmt not in FORMATS:
        abort(400, description="format is xlf or po")
    units = exchange.collect(ctx(), lang, source_rel)
    name = f"{Path(source_rel).stem}.{lang}.{fmt}"
    text = exchange.dumps(units, name, config().site.default_language, lang)
    resp = Response(text, mimetype=FORMATS[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.route("/<lang>/upload/<path:source_rel>", methods=["POST"])
@require("translate")
def upload(lang: str, source_rel: str) -> Any:
    allowed(lang)
    summary_of(source_rel, lang)
    back = redirect(url_for("translate.post", lang=lang, source_rel=source_rel))
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        flash("Choose an XLIFF (.xlf) or PO (.po) file to upload.", "error")
        return back
    try:
        units = exchange.parse(sent.read(), sent.filename)
        report = exchange.import_units(ctx(), lang, units, f"{user().name} (upload)", source_rel=source_rel)
    except (exchange.ExchangeError, review.ReviewError) as exc:
        flash(f"{sent.filename}: nothing imported — {exc}", "error")
        return back
    problems = report.refused or report.not_approved
    flash(f"{sent.filename}: {report.summary()}.", "warning" if problems else "ok")
    return back

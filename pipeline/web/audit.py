"""Audit helpers around the findings: where a finding's file is shown and served from, which language a file is
in, a stored finding as a `Finding` again (for the report writers), and the line of a file that links somewhere.

The queries themselves are in `audit_data` (SQL) and `audit_trend` (per-run counts and the chart).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pipeline.config import Config
from pipeline.findings import Finding
from pipeline.fsutil import UnsafePathError, safe_join
from pipeline.web.audit_data import Row


def shown(file: str | None, content_root: Path | None) -> str:
    """The file as a reader knows it: relative to the content folder when inside it, else as the stage wrote it."""
    if not file:
        return ""
    if content_root is not None:
        path = Path(file) if Path(file).is_absolute() else Path.cwd() / file
        try:
            return path.resolve().relative_to(content_root).as_posix()
        except (ValueError, OSError):
            pass
    return file


def as_finding(row: Row) -> Finding:
    """A stored finding as the report writers take it, with its stage, status and stored fingerprint."""
    severity = row.severity if row.severity in ("error", "warning", "info") else "info"
    data = {"lang": row.lang, "stage": row.stage, "history": row.status, "fingerprint": row.fingerprint}
    return Finding(
        row.rule,
        severity,  # type: ignore[arg-type]
        row.file,
        row.line,
        row.message,
        url=row.url,
        data={k: v for k, v in data.items() if v},
        fixed=row.status == "fixed",
    )


def line_mentioning(text: str, url: str) -> int | None:
    """First line (1-based) of a Markdown file that names `url` or its path: where a link to it is written."""
    path = urlsplit(url).path
    needles = [url, path] if path not in ("", "/") else [url]
    for number, line in enumerate(text.splitlines(), start=1):
        if any(n in line for n in needles):
            return number
    return None


def source_file(config: Config, file: str) -> Path:
    """Resolve a finding's file (relative to where the CLI ran, or to the content folder) inside the site."""
    root = config.content_root
    candidates = (
        [Path(file)] if Path(file).is_absolute() else [Path.cwd() / file, config.root / file, root / file]
    )
    for cand in candidates:
        try:
            resolved = safe_join(root, str(cand.resolve()))
            if resolved.is_file():
                return resolved
        except (UnsafePathError, OSError, ValueError):  # OSError: a name over the file system's limit
            continue
    # The message goes to the browser: no absolute server paths in it.
    raise UnsafePathError(f"'{file}' is not a file inside the site's content folder")


def file_language(config: Config, path: Path) -> str:
    """The language a content file is written in, as the stages see it (folder, then the site's `x.<lang>.md`
    file name, then `lang:`, then default)."""
    from pipeline.content import ContentError, load_post
    from pipeline.content.urls import UrlModel

    site = config.site
    try:
        return load_post(
            path,
            config.content_root,
            default_lang=site.default_language,
            languages=site.languages,
            site=UrlModel.from_config(config),
        ).lang
    except ContentError:
        first = path.relative_to(config.content_root.resolve()).parts[0]
        return first if first in site.languages else site.default_language

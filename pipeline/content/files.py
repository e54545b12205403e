"""Which files of a content tree are pages, and how findings show their paths.

Apart from the loader because every stage's path filter and every finding use them without loading a post."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.fsutil import escape_undecodable

if TYPE_CHECKING:
    from pipeline.content.urls import UrlModel

MARKDOWN_SUFFIXES = (".md", ".markdown")
TEMPLATE_SUFFIXES = (".html", ".htm")  # Jekyll: a file with front matter is a page (index.html, archives)
_HUGO_CONTENT = (*MARKDOWN_SUFFIXES, *TEMPLATE_SUFFIXES)


def path_filter(paths: Sequence[Path] | None) -> Callable[[Path], bool]:
    """`path → is it one of paths or under one of them`; everything matches when no paths are given."""
    if not paths:
        return lambda _path: True
    wanted = {Path(p).resolve() for p in paths}

    def match(path: Path) -> bool:
        resolved = path.resolve()
        return resolved in wanted or any(w in resolved.parents for w in wanted)

    return match


def iter_markdown(
    root: Path,
    paths: Sequence[Path] | None = None,
    site: UrlModel | None = None,
    suffixes: tuple[str, ...] = MARKDOWN_SUFFIXES,
) -> Iterator[Path]:
    """Markdown files under root (or the given files/folders), sorted. A folder that is a symlink is walked when it
    resolves inside the root, once (Jekyll follows them: w3.org/WAI links `collections/_about` to
    `../_external/resources/wai-about-wai/_about/`); one that leads out of the root, or back up the tree, is not.

    Folders starting with `.` or `_` hold no pages (layouts, includes, build output) unless the site's
    conventions name them (Jekyll's `_posts`; Hugo reads every `_` folder); `site.exclude` globs drop files; in a Hugo leaf bundle
    (`foo/index.md`) the other Markdown files are the page's resources, not pages."""
    conv = site.conv if site is not None else None
    include = set(conv.include_dirs) if conv else set()
    every = "*" in include  # Hugo: underscore folders hold pages like any other
    excluded = path_matcher(conv.exclude if conv else ())
    bundles = conv is not None and conv.generator == "hugo"
    targets = list(paths) if paths else [root]
    for target in targets:
        if target.is_file() or (target.is_symlink() and not target.is_dir()):
            yield target
            continue
        found: list[Path] = []
        inside = os.path.realpath(root)
        linked: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(target, followlinks=True):
            dirnames[:] = sorted(
                d
                for d in dirnames
                if (not d.startswith((".", "_")) or (every and d[0] == "_") or d in include)
                and _may_follow(os.path.join(dirpath, d), inside, linked)
            )
            names = [f for f in filenames if f.lower().endswith(suffixes)]
            # Hugo's content formats are Markdown and HTML alike: `index.html` makes a leaf bundle too.
            content = [f for f in filenames if f.lower().endswith(_HUGO_CONTENT)] if bundles else names
            if bundles and any(f.rsplit(".", 1)[0].split(".")[0] == "index" for f in content):
                names = [f for f in names if f.split(".")[0] == "index"]
                dirnames[:] = []  # a leaf bundle's folders hold its resources
            for name in names:
                path = Path(dirpath) / name
                if not excluded(relative_path(path, root)):
                    found.append(path)
        yield from sorted(found)


def _may_follow(folder: str, inside: str, linked: set[str]) -> bool:
    """A plain folder, or a folder symlink whose target is in the root, not above `folder` (a loop) and not
    reached through another link already."""
    if not os.path.islink(folder):
        return True
    real = os.path.realpath(folder)
    here = os.path.realpath(os.path.dirname(folder))
    if (
        not real.startswith(inside + os.sep)
        or here == real
        or here.startswith(real + os.sep)
        or real in linked
    ):
        return False
    linked.add(real)
    return True


def relative_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def path_matcher(globs: Sequence[str]) -> Callable[[str], bool]:
    """Globs over content paths (`site.exclude`, `validate.required_fields_for`) as one matcher: `*` stays
    within a folder, `**` spans folders, and a folder's name matches everything under it."""
    if not globs:
        return lambda _rel: False

    def glob_rx(glob: str) -> str:
        out, i = "", 0
        while i < len(glob):
            if glob.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif glob.startswith("**", i):
                out, i = out + ".*", i + 2
            else:
                out += {"*": "[^/]*", "?": "[^/]"}.get(glob[i], re.escape(glob[i]))
                i += 1
        return out

    rx = re.compile("|".join(f"(?:{glob_rx(g.strip('/'))})(?:/.*)?" for g in globs))
    return lambda rel: rx.fullmatch(rel) is not None


def display_path(path: Path) -> str:
    """Paths in findings, made printable: a name with bytes that are not UTF-8 shows them as \\xNN escapes."""
    return escape_undecodable(_display_path(path))


def _display_path(path: Path) -> str:
    """Paths in findings are relative to the working directory when possible: editors and CI annotate them.

    A path lexically under the working directory (getcwd is already physical) is shown as written, without
    resolving every component: findings ask for this thousands of times per run."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    prefix = cwd.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :]  # abspath is normalised: what relpath would give, without its work
    # Outside the working directory as written; maybe inside it through a symlink (folder resolved once: lru_cache).
    folder, name = os.path.split(absolute)
    real = os.path.join(_resolved_dir(folder), name)
    if os.path.islink(real):
        real = os.path.realpath(real)
    cwd_real = _resolved_dir(cwd)
    if real.startswith(cwd_real.rstrip(os.sep) + os.sep):
        return real[len(cwd_real.rstrip(os.sep)) + 1 :]
    return str(path)


@lru_cache(maxsize=1024)
def _resolved_dir(directory: str) -> str:
    return os.path.realpath(directory)

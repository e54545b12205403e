"""Eleventy data files, which this tool does not read: it says so once instead of guessing.

Eleventy merges directory data (`blog/blog.11tydata.js`, `blog/blog.11tydata.json`, `blog/blog.json`) and
template data (`post.11tydata.js`) into each page, and `permalink`, `lang`, `tags`, `layout` or
`eleventyExcludeFromCollections` set there decide where a page is written and whether it is one. JavaScript
data is code (web.dev's compute the language from a `lang.js` and the permalink in a layout), and JSON data is
not merged yet either: the URLs and languages come from the Markdown's own front matter, the file path and the
site config. Users were not told, so a URL that a data file changes was silently wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_SUFFIXES = (".11tydata.js", ".11tydata.cjs", ".11tydata.mjs", ".11tydata.json")


def unread_data_files(root: Path) -> list[Path]:
    """The Eleventy data files under the input folder, sorted (node_modules and dot folders skipped)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        folder = os.path.basename(dirpath)
        for name in filenames:
            if name.endswith(DATA_SUFFIXES) or name == f"{folder}.json":
                found.append(Path(dirpath) / name)
    return sorted(found)


def notice(root: Path) -> tuple[Path, str] | None:
    """(the first data file, one message naming how many there are), or None when the site has none."""
    files = unread_data_files(root)
    if not files:
        return None
    more = f" and {len(files) - 1} more" if len(files) > 1 else ""
    return files[0], (
        f"Eleventy data file{'s' if len(files) > 1 else ''} not read ({files[0].relative_to(root).as_posix()}"
        f"{more}): the permalink, lang, tags or eleventyExcludeFromCollections they set are not applied; URLs "
        "come from front matter and file paths — write those keys in front matter or set "
        "site.permalink_pattern / site.exclude where the data files change them"
    )

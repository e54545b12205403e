"""Eleventy's template and directory data files: the JSON ones are read into each page, the JavaScript ones are
said to be unread, once.

Eleventy merges into a page, lowest priority first: directory data of every folder from the input folder down
(`posts/posts.11tydata.json`, else… both `posts/posts.json` and it, the `.11tydata` one winning), then the
template's own data (`my-post.json`, `my-post.11tydata.json`), then the front matter. Objects merge key by key
and arrays are combined (`tags: [posts]` in `posts/posts.json` plus a post's own tags), the "deep merge" that is
Eleventy's default since 1.0 (https://www.11ty.dev/docs/data-template-dir/, /docs/data-deep-merge/). A
`permalink`, `lang`, `tags` or `eleventyExcludeFromCollections` set there decides where a page is written and
whether it is one: eleventy-base-blog's `posts/posts.json` tags every post `posts`.

JavaScript data (`*.11tydata.js`) is code — web.dev computes the language from a `lang.js` and the permalink in
a layout — and is not run: the notice names it, once per run, instead of guessing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JS_SUFFIXES = (".11tydata.js", ".11tydata.cjs", ".11tydata.mjs")
MAX_BYTES = 5_000_000  # a data file is a page's settings: a larger one is not read (as site.max_file_bytes)
MAX_DEPTH = 64  # deeper data is not merged (merge recurses; json itself stops near 1,000 levels)
DATA_SUFFIXES = (*JS_SUFFIXES, ".11tydata.json")


def merge(low: Any, high: Any) -> Any:
    """Eleventy's deep merge of `high` over `low`: objects key by key, arrays combined, anything else replaced."""
    if isinstance(low, Mapping) and isinstance(high, Mapping):
        out = dict(low)
        for key, value in high.items():
            out[key] = merge(out[key], value) if key in out else value
        return out
    if isinstance(low, list) and isinstance(high, list):
        return [*high, *(item for item in low if item not in high)]
    return high


@dataclass
class DirectoryData:
    """The JSON data files under one input folder, read once each."""

    root: Path
    _files: dict[Path, tuple[dict[str, Any], str]] = field(default_factory=dict)
    problems: list[tuple[Path, int, str]] = field(default_factory=list)  # (file, line, what is wrong)

    def _read(self, path: Path) -> dict[str, Any]:
        got = self._files.get(path)
        if got is None:
            data: dict[str, Any] = {}
            loaded: Any = {}
            try:
                if path.stat().st_size > MAX_BYTES:
                    self.problems.append((path, 0, f"is over {MAX_BYTES:,} bytes; its data is not applied"))
                else:
                    loaded = json.loads(path.read_text(encoding="utf-8-sig"))
            except FileNotFoundError:
                loaded = {}
            except (OSError, UnicodeDecodeError) as exc:
                self.problems.append((path, 0, f"cannot be read ({exc}); its data is not applied"))
                loaded = {}
            except RecursionError:
                self.problems.append((path, 0, "nests too deeply to read; its data is not applied"))
                loaded = {}
            except json.JSONDecodeError as exc:
                self.problems.append(
                    (
                        path,
                        exc.lineno,
                        f"is not valid JSON ({exc.msg}); Eleventy stops on it, and its data is not applied",
                    )
                )
                loaded = {}
            if isinstance(loaded, dict) and _depth(loaded) > MAX_DEPTH:
                self.problems.append(
                    (path, 0, f"nests deeper than {MAX_DEPTH} levels; its data is not applied")
                )
            elif isinstance(loaded, dict):
                data = loaded
            got = self._files[path] = (data, path.relative_to(self.root).as_posix())
        return got[0]

    def _sources(self, rel: str) -> list[Path]:
        """The data files that apply to the template at `rel`, lowest priority first: each folder's from the
        top down, then the template's own; in one folder `x.json` below `x.11tydata.json`."""
        parts = rel.split("/")
        folder = self.root
        found: list[Path] = []
        for name in parts[:-1]:
            folder = folder / name
            found += [folder / f"{name}.json", folder / f"{name}.11tydata.json"]
        stem = parts[-1].rsplit(".", 1)[0]
        return [*found, folder / f"{stem}.json", folder / f"{stem}.11tydata.json"]

    def for_template(self, rel: str) -> tuple[dict[str, Any], list[str]]:
        """The merged data for the template at `rel` (content-relative), and the files it came from."""
        data: dict[str, Any] = {}
        used: list[str] = []
        for path in self._sources(rel):
            if not path.is_file():
                continue
            more = self._read(path)
            if more:
                data = merge(data, more)
                used.append(self._files[path][1])
        return data, used


def _depth(value: Any) -> int:
    """How deep objects and arrays nest in `value` (iterative: the input may nest as deep as json allows)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping | list):
            deepest = max(deepest, depth)
            stack.extend(
                (child, depth + 1) for child in (item.values() if isinstance(item, Mapping) else item)
            )
    return deepest


def apply(meta: dict[str, Any], data: Mapping[str, Any]) -> list[str]:
    """Front matter over the data files' values (deep merge, as Eleventy does); the keys the data gave or
    extended."""
    changed: list[str] = []
    for key, value in data.items():
        if key not in meta:
            meta[key] = value
            changed.append(key)
        elif isinstance(value, list | Mapping) and type(meta[key]) is type(value):
            merged = merge(value, meta[key])
            if merged != meta[key]:
                meta[key] = merged
                changed.append(key)
    return changed


def data_files(root: Path) -> list[Path]:
    """Every Eleventy data file under the input folder, sorted (node_modules and dot folders skipped): the
    `.11tydata.*` ones, `<folder>/<folder>.json`, and `<name>.json` beside a template `<name>.md`."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        folder = os.path.basename(dirpath)
        names = set(filenames)
        for name in filenames:
            stem = name[: -len(".json")] if name.endswith(".json") else ""
            beside = stem and (f"{stem}.md" in names or f"{stem}.markdown" in names)
            if name.endswith(DATA_SUFFIXES) or name == f"{folder}.json" or beside:
                found.append(Path(dirpath) / name)
    return sorted(found)


def unread_data_files(root: Path) -> list[Path]:
    """The JavaScript data files: code this tool does not run."""
    return [p for p in data_files(root) if p.name.endswith(JS_SUFFIXES)]


def notice(root: Path) -> tuple[Path, str] | None:
    """(the first JavaScript data file, one message naming how many there are), or None when there are none."""
    files = unread_data_files(root)
    if not files:
        return None
    more = f" and {len(files) - 1} more" if len(files) > 1 else ""
    return files[0], (
        f"Eleventy JavaScript data file{'s' if len(files) > 1 else ''} not run "
        f"({files[0].relative_to(root).as_posix()}{more}): the permalink, lang, tags or "
        "eleventyExcludeFromCollections they compute are not applied (JSON data files are); write those keys "
        "in front matter or a JSON data file, or set site.permalink_pattern / site.exclude"
    )


# The files whose entries are no pages (https://www.11ty.dev/docs/ignores/): `.eleventyignore` in the input
# folder and the project folder; `.gitignore` in the project folder unless the config opts out.
CONFIG_FILES = (".eleventy.js", "eleventy.config.js", "eleventy.config.cjs", "eleventy.config.mjs")
_NO_GITIGNORE = re.compile(r"setUseGitIgnore\(\s*false\s*\)")


def project_folder(content_root: Path) -> Path | None:
    """The folder Eleventy runs in: the input folder or the one above it, whichever holds the project's
    package.json or Eleventy config file (None when neither does: then no `.gitignore` is read)."""
    for folder in (content_root, content_root.parent):
        if any((folder / name).is_file() for name in ("package.json", *CONFIG_FILES)):
            return folder
    return None


def ignore_files(content_root: Path) -> list[Path]:
    """The ignore files Eleventy reads for this input folder, whether they exist or not (the validate cache
    watches them): `.eleventyignore` in the input and project folders, the project's `.gitignore` unless its
    config says `setUseGitIgnore(false)`."""
    files = [content_root / ".eleventyignore", content_root.parent / ".eleventyignore"]
    project = project_folder(content_root)
    if project is not None and _uses_gitignore(project):
        files.append(project / ".gitignore")
    return files


def _uses_gitignore(project: Path) -> bool:
    for name in CONFIG_FILES:
        try:
            text = (project / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _NO_GITIGNORE.search(text):
            return False
    return True


_LINKIFY_ON = re.compile(r"\blinkify[\"']?\s*:\s*true\b")
_JS_COMMENTS = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.S | re.M)


def config_files(content_root: Path) -> list[Path]:
    """Where an Eleventy config file may be, whether it is there or not (the validate cache watches them)."""
    return [folder / name for folder in (content_root.parent, content_root) for name in CONFIG_FILES]


def eleventy_linkify(content_root: Path) -> Path | None:
    """The Eleventy config file (in the project folder above the input folder, or the input folder) that gives
    markdown-it `linkify: true` (eleventy-base-blog's did: `markdownIt({html: true, linkify: true})`), else None.
    Read as text: a JavaScript file is not run."""
    for path in config_files(content_root):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if _LINKIFY_ON.search(_JS_COMMENTS.sub("", text)):
            return path
    return None


def ignore_globs(content_root: Path) -> list[str]:
    """The entries of the ignore files (`ignore_files`) as globs over content paths: each line is a file, folder
    or glob relative to the file's own folder, as Eleventy reads `.eleventyignore` and `.gitignore` alike
    (eleventy-base-blog's `README.md` is the project's readme, not a post; a `.gitignore` listing `drafts/`
    keeps the drafts off the site). Entries naming something outside the input folder, comments and `!` lines
    (which Eleventy does not read as exceptions) are left out."""
    globs: list[str] = []
    for file in ignore_files(content_root):
        try:
            lines = file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        prefix = "" if file.parent == content_root else content_root.name + "/"
        for line in lines:
            entry = line.strip().removeprefix("./")
            if not entry or entry.startswith(("#", "!")):
                continue
            entry = entry.lstrip("/")
            if entry.startswith("**/") or not prefix:
                globs.append(entry)
            elif entry.startswith(prefix):
                globs.append(entry[len(prefix) :])
    return globs

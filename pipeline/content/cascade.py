"""Hugo's `cascade`: front-matter values a section (`_index.md`) or the site's configuration passes down to the
pages below it, so every stage sees a page as Hugo builds it (`build: {render: never}` on a folder of snippets,
`draft`, `type`, `sitemap`, params).

Hugo's rules (https://gohugo.io/content-management/front-matter/#cascade, https://gohugo.io/configuration/cascade/):
`cascade` is a map, or a list of maps, of front-matter keys; each may carry a `target` (formerly `_target`) that
limits it to pages whose logical path (`/docs/collector`, no language folder, no extension) matches a glob
(`**`, `*`, `{a,b}`), whose kind (home, section, page, taxonomy, term) or language matches, in an `environment`
(we build as `hugo` does: production). A page's own key wins; then the closest ancestor's cascade; the site's
configuration last. A section's cascade reaches its descendants in its own language unless its target names
languages (`lang`, or Hugo ≥ 0.153's `sites: {matrix: {languages: [...]}}`).

The loader calls `apply` once after reading the posts; a cascade it cannot read is a CONTENT017 finding on the
file and line that holds it, and the other posts load as they would without it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.findings import Finding

if TYPE_CHECKING:
    from pipeline.content.post import Post

ENVIRONMENT = "production"  # `hugo` builds with it; `hugo server` with development
KINDS = ("home", "section", "page", "taxonomy", "term")
# Keys that choose where or whether the page is, not what it says: never passed down (Hugo does not either).
_NOT_CASCADED = frozenset(
    {"cascade", "target", "_target", "url", "slug", "aliases", "translationkey", "lang"}
)


@dataclass(frozen=True)
class Entry:
    """One cascade: its values, where it reaches, and where it was written (for findings)."""

    values: Mapping[str, Any]
    section: str | None  # the owning section's logical path; None: the site's configuration (every page)
    lang: str | None  # the owner's language (front matter): the only one reached unless `langs` says more
    langs: tuple[str, ...] = ()  # language globs from the target
    path: str | None = None
    kind: str | None = None
    environment: str | None = None
    where: str = ""  # the file (or config key) that writes it
    key_lines: Mapping[str, int] = field(default_factory=dict)  # value key → its line in that file

    def source(self, key: str) -> str:
        """Where a value is written, as findings name it: `content/docs/_index.md:9`, or the config key."""
        line = self.key_lines.get(key)
        return f"{self.where}:{line}" if line else self.where

    def reaches(self, logical: str, kind: str, lang: str) -> bool:
        if self.section is not None and not _below(logical, self.section):
            return False
        if self.langs:
            if not any(fnmatchcase(lang, g) for g in self.langs):
                return False
        elif self.lang is not None and lang != self.lang:
            return False
        if self.path is not None and _glob(self.path.lower()).fullmatch(logical.lower()) is None:
            return False
        if self.kind is not None and _glob(self.kind.lower()).fullmatch(kind) is None:
            return False
        return self.environment is None or _glob(self.environment).fullmatch(ENVIRONMENT) is not None


def _below(logical: str, section: str) -> bool:
    if section == "/":
        return logical != "/"
    return logical.startswith(section + "/")


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """Hugo's globs (gobwas/glob with `/` as separator): `**` spans folders, `*` and `?` stay in one,
    `{a,b}` alternatives (possibly empty: `{,/**}`), `[abc]` classes."""
    out, i, depth = "", 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "{":
            out, depth = out + "(?:", depth + 1
        elif ch == "}" and depth:
            out, depth = out + ")", depth - 1
        elif ch == "," and depth:
            out += "|"
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end > i:
                body = pattern[i + 1 : end]
                out += "[" + ("^" + re.escape(body[1:]) if body.startswith("!") else re.escape(body)) + "]"
                i = end + 1
                continue
            out += re.escape(ch)
        else:
            out += re.escape(ch)
        i += 1
    out += ")" * depth
    try:
        return re.compile(out)
    except re.error:
        return re.compile(re.escape(pattern))


def logical_path(post: Post, index_files: Iterable[str] = ("index", "_index")) -> str:
    """The page's path in Hugo's content tree: no language folder, no extension, no `.fr` language suffix; a
    section or bundle is its folder (`en/docs/_index.md` → `/docs`, the home page → `/`)."""
    rel = post.rel.split("/", 1)[1] if post.lang_from_folder and "/" in post.rel else post.rel
    folder, _, name = rel.rpartition("/")
    stem = name.split(".", 1)[0]
    if stem in index_files:
        return "/" + folder if folder else "/"
    return "/" + (folder + "/" if folder else "") + stem


def kind_of(post: Post, logical: str, taxonomies: Sequence[str]) -> str:
    if not post.rel.rsplit("/", 1)[-1].startswith("_index."):
        return "page"
    if logical == "/":
        return "home"
    parts = logical.strip("/").split("/")
    if parts[0] in taxonomies and len(parts) <= 2:
        return "taxonomy" if len(parts) == 1 else "term"
    return "section"


def entries(
    value: Any, section: str | None, lang: str | None, where: str, line: int
) -> tuple[list[Entry], list[Finding]]:
    """A `cascade` value (front matter or site config) as entries; what cannot be read becomes a finding."""
    items = value if isinstance(value, list) else [value]
    out: list[Entry] = []
    problems: list[Finding] = []

    def bad(message: str) -> None:
        problems.append(Finding("CONTENT017", "warning", where, line or None, message))

    for n, item in enumerate(items, start=1):
        label = "cascade" if len(items) == 1 else f"cascade item {n}"
        if not isinstance(item, Mapping):
            bad(f"{label} must be a table of front-matter keys (with an optional target); it is not applied")
            continue
        target = item.get("target", item.get("_target"))
        if target is not None and not isinstance(target, Mapping):
            bad(
                f"{label}: target must be a table (path, kind, lang, environment); this cascade is not applied"
            )
            continue
        target = target or {}
        fields: dict[str, str | None] = {}
        for key in ("path", "kind", "environment", "lang"):
            raw = target.get(key)
            if raw is not None and not isinstance(raw, str):
                bad(f"{label}: target.{key} must be text (a glob); this cascade is not applied")
                break
            fields[key] = raw
        else:
            langs: tuple[str, ...] = (fields["lang"].lower(),) if fields["lang"] else ()
            sites = target.get("sites")
            matrix = sites.get("matrix") if isinstance(sites, Mapping) else None
            wanted = matrix.get("languages") if isinstance(matrix, Mapping) else None
            if sites is not None and not isinstance(wanted, list | str):
                bad(
                    f"{label}: target.sites must be {{matrix: {{languages: [...]}}}}; this cascade is not applied"
                )
                continue
            if wanted is not None:
                langs += tuple(str(g).lower() for g in ([wanted] if isinstance(wanted, str) else wanted))
            values = {str(k): v for k, v in item.items() if str(k).lower() not in _NOT_CASCADED}
            if values:
                out.append(
                    Entry(
                        values,
                        section,
                        lang,
                        langs,
                        fields["path"],
                        fields["kind"],
                        fields["environment"],
                        where,
                        dict.fromkeys(values, line) if line else {},
                    )
                )
    return out, problems


def inherited(
    own: Mapping[str, Any],
    chain: Sequence[Entry],
    logical: str,
    kind: str,
    lang: str,
    sources: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The values this page gets: the closest entry first, never a key the page sets itself (any case);
    `params` tables merge key by key the same way. `sources` receives where each value is written."""
    taken = {str(k).lower() for k in own}
    own_params = next((v for k, v in own.items() if str(k).lower() == "params"), None)
    out: dict[str, Any] = {}
    for entry in chain:
        if not entry.reaches(logical, kind, lang):
            continue
        for key, value in entry.values.items():
            low = str(key).lower()
            if low == "params" and isinstance(value, Mapping):
                have = own_params if isinstance(own_params, Mapping) else {}
                merged = out.setdefault("params", {})
                if isinstance(merged, dict):
                    for pk, pv in value.items():
                        if pk not in have and pk not in merged:
                            merged[pk] = pv
                continue
            if low in taken or any(str(k).lower() == low for k in out):
                continue
            out[key] = value
            if sources is not None:
                sources[key] = entry.source(key)
    if out.get("params") == {}:
        out.pop("params")
    return out


def apply(
    posts: Sequence[Post],
    site_entries: Sequence[Entry],
    taxonomies: Sequence[str],
    aliases: Mapping[str, tuple[str, ...]],
    renders: Callable[[Post], bool],
    ancestors: Sequence[Post] = (),
    shown: Callable[[Path], str] = str,
) -> list[Finding]:
    """Give every post the values cascaded to it (`Post.meta`, listed in `Post.cascaded`) and recompute
    whether it renders; `ancestors`: section pages read only for their cascades (a run on some files)."""
    from pipeline.content.keys import canonical_keys

    def canonical(entry: Entry, owner: Post | None = None) -> Entry:  # the pipeline's key names, once each
        values, _lines, names = canonical_keys(dict(entry.values), {}, aliases)
        lines = _value_lines(owner, {k: names.get(k, k) for k in values}) if owner is not None else {}
        return replace(
            entry, values=values, key_lines={k: lines.get(k, entry.key_lines.get(k, 0)) for k in values}
        )

    problems: list[Finding] = []
    by_section: dict[str, list[Entry]] = {}
    loaded = {id(post) for post in posts}
    for post in [*posts, *ancestors]:
        if "cascade" not in post.meta or not post.rel.rsplit("/", 1)[-1].startswith("_index."):
            continue
        logical = logical_path(post)
        more, bad = entries(
            post.meta["cascade"], logical, post.lang, shown(post.path), post.line_of("cascade")
        )
        if id(post) in loaded:
            problems.extend(bad)
        by_section.setdefault(logical, []).extend(canonical(e, post) for e in more)
    site = [canonical(e) for e in site_entries]
    if not by_section and not site:
        return problems
    for post in posts:
        logical = logical_path(post)
        chain = [e for above in _above(logical) for e in by_section.get(above, ())] + site
        sources: dict[str, str] = {}
        values = inherited(post.meta, chain, logical, kind_of(post, logical, taxonomies), post.lang, sources)
        if not values:
            continue
        own_params = post.meta.get("params")
        for key, value in values.items():
            value = copy.deepcopy(value) if isinstance(value, dict | list) else value  # a page's own copy
            if key == "params" and isinstance(own_params, dict) and isinstance(value, dict):
                post.meta["params"] = {**value, **own_params}
            else:
                post.meta.setdefault(key, value)
        post.cascaded = tuple(values)
        post.cascade_sources = sources
        post.renders = renders(post)
    return problems


_KEY_LINE = re.compile(r"""^(\s*)(?:-\s+)?["']?([^"'\s:=]+)["']?\s*[:=]""")


def _value_lines(owner: Post, names: Mapping[str, str]) -> dict[str, int]:
    """File lines of the keys written under the owner's `cascade:` (YAML block, list of blocks, or TOML
    `[cascade]`/`[[cascade]]` tables): the first line naming each key after the `cascade` line, up to the next
    top-level key or table. The front-matter parsers keep top-level lines only; a key not found here (an
    inline `{…}` table) is reported at the `cascade` line."""
    start = owner.line_of("cascade")
    wanted = {written.lower(): key for key, written in names.items()}
    lines = owner.fm_text.split("\n")
    out: dict[str, int] = {}
    for index in range(max(start - 1, 0), len(lines)):  # fm_text line i is file line i + 2
        text = lines[index]
        header = _TABLE.match(text)
        if header is not None and index + 2 > start and not header.group(1).startswith("cascade"):
            break
        match = _KEY_LINE.match(text)
        if match is None:
            continue
        if (
            index + 2 > start
            and not match.group(1)
            and not text.lstrip().startswith("-")
            and owner.fm_format != "toml"
        ):
            break  # the next top-level YAML key: the cascade block ended
        key = wanted.get(match.group(2).lower())
        if key is not None and index + 2 > start:
            out.setdefault(key, index + 2)
    return out


_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$")


def _above(logical: str) -> Iterator[str]:
    """The sections above a page, closest first (`/docs/a/b` → `/docs/a`, `/docs`, `/`)."""
    while logical not in ("/", ""):
        logical = logical.rsplit("/", 1)[0] or "/"
        yield logical


def section_files(
    root: Path, posts: Sequence[Post], have: set[Path], suffixes: Sequence[str]
) -> Iterator[Path]:
    """The `_index` files of the folders above these posts (up to the content root) not already loaded."""
    seen: set[Path] = set()
    top = root.resolve()
    for post in posts:
        folder = post.path.resolve().parent
        while folder == top or top in folder.parents:
            if folder not in seen:
                seen.add(folder)
                for suffix in suffixes:
                    candidate = folder / f"_index{suffix}"
                    if candidate not in have and candidate.is_file():
                        yield candidate
            if folder == top:
                break
            folder = folder.parent

"""A Hugo site's content mounts (`module.mounts`), read as what they mean for links: which URLs the built site
serves although this content folder does not hold them there.

Ground floor: imports nothing of the pipeline (`hugo_site` calls `read_mounts`). What a content mount can say, per Hugo's
documentation (https://gohugo.io/configuration/module/#mounts; the `sites` matrix of Hugo ≥ 0.153 replaces
`lang`; `files` replaces `includeFiles`/`excludeFiles`):
- `content/<lang>` → `content` for that language: the language's own folder, read as it is (a folder named
  otherwise, `content/english`, becomes `[site.urls] language_dirs`);
- `content/<default>/docs` → `content/docs` for another language: *fallback pages* — that language serves the
  default language's page under its own prefix where it has none (`[site.urls] fallback`, per language);
- a source outside this content folder (another repository checked out at build time, `tmp/otel/specification`)
  or a file mounted at another place: pages the site has and this content does not — `[site.urls] external`;
- a project with content mounts builds only what they mount: a top-level folder of the content root no mount
  reads is not built (added to `site.exclude`).
A mount this cannot read (no source or target, an unknown language) is skipped, and a CONTENT018 finding names
its file and line.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

_MD = re.compile(r"\.(md|markdown)$", re.IGNORECASE)


@dataclass
class Mounts:
    """What the mounts add to our `[site]` settings, and the notes that say where it came from."""

    external: list[str] = field(default_factory=list)
    fallback: dict[str, list[str]] = field(default_factory=dict)
    language_dirs: dict[str, str] = field(default_factory=dict)
    unmounted: list[str] = field(default_factory=list)  # top-level content folders no mount reads
    notes: list[str] = field(default_factory=list)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, what): CONTENT018
    source: str = ""  # the file the mounts were read from


def mount_table(data: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The raw `mounts` list and, when it is only a template (`module-template.yaml`, which opentelemetry.io's
    build renders into `module.yaml`), the root key it came from."""
    module = data.get("module")
    if isinstance(module, Mapping) and "mounts" in module:
        return module["mounts"], None
    for key, value in data.items():
        if key.startswith("module-") and isinstance(value, Mapping) and "mounts" in value:
            return value["mounts"], key
    return None, None


def _mount_lines(path: Path, count: int) -> list[int]:
    """The file line of each mount (1-based; 0 when unknown), for notes that name them: YAML items as the
    round-trip parser places them, TOML `[[module.mounts]]` / `[[mounts]]` tables in order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return [0] * count
    lines: list[int] = []
    if path.suffix.lower() == ".toml":
        rx = re.compile(r"^\s*\[\[\s*(module\.)?mounts\s*\]\]", re.I)
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if rx.match(line)]
    elif path.suffix.lower() in (".yaml", ".yml"):
        lines = _yaml_lines(text)
    return (lines + [0] * count)[:count]


def _yaml_lines(text: str) -> list[int]:
    from ruamel.yaml import YAML

    try:
        node: Any = YAML(typ="rt", pure=True).load(text)
    except Exception:  # the file parsed as safe YAML already; a round-trip quirk only costs the line numbers
        return []
    for key in ("module", "mounts"):
        if isinstance(node, Mapping):
            found = next((v for k, v in node.items() if str(k).lower() == key), None)
            node = found if found is not None or key == "mounts" else node
    lc = getattr(node, "lc", None)
    if not isinstance(node, list) or lc is None:
        return []
    return [lc.item(i)[0] + 1 for i in range(len(node))]


def _languages_of(
    mount: Mapping[str, Any], site_langs: Sequence[str], default: str, off: Sequence[str] = ()
) -> tuple[list[str], str]:
    """The languages a content mount is for (the default language when it names none), and a problem; a mount
    for a disabled language (`off`) is for none, without a problem."""
    sites = mount.get("sites")
    if isinstance(sites, Mapping):
        matrix = sites.get("matrix")
        globs = matrix.get("languages") if isinstance(matrix, Mapping) else None
        if isinstance(globs, str):
            globs = [globs]
        if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
            return [], "sites.matrix.languages must be a list of language codes or globs"
        hit = [lang for lang in site_langs if any(fnmatchcase(lang, g.lower()) for g in globs)]
        if hit or any(fnmatchcase(lang, g.lower()) for lang in off for g in globs):
            return hit, ""
        return hit, f"sites.matrix.languages {globs} names none of {', '.join(site_langs)}"
    lang = mount.get("lang")
    if lang is None or lang == "":
        return [default], ""
    if isinstance(lang, str) and lang.lower() in off:
        return [], ""
    if not isinstance(lang, str) or lang.lower() not in site_langs:
        return [], f"lang {lang!r} is not one of the site's languages ({', '.join(site_langs)})"
    return [lang.lower()], ""


def _filters(mount: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(include globs, exclude globs) relative to the mount's source: `files` (`! x` excludes), or the older
    `includeFiles` / `excludeFiles`."""

    def listed(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    include, exclude = listed(mount.get("includefiles")), listed(mount.get("excludefiles"))
    for glob in listed(mount.get("files")):
        glob = glob.strip()
        if glob.startswith("!"):
            exclude.append(glob[1:].strip())
        else:
            include.append(glob)
    return include, exclude


def _url_globs(base: str, globs: Sequence[str], lower: bool) -> list[str]:
    """Globs over a mount's files (`specs/**`, `**/README.md`) as globs over the URLs under `base`."""
    out: list[str] = []
    for glob in globs:
        glob = _MD.sub("", glob.strip().lstrip("/"))
        glob = glob.lower() if lower else glob
        for tail in ("/_index", "/index"):
            glob = glob[: -len(tail)] if glob.endswith(tail) else glob
        out.append(f"{base}/{glob}")
        if not glob.endswith("**"):
            out.append(f"{base}/{glob}/**")
    return out


def _page_url(target_rel: str, lower: bool) -> str:
    """The URL path of a mounted file or folder (`community/mission.md` → `/community/mission/`)."""
    rel = _MD.sub("", target_rel)
    rel = rel.lower() if lower else rel
    for name in ("_index", "index"):
        if rel == name or rel.endswith("/" + name):
            rel = rel[: -len(name)].rstrip("/")
    return "/" + rel + "/" if rel else "/"


def read_mounts(
    hugo_data: Mapping[str, Any],
    project: Path,
    content_root: Path,
    mounts_file: Path,
    languages: Sequence[str],
    default: str,
    language_dirs: Mapping[str, str],
    disabled: Sequence[str] = (),
) -> Mounts | None:
    """What the content mounts in `hugo_data` mean for this content folder (None: the site has none).
    `languages`: the site's enabled languages; `language_dirs`: folder → language already known."""
    raw, template = mount_table(hugo_data)
    if raw is None:
        return None
    out = Mounts(source=_shown(mounts_file, project))
    if template:
        out.notes.append(
            f"{out.source}: read as the site's module mounts (no module.* file; the site's build renders "
            "this template into one)"
        )
    if not isinstance(raw, list):
        out.problems.append(
            (str(mounts_file), 0, "`mounts` must be a list of {source, target} tables; not read")
        )
        return out
    lower = hugo_data.get("disablepathtolower") is not True
    subdir = hugo_data.get("defaultcontentlanguageinsubdir") is True
    folder_lang = dict(language_dirs)
    folder_lang.update({lang: lang for lang in languages if lang not in folder_lang.values()})

    def prefix(lang: str) -> str:
        return f"/{lang}" if subdir or lang != default else ""

    lines = _mount_lines(mounts_file, len(raw))
    content_sources: list[str] = []
    external: dict[str, None] = {}
    fallback: dict[str, dict[str, None]] = {}
    try:
        content_rel = content_root.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        content_rel = None
    for number, mount in enumerate(raw):

        def skipped(what: str, number: int = number) -> None:
            out.problems.append(
                (str(mounts_file), lines[number], f"mount {number + 1}: {what}; it is skipped")
            )

        if not isinstance(mount, Mapping):
            skipped("a mount must be a table with source and target")
            continue
        mount = _lower(mount)  # Hugo's keys are case-insensitive (`excludeFiles`), lists included
        source, target = mount.get("source"), mount.get("target")
        if (
            not isinstance(source, str)
            or not isinstance(target, str)
            or not source.strip()
            or not target.strip()
        ):
            skipped("a mount needs both `source` and `target`")
            continue
        target = posixpath.normpath(target.strip().strip("/"))
        if target != "content" and not target.startswith("content/"):
            continue  # static, layouts, assets, data, i18n: not pages
        langs, problem = _languages_of(mount, languages, default, disabled)
        if problem:
            skipped(problem)
        if not langs:
            continue
        tsub = target[len("content/") :] if target != "content" else ""
        src = posixpath.normpath(source.strip().rstrip("/"))
        srel = _inside(src, content_rel)
        include, exclude = _filters(mount)
        if srel is not None:
            content_sources.append(srel)
        head, _, sub = (srel or "").partition("/")
        is_file = _MD.search(src) is not None
        for lang in langs:
            if srel and not tsub and not sub:  # a whole folder as a language's content
                owner = folder_lang.get(head)
                if owner is None:
                    out.language_dirs[head] = folder_lang[head] = lang
                elif owner != lang and owner == default:
                    fallback.setdefault(lang, {}).update(dict.fromkeys(["/**", *_neg(exclude, "", lower)]))
                elif owner != lang:
                    external[prefix(lang) + "/**"] = None
                continue
            if srel is not None:
                owner, inner = (folder_lang[head], sub) if head in folder_lang else (default, srel)
                if owner == lang and inner == tsub:
                    continue  # read where it is
                if owner == default and lang != default and inner == tsub and not is_file:
                    at = _page_url(tsub, lower).rstrip("/") if tsub else ""
                    globs = _url_globs(at, include, lower) if include else [at + "/**"]
                    fallback.setdefault(lang, {}).update(dict.fromkeys([*globs, *_neg(exclude, at, lower)]))
                    continue
            if is_file:
                external[prefix(lang) + _page_url(tsub, lower)] = None
            else:
                base = prefix(lang) + (_page_url(tsub, lower).rstrip("/") if tsub else "")
                external.update(
                    dict.fromkeys(_url_globs(base, include, lower) if include else [base + "/**"])
                )
    out.external = list(external)
    out.fallback = {lang: list(globs) for lang, globs in fallback.items()}
    if content_rel is not None and content_sources and "" not in content_sources and content_root.is_dir():
        read = {s.split("/", 1)[0] for s in content_sources}
        out.unmounted = sorted(
            d.name
            for d in content_root.iterdir()
            if d.is_dir() and not d.name.startswith(".") and d.name not in read
        )
    return out


def _lower(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    return value


def _neg(exclude: Sequence[str], inner: str, lower: bool) -> list[str]:
    return ["!" + g for g in _url_globs(inner.rstrip("/"), exclude, lower)]


def _inside(source: str, content_rel: str | None) -> str | None:
    """The mount's source as a path inside our content folder ("" for the folder itself), else None."""
    if content_rel is None:
        return None
    if source == content_rel:
        return ""
    if source.startswith(content_rel + "/"):
        return source[len(content_rel) + 1 :]
    return None


def _shown(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return str(path)

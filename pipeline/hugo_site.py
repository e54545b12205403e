"""A Hugo site's own configuration, read so that users need not copy it into ours: languages (names, direction,
per-language content folders, disabled ones), the default language and whether it has its own `/en/` folder,
`baseURL`, `title`, per-section `permalinks`, `uglyURLs`, `disablePathToLower`, `removePathAccents`,
`disableKinds`, whether Goldmark renders raw HTML (`markup.goldmark.renderer.unsafe`) and whether it links bare
URLs (`markup.goldmark.extensions.linkify`).

Ground floor: of the pipeline only `config_problems` is imported. `load_config` calls `fill_from_hugo` with the
raw settings (file, environment and flags merged); every key our config sets explicitly wins, and the origins it
returns say which settings came from which Hugo file (`Config.origins`; `pipeline validate` prints them).

How Hugo reads these, per its documentation:
- Files: `hugo.toml|yaml|yml|json`, else the legacy `config.*`, in the project root; plus the configuration
  directory `config/_default/` where `hugo.*` holds root keys and every other file is the root key it is named
  after (`languages.toml` is `languages`, `params.en.toml` is `languages.en.params`), then `config/production/`
  (the environment `hugo` builds with) over it. https://gohugo.io/configuration/introduction/
- Languages: https://gohugo.io/configuration/languages/ — keys are lowercased language tags; `label` (formerly
  `languageName`), `locale` (formerly `languageCode`), `direction` (formerly `languageDirection`), `weight`
  (non-zero weights sort first), `disabled`, plus the root `disableLanguages` list; `contentDir` per language is
  relative to the project root ("Translation by content directory",
  https://gohugo.io/content-management/multilingual/). `defaultContentLanguage` (default `en`) must be one of
  them; `defaultContentLanguageInSubdir` puts the default language under `/<lang>/` too.
- URLs: https://gohugo.io/configuration/permalinks/ (per section, flat or under the `page` kind) and
  https://gohugo.io/configuration/all/#uglyurls (`/section/name.html`).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config_problems import ConfigError
from pipeline.hugo_mounts import Mounts, mount_table, read_mounts

CONFIG_NAMES = tuple(
    f"{base}.{ext}" for base in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
_LINE = re.compile(r"line (\d+)")
_TOKEN = re.compile(r":([A-Za-z0-9_]+)")  # `:slug`, and Go date layouts such as `:2006`
# Tokens of Hugo's permalinks this tool expands (pipeline.conventions.TOKENS); others leave the section alone.
_HUGO_TOKENS = frozenset(
    {"year", "month", "monthname", "day", "yearday", "weekday", "section", "sections", "title", "slug",
     "filename", "slugorfilename", "contentbasename", "slugorcontentbasename"}
)  # fmt: skip


class HugoConfigError(ConfigError):
    """The Hugo configuration file cannot be read: the file, the line (0: unknown) and what is wrong; a
    ConfigError, so the CLI reports it as a usage error (exit 2) like a problem in our own config."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(str(path), [f"line {line}: {message}" if line else message])


@dataclass
class HugoSite:
    """What was read: the raw merged Hugo settings, the files they came from, and each root key's file."""

    root: Path
    data: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    key_file: dict[str, Path] = field(default_factory=dict)

    def origin(self, key: str) -> str:
        path = self.key_file.get(key.lower()) or (self.files[0] if self.files else self.root)
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HugoConfigError(path, 0, f"not UTF-8 text (byte offset {exc.start})") from None
    except OSError as exc:
        raise HugoConfigError(path, 0, f"cannot read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE.search(str(exc))
        raise HugoConfigError(path, int(match[1]) if match else 0, f"invalid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise HugoConfigError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except Exception as exc:  # ruamel's YAMLError and friends; only YAML gets here
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        what = " ".join(str(getattr(exc, "problem", "") or exc).split())
        raise HugoConfigError(path, line, f"invalid YAML: {what}") from None


def _lower_keys(value: Any) -> Any:
    """Hugo's configuration keys are case-insensitive (`baseURL` is `baseurl`)."""
    if isinstance(value, Mapping):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    return value


def merge_tables(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `extra` laid over it, tables merged key by key (Hugo's config files, and our own settings
    over the environment's and the command line's)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = value
    return out


def _table(path: Path) -> dict[str, Any]:
    data = _parse(path)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise HugoConfigError(path, 1, "must hold a table of settings (key: value)")
    return _lower_keys(data)


def read_hugo(root: Path, only: Path | None = None, ours: Path | None = None) -> HugoSite:
    """Hugo's settings in `root` (the project folder), or only the file `only`; never our own config file
    `ours` (a `config.toml` beside `content/` may be this tool's)."""
    site = HugoSite(root)
    names = [root / n for n in CONFIG_NAMES if (root / n).is_file()]
    found = [only] if only else [p for p in names if ours is None or p.resolve() != ours.resolve()][:1]
    layers: list[tuple[Path, dict[str, Any]]] = []
    for env in ("_default", "production") if only is None else ():
        folder = root / "config" / env
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".toml", ".yaml", ".yml", ".json") or not path.is_file():
                continue
            parts = path.stem.lower().split(".")
            data = _table(path)
            if parts[0] not in ("hugo", "config"):  # languages.toml; params.en.toml is languages.en.params
                data = {"languages": {parts[1]: {parts[0]: data}}} if len(parts) == 2 else {parts[0]: data}
            layers.append((path, data))
    # The project's root file and the config folder both count; the root file is read last, so it wins.
    layers += [(path, _table(path)) for path in found]
    for path, data in layers:
        site.data = merge_tables(site.data, data)
        site.files.append(path)
        for key in data:
            site.key_file[key] = path
    return site


def _put(data: dict[str, Any], dotted: str, value: Any) -> bool:
    """Set `site.x.y` unless our own config set it; True when set."""
    node = data
    *heads, last = dotted.split(".")
    for head in heads:
        if not isinstance(node.get(head), dict):
            node[head] = {}
        node = node[head]
    if last in node:
        return False
    node[last] = value
    return True


def _languages(
    site: HugoSite, content_root: Path
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[str], list[str], dict[str, str | None]]:
    """Our `site.languages`, `[site.urls] language_dirs`, the folders of disabled languages, the languages
    whose `contentDir` lies outside our content root, and each enabled language's folder (None: the content
    root itself). A language without its own `contentDir` reads the site's top-level one, as Hugo does."""
    raw = site.data.get("languages")
    table = raw if isinstance(raw, Mapping) else {}
    off = {str(x).lower() for x in site.data.get("disablelanguages") or [] if isinstance(x, str)}
    ordered = sorted(
        ((str(k).lower(), v if isinstance(v, Mapping) else {}) for k, v in table.items()),
        key=lambda kv: (_weight(kv[1]) == 0, _weight(kv[1]), kv[0]),
    )
    langs: dict[str, dict[str, Any]] = {}
    dirs: dict[str, str] = {}
    disabled: list[str] = []
    outside: list[str] = []
    folders: dict[str, str | None] = {}
    for code, conf in ordered:
        folder = _content_folder(
            site.root, content_root, conf.get("contentdir") or site.data.get("contentdir")
        )
        if conf.get("disabled") is True or code in off:
            disabled.append(folder or code)
            continue
        ours: dict[str, Any] = {}
        name = conf.get("label") or conf.get("languagename")
        if isinstance(name, str) and name:
            ours["name"] = name
        direction = str(conf.get("direction") or conf.get("languagedirection") or "").lower()
        if direction in ("ltr", "rtl"):
            ours["dir"] = direction
        # The site's title in this language (.Site.Title: its pages' <title> suffix).
        title = conf.get("title")
        if isinstance(title, str) and title.strip() and title.strip() != site.data.get("title"):
            ours["site_name"] = title.strip()
        langs[code] = ours
        folders[code] = folder
        if folder and folder != code:
            dirs[folder] = code
        elif folder == "":
            outside.append(code)
    return langs, dirs, disabled, outside, folders


def _merge_languages(
    out: dict[str, Any], langs: Mapping[str, dict[str, Any]], folders: dict[str, str | None]
) -> bool:
    """Our `[site.languages.xx]` tables merged over Hugo's languages, in place; False when ours names none.
    Per language, our keys win (a name, `hreflang`); a language Hugo has keeps Hugo's code (lowercased, as
    its URLs are: ours may write `pt-BR`) and weight order; one only ours names comes after them, reading the
    folder of its code (a language being translated into before hugo.yaml lists it). Before, naming one
    language replaced Hugo's whole list."""
    own = out.get("languages")
    if not isinstance(own, dict) or not own:
        return False
    by_lower = {str(code).lower(): code for code in own}
    merged: dict[str, Any] = {}
    for code, conf in langs.items():
        mine = own.get(by_lower.pop(code, code))
        merged[code] = {**conf, **mine} if isinstance(mine, dict) else conf
    for code in by_lower.values():
        merged[code] = own[code]
        folders.setdefault(code, code)
    out["languages"] = merged
    return True


def _stray_folders(content_root: Path, folders: Mapping[str, str | None]) -> list[str]:
    """Folders of the content root that no language reads, when every language reads a folder of its own
    (`contentDir = "content/hi"` for each): Hugo builds only its languages' content dirs, so a translation
    kept in `content/ja/` without a `[languages.ja]` is no page of the site (the CNCF glossary has five such
    folders; checked as English they were all "not English" findings)."""
    if not folders or any(not f for f in folders.values()) or not content_root.is_dir():
        return []
    known = {f.split("/", 1)[0] for f in folders.values() if f}
    return sorted(
        d.name
        for d in content_root.iterdir()
        if d.is_dir() and d.name not in known and not d.name.startswith(".")
    )


def _weight(conf: Mapping[str, Any]) -> int:
    value = conf.get("weight")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _content_folder(root: Path, content_root: Path, value: Any) -> str | None:
    """A language's `contentDir` as a folder of our content root (`content/ar` → `ar`); None when unset or the
    content root itself; "" when elsewhere (those pages are not loaded: the caller says so)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        rel = (root / value.strip()).resolve().relative_to(content_root.resolve())
    except ValueError:
        return ""
    if not rel.parts:
        return None  # the content root itself: pages without a language folder are the default language's
    return rel.as_posix() if len(rel.parts) == 1 else ""


def _permalinks(value: Any) -> tuple[dict[str, str], list[str]]:
    """Per-section page patterns: the flat form or the `page` kind's; patterns with tokens this tool cannot
    expand (`:sections[1:]`, `:2006-01-02`) are skipped, and said so, rather than mis-expanded."""
    if not isinstance(value, Mapping):
        return {}, []
    flat = {k: v for k, v in value.items() if isinstance(v, str)}
    page = value.get("page")
    if isinstance(page, Mapping):
        flat.update({k: v for k, v in page.items() if isinstance(v, str)})
    out: dict[str, str] = {}
    skipped = [  # list pages: this tool's patterns are for pages only
        f"{kind}.{k}"
        for kind in ("section", "taxonomy", "term")
        if isinstance(value.get(kind), Mapping)
        for k in value[kind]
    ]
    for section, pattern in flat.items():
        sliced = "[" in pattern  # `:sections[1:]`
        if sliced or any(t not in _HUGO_TOKENS for t in _TOKEN.findall(pattern)):
            skipped.append(f"{section} = {pattern!r}")
        else:
            out[section] = pattern
    return out, skipped


def _mounts(
    hugo: HugoSite, content_root: Path, langs: list[str], default: str, dirs: dict[str, str]
) -> Mounts | None:
    """The site's content mounts (`module.mounts`, or opentelemetry.io's `module-template.yaml`), if any."""
    _raw, template = mount_table(hugo.data)
    where = hugo.key_file.get(template or "module")
    if where is None:
        return None
    table = hugo.data.get("languages")
    off = [str(k).lower() for k in table if str(k).lower() not in langs] if isinstance(table, Mapping) else []
    return read_mounts(hugo.data, hugo.root, content_root, where, langs, default, dirs, off)


def _mounted(mounts: Mounts, out: dict[str, Any], origins: dict[str, str]) -> None:
    """Our `[site.urls] external` and `fallback` from the mounts, unless our config sets them."""
    where = f"read from {mounts.source} (module mounts)"
    if mounts.external and _put(out, "urls.external", mounts.external):
        origins["site.urls.external"] = where
    if mounts.fallback and _put(out, "urls.fallback", mounts.fallback):
        origins["site.urls.fallback"] = where
    if mounts.notes:
        origins["site.urls (Hugo mounts)"] = "; ".join(mounts.notes)


# Hugo's `[frontmatter]` tokens: `:default` is the keys Hugo reads anyway (our aliases have them); the dates of Git
# and of the file system are the build machine's, which a check of the Markdown cannot know.
_UNKNOWABLE = {":git": "the last Git commit", ":filemodtime": "the file's modification time"}


def _front_matter_dates(h: Mapping[str, Any], put: Any, origins: dict[str, str], hugo: HugoSite) -> None:
    """Hugo's `[frontmatter]` date sources: other key names for `date` and `lastmod` (our aliases), the
    file name's date (`:filename`), and a note, once, for sources that cannot be known here."""
    table = h.get("frontmatter")
    table = table if isinstance(table, Mapping) else {}
    if h.get("enablegitinfo") is True and "lastmod" not in table:  # Hugo's default: [':git', 'lastmod', ...]
        table = {**table, "lastmod": [":git", "lastmod"]}
    aliases: dict[str, list[str]] = {}
    unknown: list[str] = []
    for hugo_key, ours in (
        ("date", "date"),
        ("lastmod", "lastmod"),
        ("publishdate", None),
        ("expirydate", None),
    ):
        value = table.get(hugo_key)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        names = [str(v) for v in items if isinstance(v, str)]
        if ours:
            custom = [n for n in names if not n.startswith(":") and n.lower() != ours]
            if custom:
                aliases[ours] = custom
        if hugo_key == "date" and ":filename" in (n.lower() for n in names):
            put("urls.date_in_filename", True, "frontmatter")
        unknown += [f"{hugo_key} = {_UNKNOWABLE[n.lower()]}" for n in names if n.lower() in _UNKNOWABLE]
    if aliases:
        put("front_matter.aliases", aliases, "frontmatter")
    if unknown:
        origins["site.front_matter (Hugo dates)"] = (
            f"{hugo.origin('frontmatter' if 'frontmatter' in h else 'enablegitinfo')} takes {'; '.join(unknown)} (Hugo's [frontmatter], enableGitInfo): "
            "not known offline from the Markdown; the front matter's own dates are used instead"
        )


def _raw_html(h: Mapping[str, Any], out: dict[str, Any], origins: dict[str, str], hugo: HugoSite) -> None:
    """Goldmark, Hugo's Markdown renderer, drops raw HTML written in Markdown (`<!-- raw HTML omitted -->` in
    its place) unless `markup.goldmark.renderer.unsafe` is true — the default since Hugo 0.60
    (https://gohugo.io/configuration/markup/#rendererunsafe). A `<img>` or `<div>` in such a site's posts is
    not on the page."""
    markup = h.get("markup")
    goldmark = markup.get("goldmark") if isinstance(markup, Mapping) else None
    renderer = goldmark.get("renderer") if isinstance(goldmark, Mapping) else None
    unsafe = renderer.get("unsafe") if isinstance(renderer, Mapping) else None
    if _put(out, "raw_html", "render" if unsafe is True else "omit"):
        origins["site.raw_html"] = (
            f"read from {hugo.origin('markup')} (markup.goldmark.renderer.unsafe)"
            if isinstance(unsafe, bool)
            else "Hugo's default (markup.goldmark.renderer.unsafe is not set: raw HTML is omitted)"
        )


def _linkify(h: Mapping[str, Any], out: dict[str, Any], origins: dict[str, str], hugo: HugoSite) -> None:
    """Goldmark links bare URLs and `www.` addresses (`markup.goldmark.extensions.linkify`, default true), `www.`
    ones with `linkifyProtocol` (default https): https://gohugo.io/configuration/markup/#linkify."""
    markup = h.get("markup")
    goldmark = markup.get("goldmark") if isinstance(markup, Mapping) else None
    ext = goldmark.get("extensions") if isinstance(goldmark, Mapping) else None
    ext = ext if isinstance(ext, Mapping) else {}
    on, protocol = ext.get("linkify"), ext.get("linkifyprotocol")
    if isinstance(on, bool) and _put(out, "linkify", on):
        origins["site.linkify"] = f"read from {hugo.origin('markup')} (markup.goldmark.extensions.linkify)"
    if protocol in ("http", "https") and _put(out, "linkify_protocol", protocol):
        origins["site.linkify_protocol"] = f"read from {hugo.origin('markup')} (linkifyProtocol)"


def _site_cascade(h: Mapping[str, Any], langs: list[str]) -> list[Any]:
    """The site's `cascade` (a table or a list of them) and each language's own, which reaches only that
    language (Hugo's `languages.xx.cascade`). Shapes are checked when applied (pipeline.content.cascade)."""
    out: list[Any] = []
    value = h.get("cascade")
    if value is not None:
        out += value if isinstance(value, list) else [value]
    table = h.get("languages")
    for code, conf in table.items() if isinstance(table, Mapping) else ():
        if str(code).lower() not in langs or not isinstance(conf, Mapping) or conf.get("cascade") is None:
            continue
        items = conf["cascade"] if isinstance(conf["cascade"], list) else [conf["cascade"]]
        for item in items:
            if isinstance(item, Mapping):
                target = dict(item.get("target") or item.get("_target") or {})
                target.setdefault("lang", str(code).lower())
                item = {**{k: v for k, v in item.items() if k not in ("target", "_target")}, "target": target}
            out.append(item)
    return out


def fill_from_hugo(
    data: dict[str, Any], config_root: Path, ours: Path | None = None
) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, int, str]]]:
    """`data` (our raw settings) with what a Hugo site's own configuration says filled in where ours is silent,
    {our key: where it came from}, and (file, line, what) for the mounts it skipped. Unchanged unless
    `site.generator` is "hugo" and a Hugo config exists."""
    site_raw = data.get("site")
    if not isinstance(site_raw, dict) or site_raw.get("generator") != "hugo":
        return data, {}, []
    given = site_raw.get("hugo_config")
    content = Path(str(site_raw.get("content_dir", "content")))
    content_root = content if content.is_absolute() else config_root / content
    if given:
        path = Path(str(given))
        path = path if path.is_absolute() else config_root / path
        if not path.exists():
            raise HugoConfigError(path, 0, "site.hugo_config names no file or folder")
        hugo = read_hugo(path, None) if path.is_dir() else read_hugo(path.parent, path)
    else:
        hugo = read_hugo(content_root.parent, ours=ours)
    if not hugo.files:
        return data, {}, []
    data = copy.deepcopy(data)  # the caller's stays as it was
    out = data["site"]
    origins: dict[str, str] = {}
    h = hugo.data

    def put(key: str, value: Any, hugo_key: str) -> None:
        if _put(out, key, value):
            where = f"read from {hugo.origin(hugo_key)} ({hugo_key})"
            if hugo_key.lower() not in h:
                where = f"Hugo's default ({hugo_key} is not set in {hugo.origin(hugo_key)})"
            origins[f"site.{key}"] = where

    if given and "contentdir" in h and isinstance(h["contentdir"], str):
        put("content_dir", str(hugo.root / h["contentdir"]), "contentDir")
        content_root = Path(out["content_dir"])
    if isinstance(h.get("title"), str) and h["title"].strip():
        put("name", h["title"].strip(), "title")
    if isinstance(h.get("baseurl"), str) and h["baseurl"].startswith(("http://", "https://")):
        put("base_url", h["baseurl"].rstrip("/"), "baseURL")
    default = str(h.get("defaultcontentlanguage") or "en").lower()
    langs, dirs, disabled, outside, folders = _languages(hugo, content_root)
    if not langs:
        langs = {default: {}}
    elif default not in langs:  # Hugo refuses such a site too
        raise HugoConfigError(
            hugo.key_file.get("defaultcontentlanguage", hugo.files[-1]),
            0,
            f"defaultContentLanguage {default!r} is not one of its languages ({', '.join(langs)})",
        )
    if not _merge_languages(out, langs, folders):
        put("languages", langs, "languages")
    else:
        added = [code for code in out["languages"] if code not in langs]
        origins["site.languages"] = (
            f"read from {hugo.origin('languages')} (languages), ours merged over it"
            + (f"; {', '.join(added)} only in ours" if added else "")
        )
    if "default_language" not in out and default in out["languages"]:
        put("default_language", default, "defaultContentLanguage")
    if h.get("defaultcontentlanguageinsubdir") is True:
        put("urls.language_prefix", "all", "defaultContentLanguageInSubdir")
    mounts = _mounts(hugo, content_root, list(out["languages"]), default, dirs)
    if mounts is not None and mounts.language_dirs:
        dirs = {**mounts.language_dirs, **dirs}
    if dirs:
        put("urls.language_dirs", dirs, "languages" if not mounts or not mounts.language_dirs else "module")
    if h.get("disablepathtolower") is True:
        put("urls.lowercase", False, "disablePathToLower")
    if h.get("removepathaccents") is True:
        put("urls.remove_path_accents", True, "removePathAccents")
    ugly = h.get("uglyurls")
    if isinstance(ugly, Mapping):
        ugly = {str(k): v for k, v in ugly.items() if isinstance(v, bool)}
    if isinstance(ugly, bool | dict):
        put("urls.ugly_urls", ugly, "uglyURLs")
    patterns, skipped = _permalinks(h.get("permalinks"))
    if patterns:
        put("urls.permalinks", patterns, "permalinks")
    per_lang: dict[str, dict[str, str]] = {}
    for code, conf in h["languages"].items() if isinstance(h.get("languages"), Mapping) else ():
        if str(code).lower() in out["languages"] and isinstance(conf, Mapping) and "permalinks" in conf:
            found, dropped = _permalinks(conf["permalinks"])
            per_lang[str(code).lower()] = found
            skipped += [f"languages.{code}: {d}" for d in dropped]
    if per_lang:
        put("urls.language_permalinks", per_lang, "languages")
    _front_matter_dates(h, put, origins, hugo)
    _raw_html(h, out, origins, hugo)
    _linkify(h, out, origins, hugo)
    for hugo_key, setting in (("buildFuture", "build_future"), ("buildExpired", "build_expired")):
        if isinstance(h.get(hugo_key.lower()), bool):
            put(setting, h[hugo_key.lower()], hugo_key)
    if skipped:
        origins["site.urls.permalinks (Hugo)"] = (
            f"skipped {'; '.join(skipped)}: list pages or tokens this tool does not expand; their URLs follow "
            "the file path"
        )
    kinds = [k.lower() for k in h.get("disablekinds") or [] if isinstance(k, str)]
    kinds = [k for k in ("home", "section", "page", "taxonomy", "term") if k in kinds]
    if kinds:
        put("urls.disable_kinds", kinds, "disableKinds")
    taxonomies = h.get("taxonomies")
    if isinstance(taxonomies, Mapping):
        put("urls.taxonomies", [str(v) for v in taxonomies.values() if isinstance(v, str)], "taxonomies")
    # Pagination: `pagination.pagerSize`/`pagination.path` (Hugo ≥ 0.128), formerly `paginate`/`paginatePath`.
    raw_pagination = h.get("pagination")
    pagination: Mapping[str, Any] = raw_pagination if isinstance(raw_pagination, Mapping) else {}
    size = pagination.get("pagersize", h.get("paginate"))
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        put("urls.pager_size", size, "pagination.pagerSize" if "pagersize" in pagination else "paginate")
    pager_path = pagination.get("path", h.get("paginatepath"))
    if isinstance(pager_path, str) and pager_path.strip("/"):
        put(
            "urls.pager_path",
            pager_path.strip("/"),
            "pagination.path" if "path" in pagination else "paginatePath",
        )
    if mounts is not None:
        _mounted(mounts, out, origins)
    cascade = _site_cascade(h, list(out["languages"]))
    if cascade:
        put("front_matter.cascade", cascade, "cascade")
    hidden = [f"{d}/**" for d in disabled if d]
    strays = [f"{d}/**" for d in _stray_folders(content_root, folders) if f"{d}/**" not in hidden]
    if mounts is not None:
        strays += [f"{d}/**" for d in mounts.unmounted if f"{d}/**" not in hidden + strays]
    if hidden or strays:
        out["exclude"] = [*out.get("exclude", []), *hidden, *strays]
        why = []
        if hidden:
            why.append(f"{', '.join(hidden)}: disabled languages in {hugo.origin('languages')}")
        if strays:
            why.append(
                f"{', '.join(strays)}: folders no language of {hugo.origin('languages')} reads as its "
                "contentDir, or no content mount reads (Hugo does not build them)"
            )
        origins["site.exclude"] = "adds " + "; ".join(why)
    if outside:
        origins["site.languages (Hugo)"] = (
            f"pages of {', '.join(outside)} not read: their contentDir is not a folder of {content_root}"
        )
    return data, origins, mounts.problems if mounts is not None else []

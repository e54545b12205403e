"""What a Jekyll site's own `_config.yml` says about its pages and URLs.

Read by the URL model (`pipeline.content.urls`) and the loader. Sources: Jekyll's "Configuration options"
(`permalink`, `exclude`, `timezone`, `future`, `collections_dir`), "Collections" (a collection `label` is the
folder `<collections_dir>/_<label>/`; its documents are pages only with `output: true`; their URL is the
collection's `permalink`, by default `/:collection/:path` with the site's permalink suffix, lib/jekyll/collection.rb
`url_template`; `_posts` and `_drafts` move into `collections_dir` too, and `collections.posts.permalink` is the
posts' pattern) and "Permalinks" (the collection placeholders `:collection`, `:path`, `:name`, `:title`).
Multilingual Jekyll sites either use jekyll-polyglot (a `languages:` list; pages with `lang:` are served under
`/<lang>/`) or write each translation's `permalink:` themselves, as w3.org/WAI does
(`index.ar.md` with `permalink: /fundamentals/accessibility-intro/ar` and `ref:` to the English page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.conventions import JEKYLL_STYLES, unknown_tokens

DEFAULT_COLLECTION_PATTERN = "/:collection/:path"


@dataclass(frozen=True)
class JekyllConfig:
    permalink: str | None = None
    exclude: tuple[str, ...] = ()
    timezone: dt.tzinfo = dt.UTC
    # `future: true`: posts dated in the future are built now (pipeline.content.schedule).
    future: bool = False
    found: bool = False  # the site has a `_config.yml` that parsed
    # jekyll-polyglot: `languages:` in the config or the plugin listed; only then does `lang:` add `/<lang>/`.
    polyglot: bool = False
    collections_dir: str = ""  # folder under the source holding `_<label>/` collection folders and `_posts`
    # label → URL pattern of each collection with `output: true` (posts: its own pattern, or None for the site's)
    collections: dict[str, str | None] = field(default_factory=dict)


def jekyll_config(root: Path) -> JekyllConfig:
    """What the Jekyll site's own `_config.yml` says about its URLs and pages: `permalink:` (`pretty` on
    ruby-lang.org), which posts follow unless `[site.urls] posts_permalink` says otherwise (without it every URL
    took Jekyll's default `date` style, `…/title.html`, while the site serves `…/title/`), and `exclude:`, the
    files Jekyll never builds (ruby-lang.org's `test/` holds deliberately broken posts), and `timezone:`, the zone
    post dates and so date URLs are read in (`jekyll_date`). A permalink that is no style or `/` pattern is left
    to Jekyll to refuse; a zone it would not know is UTC, the zone of CI and GitHub Pages. `collections:` with
    `output: true` are folders of pages (w3.org/WAI keeps most of its resources in them)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load((root / "_config.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        return JekyllConfig()
    if not isinstance(data, dict):
        return JekyllConfig()
    value = data.get("permalink")
    permalink = value.strip() if isinstance(value, str) else None
    if permalink is not None and permalink not in JEKYLL_STYLES:
        permalink = permalink if permalink.startswith("/") and not unknown_tokens(permalink) else None
    excluded = data.get("exclude")
    names = excluded if isinstance(excluded, list) else []
    plugins = [p for key in ("plugins", "gems") if isinstance(data.get(key), list) for p in data[key]]
    folder = data.get("collections_dir")
    return JekyllConfig(
        permalink,
        tuple(str(n).strip("/") for n in names if isinstance(n, str) and n.strip("/")),
        _zone(data.get("timezone")),
        data.get("future") is True,
        found=True,
        polyglot=isinstance(data.get("languages"), list) or "jekyll-polyglot" in plugins,
        collections_dir=folder.strip().strip("/") if isinstance(folder, str) else "",
        collections=_collections(data.get("collections"), permalink),
    )


def _collections(value: object, site_permalink: str | None) -> dict[str, str | None]:
    """Collections whose documents are pages: a list of labels (output false, Jekyll's default) makes none; a
    table's `output: true` entries each get their `permalink` or the default pattern with the suffix of the
    site's permalink style (`/` for `pretty` and patterns ending in `/`, else `:output_ext`)."""
    if not isinstance(value, dict):
        return {}
    style = JEKYLL_STYLES.get(site_permalink or "date", site_permalink or "")
    suffix = "/" if style.endswith("/") else ":output_ext"
    out: dict[str, str | None] = {}
    for label, meta in value.items():
        if not isinstance(label, str) or not isinstance(meta, dict):
            continue
        pattern = meta.get("permalink")
        own = pattern.strip() if isinstance(pattern, str) and pattern.strip() else None
        if own is not None and own in JEKYLL_STYLES:
            own = JEKYLL_STYLES[own]
        if own is not None and (unknown_tokens(own) or not own.strip("/")):
            own = None
        if label == "posts":
            out[label] = "/" + own.lstrip("/") if own else None
        elif meta.get("output") is True:
            out[label] = "/" + (own or DEFAULT_COLLECTION_PATTERN + suffix).lstrip("/")
    return out


def _zone(name: object) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    if isinstance(name, str) and name.strip():
        try:
            return ZoneInfo(name.strip())
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError; a path is a ValueError
            return dt.UTC
    return dt.UTC

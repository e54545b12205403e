"""Values a page's text takes from the site, shown in the preview as the site shows them.

Jekyll (Liquid) and Eleventy (Liquid/Nunjucks) run a post's Markdown as a template first: `{{ site.title }}`,
`{{ site.url }}{{ site.baseurl }}` and Eleventy's global data (`{{ metadata.author }}` from `_data/metadata.json`)
are the site's values on the page. The preview printed them as written. Known values come from the site's own
settings (Jekyll's `_config.yml`, Eleventy's `_data/*.json|yaml`) with our config's `site.name`/`site.base_url`
where those are silent; an expression naming anything else (a filter, a loop variable, a page value) stays as
written, marked as the template it is.

Hugo runs no templates in content: `{{ .Site.Title }}` in a Markdown file is printed as written on the real site,
so the preview keeps it; its `{{< param "x" >}}` shortcode shows the page's `x`, else the site's `params.x`.
Validate never counts any of these as words (pipeline.validate.prose reads them as markup).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.config import Config
from pipeline.config_problems import ConfigError
from pipeline.content.post import Post

# A bare variable path in HTML-escaped text (`{{ site.title }}`, `{{- metadata.author.name -}}`); anything with
# a filter, call or operator is not matched and stays as written.
VARIABLE = re.compile(r"\{\{-?\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+)\s*-?\}\}")
_LIQUID_GENERATORS = ("jekyll", "eleventy")
_DATA_SUFFIXES = (".json", ".yaml", ".yml")


def _yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        return None


def _data_file(path: Path) -> Any:
    if path.suffix == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
    return _yaml(path)


def _eleventy_data(config: Config) -> dict[str, Any]:
    """Eleventy's global data folder (`_data`, beside the input folder's content or above it): each JSON or
    YAML file is one variable named after the file. JavaScript data is code and is not run."""
    out: dict[str, Any] = {}
    root = config.content_root
    for folder in (root / "_data", root.parent / "_data"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in _DATA_SUFFIXES and path.is_file():
                data = _data_file(path)
                if isinstance(data, dict):
                    out.setdefault(path.stem, data)
    return out


def template_values(config: Config) -> dict[str, Any]:
    """The variables a Liquid/Nunjucks page may name (empty for other generators): `site` always."""
    if config.site.generator not in _LIQUID_GENERATORS:
        return {}
    base = urlsplit(config.site.base_url)
    site: dict[str, Any] = {
        "title": config.site.name,
        "name": config.site.name,
        "url": f"{base.scheme}://{base.netloc}" if base.netloc else config.site.base_url,
        "baseurl": base.path.rstrip("/"),
    }
    values: dict[str, Any] = {}
    if config.site.generator == "jekyll":
        own = _yaml(config.content_root / "_config.yml")
        if isinstance(own, dict):
            site.update({str(k): v for k, v in own.items()})
    else:
        values.update(_eleventy_data(config))
        if isinstance(values.get("site"), dict):
            site.update(values["site"])
    values["site"] = site
    return values


def hugo_params(config: Config) -> dict[str, Any]:
    """The Hugo site's `params` table (keys lower-cased, as Hugo reads them); empty for other generators."""
    if config.site.generator != "hugo":
        return {}
    from pipeline.hugo_site import read_hugo

    given = config.site.hugo_config
    try:
        if given is not None:
            path = given if given.is_absolute() else config.root / given
            site = read_hugo(path, None) if path.is_dir() else read_hugo(path.parent, path)
        else:
            site = read_hugo(config.content_root.parent)
    except (ConfigError, OSError, ValueError):  # config loading said so already; the preview goes on
        return {}
    params = site.data.get("params")
    return params if isinstance(params, dict) else {}


def _lookup(values: Mapping[str, Any], dotted: str) -> str | None:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        lowered = {str(k).lower(): v for k, v in node.items()}
        node = node[part] if part in node else lowered.get(part.lower())
        if node is None:
            return None
    if isinstance(node, bool) or not isinstance(node, str | int | float):
        return None
    return str(node)


def fill(text_html: str, values: Mapping[str, Any]) -> str:
    """Escaped HTML text with its known variables filled in (escaped); unknown ones marked as templates."""

    def one(m: re.Match[str]) -> str:
        got = _lookup(values, html.unescape(m.group(1)))
        if got is not None:
            return html.escape(got, quote=False)
        return f'<code class="template" dir="ltr">{m.group(0)}</code>'

    return VARIABLE.sub(one, text_html)


def param(post: Post, site_params: Mapping[str, Any], name: str) -> str | None:
    """Hugo's `param` shortcode: the page's front matter (or its `params:`), else the site's `params`."""
    for table in (post.meta, post.meta.get("params"), site_params):
        if isinstance(table, Mapping):
            got = _lookup(table, name)
            if got is not None:
                return got
    return None

"""The content model: Markdown posts with YAML or TOML front matter, loaded once into `Post` objects.

Every stage reads the same `Post`, so a file is read once per run and all stages agree on line numbers, language
and hashes; its body is parsed on first use by the one Markdown dialect and the result is shared.

- `post`: the `Post` object and who fills which of its attributes.
- `frontmatter`: split, read (libyaml, tomllib) and write back round-trip safe (ruamel.yaml, tomlkit).
- `loader`: walk a content tree into a `ContentSet`; bad files become findings, never exceptions.
- `markdown`: the dialect — the only place Markdown parsers are built.
- `keys`: front-matter keys under the pipeline's names (`Title:`, aliases), HTML entities decoded.
- `urls`: the URL model, the one place a post's public URL is computed; `links` resolves body links by it.
"""

from pipeline.content.files import MARKDOWN_SUFFIXES, display_path, iter_markdown, path_filter, path_matcher
from pipeline.content.frontmatter import (
    ContentError,
    FrontFormat,
    Split,
    new_post_text,
    parse_date,
    parse_toml_front,
    parse_yaml_front,
    split_front_matter,
    update_front_matter,
)
from pipeline.content.loader import LOAD_RULES, ContentSet, load_content, load_post, parse_post
from pipeline.content.post import Post
from pipeline.content.urls import UrlModel

__all__ = [
    "LOAD_RULES",
    "MARKDOWN_SUFFIXES",
    "ContentError",
    "ContentSet",
    "FrontFormat",
    "Post",
    "Split",
    "UrlModel",
    "display_path",
    "iter_markdown",
    "load_content",
    "load_post",
    "new_post_text",
    "parse_date",
    "parse_post",
    "parse_toml_front",
    "parse_yaml_front",
    "path_filter",
    "path_matcher",
    "split_front_matter",
    "update_front_matter",
]

"""Jinja2 environments with autoescaping always on: everything we render into HTML came from user files."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.config import project_templates_dir
from pipeline.langtags import bcp47


@cache
def html_env(subdir: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(project_templates_dir() / subdir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["langtag"] = bcp47
    return env


def report_env() -> Environment:
    return html_env("reports")

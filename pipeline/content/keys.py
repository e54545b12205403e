"""Front-matter keys as real sites write them: `Title:`, `summary:` for a description, HTML entities in text.

The loader gives every post its keys under the pipeline's names (`title`, `description`, `aliases`, ...) so
no stage looks for spellings; `Post.key_names` remembers the file's own spelling, and `Post.dumps` writes an
update back under it (a translated `Title:` stays `Title:`). Which other names count depends on the generator
(`pipeline.conventions`: Hugo's `summary`, Jekyll's `excerpt` and `redirect_from`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from pipeline.conventions import TEXT_KEYS


def canonical_keys(
    meta: dict[str, Any], key_lines: dict[str, int], aliases: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    """(meta, key lines, canonical name → the file's name) with known keys under their canonical names.

    A key written exactly as the pipeline names it wins; then the same name in another case; then the
    aliases in the order the conventions list them. Keys that lose stay under their own names."""
    lowered: dict[str, str] = {}
    for key in meta:
        lowered.setdefault(key.lower(), key)
    names: dict[str, str] = {}
    moves: list[tuple[str, str]] = []
    for name, others in aliases.items():
        if name in meta:
            continue
        found = lowered.get(name.lower())
        if found is None:
            found = next((lowered[a.lower()] for a in others if a.lower() in lowered), None)
        if found is None or found in names.values() or (found in aliases and found != name):
            continue
        names[name] = found
        moves.append((name, found))
    if moves:
        meta = dict(meta)
        key_lines = dict(key_lines)
        for name, found in moves:
            meta[name] = meta.pop(found)
            if found in key_lines:
                key_lines[name] = key_lines[found]
    for key in TEXT_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and "&" in value:
            meta[key] = html.unescape(value)
        elif isinstance(value, list) and any(isinstance(v, str) and "&" in v for v in value):
            meta[key] = [html.unescape(v) if isinstance(v, str) else v for v in value]
    return meta, key_lines, names

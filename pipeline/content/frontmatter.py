"""Front matter: split it off the body, read it fast (libyaml, tomllib), write it back round-trip safe.

Reading and writing are different jobs on purpose: libyaml's C loader makes loading 10,000 posts cheap, while
ruamel.yaml and tomlkit keep key order, quoting and comments when a stage writes a key back. Anything malformed
raises `ContentError` with the rule id and file line, which the loader turns into one finding on that file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import yaml

FrontFormat = Literal["yaml", "toml", "none"]
MAX_DEPTH = 20
MAX_NODES = 10_000


class ContentError(Exception):
    """A file cannot become a Post; carries the rule id and line for the finding."""

    def __init__(self, rule: str, message: str, line: int | None = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.line = line


# --- dates ---------------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# `2013-09-03 12:00:00 UTC`: Jekyll (Ruby's Time.parse) reads a zone name after the time; ISO parsing does not,
# and the time was dropped. The names Ruby knows that sites write, as UTC offsets.
_ZONE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([A-Za-z]{1,4})$")
_ZONES = {
    **dict.fromkeys(("UTC", "UT", "GMT", "Z"), "+00:00"),
    **{"JST": "+09:00", "KST": "+09:00", "CET": "+01:00", "CEST": "+02:00", "EST": "-05:00", "EDT": "-04:00"},
    **{"CST": "-06:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00"},
}


def parse_date(value: Any, zone: dt.tzinfo = dt.UTC) -> dt.datetime | None:
    """Front-matter dates arrive as str, date or datetime depending on the format; normalise to aware times. One
    written without an offset is read in `zone` (a Jekyll site's `timezone:`), UTC unless the caller knows one."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        text = value.strip()
        named = _ZONE_NAME.match(text)
        if named and named.group(2).upper() in _ZONES:
            text = f"{named.group(1)}{_ZONES[named.group(2).upper()]}"
        text = text.replace("Z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = dt.datetime.fromisoformat(text[:10])
            except ValueError:
                return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    return None


def jekyll_date(value: object, zone: dt.tzinfo) -> dt.datetime | None:
    """A post's front-matter date as Jekyll sees it on a site in `zone`, the date its `:year/:month/:day` come
    from. Jekyll sets TZ from `timezone:` (jekyllrb.com/docs/configuration/options: "sets the TZ environment
    variable, which Ruby uses to handle time and date creation") and normalises every date with
    `Utils.parse_date`, i.e. `Time.parse(input).localtime` (jekyll lib/jekyll/utils.rb): a time with an offset is
    converted to the site's zone, a string without one is read in it. A YAML timestamp with seconds and no
    offset is the exception: SafeYAML reads it as UTC (`DateTime.parse(value).to_time`, safe_yaml
    lib/safe_yaml/parse/date.rb) before `localtime` converts it, the surprise of jekyll/jekyll#1069 and #1273."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    parsed = parse_date(value, zone)
    return parsed.astimezone(zone) if parsed is not None else None


# --- parsing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    fmt: FrontFormat
    fm: str
    body: str
    body_line: int
    opener: str = ""
    closer: str = ""
    lead_lines: int = 0  # blank lines before the opening delimiter (Hugo reads past them; kept in `opener`)


_LEADING = " \t\r\n"


def split_front_matter(text: str, after_blank_lines: bool = False) -> Split:
    """Cut a file into front matter and body, keeping the exact delimiter lines for byte-exact rewrites.

    `after_blank_lines`: front matter may follow blank lines, as Hugo's page lexer skips whitespace before
    the delimiter (the CNCF glossary's ko and zh-cn home pages start with an empty line); Jekyll and
    Eleventy read front matter on the first line only.

    Raises ContentError when a front-matter block is opened but never closed.
    """
    if after_blank_lines and text[:1] in _LEADING:
        stripped = text.lstrip(_LEADING)
        if stripped[:3] in ("---", "+++"):
            lead = text[: len(text) - len(stripped)]
            lines = lead.count("\n")
            try:
                inner = split_front_matter(stripped)
            except ContentError as exc:
                shown = str(exc).replace("on line 1", f"on line {lines + 1}")
                raise ContentError(exc.rule, shown, lines + 1) from None
            if inner.fmt != "none":
                return replace(
                    inner, body_line=inner.body_line + lines, opener=lead + inner.opener, lead_lines=lines
                )
    if text.startswith("---") and text[3:4] in ("\n", "\r", " ", "\t", ""):
        delim, fmt = "---", "yaml"
    elif text.startswith("+++") and text[3:4] in ("\n", "\r", " ", "\t", ""):
        delim, fmt = "+++", "toml"
    else:
        return Split("none", "", text, 1)
    first_nl = text.find("\n")
    if first_nl < 0:
        raise ContentError(
            "CONTENT004",
            f"front matter opened with '{delim}' on line 1 but never closed; add a closing '{delim}' line",
            1,
        )
    pos = first_nl + 1
    line = 2
    while True:
        end = text.find("\n", pos)
        current = text[pos:] if end < 0 else text[pos:end]
        if current.rstrip() == delim or (fmt == "yaml" and current.rstrip() == "..."):
            fm = text[first_nl + 1 : pos]
            body = "" if end < 0 else text[end + 1 :]
            closer = text[pos:] if end < 0 else text[pos : end + 1]
            return Split(fmt, fm, body, line + 1, text[: first_nl + 1], closer)  # type: ignore[arg-type]
        if end < 0:
            raise ContentError(
                "CONTENT004",
                f"front matter opened with '{delim}' on line 1 but never closed; add a closing '{delim}' line",
                1,
            )
        pos = end + 1
        line += 1


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_yaml_graph(node: yaml.Node) -> None:
    """Refuse absurd depth/size, and aliases whose expansion would be (an alias bomb), before constructing
    Python objects. Plain anchors and aliases are fine: Hugo, Jekyll and Eleventy read them, and real sites
    use them (opentelemetry.io: `eventUrl: &eventUrl …`, `blogPostURL: *eventUrl`)."""
    # Pass 1, the graph itself (linear whatever the aliases): its depth and size, and the first alias.
    seen: set[int] = {id(node)}
    stack: list[tuple[yaml.Node, int]] = [(node, 0)]
    count = 0
    first_alias: yaml.Node | None = None
    while stack:
        current, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise ContentError(
                "CONTENT009",
                f"front matter nests deeper than {MAX_DEPTH} levels or has more than {MAX_NODES} values; flatten it",
                current.start_mark.line + 2,
            )
        for child in _children(current):
            if id(child) in seen:
                first_alias = first_alias or child
                continue
            seen.add(id(child))
            stack.append((child, depth + 1))
    if first_alias is None:
        return
    # Pass 2, as every reader of the values will see them: aliases expanded, stopped at the same limits (so a
    # billion laughs, or an alias inside its own anchor, costs at most MAX_NODES steps).
    expanded: list[tuple[yaml.Node, int]] = [(node, 0)]
    count = 0
    while expanded:
        current, depth = expanded.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise ContentError(
                "CONTENT008",
                f"YAML aliases here expand to more than {MAX_NODES} values or {MAX_DEPTH} levels (an alias "
                "bomb, or an alias inside its own anchor); write the values out in full",
                first_alias.start_mark.line + 2,
            )
        expanded.extend((child, depth + 1) for child in _children(current))


_STARTS_AT_CONTEXT = frozenset({"while scanning a simple key", "while scanning a quoted scalar"})


def parse_yaml_front(
    fm: str, duplicates: list[tuple[str, int, int]] | None = None
) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML front matter; key lines are 1-based *file* lines (front matter starts on file line 2).
    `duplicates`: collect top-level keys written twice there instead of refusing them (`_construct_mapping`)."""
    loader = _FastLoader(fm)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _check_yaml_graph(node)
        if not isinstance(node, yaml.MappingNode):
            raise ContentError(
                "CONTENT007", "front matter must be key: value pairs, not a list or a scalar", 2
            )
        data = _construct_mapping(loader, node, duplicates)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        fix = "check quoting and indentation"
        # A key line without `: ` (`category:تقنية`) or an unclosed quote is found only where the scanner gives
        # up: the next line, often the closing `---`. The line that is wrong is where the key or quote began.
        if exc.context_mark is not None and exc.context in _STARTS_AT_CONTEXT:
            mark = exc.context_mark
            if exc.context == "while scanning a simple key":
                text = fm.split("\n")[mark.line].strip() if mark.line < fm.count("\n") + 1 else ""
                problem = f"{text[:60]!r} is not `key: value`"
                fix = "put a space after the colon" if ":" in text else "write it as `key: value`"
        line = (mark.line + 2) if mark else 1
        if "maximum nesting depth" in problem:  # libyaml stops at 1000 levels before our own check runs
            raise ContentError(
                "CONTENT009", f"front matter nests deeper than {MAX_DEPTH} levels; flatten it", line
            ) from None
        raise ContentError("CONTENT005", f"invalid YAML: {problem}; {fix}", line) from None
    except yaml.YAMLError as exc:
        raise ContentError("CONTENT005", f"invalid YAML: {exc}", 1) from None
    except RecursionError:
        raise ContentError(
            "CONTENT009", f"front matter nests deeper than {MAX_DEPTH} levels; flatten it", 1
        ) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if duplicates:  # the value kept is the last one written: findings point there
                lines[str(key_node.value)] = key_node.start_mark.line + 2
            else:
                lines.setdefault(str(key_node.value), key_node.start_mark.line + 2)
    return {str(k): v for k, v in data.items()}, lines


def _construct_mapping(
    loader: Any, node: yaml.MappingNode, duplicates: list[tuple[str, int, int]] | None = None
) -> dict[Any, Any]:
    """Build the mapping key by key, so a value PyYAML cannot construct names its own line.

    Resolved tags can still fail after parsing: `date: 2025-13-45` is a timestamp to the resolver but not a
    date (ValueError), `!!bool maybe` raises KeyError, `!!timestamp foo` AttributeError. Whole-document
    construction turned those into a traceback that stopped every stage for every post. Duplicate keys are
    refused too: YAML forbids them, and the later value silently won while findings pointed at the first —
    unless `duplicates` is given (Jekyll, whose YAML reader keeps the last value and builds the page): then each
    is listed there as (key, first line, line) and the last value is kept, as Jekyll does.
    """
    data: dict[Any, Any] = {}
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 2
        label = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a key"
        try:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
            first = seen.get(key)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            if isinstance(exc, (ValueError, TypeError, OverflowError)):
                detail = str(exc)
            else:  # KeyError / AttributeError from inside PyYAML say nothing useful: name the tag instead
                detail = f"not a valid {str(value_node.tag).rsplit(':', 1)[-1]}"
            raise ContentError(
                "CONTENT005",
                f"invalid YAML value for {label!r} ({detail}); fix it, or quote it to keep it as text",
                value_node.start_mark.line + 2,
            ) from None
        if first is not None and duplicates is not None:
            duplicates.append((str(label), first, line))
        elif first is not None:
            raise ContentError(
                "CONTENT005", f"key {label!r} appears twice (lines {first} and {line}); keep one", line
            )
        seen[key] = line
        data[key] = value
    return data


_TOML_KEY = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=')
_TOML_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def parse_toml_front(fm: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = tomllib.loads(fm)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) + 1 if match else 1
        raise ContentError("CONTENT006", f"invalid TOML: {exc}; check quoting and '=' signs", line) from None
    except RecursionError:  # tomllib recurses per nesting level: `a = [[[[…` thousands deep
        raise ContentError(
            "CONTENT009", f"front matter nests deeper than {MAX_DEPTH} levels; flatten it", 2
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise ContentError("CONTENT009", f"front matter nests deeper than {MAX_DEPTH} levels; flatten it", 2)
    lines: dict[str, int] = {}
    table: str | None = None
    for i, text in enumerate(fm.split("\n")):
        t = _TOML_TABLE.match(text)
        if t and not _TOML_KEY.match(text):
            table = t.group(1).strip()
            lines.setdefault(table, i + 2)
            continue
        k = _TOML_KEY.match(text)
        if k:
            key = k.group(1).strip("\"'")
            lines.setdefault(f"{table}.{key}" if table else key, i + 2)
            # Zola keeps tags in [taxonomies]; point 'tags' at them too.
            if table and key not in lines:
                lines[key] = i + 2
    return data, lines


# --- round-trip writing --------------------------------------------------------------------------------------


def _ruamel() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def update_front_matter(
    fmt: FrontFormat, fm: str, updates: Mapping[str, Any], remove: Iterable[str] = ()
) -> str:
    """Apply key updates to front-matter text, keeping order, quoting, comments and unknown keys."""
    if fmt == "toml":
        import tomlkit

        doc = tomlkit.parse(fm)
        for key in remove:
            doc.pop(key, None)
        for key, value in updates.items():
            doc[key] = value
        return tomlkit.dumps(doc)
    from ruamel.yaml.constructor import DuplicateKeyError

    y = _ruamel()
    try:
        data = y.load(fm) if fm.strip() else None
    except DuplicateKeyError:
        # A key written twice (Jekyll reads such a page, with the last value): the round trip keeps one key,
        # with the value Jekyll used. ruamel's lenient mode would keep the first.
        y = _ruamel()
        y.allow_duplicate_keys = True
        data = y.load(fm)
        duplicates: list[tuple[str, int, int]] = []
        last = parse_yaml_front(fm, duplicates)[0]
        for key in {key for key, _, _ in duplicates}:
            data[key] = last[key]
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    _detect_indent(y, fm)
    for key in remove:
        data.pop(key, None)
    for key, value in updates.items():
        data[key] = value
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def _detect_indent(y: Any, fm: str) -> None:
    """Keep the file's sequence style: `- a` at column 0 (Eleventy default) or indented."""
    for line in fm.split("\n"):
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            offset = len(line) - len(stripped)
            y.indent(mapping=2, sequence=offset + 2, offset=offset)
            return


def new_post_text(fmt: FrontFormat, meta: Mapping[str, Any], body: str) -> str:
    """Text for a brand-new file (e.g. a translation draft) from plain data."""
    if fmt == "toml":
        import tomlkit

        return f"+++\n{tomlkit.dumps(dict(meta))}+++\n{body}"
    y = _ruamel()
    buf = io.StringIO()
    y.dump(dict(meta), buf)
    return f"---\n{buf.getvalue()}---\n{body}"

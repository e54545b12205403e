"""The content model: Markdown posts with YAML or TOML front matter, loaded once into `Post` objects.

Every stage reads the same `Post`, so a file is parsed exactly once per run and all stages agree on line numbers,
language and hashes. Reading uses libyaml (C) and tomllib for speed; writing back goes through ruamel.yaml and
tomlkit so key order, quoting and comments survive a round trip. Malformed input never raises out of
`load_content`: it becomes an error `Finding` naming the file and line, and the other posts load normally.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from pipeline.findings import Finding, Rule
from pipeline.fsutil import atomic_write_text

if TYPE_CHECKING:
    from markdown_it.token import Token

    from pipeline.config import Config

FrontFormat = Literal["yaml", "toml", "none"]
MARKDOWN_SUFFIXES = (".md", ".markdown")
FALSE_WORDS = frozenset({"false", "no", "off", "0", ""})
MAX_DEPTH = 20
MAX_NODES = 10_000

LOAD_RULES: tuple[Rule, ...] = (
    Rule("CONTENT001", "error", "File could not be read or is larger than site.max_file_bytes.", "content"),
    Rule("CONTENT002", "error", "File is not valid UTF-8 text.", "content"),
    Rule("CONTENT003", "error", "File looks binary (contains NUL bytes).", "content"),
    Rule("CONTENT004", "error", "Front matter opened with --- or +++ but never closed.", "content"),
    Rule("CONTENT005", "error", "Front matter is not valid YAML.", "content"),
    Rule("CONTENT006", "error", "Front matter is not valid TOML.", "content"),
    Rule("CONTENT007", "error", "Front matter is not a key/value mapping.", "content"),
    Rule(
        "CONTENT008",
        "error",
        "YAML anchors/aliases are not allowed in front matter (alias bombs).",
        "content",
    ),
    Rule("CONTENT009", "error", "Front matter nests deeper or is larger than the loader allows.", "content"),
    Rule("CONTENT010", "error", "Symlink points outside the content root.", "content"),
    Rule("CONTENT011", "warning", "File has no front matter.", "content"),
    Rule("CONTENT012", "error", "`lang:` names a language that is not in site.languages.", "content"),
)


class ContentError(Exception):
    """A file cannot become a Post; carries the rule id and line for the finding."""

    def __init__(self, rule: str, message: str, line: int | None = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.line = line


@dataclass
class Post:
    """One Markdown file. Stages read it and add to `extra`; nobody re-parses the file."""

    path: Path
    rel: str
    fm_format: FrontFormat
    fm_text: str
    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int
    lang: str
    translation_key: str
    hash: str
    lang_from_folder: bool = False
    newline: str = "\n"
    bom: bool = False
    opener: str = ""
    closer: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    # --- typed accessors for the known keys -------------------------------------------------------------

    def _str(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    @property
    def title(self) -> str | None:
        return self._str("title")

    @property
    def description(self) -> str | None:
        return self._str("description")

    @property
    def preview(self) -> str | None:
        return self._str("preview")

    @property
    def permalink(self) -> str | None:
        return self._str("permalink")

    @property
    def image(self) -> str | None:
        return self._str("image")

    @property
    def og_image(self) -> str | None:
        return self._str("ogImage")

    @property
    def twitter_image(self) -> str | None:
        return self._str("twitterImage")

    @property
    def keyphrase(self) -> str | None:
        return self._str("keyphrase")

    @property
    def draft(self) -> bool:
        """`draft: "no"` is not a draft; any other text that is not clearly false is (never publish by mistake).
        SEO002 asks for a real boolean either way."""
        value = self.meta.get("draft", False)
        if isinstance(value, str):
            return value.strip().lower() not in FALSE_WORDS
        return bool(value)

    @property
    def tags(self) -> list[str]:
        value = self.meta.get("tags")
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(v) for v in value]
        taxonomies = self.meta.get("taxonomies")  # Zola/Hugo TOML style
        if isinstance(taxonomies, dict) and isinstance(taxonomies.get("tags"), list):
            return [str(v) for v in taxonomies["tags"]]
        return []

    @property
    def date(self) -> dt.datetime | None:
        return parse_date(self.meta.get("date"))

    @property
    def slug(self) -> str:
        if self.permalink:
            parts = [p for p in self.permalink.split("/") if p]
            if parts:
                return parts[-1]
        return Path(self.rel).stem

    @property
    def translation(self) -> dict[str, Any]:
        value = self.meta.get("translation")
        return value if isinstance(value, dict) else {}

    @property
    def is_translation(self) -> bool:
        return bool(self.translation)

    @property
    def published(self) -> bool:
        """Published = not a draft, and (for translations) approved by a human."""
        if self.draft:
            return False
        return not self.is_translation or self.translation.get("status") == "approved"

    def line_of(self, key: str) -> int:
        """File line of a front-matter key (1-based); the opening delimiter's line when absent."""
        return self.key_lines.get(key, 1)

    # --- Markdown ---------------------------------------------------------------------------------------

    @cached_property
    def tokens(self) -> list[Token]:
        """markdown-it tokens; `token.map` is rebased so `map[0] + 1` is the 1-based line in the file."""
        tokens = markdown_parser().parse(self.body)
        offset = self.body_line - 1
        for tok in _walk(tokens):
            if tok.map:
                tok.map = [tok.map[0] + offset, tok.map[1] + offset]
        return tokens

    def body_file_line(self, body_line_index: int) -> int:
        """Convert a 0-based line index within the body to a 1-based file line."""
        return self.body_line + body_line_index

    # --- writing ----------------------------------------------------------------------------------------

    def dumps(
        self,
        updates: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        body: str | None = None,
    ) -> str:
        """Return the file text with front-matter `updates` applied round-trip safely and an optional new body."""
        fm = self.fm_text
        if updates or remove:
            fm = update_front_matter(
                self.fm_format if self.fm_format != "none" else "yaml", fm, updates or {}, remove
            )
        new_body = self.body if body is None else body
        if self.fm_format == "none" and not (updates or remove):
            text = new_body
        else:
            opener = self.opener or "---\n"
            closer = self.closer or "---\n"
            if new_body and not closer.endswith("\n"):
                closer += "\n"
            if fm and not fm.endswith("\n"):
                fm += "\n"
            text = f"{opener}{fm}{closer}{new_body}"
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text

    def write(
        self, updates: Mapping[str, Any] | None = None, remove: Iterable[str] = (), body: str | None = None
    ) -> str:
        text = self.dumps(updates, remove, body)
        atomic_write_text(self.path, text)
        return text


def _walk(tokens: Sequence[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


_PARSER = None


def markdown_parser() -> Any:
    """CommonMark + tables + strikethrough + footnotes; raw HTML recognised (so we can skip it)."""
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.footnote import footnote_plugin

        _PARSER = (
            MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(footnote_plugin)
        )
    return _PARSER


# --- dates ---------------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_date(value: Any) -> dt.datetime | None:
    """Front-matter dates arrive as str, date or datetime depending on the format; normalise to aware UTC-ish."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        text = value.strip().replace("Z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = dt.datetime.fromisoformat(text[:10])
            except ValueError:
                return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


# --- parsing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    fmt: FrontFormat
    fm: str
    body: str
    body_line: int
    opener: str = ""
    closer: str = ""


def split_front_matter(text: str) -> Split:
    """Cut a file into front matter and body, keeping the exact delimiter lines for byte-exact rewrites.

    Raises ContentError when a front-matter block is opened but never closed.
    """
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


def _check_yaml_graph(node: yaml.Node) -> None:
    """Reject aliases (a shared node = an alias) and absurd depth/size before constructing Python objects."""
    # Shared nodes are caught when pushed, not when popped: a deep alias bomb must read as CONTENT008, not as
    # CONTENT009 because the depth-first walk reached the bottom before meeting the second copy.
    seen: set[int] = {id(node)}
    stack: list[tuple[yaml.Node, int]] = [(node, 0)]
    count = 0
    while stack:
        current, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise ContentError(
                "CONTENT009",
                f"front matter nests deeper than {MAX_DEPTH} levels or has more than {MAX_NODES} values; flatten it",
                current.start_mark.line + 2,
            )
        children: list[yaml.Node] = []
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                children += (key, value)
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        for child in children:
            if id(child) in seen:
                raise ContentError(
                    "CONTENT008",
                    "YAML anchors/aliases are not allowed in front matter; write the value out in full",
                    child.start_mark.line + 2,
                )
            seen.add(id(child))
            stack.append((child, depth + 1))


def parse_yaml_front(fm: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML front matter; key lines are 1-based *file* lines (front matter starts on file line 2)."""
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
        data = _construct_mapping(loader, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark else 1
        problem = exc.problem or str(exc)
        if "maximum nesting depth" in problem:  # libyaml stops at 1000 levels before our own check runs
            raise ContentError(
                "CONTENT009", f"front matter nests deeper than {MAX_DEPTH} levels; flatten it", line
            ) from None
        raise ContentError(
            "CONTENT005", f"invalid YAML: {problem}; check quoting and indentation", line
        ) from None
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
            lines.setdefault(str(key_node.value), key_node.start_mark.line + 2)
    return {str(k): v for k, v in data.items()}, lines


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build the mapping key by key, so a value PyYAML cannot construct names its own line.

    Resolved tags can still fail after parsing: `date: 2025-13-45` is a timestamp to the resolver but not a
    date (ValueError), `!!bool maybe` raises KeyError, `!!timestamp foo` AttributeError. Whole-document
    construction turned those into a traceback that stopped every stage for every post. Duplicate keys are
    refused too: YAML forbids them, and the later value silently won while findings pointed at the first.
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
        if first is not None:
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


# --- loading a tree ------------------------------------------------------------------------------------------


@dataclass
class ContentSet:
    posts: list[Post]
    problems: list[Finding]
    root: Path
    skipped: int = 0

    def by_lang(self, lang: str) -> list[Post]:
        return [p for p in self.posts if p.lang == lang]

    def groups(self) -> dict[str, list[Post]]:
        """translationKey → every language version of one article."""
        out: dict[str, list[Post]] = {}
        for post in self.posts:
            out.setdefault(post.translation_key, []).append(post)
        return out


def iter_markdown(root: Path, paths: Sequence[Path] | None = None) -> Iterator[Path]:
    """Markdown files under root (or the given files/folders), sorted, without following directory symlinks."""
    targets = list(paths) if paths else [root]
    for target in targets:
        if target.is_file() or (target.is_symlink() and not target.is_dir()):
            yield target
            continue
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(target):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            found.extend(Path(dirpath) / f for f in filenames if f.lower().endswith(MARKDOWN_SUFFIXES))
        yield from sorted(found)


def load_post(
    path: Path,
    root: Path,
    *,
    default_lang: str = "en",
    languages: Iterable[str] = (),
    max_bytes: int = 5_000_000,
    walked_root: Path | None = None,
) -> Post:
    """Read one file into a Post; raise ContentError for anything malformed.

    `walked_root` (the resolved root) says `path` came from walking the root without following directory
    symlinks, so only the file itself can be a link: one lstat instead of resolving every path component, which
    was a third of the load time on a 10,000-post site."""
    root_resolved = walked_root or root.resolve()
    try:
        if walked_root is not None and not os.path.islink(path):
            resolved = walked_root / path.relative_to(root)
        else:
            resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):
        raise ContentError("CONTENT010", "symlink loop or unreadable path", 1) from None
    if root_resolved != resolved and root_resolved not in resolved.parents:
        if path.is_symlink():
            raise ContentError(
                "CONTENT010",
                f"symlink points outside the content root ({resolved}); copy the file in instead",
                1,
            )
        raise ContentError("CONTENT010", f"file is outside the content root {root_resolved}", 1)
    try:
        size = resolved.stat().st_size
        if size > max_bytes:
            raise ContentError(
                "CONTENT001",
                f"file is {size:,} bytes, over the {max_bytes:,}-byte cap (site.max_file_bytes); split it",
                1,
            )
        raw = resolved.read_bytes()
    except OSError as exc:
        raise ContentError("CONTENT001", f"cannot read file: {exc.strerror}", 1) from None
    rel = resolved.relative_to(root_resolved).as_posix()  # resolving is ~half the load time: do it once
    return parse_post(raw, path, root, default_lang=default_lang, languages=languages, rel=rel)


def _site_language(value: str, langs: set[str]) -> str | None:
    """`EN` or `en-US` on a site that publishes `en`: the same language, written another way."""
    lowered = {lang.lower(): lang for lang in langs}
    wanted = value.strip().lower().replace("_", "-")
    return lowered.get(wanted) or lowered.get(wanted.split("-")[0])


def parse_post(
    raw: bytes,
    path: Path,
    root: Path,
    *,
    default_lang: str = "en",
    languages: Iterable[str] = (),
    rel: str | None = None,
) -> Post:
    if b"\x00" in raw[:8192]:
        raise ContentError(
            "CONTENT003", "file contains NUL bytes and looks binary; it is not a Markdown post", 1
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            "CONTENT002",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            line,
        ) from None
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    # Normalise only files that use CRLF throughout: a mixed file stays as is, so dumps() stays byte-exact.
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf == text.count("\n") else "\n"
    if newline == "\n" and "\n" not in text and "\r" in text:
        newline = (
            "\r"  # classic Mac line ends: read as lines (it looked like unclosed front matter), kept on write
        )
    if newline != "\n":
        text = text.replace(newline, "\n")
    split = split_front_matter(text)
    fmt, fm, body, body_line = split.fmt, split.fm, split.body, split.body_line
    if fmt == "yaml":
        meta, key_lines = parse_yaml_front(fm)
    elif fmt == "toml":
        meta, key_lines = parse_toml_front(fm)
    else:
        meta, key_lines = {}, {}
    if rel is None:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.name
    langs = set(languages)
    first = rel.split("/", 1)[0] if "/" in rel else ""
    lang_from_folder = first in langs
    if lang_from_folder:
        lang = first
    elif isinstance(meta.get("lang"), str) and meta["lang"]:
        lang = meta["lang"]
        if langs and lang not in langs:
            lang = _site_language(lang, langs) or lang
        if langs and lang not in langs:
            # The language picks thresholds, folders and URLs (`lang: ../x` reached the sitemap): only known ones.
            raise ContentError(
                "CONTENT012",
                f"lang {lang!r} is not a language of this site ({', '.join(sorted(langs))}); fix it, or add "
                "it under [site.languages]",
                key_lines.get("lang", 1),
            )
    else:
        lang = default_lang
    base_rel = rel.split("/", 1)[1] if lang_from_folder else rel
    tkey = meta.get("translationKey")
    translation_key = str(tkey) if tkey else base_rel.rsplit(".", 1)[0]
    return Post(
        path=path,
        rel=rel,
        fm_format=fmt,
        fm_text=fm,
        meta=meta,
        key_lines=key_lines,
        body=body,
        body_line=body_line,
        lang=lang,
        translation_key=translation_key,
        hash=hashlib.sha256(raw).hexdigest(),
        lang_from_folder=lang_from_folder,
        newline=newline,
        bom=bom,
        opener=split.opener,
        closer=split.closer,
    )


def load_content(config: Config, paths: Sequence[Path] | None = None) -> ContentSet:
    """Load every post under the content root; bad files become findings, never exceptions."""
    root = config.content_root
    posts: list[Post] = []
    problems: list[Finding] = []
    if not root.is_dir():
        problems.append(
            Finding(
                "CONTENT001",
                "error",
                str(root),
                None,
                f"content folder {root} does not exist; set site.content_dir",
            )
        )
        return ContentSet(posts, problems, root)
    languages = list(config.site.languages)
    walked_root = None if paths else root.resolve()
    for path in iter_markdown(root, paths):
        try:
            post = load_post(
                path,
                root,
                default_lang=config.site.default_language,
                languages=languages,
                max_bytes=config.site.max_file_bytes,
                walked_root=walked_root,
            )
        except ContentError as exc:
            problems.append(Finding(exc.rule, "error", display_path(path), exc.line, str(exc)))
            continue
        if post.fm_format == "none":
            problems.append(
                Finding(
                    "CONTENT011",
                    "warning",
                    display_path(path),
                    1,
                    "no front matter; start the file with a '---' YAML block",
                )
            )
        posts.append(post)
    return ContentSet(posts, problems, root)


def display_path(path: Path) -> str:
    """Paths in findings are relative to the working directory when possible: editors and CI annotate them.

    A path lexically under the working directory (getcwd is already physical) is shown as written, without
    resolving every component: findings ask for this thousands of times per run."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, cwd)).as_posix()
    try:
        return path.resolve().relative_to(_resolved_dir(cwd)).as_posix()
    except ValueError:
        return str(path)


@lru_cache(maxsize=8)
def _resolved_dir(directory: str) -> Path:
    return Path(directory).resolve()


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
    y = _ruamel()
    data = y.load(fm) if fm.strip() else None
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

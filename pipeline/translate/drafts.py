"""Draft files `<content>/<lang>/<same rel path>` (Hugo by file name: `<rel>.<lang>.md`): planning, rendering, and importing translators' hand edits.

A draft carries `lang`, `translationKey`, a `translation` status block and the localized permalink; not the
source's card paths (the draft's own cards come from the URL model). What we wrote is recorded per segment (tm_drafts), so a later run can tell a
translator's edit from our own output, import it into the memory as a human edit, and never overwrite it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from pipeline.content.markdown import block_tokens
from pipeline.content.urls import UrlModel
from pipeline.translate.memory import Entry, Memory, key_of
from pipeline.translate.qa import run_qa
from pipeline.translate.segment import PLACEHOLDER_RE, Part, Segment, Segmenter, assemble, segments_of

if TYPE_CHECKING:
    from markdown_it.token import Token

    from pipeline.config import Config
    from pipeline.content import Post


@dataclass
class DraftPlan:
    """One source post in one target language, cut into segments."""

    post: Post
    lang: str
    draft_path: Path
    draft_rel: str
    body_parts: list[Part]
    meta_parts: dict[str, list[Part]] = field(default_factory=dict)
    # The site's translations end their permalink with the language (`/intro/` → `/intro/ar`), not start it.
    suffix_permalink: bool = False

    @property
    def segments(self) -> list[Segment]:
        out: list[Segment] = []
        for parts in self.meta_parts.values():
            out.extend(segments_of(parts))
        out.extend(segments_of(self.body_parts))
        return out


def segmenter_for(config: Config) -> Segmenter:
    return Segmenter(config.translate.do_not_translate, config.site.code_shortcodes)


def cut(
    post_meta: dict[str, Any],
    body: str,
    keys: list[str],
    segmenter: Segmenter,
    tokens: Sequence[Token] | None = None,
    line_offset: int = 0,
) -> tuple[dict[str, list[Part]], list[Part]]:
    meta_parts = {
        key: segmenter.value(key, post_meta[key]) for key in keys if isinstance(post_meta.get(key), str)
    }
    return meta_parts, segmenter.body(body, tokens, line_offset)


def draft_rel_of(post: Post, lang: str, config: Config) -> str:
    """Where `post`'s `lang` draft goes: the target language's folder (`content/ja/blog/x/index.md`), or, on a
    Hugo site that translates by file name (the source is in no language folder), beside the source
    (`posts/x/index.es.md`). Hugo reads no language from a folder there: `content/es/posts/x/index.md` was an
    English page at /es/posts/x/, and its bundle lacked the source's images, which by file name it shares."""
    folder = next((d for d, code in config.site.urls.language_dirs.items() if code == lang), None)
    by_name = config.site.urls.filename_language
    if by_name is None:
        by_name = config.site.generator == "hugo" or (
            config.site.generator == "jekyll"
            and (bool(named_translations(post, config)) or _in_collection(post, config))
        )
    if by_name and folder is None and not post.lang_from_folder:
        head, _, name = post.rel.rpartition("/")
        stem, dot, ext = name.rpartition(".")
        base, _, code = stem.rpartition(".")
        if base and code == post.lang:  # `about.en.md` names its language: the draft is `about.es.md`
            stem = base
        named = f"{stem}.{lang}.{ext}" if dot else f"{name}.{lang}"
        return f"{head}/{named}" if head else named
    rel = post.rel.split("/", 1)[1] if post.lang_from_folder else post.rel
    return f"{folder or lang}/{rel}"


def named_translations(post: Post, config: Config) -> dict[str, Path]:
    """The translations a Jekyll site keeps beside the source under its name (`index.ar.md` next to `index.md`,
    as w3.org/WAI does), by language: a draft goes there too, never to `<lang>/…`, which such a site does not read
    as that page (a collection's `es/collections/_videos/x.md` is no collection document at all)."""
    if post.lang_from_folder:
        return {}
    stem, dot, ext = post.path.name.rpartition(".")
    if not dot:
        return {}
    out: dict[str, Path] = {}
    for code in config.site.languages:
        sibling = post.path.with_name(f"{stem}.{code}.{ext}")
        if code != post.lang and sibling.is_file():
            out[code] = sibling
    return out


def _in_collection(post: Post, config: Config) -> bool:
    """A document of a Jekyll collection that writes pages: its translations must stay in the collection."""
    urls = UrlModel.for_config(config)
    head = f"{urls.collections_dir}/" if urls.collections_dir else ""
    return any(post.rel.startswith(f"{head}_{label}/") for label in urls.collections if label != "posts")


def _suffix_permalinks(post: Post, config: Config) -> bool:
    """Whether the source's named translations put their language at the end of its permalink (`/intro/` →
    `/intro/ar`, w3.org/WAI's instruction to translators), so a new draft's permalink does the same."""
    from pipeline.content.frontmatter import ContentError, parse_yaml_front, split_front_matter

    own = post.path_url
    if not own:
        return False
    for code, path in named_translations(post, config).items():
        try:
            split = split_front_matter(path.read_text(encoding="utf-8"))
            meta = parse_yaml_front(split.fm)[0] if split.fm else {}
        except (OSError, UnicodeDecodeError, ContentError, ValueError):
            continue
        theirs = meta.get("permalink")
        if isinstance(theirs, str) and theirs.strip().rstrip("/") == f"{own.rstrip('/')}/{code}":
            return True
    return False


def plan_post(post: Post, lang: str, config: Config) -> DraftPlan:
    draft_rel = draft_rel_of(post, lang, config)
    tokens = block_tokens(post)
    meta_parts, body_parts = cut(
        post.meta, post.body, config.translate.keys, segmenter_for(config), tokens, post.body_line - 1
    )
    suffix = config.site.generator == "jekyll" and _suffix_permalinks(post, config)
    return DraftPlan(post, lang, config.content_root / draft_rel, draft_rel, body_parts, meta_parts, suffix)


def localized_permalink(
    permalink: str | None, lang: str, new_slug: str | None = None, suffix: bool = False
) -> str | None:
    if not permalink:
        return None
    if suffix:  # the site's own convention: the language at the end, no trailing slash
        return f"{permalink.strip().rstrip('/')}/{lang}"
    parts = permalink.split("/")
    if new_slug:
        idx = max((i for i, p in enumerate(parts) if p), default=None)
        if idx is not None:
            parts[idx] = new_slug
    path = "/".join(parts)
    return f"/{lang}{path if path.startswith('/') else '/' + path}"


# Letters, marks (Thai vowel signs, Devanagari matras) and digits of any script, and the joiners inside a Persian
# word (پیاده‌روی): everything else separates the slug's words.
_NOT_SLUG = regex.compile(r"[^\p{L}\p{M}\p{N}\u200c\u200d]+")
# Latin letters NFKD does not take apart into a plain letter and accents.
_LATIN_FOLD = {"đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "þ": "th", "ı": "i"}


def slugify(text: str) -> str:
    """The translated title as a slug: Latin letters without their accents (`salud ósea` → `salud-osea`,
    Vietnamese `đi bộ` → `di-bo`, as such sites write their URLs), every other script's letters and marks kept as
    they are (a Thai, Arabic or Persian title folded to ASCII left nothing: every draft was `post`)."""
    import unicodedata

    out: list[str] = []
    for ch in text.lower():
        if ch.isascii():
            out.append(ch)
        elif unicodedata.combining(ch):
            if not (out and out[-1].isascii()):  # an accent of a Latin letter goes; a Thai vowel sign stays
                out.append(ch)
        else:
            folded = _LATIN_FOLD.get(ch)
            if folded is None:
                bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
                folded = bare if bare and bare.isascii() else ch
            out.append(folded)
    return _NOT_SLUG.sub("-", "".join(out)).strip("-") or "post"


def status_of(entries: list[Entry]) -> tuple[str, int]:
    approved = sum(1 for e in entries if e.state == "approved")
    if entries and approved == len(entries):
        return "approved", approved
    if approved or any(e.origin == "human" for e in entries):
        return "in-review", approved
    return "draft", approved


def render(
    plan: DraftPlan, entries: dict[str, Entry], config: Config
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """Draft text, per-segment records and the translation block, from memory entries keyed by key_of."""
    targets: dict[str, str] = {}
    seg_entries: list[Entry] = []
    records: list[dict[str, Any]] = []
    for seg in plan.segments:
        entry = entries[key_of(seg.template)]
        targets[seg.id] = entry.target
        seg_entries.append(entry)
        records.append(
            {
                "id": seg.id,
                "key": entry.key,
                "src": seg.template,
                "ph": seg.placeholders,
                "out": seg.render(entry.target),
            }
        )
    post = plan.post
    status, approved = status_of(seg_entries)
    block = {"status": status, "source_hash": post.hash, "approved": approved, "total": len(seg_entries)}
    updates: dict[str, Any] = {key: assemble(parts, targets) for key, parts in plan.meta_parts.items()}
    new_slug = slugify(updates["title"]) if config.translate.translate_slug and "title" in updates else None
    for key in UrlModel.from_config(config).conv.url_keys:  # `permalink`, Hugo's `url`
        value = post.meta.get(key)
        if isinstance(value, str) and value.startswith("/"):  # a relative Hugo url gets its prefix anyway
            updates[key] = localized_permalink(value, plan.lang, new_slug, plan.suffix_permalink)
    urls = UrlModel.for_config(config)
    unprefixed = config.site.generator == "jekyll" and not urls.prefix_for(plan.lang)
    if (
        (plan.suffix_permalink or unprefixed)
        and post.path_url
        and not any(k in post.meta for k in urls.conv.url_keys)
    ):
        # The source's URL comes from a pattern (a collection's, the posts' `/news/:year-:month-:day/:title/`)
        # that does not name the language, and no `/<lang>/` prefix is added (no jekyll-polyglot): without its
        # own permalink the draft claimed the source's URL (BUILD002).
        updates["permalink"] = localized_permalink(post.path_url, plan.lang, new_slug, plan.suffix_permalink)
    updates["lang"] = plan.lang
    if config.site.direction(plan.lang) == "rtl":
        updates["dir"] = "rtl"
    updates["translationKey"] = post.translation_key
    # The source's cards show its own language: the draft gets the cards rendered for it (content.urls.card_image).
    cards = [key for key in ("ogImage", "twitterImage") if key in post.meta]
    tag_map = config.translate.tag_map.get(plan.lang)
    if tag_map and post.tags and isinstance(post.meta.get("tags"), list):
        updates["tags"] = [tag_map.get(t, t) for t in post.tags]
    updates["translation"] = block
    body = assemble(plan.body_parts, targets)
    return post.dumps(updates, remove=cards, body=body), records, block


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _retemplate(draft_seg: Segment, source_placeholders: list[str]) -> str:
    """Express a draft segment against the source's placeholder numbers; literal text when it cannot be."""
    free = list(enumerate(source_placeholders, start=1))
    mapping: dict[int, int] = {}
    for i, ph in enumerate(draft_seg.placeholders, start=1):
        hit = next((n for n, text in free if text == ph), None)
        if hit is None:
            return draft_seg.source
        mapping[i] = hit
        free = [(n, t) for n, t in free if n != hit]
    return PLACEHOLDER_RE.sub(lambda m: f"⟦{mapping[int(m.group(1))]}⟧", draft_seg.template)


def import_hand_edits(
    plan: DraftPlan, record: dict[str, Any], memory: Memory, config: Config
) -> tuple[bool, int]:
    """Import edits a translator made in the draft file. Returns (aligned, edits imported).

    Alignment is by segment id (position); when the translator changed the structure (added or removed a
    paragraph) we cannot align, and the caller must leave the file alone.
    """
    from pipeline.content import ContentError, parse_post

    try:
        raw = plan.draft_path.read_bytes()
    except OSError:
        return True, 0
    if hashlib.sha256(raw).hexdigest() == record["written_hash"]:
        return True, 0
    try:
        draft = parse_post(raw, plan.draft_path, config.content_root, default_lang=plan.lang)
    except ContentError:
        return False, 0
    meta_parts, body_parts = cut(draft.meta, draft.body, list(plan.meta_parts), segmenter_for(config))
    draft_segs = {s.id: s for parts in meta_parts.values() for s in segments_of(parts)}
    draft_segs.update({s.id: s for s in segments_of(body_parts)})
    old = record["segments"]
    if set(draft_segs) != {s["id"] for s in old}:
        return False, 0
    edits = 0
    source_by_key = {key_of(s.template): s for s in plan.segments}
    current = {s.id: s for s in plan.segments}
    ours = memory.get_many([s.template for s in plan.segments])
    for seg in old:
        mine = draft_segs[seg["id"]]
        if mine.source == seg["out"] or _our_output(mine.source, current.get(seg["id"]), ours):
            continue
        target = _retemplate(mine, list(seg.get("ph", [])))
        src_seg = source_by_key.get(seg["key"]) or Segment(seg["id"], seg["src"], list(seg.get("ph", [])))
        memory.put_human(
            seg["src"],
            target,
            who=f"hand-edit:{plan.draft_rel}",
            qa=run_qa(src_seg, target, config.translate.glossary.get(plan.lang)),
            action="hand-edit",
        )
        edits += 1
    return True, edits


def _our_output(text: str, seg: Segment | None, entries: dict[str, Entry]) -> bool:
    """The draft holds what the memory says for this segment now: our own output, written by a run that was
    killed before it recorded the draft — not a translator's edit."""
    entry = entries.get(key_of(seg.template)) if seg is not None else None
    return seg is not None and entry is not None and seg.render(entry.target) == text


def text_hash_bytes(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_EDGE_START = re.compile(r"^(?:⟦\d+⟧|\s)*")
_EDGE_END = re.compile(r"(?:⟦\d+⟧|\s)*$")


def legacy_template(template: str) -> tuple[str, str, str, int] | None:
    """How a segment with markup at its ends was cut before that markup moved inside it: (old template, markup
    before, markup after, placeholders before). None when nothing moved. Used once per segment to carry a
    person's translation, and its approval, over to the new cut instead of translating it again."""
    head = _EDGE_START.match(template)
    tail = _EDGE_END.search(template)
    start = head.end() if head else 0
    end = tail.start() if tail else len(template)
    if start >= end or (
        not PLACEHOLDER_RE.search(template[:start]) and not PLACEHOLDER_RE.search(template[end:])
    ):
        return None
    shift = len(PLACEHOLDER_RE.findall(template[:start]))
    inner = PLACEHOLDER_RE.sub(lambda m: f"⟦{int(m.group(1)) - shift}⟧", template[start:end])
    return inner, template[:start], template[end:], shift


def from_legacy(target: str, before: str, after: str, shift: int) -> str:
    """A translation of the old cut, expressed against the new one: the end markup put back around it."""
    inner = PLACEHOLDER_RE.sub(lambda m: f"⟦{int(m.group(1)) + shift}⟧", target.strip())
    return before + inner + after

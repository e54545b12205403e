"""Validate stage: run every rule on every post, all findings at once, cached per post, in parallel when large.

Cache key = post content hash + config fingerprint + a digest of the rule table and validate's code + a digest of the cross-post facts
(titles, descriptions, permalinks): an unchanged post on an unchanged site is not re-analysed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.compute import uses_ray
from pipeline.config import Config
from pipeline.content import ContentSet, Post, display_path, path_filter
from pipeline.content.assets import page_resource
from pipeline.content.links import LinkIndex, link_key
from pipeline.content.markdown import MarkdownError, empty_tree
from pipeline.content.schedule import EXPIRED
from pipeline.content.urls import UrlModel
from pipeline.findings import Finding, Severity
from pipeline.history import record_run
from pipeline.langtags import primary
from pipeline.procs import process_pool
from pipeline.rules import VALIDATE_SETTABLE
from pipeline.stages import Context, Stage, StageResult
from pipeline.store import JSONText
from pipeline.validate import cache
from pipeline.validate.checks import all_checks
from pipeline.validate.langsupport import effective_checks
from pipeline.validate.langsupport import notes as language_notes
from pipeline.validate.registry import Check, Env, SiteIndex, rules_digest

PARALLEL_MIN_POSTS = 300
# Search engines are told not to index some pages (a 404 page, `robots: noindex`): the rules about search
# results and reading (title, description, keyphrase, readability, length, outbound links) are not theirs.
NOT_FOR_UNINDEXED = frozenset({"metadata", "keyphrase", "readability"})
NOT_FOR_UNINDEXED_RULES = frozenset({"MD006", "MD007"})
GC_THRESHOLD = 10_000  # allocations between young-generation collections during a run (Python's default: 700)


def build_index(content: ContentSet, config: Config | None = None) -> SiteIndex:
    urls = content.urls or (UrlModel.from_config(config) if config is not None else UrlModel.plain())
    index = SiteIndex(links=LinkIndex(content.posts, urls))
    for post in content.posts:
        if not (post.renders and post.path_url):
            continue  # no page, so no <title> or description on the site to be confused with (an expired page)
        if post.title:
            index.titles.setdefault(f"{post.lang}\x00{post.title.strip().lower()}", []).append(post.rel)
        if post.description:
            index.descriptions.setdefault(f"{post.lang}\x00{post.description.strip().lower()}", []).append(
                post.rel
            )
        index.permalinks.setdefault(link_key(post.path_url), []).append(post.rel)
        index.uses_preview = index.uses_preview or bool(post.preview)
    return index


def _index_digest(index: SiteIndex) -> str:
    h = hashlib.sha256()
    for table in (index.titles, index.descriptions, index.permalinks):
        for key in sorted(table):
            h.update(key.encode())
            h.update("\x01".join(sorted(table[key])).encode())
    if index.links is not None:  # link targets: a post's links are judged by every other post's URL
        h.update("\x02".join(index.links.digest_rows()).encode())
    h.update(b"preview" if index.uses_preview else b"")
    return h.hexdigest()[:16]


def check_post(post: Post, env: Env, checks: Sequence[Check]) -> list[Finding]:
    """Run every enabled rule; a rule that crashes becomes an error finding instead of stopping the run."""
    cfg = env.config.validate_
    ignored = set(cfg.disable)
    vconf = post.meta.get("validate")
    if isinstance(vconf, dict) and isinstance(vconf.get("ignore"), list):
        ignored |= {str(x) for x in vconf["ignore"]}
    lang = primary(post.lang)
    where = display_path(post.path)
    out = _markdown_findings(post, where, ignored, cfg.severity)
    indexed = post.indexable
    for check in checks:
        rid = check.rule.id
        if rid in ignored or (check.languages is not None and lang not in check.languages):
            continue
        if not indexed and (check.rule.category in NOT_FOR_UNINDEXED or rid in NOT_FOR_UNINDEXED_RULES):
            continue
        try:
            hits = list(check.fn(post, env))
        except Exception as exc:  # a bug in one rule must not hide the other rules' findings
            out.append(
                Finding("VALIDATE000", "error", where, 1, f"rule {rid} crashed: {type(exc).__name__}: {exc}")
            )
            continue
        for hit in hits:
            severity = cfg.severity.get(rid) or hit.severity or check.rule.severity
            data = dict(hit.data)
            data.setdefault("key", hit.key)
            data["lang"] = post.lang
            line, message = hit.line, hit.message
            source = post.cascade_sources.get(hit.key.rstrip(":")) if post.cascade_sources else None
            if source is not None:
                # The page does not write this value: its section's `cascade:` does, and that is where the SEO
                # fix goes (or the page sets its own). The finding stays on the page it is about; its message
                # and `data.source` name the file and line to change, instead of line 1 of the page.
                line, message = (
                    None,
                    f"{message} (`{hit.key.rstrip(':')}` comes from `cascade:` in {source}; ",
                )
                message += "change it there, or set it on this page)"
                data["source"] = source
            out.append(Finding(rid, severity, where, line, message, data=data))
    post.extra.pop("doc", None)
    post.extra.pop("readability", None)
    post.__dict__.pop("syntax", None)  # only the checks walk the tree: free it as soon as they are done
    return out


def _markdown_findings(
    post: Post, where: str, ignored: set[str], severity: Mapping[str, Severity]
) -> list[Finding]:
    """One finding for a body the dialect cannot fully read; the rules then check what could be read."""
    try:
        problem = post.syntax.meta.get("problem")
    except MarkdownError as exc:
        post.__dict__["syntax"] = empty_tree()
        if "CONTENT014" in ignored:
            return []
        line = post.body_line + (exc.line or 1) - 1
        return [Finding("CONTENT014", severity.get("CONTENT014", "error"), where, line, str(exc))]
    if not problem or "CONTENT013" in ignored:
        return []
    return [Finding("CONTENT013", severity.get("CONTENT013", "warning"), where, post.body_line, str(problem))]


# --- process pool plumbing (fork: workers inherit the loaded posts, nothing is pickled but indices) -------------

_WORK: dict[str, Any] = {}


def _work(indices: list[int]) -> list[JSONText]:
    """Findings as their cache text (cache.dump): the encoding happens here, in parallel, and the parent
    stores, digests and assembles the run from the text (one str travels back per post)."""
    posts: list[Post] = _WORK["posts"]
    return [cache.dump(check_post(posts[i], _WORK["env"], _WORK["checks"])) for i in indices]


def _run_parallel(
    posts: list[Post], env: Env, checks: list[Check], workers: int, ctx: Context | None = None
) -> list[JSONText]:
    """Each post's findings as cache.dump text, in the order of `posts`."""
    from pipeline import wordbreak
    from pipeline.content.markdown import warm
    from pipeline.validate.counts import prewarm
    from pipeline.validate.language import prewarm as prewarm_langid
    from pipeline.validate.pixels import text_width_px

    prewarm()
    wordbreak.prewarm()
    prewarm_langid(env, checks)
    warm()
    text_width_px("x", 10)
    _WORK.update(posts=posts, env=env, checks=checks)
    # Inherited objects go to the permanent GC generation: the workers' collections then neither scan them nor
    # write to their pages (which would copy them, page by page, into every worker).
    gc.freeze()
    try:
        chunks = _chunks(posts, workers * 16)
        parts: list[list[JSONText]] = []
        with process_pool(workers, "fork") as pool:
            for part in pool.map(_work, chunks):
                parts.append(part)
                if ctx is not None:
                    ctx.tick("validate", sum(len(p) for p in parts), len(posts))
    finally:
        gc.unfreeze()
        _WORK.clear()
    return _in_order(chunks, parts, len(posts))


def _in_order(chunks: list[list[int]], parts: Sequence[list[JSONText]], n: int) -> list[JSONText]:
    """Each post's text back at its index: chunks are cut by size, not in order (see _chunks)."""
    results: list[JSONText] = [JSONText("[]")] * n
    for chunk, part in zip(chunks, parts, strict=True):
        for i, text in zip(chunk, part, strict=True):
            results[i] = text
    return results


def _chunks(posts: Sequence[Post], count: int) -> list[list[int]]:
    """Post indices in about `count` chunks of similar text size, largest posts first.

    Work per post grows with its length (one corpus post is 35× the median), so equal-count chunks finish
    unevenly; big-first chunks pulled one at a time by idle workers end within a small post of each other.
    """
    order = sorted(range(len(posts)), key=lambda i: len(posts[i].body), reverse=True)
    target = max(1, sum(len(p.body) for p in posts) // max(1, count))
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for i in order:
        current.append(i)
        size += len(posts[i].body)
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _check_chunk(env: Env, posts: list[Post]) -> list[JSONText]:
    checks = all_checks()
    return [cache.dump(check_post(post, env, checks)) for post in posts]


def _run_on_ray(posts: list[Post], env: Env, ctx: Context) -> list[JSONText]:
    """The posts as Ray tasks in chunks of similar text size, biggest first (as the local pool takes them);
    the environment travels once through the object store."""
    from pipeline.compute.cluster import connect, slots
    from pipeline.compute.tasks import map_chunks

    chunks = _chunks(posts, slots(connect(ctx.config)) * 8)
    parts = map_chunks(
        ctx.config,
        _check_chunk,
        [[posts[i] for i in chunk] for chunk in chunks],
        shared=env,
        progress=lambda done, total: ctx.tick("validate", done, total),
    )
    return _in_order(chunks, parts, len(posts))


# validate_cache row holding the whole-site result for the no-change fast path: an absolute path, which no post's
# content-relative path can equal (a NUL prefix did that too, but PostgreSQL text cannot store NUL).
SITE_ROW = "/site"


def site_signature(config: Any) -> str:
    """Every Markdown and static file's (path, size, mtime) plus the settings: equal ⇒ nothing to re-check.

    Stat-only (no reads), so a no-change re-run of a 1,775-post site costs a directory walk instead of parsing.
    """
    from pipeline.content import UrlModel, iter_markdown
    from pipeline.content.eleventy_data import config_files, data_files, ignore_files

    h = hashlib.sha256(f"{config.fingerprint()}:{rules_digest()}:{dt.date.today()}".encode())
    roots = [(config.content_root, True), (config.static_root, False)]
    for root, markdown_only in roots:
        if not root.is_dir():
            continue
        # The site's URL model names the folders that hold posts (`_posts`): without it an edit there went
        # unnoticed and the run reused the previous findings.
        site = UrlModel.for_config(config)
        files = (
            iter_markdown(root, site=site)
            if markdown_only
            else sorted(p for p in root.rglob("*") if p.is_file())
        )
        if markdown_only and config.site.generator == "eleventy":  # JSON data files place and tag pages
            files = [*files, *data_files(root), *ignore_files(root), *config_files(root)]
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(os.fsencode(path) + f"\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _fast_path(ctx: Context, signature: str) -> StageResult | None:
    """The stored whole-site result when nothing on disk or in the settings changed since it was computed."""
    stored = cache.load_site(ctx.store, SITE_ROW, signature)
    if stored is None:
        return None
    result = StageResult("validate", findings=[Finding(**f) for f in stored["findings"]])
    result.data["notes"] = list(stored.get("notes", []))
    result.data["findings_digest"] = stored.get("digest")
    counts = dict(stored["counts"])
    result.counts = {**counts, "analysed": 0, "cached": counts["posts"]}
    return result


def run_stage(ctx: Context, paths: Sequence[Path] | None = None, use_cache: bool = True) -> StageResult:
    """Validate the site (or the posts under `paths`) and record a whole-site run in the history, whoever
    called: `pipeline validate`, `pipeline run` and the web audit page all see the same runs. A run over some
    files is not recorded: the audit would read every other post's findings as fixed."""
    with _fewer_collections():
        result = _validate(ctx, paths, use_cache)
        if not paths:
            record_run(ctx, "validate", result.findings, result.counts, result.data.get("findings_digest"))
    return result


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run with the cyclic GC's young generation collected every GC_THRESHOLD allocations instead of 700.

    A run allocates millions of containers that reference counting frees (sentences, word lists, finding rows)
    and keeps thousands of posts alive: at the default threshold the collector ran ~1,500 times a cold run,
    re-scanning the loaded posts in the parent, and found nothing to collect (~5% of the run). The pool's
    workers inherit the threshold at the fork. Counted, so overlapping runs (web UI threads) restore it once."""
    with _GC_LOCK:
        if not _GC_RUNS:
            before = gc.get_threshold()
            _GC_SAVED[:] = before
            gc.set_threshold(max(GC_THRESHOLD, before[0]), *before[1:])
        _GC_RUNS.append(1)
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_RUNS.pop()
            if not _GC_RUNS:
                gc.set_threshold(*_GC_SAVED)


_GC_LOCK = threading.Lock()
_GC_RUNS: list[int] = []  # one entry per run in progress
_GC_SAVED: list[int] = []  # the thresholds before the first of them


def _validate(ctx: Context, paths: Sequence[Path] | None, use_cache: bool) -> StageResult:
    config = ctx.config
    signature = site_signature(config) if use_cache and not paths else None
    if signature is not None and not ctx.content_loaded:
        fast = _fast_path(ctx, signature)
        if fast is not None:
            return fast
    content = ctx.content
    selected = content.select(paths)
    # No page (Hugo `build.render: link`, Eleventy `permalink: false`): nothing a reader sees, nothing to check.
    posts = [p for p in selected if p.renders and p.path_url]
    in_scope = path_filter(paths)
    problems = [f for f in content.problems if not paths or (f.file and in_scope(Path(f.file)))]
    index = build_index(content, config)
    env = Env(config, index, dt.datetime.now(dt.UTC), config.static_root)
    checks = effective_checks(all_checks(), config)
    notes = language_notes(checks, {p.lang for p in posts}, config.validate_.disable)
    unindexed = [p for p in posts if not p.indexable]
    if unindexed:
        notes.append(
            f"{len(unindexed)} page(s) search engines are told not to index (a 404 page, robots: noindex) got "
            f"no title, description, keyphrase, readability or length rules, e.g. {display_path(unindexed[0].path)}"
        )
    expired = [p for p in selected if p.held.startswith(EXPIRED)]
    if expired:
        notes.append(
            f"{len(expired)} page(s) past their expiryDate were not checked: Hugo does not build them "
            f"(buildExpired is false), e.g. {display_path(expired[0].path)} ({expired[0].held})"
        )
    key_base = f"{config.fingerprint()}:{rules_digest()}:{_index_digest(index)}"

    cached: dict[str, list[Finding]] = {}
    store = ctx.store if use_cache else None
    keys: dict[str, str] = {}
    if store is not None:
        keys = {p.rel: _post_key(p, key_base, env.static_root, env.now) for p in posts}
        cached = cache.load_fresh(store, keys)

    todo = [p for p in posts if p.rel not in cached]
    workers = min(os.cpu_count() or 1, 8)
    # Every path gives each post's findings as text (cache.dump) and reads them back from it, so a finding is
    # the same whether it came from a worker, this process, Ray or the cache.
    texts: list[JSONText]
    if todo and uses_ray(config):
        texts = _run_on_ray(todo, env, ctx)
    elif len(todo) >= PARALLEL_MIN_POSTS and workers > 1:
        texts = _run_parallel(todo, env, checks, workers, ctx)
    else:
        texts = []
        for i, post in enumerate(todo, 1):
            texts.append(cache.dump(check_post(post, env, checks)))
            ctx.tick("validate", i, len(todo))

    if store is not None and todo:
        cache.save(store, ((p.rel, keys[p.rel], text) for p, text in zip(todo, texts, strict=True)))

    findings: list[Finding] = list(problems)
    post_texts: list[str] = [cache.dump(problems)]
    by_rel = {p.rel: i for i, p in enumerate(todo)}
    for post in posts:
        at = by_rel.get(post.rel)
        if at is None:
            found = cached.get(post.rel, [])
            findings.extend(found)
            post_texts.append(cache.dump(found))
        else:
            findings.extend(cache.findings_of(texts[at]))
            post_texts.append(texts[at])
    counts = {
        "posts": len(posts),
        "analysed": len(todo),
        "cached": len(posts) - len(todo),
        # Posts the loader could not read (errors); its warnings (no front matter, a permalink it could not use)
        # are about posts it did read and check.
        "unreadable": sum(1 for f in problems if f.severity == "error"),
        "not_pages": len(selected) - len(posts),
    }
    digest = cache.digest(post_texts)
    if store is not None and signature is not None:
        cache.save_site(store, SITE_ROW, signature, post_texts, counts, notes, digest)
    result = StageResult("validate", findings=findings)
    result.counts = counts
    result.data["notes"] = notes
    result.data["findings_digest"] = digest
    return result


def _post_key(post: Post, key_base: str, static_root: Path, now: dt.datetime) -> str:
    """Content + settings + the on-disk state of the post's images (image rules read the files) + whether its
    date is still to come (SEO004, and a scheduled post that went live, change with the day, not the file)."""
    future = post.date is not None and post.date > now
    h = hashlib.sha256(f"{post.hash}:{post.lang}:{key_base}:{future}:{post.held}".encode())
    if post.cascaded:  # values from a section's `cascade:` change with that file, not this one
        h.update(repr([(key, post.meta.get(key)) for key in post.cascaded]).encode())
        h.update(repr(sorted(post.cascade_sources.items())).encode())  # the messages name the source line
    for key in ("image", "ogImage", "twitterImage"):
        value = post.meta.get(key)
        if isinstance(value, str) and ".." not in value and not value.startswith(("http:", "https:", "//")):
            try:  # a relative path may name a file beside the page (pipeline.content.assets)
                st = (page_resource(post, value) or static_root / value.lstrip("/")).stat()
                h.update(f"{key}:{st.st_size}:{st.st_mtime_ns}".encode())
            except (OSError, ValueError):  # ValueError: a NUL in the path; IMG001 reports it
                h.update(f"{key}:missing".encode())
    return h.hexdigest()[:32]


STAGE = Stage(
    "validate",
    run=run_stage,
    reads=("posts", "static images", "validate cache"),
    writes=("findings", "run history", "validate cache"),
    rules=VALIDATE_SETTABLE,
    compute=True,
    always_report=True,
)
